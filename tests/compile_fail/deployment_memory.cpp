// A deployment that does not fit in memory must not compile: DeepSeek-V3 (671 B parameters,
// fp8: over 671 GB of weights) on one H100 (80 GB, 72 GB usable). The twin spreads it over
// 8 H200s (TP 8 for attention, EP 8 for the experts: ≈ 84 GB of weights per GPU of 126.9 GB
// usable).
// expect-first-error: moecost: memory per GPU exceeds the usable HBM
// expect: moecost::detail::offending::bytes_per_gpu<6[7-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]>, moecost::detail::offending::usable_bytes_per_gpu<72000000000>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::deepseek_v3>;
using load = as_type<workload{.batch = 1, .prompt = 4096}>;
#ifdef MOECOST_COMPILE_FAIL
using cluster = as_type<presets::h100_sxm>;
using plan = as_type<layout{}>;
#else
using cluster = as_type<presets::h200>;
using plan = as_type<layout{.tp = 8, .etp = 1, .ep = 8}>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
