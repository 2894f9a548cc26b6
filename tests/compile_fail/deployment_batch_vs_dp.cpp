// A deployment that breaks a rule must not compile: the seed's 128-GPU plan (attention DP 32)
// serving 100 sequences; the twin serves 128.
// expect-first-error: moecost: batch does not divide over the attention dp ranks
// expect: moecost::detail::offending::batch<100>, moecost::detail::offending::dp<32>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::seed_moe>;
using cluster = as_type<presets::seed_gpu>;
using plan = as_type<seed_layout(8, 2, 4, 2)>;
#ifdef MOECOST_COMPILE_FAIL
using load = as_type<workload{.batch = 100, .prompt = 10240}>;
#else
using load = as_type<workload{.batch = 128, .prompt = 10240}>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
