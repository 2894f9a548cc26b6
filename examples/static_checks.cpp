// Deployment checks at compile time: the seed scenario as types and as a constant-expression
// layout search. If a spec, a layout or a target changes so that a check no longer holds,
// this file stops compiling.

#include <moecost.hpp>

#include <fmt/core.h>

using namespace moecost;
using namespace moecost::literals;

namespace {

constexpr workload seed_workload{.batch = 128, .prompt = 10240};
constexpr token_rate hundred_per_ms = make<token_rate>(100.0 * 1000);

// The type face: a deployment whose traits are compile-time constants.
using seed_model = model<presets::seed_moe>; // model<> checks the spec itself
using seed_gpus = as_type<presets::seed_gpu>;
using seed_load = as_type<seed_workload>;
using plan_128 = deployment<seed_model, seed_gpus, as_type<seed_layout(8, 2, 4, 2)>, seed_load>;
using plan_pp3 = deployment<seed_model, seed_gpus, as_type<seed_layout(8, 3, 4, 2)>, seed_load>;

using prefill_targets = as_type<requirements{
    .min_prefill_tokens_per_gpu = hundred_per_ms, .max_ttft = 10_s, .max_memory_per_gpu = 64_GB}>;
using decode_targets =
    as_type<requirements{.min_decode_tokens_per_gpu = hundred_per_ms, .max_memory_per_gpu = 64_GB}>;

static_assert(plan_128::valid && plan_128::fits, "the seed's 128-GPU plan divides and fits");
static_assert(plan_128::meets<prefill_targets>, "it meets 100 tokens/ms per GPU in prefill");
static_assert(!plan_128::meets<decode_targets>, "but not in decode");
static_assert(!plan_pp3::valid && plan_pp3::problems.has(rule::layers_vs_pp),
              "16 layers do not divide into 3 stages");
// checked_deployment<seed_model, seed_gpus, as_type<seed_layout(8, 3, 4, 2)>, seed_load> would
// not compile: "moecost: layers do not divide into pp equal stages ..."
// (tests/compile_fail/deployment_layers_vs_pp.cpp proves the message).

// A layout search inside the compiler: every layout of 1 to 8 GPUs for the seed scenario.
constexpr search_space small{.min_gpus = 1, .max_gpus = 8};
constexpr auto prefill_best =
    search<3, 4>(presets::seed_moe, presets::seed_gpu, small, seed_workload, prefill_targets::spec,
                 objective::prefill_tokens_per_gpu);
constexpr auto decode_best =
    search<3, 4>(presets::seed_moe, presets::seed_gpu, small, seed_workload, decode_targets::spec,
                 objective::decode_tokens_per_gpu);

static_assert(prefill_best.n_best > 0 && prefill_best.best[0].prefill >= hundred_per_ms,
              "some layout of at most 8 GPUs prefills at 100 tokens/ms per GPU");
static_assert(decode_best.n_best == 0 && decode_best.n_misses > 0,
              "no layout decodes at 100 tokens/ms per GPU; the nearest misses are reported");
static_assert(decode_best.nearest_misses[0].decode < hundred_per_ms);

// A dtype per component in a static_assert: gpt-oss-120b's MXFP4 routed experts fit it on one
// 80 GB H100, as its model card says; with them in bf16 it does not.
constexpr workload one_request{.batch = 1, .prompt = 4096};
constexpr model_spec gpt_oss_bf16 = [] {
    model_spec m = presets::gpt_oss_120b;
    m.precision.experts = dtype::bf16;
    return m;
}();
using one_h100 = as_type<presets::h100_sxm>;
using gpt_oss_on_h100 =
    deployment<model<presets::gpt_oss_120b>, one_h100, as_type<layout{}>, as_type<one_request>>;
static_assert(gpt_oss_on_h100::valid && gpt_oss_on_h100::fits,
              "gpt-oss-120b with MXFP4 experts fits one 80 GB GPU");
using gpt_oss_bf16_on_h100 =
    deployment<model<gpt_oss_bf16>, one_h100, as_type<layout{}>, as_type<one_request>>;
static_assert(gpt_oss_bf16_on_h100::result.evaluated && !gpt_oss_bf16_on_h100::fits,
              "with bf16 experts it is costed and does not fit");

} // namespace

int main() {
    const candidate& p = prefill_best.best[0];
    fmt::print(
        "compile-time search over {} layouts of 1-8 GPUs (seed model, batch 128, prompt 10240)\n",
        prefill_best.evaluated);
    fmt::print("best for prefill: tp={} dp={} pp={} etp={} ep={} ({} GPUs): {} per GPU, TTFT {}\n",
               p.l.tp, p.l.dp, p.l.pp, etp_of(p.l), p.l.ep, world_size(p.l), pretty(p.prefill),
               pretty(p.ttft));
    const candidate& d = decode_best.nearest_misses[0];
    fmt::print("decode: none meets 100 tokens/ms per GPU; nearest: tp={} dp={} pp={} ep={} at {} "
               "per GPU\n",
               d.l.tp, d.l.dp, d.l.pp, d.l.ep, pretty(d.decode));
    fmt::print("gpt-oss-120b on one H100 (MXFP4 experts): {} of weights, fits\n",
               pretty(gpt_oss_on_h100::result.memory.weights));
    return 0;
}
