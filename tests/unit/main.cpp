// The Catch2 main, compiled once (target moecost_catch_main) and linked into every test program:
// moecost_tests, moecost_static_tests, moecost_static_tests_runtime and moecost_validation.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
