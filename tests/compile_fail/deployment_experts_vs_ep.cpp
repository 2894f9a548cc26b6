// A deployment whose EP ranks do not divide the routed experts must not compile: the seed
// model's 16 experts over EP 3 (EP3·PP2·DP4·TP2, 48 GPUs, batch 96 over attention DP 12). The
// twin uses EP 4 (4 experts per rank; attention DP 16 divides the batch of 96).
// expect-first-error: moecost: routed experts do not divide over ep
// expect: moecost::detail::offending::routed_experts<16>, moecost::detail::offending::ep<3>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::seed_moe>;
using cluster = as_type<presets::seed_gpu>;
using load = as_type<workload{.batch = 96, .prompt = 10240}>;
#ifdef MOECOST_COMPILE_FAIL
using plan = as_type<seed_layout(3, 2, 4, 2)>;
#else
using plan = as_type<seed_layout(4, 2, 4, 2)>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
