# Examples, the command-line tool, benchmarks and fuzzers. Included from the top-level
# CMakeLists.txt, so CMAKE_CURRENT_SOURCE_DIR is the repository root. Executables land in
# ${CMAKE_BINARY_DIR}/bin (CMAKE_RUNTIME_OUTPUT_DIRECTORY, set at top level).
#
#   examples/NAME.cpp        -> NAME          ctest: example.NAME (run with no arguments)
#   tools/moecost/main.cpp   -> moecost_tool  (output name: moecost)
#   bench/NAME.cpp           -> bench_NAME    ctest: bench.NAME (--benchmark_min_time=0.01)
#   fuzz/NAME.cpp            -> fuzz_NAME     (not in ctest; scripts/test runs it)

if(MOECOST_BUILD_EXAMPLES OR MOECOST_BUILD_TOOLS)
    set(_moecost_cli_why "MOECOST_BUILD_EXAMPLES/MOECOST_BUILD_TOOLS need it, or configure with ")
    string(APPEND _moecost_cli_why "-DMOECOST_BUILD_EXAMPLES=OFF -DMOECOST_BUILD_TOOLS=OFF")
    moecost_require_package(CLI11 libcli11-dev "CLI11" "${_moecost_cli_why}")
    moecost_require_package(fmt libfmt-dev "fmt" "${_moecost_cli_why}")
endif()

# --- examples ---------------------------------------------------------------------------------
if(MOECOST_BUILD_EXAMPLES)
    moecost_glob_sources(_moecost_examples examples)
    foreach(_file IN LISTS _moecost_examples)
        get_filename_component(_name "${_file}" NAME_WE)
        moecost_check_target_name(${_name} "examples/${_name}.cpp")
        add_executable(${_name} "${_file}")
        target_link_libraries(${_name} PRIVATE moecost::io CLI11::CLI11 fmt::fmt)
        add_test(NAME example.${_name} COMMAND ${_name})
        set_tests_properties(example.${_name} PROPERTIES LABELS example)
    endforeach()
endif()

# --- the command-line tool --------------------------------------------------------------------
if(MOECOST_BUILD_TOOLS AND EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/tools/moecost/main.cpp")
    # The target cannot be called moecost: that is the library.
    add_executable(moecost_tool tools/moecost/main.cpp)
    set_target_properties(moecost_tool PROPERTIES OUTPUT_NAME moecost)
    target_link_libraries(moecost_tool PRIVATE moecost::io CLI11::CLI11 fmt::fmt)
endif()

# --- benchmarks -------------------------------------------------------------------------------
if(MOECOST_BUILD_BENCHMARKS)
    moecost_glob_sources(_moecost_benches bench)
    if(_moecost_benches)
        moecost_require_package(
            benchmark libbenchmark-dev "Google Benchmark"
            "MOECOST_BUILD_BENCHMARKS=ON needs it, or turn it off: -DMOECOST_BUILD_BENCHMARKS=OFF")
    endif()
    foreach(_file IN LISTS _moecost_benches)
        get_filename_component(_name "${_file}" NAME_WE)
        moecost_check_target_name(bench_${_name} "bench/${_name}.cpp")
        add_executable(bench_${_name} "${_file}")
        # benchmark_main is a static archive: its main() is linked only into a file that has
        # none, so a file may end with BENCHMARK_MAIN() or leave it out.
        target_link_libraries(bench_${_name} PRIVATE moecost::moecost benchmark::benchmark
                                                     benchmark::benchmark_main)
        if(TARGET moecost_io)
            target_link_libraries(bench_${_name} PRIVATE moecost::io)
        endif()
        add_test(NAME bench.${_name} COMMAND bench_${_name} --benchmark_min_time=0.01)
        set_tests_properties(bench.${_name} PROPERTIES LABELS bench)
    endforeach()
endif()

# --- fuzzers (clang's libFuzzer) --------------------------------------------------------------
if(MOECOST_BUILD_FUZZERS)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "moecost: MOECOST_BUILD_FUZZERS needs clang (libFuzzer); the compiler "
                            "is ${CMAKE_CXX_COMPILER_ID}")
    endif()
    moecost_glob_sources(_moecost_fuzzers fuzz)
    if(_moecost_fuzzers)
        include(CheckCXXSourceCompiles)
        set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer")
        set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=fuzzer")
        check_cxx_source_compiles(
            "#include <cstddef>
             #include <cstdint>
             extern \"C\" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) {
                 return 0;
             }"
            MOECOST_HAVE_LIBFUZZER)
        unset(CMAKE_REQUIRED_FLAGS)
        unset(CMAKE_REQUIRED_LINK_OPTIONS)
        if(NOT MOECOST_HAVE_LIBFUZZER)
            message(FATAL_ERROR "moecost: libFuzzer not found (MOECOST_BUILD_FUZZERS=ON needs it, "
                                "or configure with -DMOECOST_BUILD_FUZZERS=OFF): "
                                "apt-get install libclang-rt-14-dev")
        endif()
    endif()
    foreach(_file IN LISTS _moecost_fuzzers)
        get_filename_component(_name "${_file}" NAME_WE)
        moecost_check_target_name(fuzz_${_name} "fuzz/${_name}.cpp")
        add_executable(fuzz_${_name} "${_file}")
        target_link_libraries(fuzz_${_name} PRIVATE moecost::io)
        target_compile_options(fuzz_${_name} PRIVATE -fsanitize=fuzzer,address,undefined
                                                     -fno-omit-frame-pointer)
        target_link_options(fuzz_${_name} PRIVATE -fsanitize=fuzzer,address,undefined)
    endforeach()
endif()
