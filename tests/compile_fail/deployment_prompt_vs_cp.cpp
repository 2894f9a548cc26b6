// A deployment that breaks a rule must not compile: a 10,240-token prompt over CP 3 (CP 2 in
// the twin).
// expect-first-error: moecost: prompt length does not divide over cp
// expect: moecost::detail::offending::prompt<10240>, moecost::detail::offending::cp<3>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
using model = as_type<presets::seed_moe>;
using cluster = as_type<presets::seed_gpu>;
using load = as_type<workload{.batch = 128, .prompt = 10240}>;
#ifdef MOECOST_COMPILE_FAIL
using plan = as_type<layout{.cp = 3}>;
#else
using plan = as_type<layout{.cp = 2}>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
