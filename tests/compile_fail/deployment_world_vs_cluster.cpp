// A deployment that breaks a rule must not compile: the seed's 128-GPU plan on a cluster of 64
// GPUs (128 in the twin).
// expect-first-error: moecost: the layout needs more GPUs than the cluster has
// expect: moecost::detail::offending::gpus_needed<128>, moecost::detail::offending::cluster_gpus<64>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::seed_moe>;
using plan = as_type<seed_layout(8, 2, 4, 2)>;
using load = as_type<workload{.batch = 128, .prompt = 10240}>;
constexpr cluster_spec with_gpus(int n) {
    cluster_spec c = presets::seed_gpu;
    c.max_gpus = n;
    return c;
}
#ifdef MOECOST_COMPILE_FAIL
using cluster = as_type<with_gpus(64)>;
#else
using cluster = as_type<with_gpus(128)>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
