// Builds against the installed moecost package (see CMakeLists.txt beside this file).
#include <moecost/units.hpp>

static_assert(sizeof(moecost::flops) > 0);

int main() {
    return 0;
}
