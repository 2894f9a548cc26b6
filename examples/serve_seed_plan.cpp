// The seed's scenario as a serving plan, checked by the compiler: its MoE model on its GPUs,
// prompts of 10,240 tokens (the seed's sequence), 1,024 generated (the seed gives none; a
// chat-like answer), a prefill pool and a decode pool of 101 of the seed's 128 GPUs. The plan
// meets a TTFT of 10 s (the seed's target) and a TPOT of 50 ms at p90 at 350 requests/s; the
// seed's 100 tokens/ms per GPU would need 12,500 requests/s on 128 GPUs, which the same GPUs
// cannot take within those targets. At run time it asks the planner for the best plan of up to
// 128 GPUs and prints it: still far below 100 tokens/ms per GPU.
//
// If a spec or the cost model changes so that a check no longer holds, this file stops
// compiling.

#include <moecost.hpp>

#include <fmt/core.h>

using namespace moecost;
using namespace moecost::literals;

namespace {

constexpr traffic seed_traffic(double rate) {
    return {.input_mean = make<tokens>(10240),
            .output_mean = make<tokens>(1024),
            .arrival_rate = requests_per_second(rate)};
}

// 5 prefill instances of one GPU and 3 decode instances of 32 (attention DP 32, experts EP 8
// × EDP 4): 101 GPUs, the disaggregated pools the planner picks for this traffic (tools:
// `moecost serve --preset seed-moe --gpu seed-gpu --max-gpus 128 --isl 10240 --osl 1024
// --ttft 10 --tpot 0.05 --pow2`).
using prefill_pool = as_type<pool_spec{layout{}, 5}>;
using decode_pool = as_type<pool_spec{layout{.dp = 32, .etp = 1, .ep = 8}, 3}>;
template <int Rate>
using seed_serving = serving_deployment<model<presets::seed_moe>, as_type<presets::seed_gpu>,
                                        prefill_pool, decode_pool, as_type<seed_traffic(Rate)>>;

using targets = as_type<slo{.ttft = 10_s, .tpot = 50_ms, .percentile = 0.9}>;

using at_350 = seed_serving<350>;
static_assert(at_350::gpus == 5 + 3 * 32, "101 of the seed's 128 GPUs");
static_assert(at_350::meets<targets>, "350 requests/s meet TTFT 10 s and TPOT 50 ms at p90");
static_assert(at_350::verdict<targets>.plan.prefill.utilisation < 0.9,
              "the prefill queue is not saturated");
static_assert(at_350::verdict<targets>.plan.tokens_per_gpu < 100'000,
              "350 requests/s are 3.5 tokens/ms per GPU, not the seed's 100");

// 100 tokens/ms per GPU on 128 GPUs is 12.8 M tokens/s: 12,500 requests of 1,024 tokens a
// second. The prefill pool cannot take it (its queue would be over the utilisation limit).
using at_seed_claim = seed_serving<12'500>;
static_assert(!at_seed_claim::meets<targets>, "the seed's 100 tokens/ms per GPU is not a plan");
static_assert(!at_seed_claim::verdict<targets>.stable, "its prefill queue saturates");

} // namespace

int main() {
    const auto& v = at_350::verdict<targets>;
    fmt::print("The seed's scenario as a serving plan on {} GPUs at {:g} requests/s:\n",
               v.plan.gpus, v.plan.rate);
    fmt::print("  TTFT p90 {:.3f} s, TPOT p90 {:.3f} ms, {:.1f} tokens/ms per GPU, prefill "
               "utilisation {:.2f}\n",
               v.plan.ttft_p, 1e3 * v.plan.tpot_p, v.plan.tokens_per_gpu / 1e3,
               v.plan.prefill.utilisation);
    serve_options o;
    o.max_gpus = 128;
    o.pow2_only = true;
    o.load = seed_traffic(0);
    o.target = targets::spec;
    const auto best = plan_serving(presets::seed_moe,
                                   {presets::seed_gpu, presets::seed_gpu, presets::seed_gpu}, o);
    if (!best.best.feasible) {
        fmt::print("No plan of up to 128 GPUs meets the targets.\n");
        return 1;
    }
    fmt::print("The best plan of up to 128 GPUs ({}, {} GPUs): {:.1f} tokens/ms per GPU, {} the "
               "seed's 100\n",
               name_of(best.best.mode), best.best.gpus, best.best.tokens_per_gpu / 1e3,
               best.best.tokens_per_gpu < 100'000 ? "below" : "above");
    return best.best.tokens_per_gpu < 100'000 ? 0 : 1;
}
