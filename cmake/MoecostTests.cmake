# Tests (MOECOST_BUILD_TESTS). Included from the top-level CMakeLists.txt, so
# CMAKE_CURRENT_SOURCE_DIR is the repository root.
#
#   tests/unit/*.cpp          -> moecost_tests                  ctest: unit
#   tests/static/*.cpp        -> moecost_static_tests           ctest: static
#                                moecost_static_tests_runtime   ctest: static.runtime
#                                (CATCH_CONFIG_RUNTIME_STATIC_REQUIRE)
#   tests/validation/*.cpp    -> moecost_validation             ctest: validation
#   tests/compile_fail/F.cpp  -> cf_F_fail, cf_F_ok (not in ALL) ctest: compile_fail.F, compile_ok.F
#   tests/compile_time/F.cpp  -> ct_F (object library, in ALL)    ctest: compile_time.F
#   tests/consumer/           -> ctest: consumer.find_package, consumer.add_subdirectory
#
# Every test program gets MOECOST_TEST_DATA_DIR="<source>/tests/data" and links moecost::io.

moecost_require_package(
    Catch2 catch2 "Catch2 2.x"
    "MOECOST_BUILD_TESTS=ON needs it, or configure with -DMOECOST_BUILD_TESTS=OFF" 2.13)

set(_moecost_test_data_def "MOECOST_TEST_DATA_DIR=\"${CMAKE_CURRENT_SOURCE_DIR}/tests/data\"")

# One Catch2 main (tests/unit/main.cpp), compiled once and linked into every test program.
add_library(moecost_catch_main OBJECT tests/unit/main.cpp)
target_link_libraries(moecost_catch_main PUBLIC Catch2::Catch2)
target_compile_features(moecost_catch_main PUBLIC cxx_std_20)

# moecost_add_catch_test(<target> <ctest-name> <label> <sources>...)
function(moecost_add_catch_test _target _test _label)
    add_executable(${_target} ${ARGN})
    target_link_libraries(${_target} PRIVATE moecost_catch_main moecost::io Catch2::Catch2)
    target_compile_definitions(${_target} PRIVATE ${_moecost_test_data_def})
    add_test(NAME ${_test} COMMAND ${_target})
    set_tests_properties(${_test} PROPERTIES LABELS ${_label})
endfunction()

# --- unit -------------------------------------------------------------------------------------
moecost_glob_sources(_moecost_unit_sources tests/unit)
list(FILTER _moecost_unit_sources EXCLUDE REGEX "/tests/unit/main\\.cpp$")
if(_moecost_unit_sources)
    moecost_add_catch_test(moecost_tests unit unit ${_moecost_unit_sources})
endif()

# --- static: compile-time facts, checked at compile time and again at run time -----------------
moecost_glob_sources(_moecost_static_sources tests/static)
if(_moecost_static_sources)
    moecost_add_catch_test(moecost_static_tests static static ${_moecost_static_sources})
    moecost_add_catch_test(moecost_static_tests_runtime static.runtime static
                           ${_moecost_static_sources})
    target_compile_definitions(moecost_static_tests_runtime
                               PRIVATE CATCH_CONFIG_RUNTIME_STATIC_REQUIRE)
endif()

# --- validation: numbers checked against published figures ------------------------------------
moecost_glob_sources(_moecost_validation_sources tests/validation)
if(_moecost_validation_sources)
    moecost_add_catch_test(moecost_validation validation validation ${_moecost_validation_sources})
endif()

# --- compile_fail: must-not-compile files, each with a compiling twin ---------------------------
#
# tests/compile_fail/FOO.cpp holds one or more lines
#     // expect: <regex>
# (CMake regex syntax; every regex must contain the text "moecost:"). The code under
# #ifdef MOECOST_COMPILE_FAIL must fail to compile; without the macro the file must compile.
# It may also hold
#     // expect-first-error: <regex>
# (same rules; one or more): then the first error line of the build (the first line with
# "error: ") must match every such regex, be at most 200 characters from its "error: " on, and
# hold no "{{{" (a class-type template argument spelled as character codes). The build tree's
# compiler is the one checked: the gcc and clang presets check g++ and clang++. A ';' cannot
# stand in a regex (CMake lists split there): match it with '.'. And
#     // fail-std: <14|17|...>
# builds the must-not-compile file in that C++ standard (the twin stays in C++20).
#   compile_fail.FOO  builds cf_FOO_fail; passes when the build fails, its output matches at
#                     least one expect regex (PASS_REGULAR_EXPRESSION) and its first error line
#                     passes the expect-first-error checks (the driver prints a failure marker).
#   compile_ok.FOO    builds cf_FOO_ok; passes when the build succeeds.
# Both run `cmake --build` on this build tree, so they hold one RESOURCE_LOCK.
set(_moecost_cf_driver "${CMAKE_CURRENT_SOURCE_DIR}/cmake/MoecostExpectBuildFailure.cmake")
# moecost_cf_regex(<file> <line> <regex>): stops configure on an expect regex that does not name
# the library's message, would not survive a CMake list, or would match compiler noise.
function(moecost_cf_regex _rel _line _re)
    string(FIND "${_re}" "moecost:" _has_prefix)
    if(_has_prefix EQUAL -1)
        message(FATAL_ERROR "moecost: ${_rel}: the regex in '${_line}' must contain "
                            "'moecost:' (match the library's own message)")
    endif()
    string(REGEX MATCHALL "\\[" _open "${_re}")
    string(REGEX MATCHALL "\\]" _close "${_re}")
    list(LENGTH _open _open)
    list(LENGTH _close _close)
    if(NOT _open EQUAL _close)
        message(FATAL_ERROR "moecost: ${_rel}: unbalanced [ ] in '${_line}' (CMake lists "
                            "cannot hold it); match a literal bracket with '.'")
    endif()
    # Compiles the regex (an invalid one stops configure here) and rejects one so loose that
    # it would match compiler noise rather than our message.
    foreach(_noise "" "moecost" "error: 'moecost::x' was not declared in this scope"
                   "In instantiation of 'struct moecost::detail::y<1>':")
        if(_noise MATCHES "${_re}")
            message(FATAL_ERROR "moecost: ${_rel}: the regex in '${_line}' also matches "
                                "'${_noise}'; make it match the message text")
        endif()
    endforeach()
endfunction()
moecost_glob_sources(_moecost_cf_sources tests/compile_fail)
foreach(_file IN LISTS _moecost_cf_sources)
    get_filename_component(_name "${_file}" NAME_WE)
    file(RELATIVE_PATH _rel "${CMAKE_CURRENT_SOURCE_DIR}" "${_file}")
    # The expectations are read at configure time: re-configure when the file changes.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_file}")

    file(STRINGS "${_file}" _lines
         REGEX "^[ \t]*//[ \t]*(expect|expect-first-error|fail-std):")
    set(_regexes)
    set(_first_error_regexes)
    set(_fail_std)
    foreach(_line IN LISTS _lines)
        string(REGEX MATCH "^[ \t]*//[ \t]*([a-z-]+):[ \t]*(.*)$" _ "${_line}")
        set(_kind "${CMAKE_MATCH_1}")
        string(STRIP "${CMAKE_MATCH_2}" _value)
        if(_kind STREQUAL "fail-std")
            if(NOT _value MATCHES "^[0-9]+$")
                message(FATAL_ERROR "moecost: ${_rel}: '${_line}' must name a standard, e.g. 17")
            endif()
            set(_fail_std "${_value}")
            continue()
        endif()
        moecost_cf_regex("${_rel}" "${_line}" "${_value}")
        if(_kind STREQUAL "expect")
            list(APPEND _regexes "${_value}")
        else()
            list(APPEND _first_error_regexes "${_value}")
        endif()
    endforeach()
    if(NOT _regexes)
        message(FATAL_ERROR "moecost: ${_rel} has no '// expect: <regex>' line")
    endif()

    foreach(_kind fail ok)
        moecost_check_target_name(cf_${_name}_${_kind} "${_rel}")
        add_library(cf_${_name}_${_kind} OBJECT EXCLUDE_FROM_ALL "${_file}")
    endforeach()
    target_link_libraries(cf_${_name}_ok PRIVATE moecost::io)
    target_compile_definitions(cf_${_name}_fail PRIVATE MOECOST_COMPILE_FAIL)
    if(_fail_std)
        # moecost's cxx_std_20 requirement would outrank CXX_STANDARD: take its headers and
        # their dependencies without it.
        target_include_directories(cf_${_name}_fail
                                   PRIVATE $<TARGET_PROPERTY:moecost,INTERFACE_INCLUDE_DIRECTORIES>)
        target_link_libraries(cf_${_name}_fail PRIVATE Boost::headers nlohmann_json::nlohmann_json)
        set_target_properties(cf_${_name}_fail PROPERTIES CXX_STANDARD ${_fail_std}
                                                          CXX_EXTENSIONS OFF)
    else()
        target_link_libraries(cf_${_name}_fail PRIVATE moecost::io)
    endif()

    # The first-error regexes reach the driver in a file, as bracket arguments, so that no
    # character of theirs needs quoting on a command line.
    set(_first_error_args)
    if(_first_error_regexes)
        set(_expect_file "${CMAKE_CURRENT_BINARY_DIR}/compile_fail/${_name}.cmake")
        set(_content "set(MOECOST_FIRST_ERROR_REGEXES")
        foreach(_re IN LISTS _first_error_regexes)
            string(APPEND _content "\n    [==[${_re}]==]")
        endforeach()
        file(WRITE "${_expect_file}" "${_content})\n")
        set(_first_error_args "-DMOECOST_EXPECT_FILE=${_expect_file}")
    endif()

    add_test(NAME compile_fail.${_name}
             COMMAND "${CMAKE_COMMAND}" "-DMOECOST_BUILD_DIR=${CMAKE_BINARY_DIR}"
                     "-DMOECOST_TARGET=cf_${_name}_fail" ${_first_error_args}
                     -P "${_moecost_cf_driver}")
    set_tests_properties(
        compile_fail.${_name}
        PROPERTIES PASS_REGULAR_EXPRESSION "${_regexes}"
                   FAIL_REGULAR_EXPRESSION
                   "MOECOST_UNEXPECTED_BUILD_SUCCESS;MOECOST_FIRST_ERROR_MISMATCH"
                   RESOURCE_LOCK moecost_build_tree
                   LABELS compile_fail)
    add_test(NAME compile_ok.${_name}
             COMMAND "${CMAKE_COMMAND}" --build "${CMAKE_BINARY_DIR}" --target cf_${_name}_ok)
    set_tests_properties(compile_ok.${_name} PROPERTIES RESOURCE_LOCK moecost_build_tree
                                                        LABELS compile_fail)
endforeach()

# --- compile_time: constant-evaluation load, built by the normal build -------------------------
# Compiling is passing. Build times are measured by hand (docs/performance.md), never asserted.
# The ctest entry builds the target (nothing to do when the normal build already has), so a
# test run reports a file that no longer compiles.
moecost_glob_sources(_moecost_ct_sources tests/compile_time)
foreach(_file IN LISTS _moecost_ct_sources)
    get_filename_component(_name "${_file}" NAME_WE)
    file(RELATIVE_PATH _rel "${CMAKE_CURRENT_SOURCE_DIR}" "${_file}")
    moecost_check_target_name(ct_${_name} "${_rel}")
    add_library(ct_${_name} OBJECT "${_file}")
    target_link_libraries(ct_${_name} PRIVATE moecost::moecost)
    add_test(NAME compile_time.${_name}
             COMMAND "${CMAKE_COMMAND}" --build "${CMAKE_BINARY_DIR}" --target ct_${_name})
    set_tests_properties(compile_time.${_name} PROPERTIES RESOURCE_LOCK moecost_build_tree
                                                            LABELS compile_time)
endforeach()

# --- consumers: the installed package and add_subdirectory --------------------------------------
set(_moecost_expect_io OFF)
if(TARGET moecost_io)
    set(_moecost_expect_io ON)
endif()
set(_moecost_consumer_args
    "-DMOECOST_SOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR}"
    "-DMOECOST_BINARY_DIR=${CMAKE_BINARY_DIR}"
    "-DCONSUMER_GENERATOR=${CMAKE_GENERATOR}"
    "-DCONSUMER_MAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}"
    "-DCONSUMER_CXX_COMPILER=${CMAKE_CXX_COMPILER}"
    "-DCONSUMER_CXX_FLAGS=${CMAKE_CXX_FLAGS}"
    "-DCONSUMER_BUILD_TYPE=${CMAKE_BUILD_TYPE}"
    "-DCONSUMER_EXPECT_IO=${_moecost_expect_io}")
set(_moecost_consumer_driver "${CMAKE_CURRENT_SOURCE_DIR}/tests/consumer/run_consumer.cmake")
if(MOECOST_INSTALL)
    add_test(NAME consumer.find_package
             COMMAND "${CMAKE_COMMAND}" ${_moecost_consumer_args} -DCONSUMER_MODE=find_package
                     "-DCONSUMER_WORK_DIR=${CMAKE_BINARY_DIR}/consumer/find_package"
                     -P "${_moecost_consumer_driver}")
    set_tests_properties(consumer.find_package PROPERTIES LABELS consumer)
endif()
add_test(NAME consumer.add_subdirectory
         COMMAND "${CMAKE_COMMAND}" ${_moecost_consumer_args} -DCONSUMER_MODE=add_subdirectory
                 "-DCONSUMER_WORK_DIR=${CMAKE_BINARY_DIR}/consumer/add_subdirectory"
                 -P "${_moecost_consumer_driver}")
set_tests_properties(consumer.add_subdirectory PROPERTIES LABELS consumer)

# The layering rule of include/ (docs/architecture.md), checked on the real includes.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
    add_test(NAME layering COMMAND "${Python3_EXECUTABLE}"
                                   "${CMAKE_CURRENT_SOURCE_DIR}/scripts/check-layering")
    set_tests_properties(layering PROPERTIES LABELS static)
endif()
