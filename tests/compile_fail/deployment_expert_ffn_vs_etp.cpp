// A deployment that breaks a rule must not compile: the seed model's expert hidden 1,024 over
// ETP 3 (TP 2 · DP 3 = ETP 3 · EP 2 on 6 GPUs, batch 126); the twin uses ETP 2 · EP 4 under TP
// 2 · DP 4, batch 128.
// expect-first-error: moecost: expert hidden does not divide over etp
// expect: moecost::detail::offending::expert_hidden<1024>, moecost::detail::offending::etp<3>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::seed_moe>;
using cluster = as_type<presets::seed_gpu>;
#ifdef MOECOST_COMPILE_FAIL
using plan = as_type<layout{.tp = 2, .dp = 3, .etp = 3, .ep = 2}>;
using load = as_type<workload{.batch = 126, .prompt = 10240}>;
#else
using plan = as_type<layout{.tp = 2, .dp = 4, .etp = 2, .ep = 4}>;
using load = as_type<workload{.batch = 128, .prompt = 10240}>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
