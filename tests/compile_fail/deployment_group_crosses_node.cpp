// A deployment that breaks a rule must not compile: Mixtral-8x7B at TP 16 on nodes of 8 H100s
// (TP 8 in the twin).
// expect-first-error: moecost: a tp or etp group is larger than a node
// expect: moecost::detail::offending::group_gpus<16>, moecost::detail::offending::node_gpus<8>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::mixtral_8x7b>;
using cluster = as_type<presets::h100_sxm>;
using load = as_type<workload{.batch = 16, .prompt = 1024}>;
#ifdef MOECOST_COMPILE_FAIL
using plan = as_type<layout{.tp = 16}>;
#else
using plan = as_type<layout{.tp = 8}>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
