// A deployment that breaks a rule must not compile: a dense FFN of 100 over TP 8 (TP 4 in the
// twin, 100 = 4 · 25).
// expect-first-error: moecost: dense ffn hidden does not divide over tp
// expect: moecost::detail::offending::ffn_hidden<100>, moecost::detail::offending::tp<8>

#include <moecost/evaluate/deployment.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

namespace {
using namespace moecost;
constexpr model_spec dense{.name = "dense",
                           .layers = 2,
                           .hidden = 512,
                           .vocab = 1000,
                           .attention = {.heads = 8},
                           .ffn = {.hidden = 100}};
using model = as_type<dense>;
using cluster = as_type<presets::h100_sxm>;
using load = as_type<workload{.batch = 8, .prompt = 1024}>;
#ifdef MOECOST_COMPILE_FAIL
using plan = as_type<layout{.tp = 8}>;
#else
using plan = as_type<layout{.tp = 4}>;
#endif
[[maybe_unused]] constexpr auto instantiate =
    sizeof(checked_deployment<model, cluster, plan, load>);
} // namespace
