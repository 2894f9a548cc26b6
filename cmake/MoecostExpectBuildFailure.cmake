# cmake -DMOECOST_BUILD_DIR=<build> -DMOECOST_TARGET=<target> -P MoecostExpectBuildFailure.cmake
#
# Driver of the compile_fail.* tests. Builds <target>, which must fail to compile.
# - Build fails: print the build output; ctest's PASS_REGULAR_EXPRESSION (the file's
#   `// expect:` regexes) then decides whether it failed for the expected reason.
# - Build succeeds: print none of the build output (so no warning text can satisfy the pass
#   regex) and a marker that the test's FAIL_REGULAR_EXPRESSION turns into a failure.
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
