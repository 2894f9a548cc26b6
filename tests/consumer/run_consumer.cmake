# Driver of the consumer.* tests (registered in cmake/MoecostTests.cmake):
#
#   cmake -DCONSUMER_MODE=find_package|add_subdirectory -DCONSUMER_WORK_DIR=<dir>
#         -DMOECOST_SOURCE_DIR=<src> -DMOECOST_BINARY_DIR=<build>
#         -DCONSUMER_GENERATOR=... -DCONSUMER_MAKE_PROGRAM=... -DCONSUMER_CXX_COMPILER=...
#         -DCONSUMER_CXX_FLAGS=... -DCONSUMER_BUILD_TYPE=... -DCONSUMER_EXPECT_IO=ON|OFF
#         -P run_consumer.cmake
#
# find_package:     cmake --install <build> to <work>/stage, then configure, build and run
#                   find_package/ against it; once more with nlohmann_json hidden, where the
#                   core target must still work and moecost::io must be absent.
# add_subdirectory: configure, build and run add_subdirectory/ (which checks at configure time
#                   that moecost defines only its libraries), then check that nothing of
#                   moecost's own was compiled.
# The consumers use the outer build's generator, compiler, flags and build type.
cmake_minimum_required(VERSION 3.25)

foreach(_var CONSUMER_MODE CONSUMER_WORK_DIR MOECOST_SOURCE_DIR MOECOST_BINARY_DIR
             CONSUMER_GENERATOR CONSUMER_CXX_COMPILER)
    if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
        message(FATAL_ERROR "run_consumer.cmake: -D${_var}=... is required")
    endif()
endforeach()

function(consumer_run)
    string(REPLACE ";" " " _shown "${ARGN}")
    message(STATUS "consumer: ${_shown}")
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
        message(FATAL_ERROR "consumer.${CONSUMER_MODE}: command failed (${_rc}): ${_shown}")
    endif()
endfunction()

set(_configure_args
    -G "${CONSUMER_GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CONSUMER_CXX_COMPILER}"
    "-DCMAKE_CXX_FLAGS=${CONSUMER_CXX_FLAGS}"
    "-DCMAKE_BUILD_TYPE=${CONSUMER_BUILD_TYPE}")
if(CONSUMER_MAKE_PROGRAM)
    list(APPEND _configure_args "-DCMAKE_MAKE_PROGRAM=${CONSUMER_MAKE_PROGRAM}")
endif()

# consumer_project(<source> <build> <configure args>...): configure, build, run ./consumer.
function(consumer_project _src _bin)
    consumer_run("${CMAKE_COMMAND}" -S "${_src}" -B "${_bin}" ${_configure_args} ${ARGN})
    consumer_run("${CMAKE_COMMAND}" --build "${_bin}")
    consumer_run("${_bin}/consumer")
endfunction()

file(REMOVE_RECURSE "${CONSUMER_WORK_DIR}")
file(MAKE_DIRECTORY "${CONSUMER_WORK_DIR}")

if(CONSUMER_MODE STREQUAL "find_package")
    set(_stage "${CONSUMER_WORK_DIR}/stage")
    consumer_run("${CMAKE_COMMAND}" --install "${MOECOST_BINARY_DIR}" --prefix "${_stage}"
                 --component moecost_Development)
    set(_find_args "-DCMAKE_PREFIX_PATH=${_stage}" "-DCONSUMER_EXPECTED_PREFIX=${_stage}")
    consumer_project("${MOECOST_SOURCE_DIR}/tests/consumer/find_package"
                     "${CONSUMER_WORK_DIR}/build" ${_find_args}
                     "-DCONSUMER_EXPECT_IO=${CONSUMER_EXPECT_IO}")
    consumer_project("${MOECOST_SOURCE_DIR}/tests/consumer/find_package"
                     "${CONSUMER_WORK_DIR}/build-without-nlohmann" ${_find_args}
                     -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON -DCONSUMER_EXPECT_IO=OFF)
elseif(CONSUMER_MODE STREQUAL "add_subdirectory")
    set(_bin "${CONSUMER_WORK_DIR}/build")
    consumer_project("${MOECOST_SOURCE_DIR}/tests/consumer/add_subdirectory" "${_bin}"
                     "-DMOECOST_SOURCE_DIR=${MOECOST_SOURCE_DIR}")
    file(GLOB_RECURSE _built LIST_DIRECTORIES false
         "${_bin}/moecost/*.o" "${_bin}/*moecost_tests*" "${_bin}/*seed_audit*")
    if(_built)
        message(FATAL_ERROR "consumer.add_subdirectory: moecost built more than its libraries:\n"
                            "${_built}")
    endif()
else()
    message(FATAL_ERROR "run_consumer.cmake: unknown CONSUMER_MODE '${CONSUMER_MODE}'")
endif()
message(STATUS "consumer.${CONSUMER_MODE}: OK")
