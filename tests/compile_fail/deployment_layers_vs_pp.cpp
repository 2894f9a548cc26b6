// A deployment whose pipeline stages do not divide the layers must not compile: the seed
// model's 16 layers over PP 3 (EP8·PP3·DP4·TP2, 192 GPUs). The twin uses PP 2 (8 layers each).
// expect-first-error: moecost: layers do not divide into pp equal stages
// expect: moecost::detail::offending::layers<16>, moecost::detail::offending::pp<3>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::seed_moe>;
using cluster = as_type<presets::seed_gpu>;
using load = as_type<workload{.batch = 128, .prompt = 10240}>;
#ifdef MOECOST_COMPILE_FAIL
using plan = as_type<seed_layout(8, 3, 4, 2)>;
#else
using plan = as_type<seed_layout(8, 2, 4, 2)>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
