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
#   compile_fail.FOO  builds cf_FOO_fail; passes when the build fails and its output matches at
#                     least one expect regex (PASS_REGULAR_EXPRESSION).
#   compile_ok.FOO    builds cf_FOO_ok; passes when the build succeeds.
# Both run `cmake --build` on this build tree, so they hold one RESOURCE_LOCK.
set(_moecost_cf_driver "${CMAKE_CURRENT_SOURCE_DIR}/cmake/MoecostExpectBuildFailure.cmake")
moecost_glob_sources(_moecost_cf_sources tests/compile_fail)
foreach(_file IN LISTS _moecost_cf_sources)
    get_filename_component(_name "${_file}" NAME_WE)
    file(RELATIVE_PATH _rel "${CMAKE_CURRENT_SOURCE_DIR}" "${_file}")
    # The expectations are read at configure time: re-configure when the file changes.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_file}")

    file(STRINGS "${_file}" _lines REGEX "^[ \t]*//[ \t]*expect:")
    set(_regexes)
    foreach(_line IN LISTS _lines)
        string(REGEX REPLACE "^[ \t]*//[ \t]*expect:[ \t]*" "" _re "${_line}")
        string(STRIP "${_re}" _re)
        string(FIND "${_re}" "moecost:" _has_prefix)
        if(_has_prefix EQUAL -1)
            message(FATAL_ERROR "moecost: ${_rel}: the regex in '${_line}' must contain "
                                "'moecost:' (match the library's own static_assert message)")
        endif()
        string(REGEX MATCHALL "\\[" _open "${_re}")
        string(REGEX MATCHALL "\\]" _close "${_re}")
        list(LENGTH _open _open)
        list(LENGTH _close _close)
        if(NOT _open EQUAL _close)
            message(FATAL_ERROR "moecost: ${_rel}: unbalanced [ ] in '${_line}' (CMake lists "
                                "cannot hold it); match a literal bracket with '.'")
        endif()
        # Compiles the regex (an invalid one stops configure here) and rejects one so loose
        # that it would match compiler noise rather than our message.
        foreach(_noise "" "moecost" "error: 'moecost::x' was not declared in this scope"
                       "In instantiation of 'struct moecost::detail::y<1>':")
            if(_noise MATCHES "${_re}")
                message(FATAL_ERROR "moecost: ${_rel}: the regex in '${_line}' also matches "
                                    "'${_noise}'; make it match the message text")
            endif()
        endforeach()
        list(APPEND _regexes "${_re}")
    endforeach()
    if(NOT _regexes)
        message(FATAL_ERROR "moecost: ${_rel} has no '// expect: <regex>' line")
    endif()

    foreach(_kind fail ok)
        moecost_check_target_name(cf_${_name}_${_kind} "${_rel}")
        add_library(cf_${_name}_${_kind} OBJECT EXCLUDE_FROM_ALL "${_file}")
        target_link_libraries(cf_${_name}_${_kind} PRIVATE moecost::io)
    endforeach()
    target_compile_definitions(cf_${_name}_fail PRIVATE MOECOST_COMPILE_FAIL)

    add_test(NAME compile_fail.${_name}
             COMMAND "${CMAKE_COMMAND}" "-DMOECOST_BUILD_DIR=${CMAKE_BINARY_DIR}"
                     "-DMOECOST_TARGET=cf_${_name}_fail" -P "${_moecost_cf_driver}")
    set_tests_properties(
        compile_fail.${_name}
        PROPERTIES PASS_REGULAR_EXPRESSION "${_regexes}"
                   FAIL_REGULAR_EXPRESSION "MOECOST_UNEXPECTED_BUILD_SUCCESS"
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
