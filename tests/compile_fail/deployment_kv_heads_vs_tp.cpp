// A deployment that breaks a rule must not compile: 12 heads sharing 4 KV heads over TP 6: 6
// divides 12, but neither 4 nor 6 divides the other (TP 4 in the twin).
// expect-first-error: moecost: kv heads and tp: neither divides the other
// expect: moecost::detail::offending::kv_heads<4>, moecost::detail::offending::tp<6>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
constexpr model_spec gqa{.name = "gqa",
                         .layers = 2,
                         .hidden = 768,
                         .vocab = 1000,
                         .attention = {.heads = 12, .kv_heads = 4},
                         .ffn = {.hidden = 3072}};
using model = as_type<gqa>;
using cluster = as_type<presets::h100_sxm>;
using load = as_type<workload{.batch = 8, .prompt = 1024}>;
#ifdef MOECOST_COMPILE_FAIL
using plan = as_type<layout{.tp = 6}>;
#else
using plan = as_type<layout{.tp = 4}>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
