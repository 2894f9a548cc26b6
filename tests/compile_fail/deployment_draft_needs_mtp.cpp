// A deployment that drafts tokens with MTP modules its model lacks must not compile:
// deepseek_v3 is read without its MTP module (deepseek_v3_mtp, in the twin, has it).
// expect-first-error: moecost: workload.draft_tokens > 0 drafts with the model's MTP modules
// expect: moecost::detail::offending::draft_tokens<1>, moecost::detail::offending::mtp_layers<0>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
#ifdef MOECOST_COMPILE_FAIL
using model = as_type<presets::deepseek_v3>;
#else
using model = as_type<presets::deepseek_v3_mtp>;
#endif
using cluster = as_type<presets::h800>;
using plan = as_type<layout{.tp = 1, .dp = 32, .pp = 1, .ep = 32}>;
using load =
    as_type<workload{.batch = 256, .prompt = 1024, .draft_tokens = 1, .draft_acceptance = 0.85}>;
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
