// A deployment that breaks a rule must not compile: a workload of zero sequences (one in the
// twin): validate(workload) names the field.
// expect-first-error: moecost: a spec of the deployment is invalid
// expect: moecost::detail::offending::broken_rule<moecost::rule::positive>, moecost::detail::offending::value<0>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::seed_moe>;
using cluster = as_type<presets::seed_gpu>;
using plan = as_type<layout{}>;
#ifdef MOECOST_COMPILE_FAIL
using load = as_type<workload{.batch = 0, .prompt = 1024}>;
#else
using load = as_type<workload{.batch = 1, .prompt = 1024}>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
