# cmake -DMOECOST_BUILD_DIR=<build> -DMOECOST_TARGET=<target> [-DMOECOST_EXPECT_FILE=<file>]
#       -P MoecostExpectBuildFailure.cmake
#
# Driver of the compile_fail.* tests. Builds <target>, which must fail to compile.
# - Build fails: print the build output; ctest's PASS_REGULAR_EXPRESSION (the file's
#   `// expect:` regexes) then decides whether it failed for the expected reason.
# - Build succeeds: print none of the build output (so no warning text can satisfy the pass
#   regex) and a marker that the test's FAIL_REGULAR_EXPRESSION turns into a failure.
# - MOECOST_EXPECT_FILE (optional) sets MOECOST_FIRST_ERROR_REGEXES: when the build fails, its
#   first error line (the first line with "error: ") must match each of them, be at most 200
#   characters from its "error: " on (a clang-tidy " [check-name]" at its end not counted), and
#   hold no "{{{" (a class-type template argument spelled
#   as character codes); otherwise a marker that FAIL_REGULAR_EXPRESSION turns into a failure.
# Nothing printed here other than the build output may contain the text the regexes look for.
if(NOT DEFINED MOECOST_BUILD_DIR OR NOT DEFINED MOECOST_TARGET)
    message(FATAL_ERROR "usage: cmake -DMOECOST_BUILD_DIR=<dir> -DMOECOST_TARGET=<target> "
                        "-P ${CMAKE_CURRENT_LIST_FILE}")
endif()

execute_process(
    COMMAND "${CMAKE_COMMAND}" --build "${MOECOST_BUILD_DIR}" --target "${MOECOST_TARGET}"
    RESULT_VARIABLE _rc
    OUTPUT_VARIABLE _out
    ERROR_VARIABLE _out)

if(_rc EQUAL 0)
    message(FATAL_ERROR "MOECOST_UNEXPECTED_BUILD_SUCCESS: ${MOECOST_TARGET} compiled without "
                        "error, but the code under MOECOST_COMPILE_FAIL must not compile")
endif()
message("${_out}")
message("(build of ${MOECOST_TARGET} failed with ${_rc}, as it should; the test passes if the "
        "output above matches an expect regex of the source file)")

if(DEFINED MOECOST_EXPECT_FILE)
    include("${MOECOST_EXPECT_FILE}")
    set(_max_length 200)
    string(REGEX MATCH "error: [^\n]*" _first "${_out}")
    set(_problems)
    if(NOT _first)
        list(APPEND _problems "the output has no line with 'error: '")
    else()
        # clang-tidy (the tidy preset) reports the same error with its check's name appended.
        string(REGEX REPLACE " \\[[A-Za-z0-9_.,=-]+\\]$" "" _measured "${_first}")
        string(LENGTH "${_measured}" _length)
        if(_length GREATER _max_length)
            list(APPEND _problems "it is ${_length} characters long from 'error: ' on, more "
                                  "than ${_max_length}")
        endif()
        string(FIND "${_first}" "{{{" _codes)
        if(NOT _codes EQUAL -1)
            list(APPEND _problems "it holds '{{{' (a spec spelled as character codes)")
        endif()
        foreach(_re IN LISTS MOECOST_FIRST_ERROR_REGEXES)
            if(NOT _first MATCHES "${_re}")
                list(APPEND _problems "it does not match the expect-first-error regex '${_re}'")
            endif()
        endforeach()
    endif()
    if(_problems)
        list(JOIN _problems "; " _problems)
        message(FATAL_ERROR "MOECOST_FIRST_ERROR_MISMATCH: the first error line of "
                            "${MOECOST_TARGET} fails its checks: ${_problems}.\n"
                            "The line: ${_first}")
    endif()
endif()
