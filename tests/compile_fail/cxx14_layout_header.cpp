// moecost is C++20, whichever public header comes first: <moecost/spec/layout.hpp> alone under
// -std=c++14 must stop with the #error that names the mode, as the first error. The twin is this
// file in C++20, where it compiles.
// fail-std: 14
// expect-first-error: error: (#error )?"moecost: needs C\+\+20 .* this compiler is in C\+\+14 mode"
// expect: moecost: needs C\+\+20 \(-std=c\+\+20\). this compiler is in C\+\+14 mode

#include <moecost/spec/layout.hpp>

static_assert(moecost::layout{}.tp == 1);
