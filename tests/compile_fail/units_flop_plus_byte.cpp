// Adding a FLOP count to a byte count must not compile: they are different dimensions of
// moecost's unit system. Boost.Units rejects `flops + bytes` with no viable operator+; both
// g++ ("no match for 'operator+' (operand types are 'moecost::flops' ... and
// 'moecost::bytes' ...)") and clang++ ("invalid operands to binary expression
// ('moecost::flops' ... and 'moecost::bytes' ...)") name the two moecost types.
// expect: (operator\+|binary expression).*moecost::flops.*moecost::bytes

#include <moecost/units.hpp>

using namespace moecost::literals;

#ifdef MOECOST_COMPILE_FAIL
// 7.3728 MFLOP + 1 KiB: meaningless
auto nonsense = 7.3728_MFLOP + 1.0_KiB;
#else
// The twin: like quantities add, and FLOP over FLOP/s is seconds.
constexpr moecost::flops two = 7.3728_MFLOP + 7.3728_MFLOP;
static_assert(two.value() == 2 * 7.3728e6);
static_assert(two / 240.0_TFLOP_per_s < 1.0_us);
#endif
