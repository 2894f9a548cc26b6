// A deployment that breaks a rule must not compile: Mixtral-8x7B's 32 attention heads over TP 3
// (TP 2 in the twin) on H100s.
// expect-first-error: moecost: attention heads do not divide over tp
// expect: moecost::detail::offending::heads<32>, moecost::detail::offending::tp<3>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::mixtral_8x7b>;
using cluster = as_type<presets::h100_sxm>;
using load = as_type<workload{.batch = 8, .prompt = 1024}>;
#ifdef MOECOST_COMPILE_FAIL
using plan = as_type<layout{.tp = 3}>;
#else
using plan = as_type<layout{.tp = 2}>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
