// Published DeepSeek-V3 serving throughputs against moecost's ideal bound for the same layout
// (evaluate with eval_options{.ideal = true}: efficiencies 1, perfect overlap and expert
// balance). A measured figure above the bound would be a bug in moecost (or in the setting
// chosen here): the bound must hold. Settings, batch sizes and sources are in published.hpp:
//   DeepSeek (open-infra-index day 6), H800: prefill EP32/DP32 on 4 nodes, 73.7k input tokens/s
//     per node including 56.3% cache hits (evaluated with that prefix cache hit rate); decode
//     EP144/DP144 on 18 nodes, 14.8k output tokens/s per node at an average KV length of 4,989; 32
//     redundant experts; fp8 dispatch, bf16 combine;
//   SGLang (LMSYS blog 2025-05-05), H100: prefill EP32 on 4 nodes, 57,674 / 54,543 / 50,302
//     tokens/s per node at 1K / 2K / 4K prompts, 16,384 tokens per GPU; decode EP72 on 9 nodes,
//     22,282 tokens/s per node at 256 sequences per GPU and KV 2,000;
//   SGLang (LMSYS blogs 2025-06-16 and 2025-09-25), GB200 NVL72: decode EP48 on 12 four-GPU
//     trays, 7,583 and 9,087 tokens/s per GPU (BF16 attention, FP8 MoE) and 13,386 (FP8
//     attention, NVFP4 MoE) at KV 2,000.

#include "published.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace moecost;
using namespace moecost::validation;

TEST_CASE("published serving throughputs are below moecost's ideal bound",
          "[validation][serving][bound]") {
    for (const serving_case& c : serving_cases) {
        const report r = evaluate_case(c);
        const double measured = measured_per_gpu(c), bound = bound_per_gpu(c);
        const phase_result& ph = c.decode ? r.decode : r.prefill;
        INFO(std::string(c.what) << ": measured " << measured << " tokens/s per GPU, ideal bound "
                                 << bound << " (" << name_of(ph.bottleneck)
                                 << "-bound), measured/bound " << measured / bound);
        // the layout divides (288 expert slots over EP 32, 72 or 144; batch over DP) and fits
        CHECK(r.valid());
        CHECK(r.memory.fits);
        CHECK(measured <= bound);
    }
}

TEST_CASE("the serving layouts are the published ones", "[validation][serving]") {
    const model_spec& m = presets::deepseek_v3;
    for (const serving_case& c : serving_cases) {
        INFO(std::string(c.what));
        CHECK(c.l.tp == 1); // DP attention: MLA not split
        CHECK(c.l.ep == c.l.dp);
        CHECK(expert_slots(m, c.l) == 256 + 32);
        CHECK(c.o.dispatch_fp8);
        CHECK(c.o.ideal);
    }
    // DeepSeek: "each GPU handles 9 routed experts" (prefill), "2 routed experts" (decode)
    CHECK(experts_per_gpu(m, serving_cases[0].l) == 9);
    CHECK(experts_per_gpu(m, serving_cases[1].l) == 2);
    // SGLang decode on 72 GPUs: 288 / 72 = 4; on 48 GB200: 288 / 48 = 6
    CHECK(experts_per_gpu(m, serving_cases[6].l) == 4);
    CHECK(experts_per_gpu(m, serving_cases[7].l) == 6);
    // nodes: EP32 is 4 nodes, EP144 is 18, EP72 is 9
    CHECK(world_size(serving_cases[0].l) == 4 * 8);
    CHECK(world_size(serving_cases[1].l) == 18 * 8);
    CHECK(world_size(serving_cases[6].l) == 9 * 8);
    // GB200: 12 trays of 4 GPUs, inside the rack's one NVLink domain of 72, so the dispatch
    // never reaches a NIC
    for (const std::size_t i : {7U, 8U, 9U}) {
        CHECK(world_size(serving_cases[i].l) == 12 * 4);
        CHECK(serving_cases[i].published_gpus == 1);
        CHECK(evaluate_case(serving_cases[i]).decode.slowest.comm.ep_inter_node.value() == 0.0);
    }
    // tokens per GPU in prefill: 16,384 in every prefill case
    for (const serving_case& c : serving_cases)
        if (!c.decode)
            CHECK(c.w.batch / c.l.dp * c.w.prompt == 16384);
}

TEST_CASE("DeepSeek's prefill figure is below the bound even with no cache hit",
          "[validation][serving][bound]") {
    // "~73.7k tokens/s input (including cache hits)", 56.3% of them: 9,212.5 tokens/s per GPU,
    // compared with the bound at that hit rate above. Even if every input token were computed,
    // the figure is below the bound of the 4,096-token setting; the hits raise the bound.
    const serving_case& c = serving_cases[0];
    CHECK(c.w.prefix_cache_hit == 0.563);
    CHECK(measured_per_gpu(c) == 73.7e3 / 8);
    serving_case cold = c;
    cold.w.prefix_cache_hit = 0;
    CHECK(measured_per_gpu(c) <= bound_per_gpu(cold));
    CHECK(bound_per_gpu(cold) < bound_per_gpu(c));
}

TEST_CASE("a decode node's prefill micro-batch is one sequence", "[validation][serving]") {
    // With the batch in one prefill micro-batch, the decode deployments' activation working set
    // would be a whole-batch prefill: 256 × 2,000 tokens per GPU of DeepSeek-V3 activations, far
    // beyond 80 GB. Decode nodes do not prefill (prefill/decode disaggregation), so the cases set
    // prefill_micro_batches to one sequence per GPU; then they fit.
    for (const serving_case& c : serving_cases) {
        if (!c.decode)
            continue;
        INFO(std::string(c.what));
        workload whole = c.w;
        whole.prefill_micro_batches = 1;
        CHECK_FALSE(evaluate(*c.model, *c.cluster, c.l, whole, c.o).memory.fits);
        CHECK(evaluate_case(c).memory.fits);
        CHECK(c.w.batch / c.w.prefill_micro_batches / c.l.dp == 1);
    }
}
