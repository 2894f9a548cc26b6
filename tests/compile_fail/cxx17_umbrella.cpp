// moecost is C++20: under -std=c++17 the umbrella header must stop with one #error that says so,
// as the first error, rather than with errors about the C++20 the headers use (defaulted
// comparisons, class-type template arguments, concepts). g++ prints `error: #error "moecost:
// ...`, clang++ `error: "moecost: ...`. The twin is this file in C++20, where it compiles.
// fail-std: 17
// expect-first-error: error: (#error )?"moecost: needs C\+\+20 .* this compiler is in C\+\+17 mode"
// expect: moecost: needs C\+\+20 \(-std=c\+\+20\). this compiler is in C\+\+17 mode

#include <moecost.hpp>

static_assert(moecost::rule_count > 0);
