// A deployment that breaks a rule must not compile: attention TP 2 on a stage of 2 GPUs cannot
// hold an expert mesh of ETP 1 · EP 4; the twin uses EP 2.
// expect-first-error: moecost: attention mesh tp\*cp\*dp differs from expert mesh
// expect: moecost::detail::offending::attention_mesh_tp_cp_dp<2>, moecost::detail::offending::expert_mesh_etp_ep<4>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::seed_moe>;
using cluster = as_type<presets::seed_gpu>;
using load = as_type<workload{.batch = 128, .prompt = 10240}>;
#ifdef MOECOST_COMPILE_FAIL
using plan = as_type<layout{.tp = 2, .etp = 1, .ep = 4}>;
#else
using plan = as_type<layout{.tp = 2, .etp = 1, .ep = 2}>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
