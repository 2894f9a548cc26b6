// A deployment with more decode micro-batches than sequences per DP rank must not compile: the
// seed plan (EP8·PP2·DP4·TP2: attention DP = 4·8 = 32) at batch 128 holds 128 / 32 = 4 sequences
// per DP rank, so 8 micro-batches would leave four empty. The twin uses 4.
// expect-first-error: moecost: more micro-batches than sequences per DP rank
// expect: moecost::detail::offending::micro_batches<8>, moecost::detail::offending::sequences_per_dp_rank<4>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::seed_moe>;
using cluster = as_type<presets::seed_gpu>;
using plan = as_type<seed_layout(8, 2, 4, 2)>;
#ifdef MOECOST_COMPILE_FAIL
using load = as_type<workload{.batch = 128, .prompt = 10240, .decode_micro_batches = 8}>;
#else
using load = as_type<workload{.batch = 128, .prompt = 10240, .decode_micro_batches = 4}>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
