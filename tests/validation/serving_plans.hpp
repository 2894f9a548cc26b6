#pragma once
// Serving plans: published serving figures that come with their traffic (offline maximum
// throughput at stated input and output lengths; a disaggregated deployment's pools at their
// per-user speed), each set against the serving planner's own costing of the published
// deployment (`plan_deployment`, <moecost/serve/plan_type.hpp>): the calibrated default mode is
// the prediction, the ideal mode (`eval_options{.ideal = true}`, all memory usable, the prefill
// queue allowed to be busy all the time) the bound a measurement may never exceed.
//
// A held-out set: no term of moecost was fitted or tuned on these rows, and none may be. The
// TensorRT-LLM rows appear nowhere else in the validation; the DeepSeek rows take the same two
// published figures as the per-step rows of published.hpp's fit set (serving_cases), here
// through the planner with DeepSeek's traffic rather than at a chosen batch. Each figure is
// copied from its source, named beside it; each setting is the published one or an assumption
// named as such. serving_plans_test.cpp checks every row against its bound.

#include "held_out.hpp"

#include <moecost.hpp>
#include <moecost/serve/plan_type.hpp>

#include <array>
#include <string_view>

namespace moecost::validation::serving_plans {

/// What a row's published figure measures.
enum class plan_metric : unsigned char {
    /// Output tokens/s per GPU of the whole deployment at its goodput (offline: no SLO, every
    /// request queued from the start).
    output_per_gpu,
    /// Output tokens/s per GPU of the decode pool: what one decode instance completes within the
    /// TPOT SLO (its capacity μ_D) times OSL, over its GPUs.
    decode_output_per_gpu,
    /// Input tokens/s per GPU of the prefill pool, prefix-cache hits counted: one prefill
    /// instance's capacity μ_P times ISL, over its GPUs.
    prefill_input_per_gpu,
};

constexpr const char* name_of(plan_metric m) {
    switch (m) {
    case plan_metric::output_per_gpu:
        return "output tok/s per GPU";
    case plan_metric::decode_output_per_gpu:
        return "decode pool output tok/s per GPU";
    case plan_metric::prefill_input_per_gpu:
        return "prefill pool input tok/s per GPU";
    }
    return "?";
}

/// A published serving figure, its deployment and its traffic.
struct plan_row {
    std::string_view what;
    std::string_view source;
    const model_spec* model;
    const cluster_spec* cluster;
    bool disaggregated;
    pool_spec prefill; ///< aggregated: the deployment's instances
    pool_spec decode;  ///< disaggregated only
    traffic load;      ///< ISL, OSL, their spread, the prefix-cache hit rate; no rate: offline
    slo target;        ///< the published per-user speed as a TPOT limit, or none
    plan_metric metric;
    double published;   ///< tokens/s per `published_gpus` GPUs, as published
    int published_gpus; ///< 1: per GPU; 8: per node; the deployment's GPUs: a total
    eval_options o{};
    /// The same published figure is a per-step row of published.hpp's fit set.
    bool also_per_step_fit_row = false;
};

/// Llama 3.1 8B (the preset's architecture, Llama 3's) as NVIDIA's ModelOpt FP8 checkpoint
/// nvidia/Llama-3.1-8B-Instruct-FP8, served with an fp8 KV cache (assumed: the smaller cache
/// raises the bound).
inline constexpr model_spec llama_3_1_8b_fp8 = held_out::fp8_served(presets::llama_3_8b);
/// Llama 3.3 70B (Llama 3 70B's architecture) as nvidia/Llama-3.3-70B-Instruct-FP8, an fp8 KV
/// cache assumed.
inline constexpr model_spec llama_3_3_70b_fp8 = held_out::fp8_served(presets::llama_3_70b);
/// nvidia/Llama-3.1-405B-Instruct-FP8 (held_out.hpp's Llama 3.1 405B), an fp8 KV cache assumed.
inline constexpr model_spec llama_3_1_405b_fp8 = held_out::fp8_served(held_out::llama_3_405b);
/// nvidia/Qwen3-235B-A22B-FP8 (the preset's architecture), experts in fp8 too, an fp8 KV cache
/// assumed.
inline constexpr model_spec qwen3_235b_a22b_fp8 = held_out::fp8_served(presets::qwen3_235b_a22b);

/// An NVIDIA ModelOpt NVFP4 checkpoint (nvidia/...-FP4: "quant_algo": "NVFP4",
/// "kv_cache_quant_algo": "FP8", the LM head excluded): nvfp4 linear layers, experts included,
/// an fp8 KV cache, a bf16 embedding and LM head; 16-bit activations as elsewhere (the GEMMs
/// quantise their inputs, which moecost's nvfp4 weights price at the fp4 tensor-core rate).
constexpr model_spec fp4_served(model_spec m) {
    m.precision.weights = dtype::nvfp4;
    m.precision.kv = dtype::fp8;
    m.precision.embeddings = dtype::bf16;
    return m;
}
inline constexpr model_spec llama_3_3_70b_fp4 = fp4_served(presets::llama_3_70b);
inline constexpr model_spec llama_3_1_405b_fp4 = fp4_served(held_out::llama_3_405b);
inline constexpr model_spec qwen3_235b_a22b_fp4 = fp4_served(presets::qwen3_235b_a22b);
inline constexpr model_spec qwen3_30b_a3b_fp4 = fp4_served(presets::qwen3_30b_a3b);

/// Offline: fixed lengths (the benchmark's `--input-stdev=0 --output-stdev=0`), no arrival rate.
constexpr traffic offline(int isl, int osl) {
    return {.input_mean = make<tokens>(isl), .output_mean = make<tokens>(osl)};
}
/// No SLO, the median request (z = 0): offline throughput.
inline constexpr slo no_slo{.percentile = 0.5};

// NVIDIA/TensorRT-LLM:docs/source/performance/perf-overview.md (commit 00f37686, "NEW for
// v1.0"), "Throughput Measurements": "a local inference client is fed requests at an infinite
// rate (no delay between messages), and shows the throughput scenario under maximum load. The
// reported metric is `Total Output Throughput (tokens/sec)`"; `trtllm-bench ... throughput`,
// PyTorch backend, CUDA graphs (batch sizes 1 to 8192, padded), datasets from
// `prepare_dataset.py ... token-norm-dist --input-mean=$isl --output-mean=$osl --input-stdev=0
// --output-stdev=0`; "H100 SXM 80GB (DGX H100)", "H200 SXM 141GB (DGX H200)";
// `--kv_cache_free_gpu_mem_fraction 0.95` in many cases. The rows: every H100 and H200 cell of
// the tables of the FP8 checkpoints whose architecture moecost has (chosen by that rule before
// any was predicted; six of them were the only rows of this set until then): "Llama 3.1 8B"
// ("H200 TP1 (FP8)", "H100 TP1 (FP8)"), "Llama 3.3 70B" ("H200 TP1 (FP8)", "H100 TP2 (FP8)"),
// "Llama 3.1 405B" ("H200 TP8 (FP8)", "H100 TP8 (FP8)") and "Qwen3-235B-A22B" ("H200 TP8 (FP8)",
// "H100 TP8 (FP8)"; three H100 cells are empty), each cell copied below with its "Sequence
// Length (ISL/OSL)". The same rule on the FP4 checkpoints' columns of B200 and GB200 (one GPU
// of a GB200 NVL72), added as a second block: "Llama 3.3 70B" ("B200 TP1 (FP4)", "GB200 TP1
// (FP4)"), "Llama 3.1 405B" ("B200 TP4 (FP4)", "GB200 TP4 (FP4)"), "Qwen3-235B-A22B" ("B200
// TP8 (FP4)") and "Qwen3-30B-A3B" ("B200 TP1 (FP4)", "GB200 TP1 (FP4)"). The figures are
// totals: per GPU is the total over the GPUs. Llama 4 Scout and Maverick (no architecture in
// moecost) and the RTX 6000 Pro tables (no such GPU in moecost) are not rows.
// Settings of the planner: an aggregated deployment of one instance (continuous batching with
// chunked prefill), the best of the planner's token budgets (trtllm-bench sets its own
// max_num_tokens: not published); max_utilisation 1 in both modes (offline: the prefill queue
// may be busy all the time); no SLO, the median request. Assumptions: fp8 weights and KV cache,
// 16-bit activations as elsewhere in the held-out set (ModelOpt FP8 also runs the GEMMs' inputs
// in fp8; moecost's fp8 weights already take the fp8 tensor-core rate); fp4_served below for
// the FP4 checkpoints. Qwen3-235B-A22B's "TP8"
// runs the page's MoE options, `enable_attention_dp: true`, with `--ep $ep_size` unstated:
// assumed attention DP8 and experts EP8 (TensorRT-LLM's attention-DP MoE deployment), chosen
// before any row was predicted. The assumption carries the rows: read as attention TP8 with
// experts EP8, the same cells are predicted at 0.77 to 1.22 of their measurements, where DP8
// gives 1.2 to 1.66 (docs/validation.md); which the runs used is not published.

// deepseek-ai/open-infra-index, 202502OpenSourceWeek/day_6_one_more_thing_deepseekV3R1_inference_
// system_overview.md ("DeepSeek-V3/R1 Inference System Overview"), H800: prefill "Routed Expert
// EP32, MLA/Shared Expert DP32", "4 nodes", "32 redundant routed experts"; decode "EP144 ...
// DP144", "18 nodes", 32 redundant; fp8 matmuls and dispatch. Statistics of 24 hours: "608B"
// input tokens, "342B tokens (56.3%)" of which "hit the on-disk KV cache"; "168B" output tokens;
// "The average output speed was 20–22 tokens per second"; "the average kvcache length per output
// token was 4,989 tokens"; "each H800 node delivers an average throughput of ~73.7k tokens/s
// input (including cache hits) during prefilling or ~14.8k tokens/s output during decoding";
// "average node occupancy" 226.75 nodes. Assumptions, each named:
// - ISL and OSL are not published: the ratio 608B/168B = 3.62 and the mean context of a decode
//   step ISL + OSL/2 = 4,989 give ISL 4,383 and OSL 1,211 (means; their spread is not published:
//   c_v 0);
// - the per-user speed as a TPOT SLO: 50 ms (20 tokens/s, the slower end) at the median request;
//   no TTFT SLO (none published);
// - pool sizes: 608B/86,400 s/73.7k = 95.5 prefill nodes and 168B/86,400 s/14.8k = 131.4 decode
//   nodes (226.9 together, the published 226.75 average occupancy): 24 prefill instances of 4
//   nodes and 7 decode instances of 18, rounded. The metrics are per pool and per GPU, which the
//   counts do not change;
// - the prediction's prefill pool runs at the planner's default utilisation limit, 0.9 (the
//   node count follows the load through the day); the bound lets it be busy all the time;
// - no speculative decoding: the planner does not draft, and the overview does not say whether
//   the service drafts with MTP (if it does, the decode bound is too low by the accepted drafts);
// - routing spread uniformly over the experts (the bound's per-step rows of published.hpp do
//   the same).

inline constexpr layout deepseek_prefill_layout{.dp = 32, .ep = 32, .redundant_experts = 32};
inline constexpr layout deepseek_decode_layout{.dp = 144, .ep = 144, .redundant_experts = 32};
inline constexpr traffic deepseek_traffic{.input_mean = make<tokens>(4383),
                                          .output_mean = make<tokens>(1211),
                                          .prefix_cache_hit = deepseek_cache_hit};
inline constexpr slo deepseek_slo{.tpot = make<seconds>(0.050), .percentile = 0.5};

/// A cell of TensorRT-LLM's perf-overview tables: an aggregated instance of `l` on `gpus` GPUs,
/// offline at ISL/OSL, its total output tokens/s.
constexpr plan_row trtllm_row(std::string_view what, std::string_view source,
                              const model_spec* m, const cluster_spec* c, layout l, int isl,
                              int osl, double total, int gpus) {
    return {what, source, m, c, false, {.l = l, .instances = 1}, {}, offline(isl, osl), no_slo,
            plan_metric::output_per_gpu, total, gpus};
}

// clang-format off
inline constexpr std::array plan_rows{
    trtllm_row("Llama 3.1 8B, 1 H200, FP8, TP1, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H200 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h200, {}, 128, 128, 27911, 1),
    trtllm_row("Llama 3.1 8B, 1 H200, FP8, TP1, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H200 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h200, {}, 128, 2048, 26221, 1),
    trtllm_row("Llama 3.1 8B, 1 H200, FP8, TP1, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H200 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h200, {}, 128, 4096, 18027, 1),
    trtllm_row("Llama 3.1 8B, 1 H200, FP8, TP1, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H200 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h200, {}, 500, 2000, 20770, 1),
    trtllm_row("Llama 3.1 8B, 1 H200, FP8, TP1, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H200 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h200, {}, 1000, 1000, 17744, 1),
    trtllm_row("Llama 3.1 8B, 1 H200, FP8, TP1, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H200 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h200, {}, 1000, 2000, 16828, 1),
    trtllm_row("Llama 3.1 8B, 1 H200, FP8, TP1, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H200 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h200, {}, 2048, 128, 3538, 1),
    trtllm_row("Llama 3.1 8B, 1 H200, FP8, TP1, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H200 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h200, {}, 2048, 2048, 12194, 1),
    trtllm_row("Llama 3.1 8B, 1 H200, FP8, TP1, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H200 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h200, {}, 5000, 500, 3902, 1),
    trtllm_row("Llama 3.1 8B, 1 H200, FP8, TP1, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H200 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h200, {}, 20000, 2000, 1804, 1),
    trtllm_row("Llama 3.1 8B, 1 H100, FP8, TP1, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H100 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h100_sxm, {}, 128, 128, 28312, 1),
    trtllm_row("Llama 3.1 8B, 1 H100, FP8, TP1, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H100 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h100_sxm, {}, 128, 2048, 22714, 1),
    trtllm_row("Llama 3.1 8B, 1 H100, FP8, TP1, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H100 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h100_sxm, {}, 128, 4096, 14325, 1),
    trtllm_row("Llama 3.1 8B, 1 H100, FP8, TP1, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H100 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h100_sxm, {}, 500, 2000, 17660, 1),
    trtllm_row("Llama 3.1 8B, 1 H100, FP8, TP1, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H100 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h100_sxm, {}, 1000, 1000, 15220, 1),
    trtllm_row("Llama 3.1 8B, 1 H100, FP8, TP1, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H100 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h100_sxm, {}, 1000, 2000, 13899, 1),
    trtllm_row("Llama 3.1 8B, 1 H100, FP8, TP1, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H100 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h100_sxm, {}, 2048, 128, 3450, 1),
    trtllm_row("Llama 3.1 8B, 1 H100, FP8, TP1, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H100 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h100_sxm, {}, 2048, 2048, 9305, 1),
    trtllm_row("Llama 3.1 8B, 1 H100, FP8, TP1, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H100 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h100_sxm, {}, 5000, 500, 3459, 1),
    trtllm_row("Llama 3.1 8B, 1 H100, FP8, TP1, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 8B, H100 TP1 (FP8)",
               &llama_3_1_8b_fp8, &presets::h100_sxm, {}, 20000, 2000, 1351, 1),
    trtllm_row("Llama 3.3 70B, 1 H200, FP8, TP1, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H200 TP1 (FP8)",
               &llama_3_3_70b_fp8, &presets::h200, {}, 128, 128, 3803, 1),
    trtllm_row("Llama 3.3 70B, 1 H200, FP8, TP1, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H200 TP1 (FP8)",
               &llama_3_3_70b_fp8, &presets::h200, {}, 128, 2048, 4336, 1),
    trtllm_row("Llama 3.3 70B, 1 H200, FP8, TP1, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H200 TP1 (FP8)",
               &llama_3_3_70b_fp8, &presets::h200, {}, 128, 4096, 2872, 1),
    trtllm_row("Llama 3.3 70B, 1 H200, FP8, TP1, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H200 TP1 (FP8)",
               &llama_3_3_70b_fp8, &presets::h200, {}, 500, 2000, 3666, 1),
    trtllm_row("Llama 3.3 70B, 1 H200, FP8, TP1, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H200 TP1 (FP8)",
               &llama_3_3_70b_fp8, &presets::h200, {}, 1000, 1000, 2909, 1),
    trtllm_row("Llama 3.3 70B, 1 H200, FP8, TP1, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H200 TP1 (FP8)",
               &llama_3_3_70b_fp8, &presets::h200, {}, 1000, 2000, 2994, 1),
    trtllm_row("Llama 3.3 70B, 1 H200, FP8, TP1, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H200 TP1 (FP8)",
               &llama_3_3_70b_fp8, &presets::h200, {}, 2048, 128, 442, 1),
    trtllm_row("Llama 3.3 70B, 1 H200, FP8, TP1, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H200 TP1 (FP8)",
               &llama_3_3_70b_fp8, &presets::h200, {}, 2048, 2048, 2003, 1),
    trtllm_row("Llama 3.3 70B, 1 H200, FP8, TP1, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H200 TP1 (FP8)",
               &llama_3_3_70b_fp8, &presets::h200, {}, 5000, 500, 566, 1),
    trtllm_row("Llama 3.3 70B, 1 H200, FP8, TP1, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H200 TP1 (FP8)",
               &llama_3_3_70b_fp8, &presets::h200, {}, 20000, 2000, 283, 1),
    trtllm_row("Llama 3.3 70B, 2 H100, FP8, TP2, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H100 TP2 (FP8)",
               &llama_3_3_70b_fp8, &presets::h100_sxm, {.tp = 2}, 128, 128, 6378, 2),
    trtllm_row("Llama 3.3 70B, 2 H100, FP8, TP2, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H100 TP2 (FP8)",
               &llama_3_3_70b_fp8, &presets::h100_sxm, {.tp = 2}, 128, 2048, 6651, 2),
    trtllm_row("Llama 3.3 70B, 2 H100, FP8, TP2, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H100 TP2 (FP8)",
               &llama_3_3_70b_fp8, &presets::h100_sxm, {.tp = 2}, 128, 4096, 4199, 2),
    trtllm_row("Llama 3.3 70B, 2 H100, FP8, TP2, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H100 TP2 (FP8)",
               &llama_3_3_70b_fp8, &presets::h100_sxm, {.tp = 2}, 500, 2000, 5222, 2),
    trtllm_row("Llama 3.3 70B, 2 H100, FP8, TP2, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H100 TP2 (FP8)",
               &llama_3_3_70b_fp8, &presets::h100_sxm, {.tp = 2}, 1000, 1000, 4205, 2),
    trtllm_row("Llama 3.3 70B, 2 H100, FP8, TP2, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H100 TP2 (FP8)",
               &llama_3_3_70b_fp8, &presets::h100_sxm, {.tp = 2}, 1000, 2000, 4146, 2),
    trtllm_row("Llama 3.3 70B, 2 H100, FP8, TP2, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H100 TP2 (FP8)",
               &llama_3_3_70b_fp8, &presets::h100_sxm, {.tp = 2}, 2048, 128, 762, 2),
    trtllm_row("Llama 3.3 70B, 2 H100, FP8, TP2, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H100 TP2 (FP8)",
               &llama_3_3_70b_fp8, &presets::h100_sxm, {.tp = 2}, 2048, 2048, 3082, 2),
    trtllm_row("Llama 3.3 70B, 2 H100, FP8, TP2, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H100 TP2 (FP8)",
               &llama_3_3_70b_fp8, &presets::h100_sxm, {.tp = 2}, 5000, 500, 898, 2),
    trtllm_row("Llama 3.3 70B, 2 H100, FP8, TP2, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, H100 TP2 (FP8)",
               &llama_3_3_70b_fp8, &presets::h100_sxm, {.tp = 2}, 20000, 2000, 437, 2),
    trtllm_row("Llama 3.1 405B, 8 H200, FP8, TP8, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H200 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h200, {.tp = 8}, 128, 128, 3814, 8),
    trtllm_row("Llama 3.1 405B, 8 H200, FP8, TP8, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H200 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h200, {.tp = 8}, 128, 2048, 5348, 8),
    trtllm_row("Llama 3.1 405B, 8 H200, FP8, TP8, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H200 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h200, {.tp = 8}, 128, 4096, 4741, 8),
    trtllm_row("Llama 3.1 405B, 8 H200, FP8, TP8, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H200 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h200, {.tp = 8}, 500, 2000, 4724, 8),
    trtllm_row("Llama 3.1 405B, 8 H200, FP8, TP8, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H200 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h200, {.tp = 8}, 1000, 1000, 3330, 8),
    trtllm_row("Llama 3.1 405B, 8 H200, FP8, TP8, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H200 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h200, {.tp = 8}, 1000, 2000, 3722, 8),
    trtllm_row("Llama 3.1 405B, 8 H200, FP8, TP8, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H200 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h200, {.tp = 8}, 2048, 128, 456, 8),
    trtllm_row("Llama 3.1 405B, 8 H200, FP8, TP8, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H200 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h200, {.tp = 8}, 2048, 2048, 2948, 8),
    trtllm_row("Llama 3.1 405B, 8 H200, FP8, TP8, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H200 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h200, {.tp = 8}, 5000, 500, 650, 8),
    trtllm_row("Llama 3.1 405B, 8 H200, FP8, TP8, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H200 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h200, {.tp = 8}, 20000, 2000, 505, 8),
    trtllm_row("Llama 3.1 405B, 8 H100, FP8, TP8, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H100 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h100_sxm, {.tp = 8}, 128, 128, 3627, 8),
    trtllm_row("Llama 3.1 405B, 8 H100, FP8, TP8, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H100 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h100_sxm, {.tp = 8}, 128, 2048, 4340, 8),
    trtllm_row("Llama 3.1 405B, 8 H100, FP8, TP8, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H100 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h100_sxm, {.tp = 8}, 128, 4096, 3116, 8),
    trtllm_row("Llama 3.1 405B, 8 H100, FP8, TP8, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H100 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h100_sxm, {.tp = 8}, 500, 2000, 3994, 8),
    trtllm_row("Llama 3.1 405B, 8 H100, FP8, TP8, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H100 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h100_sxm, {.tp = 8}, 1000, 1000, 2919, 8),
    trtllm_row("Llama 3.1 405B, 8 H100, FP8, TP8, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H100 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h100_sxm, {.tp = 8}, 1000, 2000, 2895, 8),
    trtllm_row("Llama 3.1 405B, 8 H100, FP8, TP8, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H100 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h100_sxm, {.tp = 8}, 2048, 128, 453, 8),
    trtllm_row("Llama 3.1 405B, 8 H100, FP8, TP8, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H100 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h100_sxm, {.tp = 8}, 2048, 2048, 2296, 8),
    trtllm_row("Llama 3.1 405B, 8 H100, FP8, TP8, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H100 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h100_sxm, {.tp = 8}, 5000, 500, 610, 8),
    trtllm_row("Llama 3.1 405B, 8 H100, FP8, TP8, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, H100 TP8 (FP8)",
               &llama_3_1_405b_fp8, &presets::h100_sxm, {.tp = 8}, 20000, 2000, 345, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H200, FP8, attention DP8 EP8, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H200 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h200, {.dp = 8, .ep = 8}, 128, 128, 30429, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H200, FP8, attention DP8 EP8, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H200 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h200, {.dp = 8, .ep = 8}, 128, 2048, 42821, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H200, FP8, attention DP8 EP8, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H200 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h200, {.dp = 8, .ep = 8}, 128, 4096, 26852, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H200, FP8, attention DP8 EP8, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H200 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h200, {.dp = 8, .ep = 8}, 500, 2000, 28026, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H200, FP8, attention DP8 EP8, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H200 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h200, {.dp = 8, .ep = 8}, 1000, 1000, 23789, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H200, FP8, attention DP8 EP8, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H200 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h200, {.dp = 8, .ep = 8}, 1000, 2000, 22061, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H200, FP8, attention DP8 EP8, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H200 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h200, {.dp = 8, .ep = 8}, 2048, 128, 3331, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H200, FP8, attention DP8 EP8, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H200 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h200, {.dp = 8, .ep = 8}, 2048, 2048, 16672, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H200, FP8, attention DP8 EP8, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H200 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h200, {.dp = 8, .ep = 8}, 5000, 500, 3623, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H200, FP8, attention DP8 EP8, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H200 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h200, {.dp = 8, .ep = 8}, 20000, 2000, 1876, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H100, FP8, attention DP8 EP8, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H100 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h100_sxm, {.dp = 8, .ep = 8}, 128, 2048, 19658, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H100, FP8, attention DP8 EP8, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H100 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h100_sxm, {.dp = 8, .ep = 8}, 128, 4096, 12447, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H100, FP8, attention DP8 EP8, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H100 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h100_sxm, {.dp = 8, .ep = 8}, 500, 2000, 18351, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H100, FP8, attention DP8 EP8, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H100 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h100_sxm, {.dp = 8, .ep = 8}, 1000, 1000, 14898, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H100, FP8, attention DP8 EP8, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H100 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h100_sxm, {.dp = 8, .ep = 8}, 1000, 2000, 15136, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H100, FP8, attention DP8 EP8, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H100 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h100_sxm, {.dp = 8, .ep = 8}, 2048, 2048, 9924, 8),
    trtllm_row("Qwen3-235B-A22B, 8 H100, FP8, attention DP8 EP8, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, H100 TP8 (FP8)",
               &qwen3_235b_a22b_fp8, &presets::h100_sxm, {.dp = 8, .ep = 8}, 5000, 500, 3225, 8),

    trtllm_row("Llama 3.3 70B, 1 B200, FP4, TP1, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, B200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::b200, {}, 128, 128, 11147, 1),
    trtllm_row("Llama 3.3 70B, 1 B200, FP4, TP1, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, B200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::b200, {}, 128, 2048, 9922, 1),
    trtllm_row("Llama 3.3 70B, 1 B200, FP4, TP1, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, B200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::b200, {}, 128, 4096, 6831, 1),
    trtllm_row("Llama 3.3 70B, 1 B200, FP4, TP1, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, B200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::b200, {}, 500, 2000, 7762, 1),
    trtllm_row("Llama 3.3 70B, 1 B200, FP4, TP1, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, B200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::b200, {}, 1000, 1000, 7007, 1),
    trtllm_row("Llama 3.3 70B, 1 B200, FP4, TP1, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, B200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::b200, {}, 1000, 2000, 6271, 1),
    trtllm_row("Llama 3.3 70B, 1 B200, FP4, TP1, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, B200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::b200, {}, 2048, 128, 1339, 1),
    trtllm_row("Llama 3.3 70B, 1 B200, FP4, TP1, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, B200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::b200, {}, 2048, 2048, 4783, 1),
    trtllm_row("Llama 3.3 70B, 1 B200, FP4, TP1, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, B200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::b200, {}, 5000, 500, 1459, 1),
    trtllm_row("Llama 3.3 70B, 1 B200, FP4, TP1, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, B200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::b200, {}, 20000, 2000, 665, 1),
    trtllm_row("Llama 3.3 70B, 1 GB200, FP4, TP1, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, GB200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::gb200_nvl72, {}, 128, 128, 12189, 1),
    trtllm_row("Llama 3.3 70B, 1 GB200, FP4, TP1, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, GB200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::gb200_nvl72, {}, 128, 2048, 11309, 1),
    trtllm_row("Llama 3.3 70B, 1 GB200, FP4, TP1, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, GB200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::gb200_nvl72, {}, 128, 4096, 7849, 1),
    trtllm_row("Llama 3.3 70B, 1 GB200, FP4, TP1, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, GB200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::gb200_nvl72, {}, 500, 2000, 9028, 1),
    trtllm_row("Llama 3.3 70B, 1 GB200, FP4, TP1, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, GB200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::gb200_nvl72, {}, 1000, 1000, 7326, 1),
    trtllm_row("Llama 3.3 70B, 1 GB200, FP4, TP1, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, GB200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::gb200_nvl72, {}, 1000, 2000, 6513, 1),
    trtllm_row("Llama 3.3 70B, 1 GB200, FP4, TP1, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, GB200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::gb200_nvl72, {}, 2048, 128, 1450, 1),
    trtllm_row("Llama 3.3 70B, 1 GB200, FP4, TP1, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, GB200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::gb200_nvl72, {}, 2048, 2048, 5646, 1),
    trtllm_row("Llama 3.3 70B, 1 GB200, FP4, TP1, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, GB200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::gb200_nvl72, {}, 5000, 500, 1602, 1),
    trtllm_row("Llama 3.3 70B, 1 GB200, FP4, TP1, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.3 70B, GB200 TP1 (FP4)",
               &llama_3_3_70b_fp4, &presets::gb200_nvl72, {}, 20000, 2000, 755, 1),
    trtllm_row("Llama 3.1 405B, 4 B200, FP4, TP4, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, B200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::b200, {.tp = 4}, 128, 128, 6281, 4),
    trtllm_row("Llama 3.1 405B, 4 B200, FP4, TP4, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, B200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::b200, {.tp = 4}, 128, 2048, 8020, 4),
    trtllm_row("Llama 3.1 405B, 4 B200, FP4, TP4, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, B200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::b200, {.tp = 4}, 128, 4096, 6345, 4),
    trtllm_row("Llama 3.1 405B, 4 B200, FP4, TP4, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, B200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::b200, {.tp = 4}, 500, 2000, 6244, 4),
    trtllm_row("Llama 3.1 405B, 4 B200, FP4, TP4, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, B200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::b200, {.tp = 4}, 1000, 1000, 5209, 4),
    trtllm_row("Llama 3.1 405B, 4 B200, FP4, TP4, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, B200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::b200, {.tp = 4}, 1000, 2000, 4933, 4),
    trtllm_row("Llama 3.1 405B, 4 B200, FP4, TP4, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, B200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::b200, {.tp = 4}, 2048, 128, 749, 4),
    trtllm_row("Llama 3.1 405B, 4 B200, FP4, TP4, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, B200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::b200, {.tp = 4}, 2048, 2048, 4212, 4),
    trtllm_row("Llama 3.1 405B, 4 B200, FP4, TP4, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, B200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::b200, {.tp = 4}, 5000, 500, 1048, 4),
    trtllm_row("Llama 3.1 405B, 4 B200, FP4, TP4, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, B200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::b200, {.tp = 4}, 20000, 2000, 672, 4),
    trtllm_row("Llama 3.1 405B, 4 GB200, FP4, TP4, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, GB200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::gb200_nvl72, {.tp = 4}, 128, 128, 6740, 4),
    trtllm_row("Llama 3.1 405B, 4 GB200, FP4, TP4, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, GB200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::gb200_nvl72, {.tp = 4}, 128, 2048, 8151, 4),
    trtllm_row("Llama 3.1 405B, 4 GB200, FP4, TP4, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, GB200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::gb200_nvl72, {.tp = 4}, 128, 4096, 6608, 4),
    trtllm_row("Llama 3.1 405B, 4 GB200, FP4, TP4, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, GB200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::gb200_nvl72, {.tp = 4}, 500, 2000, 6540, 4),
    trtllm_row("Llama 3.1 405B, 4 GB200, FP4, TP4, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, GB200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::gb200_nvl72, {.tp = 4}, 1000, 1000, 5389, 4),
    trtllm_row("Llama 3.1 405B, 4 GB200, FP4, TP4, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, GB200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::gb200_nvl72, {.tp = 4}, 1000, 2000, 5135, 4),
    trtllm_row("Llama 3.1 405B, 4 GB200, FP4, TP4, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, GB200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::gb200_nvl72, {.tp = 4}, 2048, 128, 797, 4),
    trtllm_row("Llama 3.1 405B, 4 GB200, FP4, TP4, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, GB200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::gb200_nvl72, {.tp = 4}, 2048, 2048, 4407, 4),
    trtllm_row("Llama 3.1 405B, 4 GB200, FP4, TP4, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, GB200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::gb200_nvl72, {.tp = 4}, 5000, 500, 1112, 4),
    trtllm_row("Llama 3.1 405B, 4 GB200, FP4, TP4, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Llama 3.1 405B, GB200 TP4 (FP4)",
               &llama_3_1_405b_fp4, &presets::gb200_nvl72, {.tp = 4}, 20000, 2000, 739, 4),
    trtllm_row("Qwen3-235B-A22B, 8 B200, FP4, attention DP8 EP8, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, B200 TP8 (FP4)",
               &qwen3_235b_a22b_fp4, &presets::b200, {.dp = 8, .ep = 8}, 128, 128, 63362, 8),
    trtllm_row("Qwen3-235B-A22B, 8 B200, FP4, attention DP8 EP8, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, B200 TP8 (FP4)",
               &qwen3_235b_a22b_fp4, &presets::b200, {.dp = 8, .ep = 8}, 128, 2048, 66057, 8),
    trtllm_row("Qwen3-235B-A22B, 8 B200, FP4, attention DP8 EP8, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, B200 TP8 (FP4)",
               &qwen3_235b_a22b_fp4, &presets::b200, {.dp = 8, .ep = 8}, 128, 4096, 39496, 8),
    trtllm_row("Qwen3-235B-A22B, 8 B200, FP4, attention DP8 EP8, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, B200 TP8 (FP4)",
               &qwen3_235b_a22b_fp4, &presets::b200, {.dp = 8, .ep = 8}, 500, 2000, 57117, 8),
    trtllm_row("Qwen3-235B-A22B, 8 B200, FP4, attention DP8 EP8, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, B200 TP8 (FP4)",
               &qwen3_235b_a22b_fp4, &presets::b200, {.dp = 8, .ep = 8}, 1000, 1000, 42391, 8),
    trtllm_row("Qwen3-235B-A22B, 8 B200, FP4, attention DP8 EP8, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, B200 TP8 (FP4)",
               &qwen3_235b_a22b_fp4, &presets::b200, {.dp = 8, .ep = 8}, 1000, 2000, 34105, 8),
    trtllm_row("Qwen3-235B-A22B, 8 B200, FP4, attention DP8 EP8, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, B200 TP8 (FP4)",
               &qwen3_235b_a22b_fp4, &presets::b200, {.dp = 8, .ep = 8}, 2048, 128, 7329, 8),
    trtllm_row("Qwen3-235B-A22B, 8 B200, FP4, attention DP8 EP8, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, B200 TP8 (FP4)",
               &qwen3_235b_a22b_fp4, &presets::b200, {.dp = 8, .ep = 8}, 2048, 2048, 26854, 8),
    trtllm_row("Qwen3-235B-A22B, 8 B200, FP4, attention DP8 EP8, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, B200 TP8 (FP4)",
               &qwen3_235b_a22b_fp4, &presets::b200, {.dp = 8, .ep = 8}, 5000, 500, 8190, 8),
    trtllm_row("Qwen3-235B-A22B, 8 B200, FP4, attention DP8 EP8, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-235B-A22B, B200 TP8 (FP4)",
               &qwen3_235b_a22b_fp4, &presets::b200, {.dp = 8, .ep = 8}, 20000, 2000, 4453, 8),
    trtllm_row("Qwen3-30B-A3B, 1 B200, FP4, TP1, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, B200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::b200, {}, 128, 128, 39827, 1),
    trtllm_row("Qwen3-30B-A3B, 1 B200, FP4, TP1, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, B200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::b200, {}, 128, 2048, 37844, 1),
    trtllm_row("Qwen3-30B-A3B, 1 B200, FP4, TP1, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, B200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::b200, {}, 128, 4096, 24953, 1),
    trtllm_row("Qwen3-30B-A3B, 1 B200, FP4, TP1, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, B200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::b200, {}, 500, 2000, 27817, 1),
    trtllm_row("Qwen3-30B-A3B, 1 B200, FP4, TP1, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, B200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::b200, {}, 1000, 1000, 25828, 1),
    trtllm_row("Qwen3-30B-A3B, 1 B200, FP4, TP1, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, B200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::b200, {}, 1000, 2000, 22051, 1),
    trtllm_row("Qwen3-30B-A3B, 1 B200, FP4, TP1, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, B200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::b200, {}, 2048, 128, 6251, 1),
    trtllm_row("Qwen3-30B-A3B, 1 B200, FP4, TP1, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, B200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::b200, {}, 2048, 2048, 17554, 1),
    trtllm_row("Qwen3-30B-A3B, 1 B200, FP4, TP1, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, B200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::b200, {}, 5000, 500, 6142, 1),
    trtllm_row("Qwen3-30B-A3B, 1 B200, FP4, TP1, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, B200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::b200, {}, 20000, 2000, 2944, 1),
    trtllm_row("Qwen3-30B-A3B, 1 GB200, FP4, TP1, ISL/OSL 128/128",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, GB200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::gb200_nvl72, {}, 128, 128, 24107, 1),
    trtllm_row("Qwen3-30B-A3B, 1 GB200, FP4, TP1, ISL/OSL 128/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, GB200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::gb200_nvl72, {}, 128, 2048, 31311, 1),
    trtllm_row("Qwen3-30B-A3B, 1 GB200, FP4, TP1, ISL/OSL 128/4096",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, GB200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::gb200_nvl72, {}, 128, 4096, 26337, 1),
    trtllm_row("Qwen3-30B-A3B, 1 GB200, FP4, TP1, ISL/OSL 500/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, GB200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::gb200_nvl72, {}, 500, 2000, 20604, 1),
    trtllm_row("Qwen3-30B-A3B, 1 GB200, FP4, TP1, ISL/OSL 1000/1000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, GB200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::gb200_nvl72, {}, 1000, 1000, 17481, 1),
    trtllm_row("Qwen3-30B-A3B, 1 GB200, FP4, TP1, ISL/OSL 1000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, GB200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::gb200_nvl72, {}, 1000, 2000, 17177, 1),
    trtllm_row("Qwen3-30B-A3B, 1 GB200, FP4, TP1, ISL/OSL 2048/128",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, GB200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::gb200_nvl72, {}, 2048, 128, 6595, 1),
    trtllm_row("Qwen3-30B-A3B, 1 GB200, FP4, TP1, ISL/OSL 2048/2048",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, GB200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::gb200_nvl72, {}, 2048, 2048, 14719, 1),
    trtllm_row("Qwen3-30B-A3B, 1 GB200, FP4, TP1, ISL/OSL 5000/500",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, GB200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::gb200_nvl72, {}, 5000, 500, 5908, 1),
    trtllm_row("Qwen3-30B-A3B, 1 GB200, FP4, TP1, ISL/OSL 20000/2000",
               "TensorRT-LLM perf-overview.md (v1.0), Qwen3-30B-A3B, GB200 TP1 (FP4)",
               &qwen3_30b_a3b_fp4, &presets::gb200_nvl72, {}, 20000, 2000, 3203, 1),

    plan_row{"DeepSeek-V3, H800, decode pool EP144 x 7 (prefill EP32 x 24), FP8",
             "DeepSeek open-infra-index day 6 (~14.8k output tok/s per node, 20-22 tok/s per user)",
             &presets::deepseek_v3, &presets::h800, true,
             {.l = deepseek_prefill_layout, .instances = 24}, {.l = deepseek_decode_layout, .instances = 7},
             deepseek_traffic, deepseek_slo, plan_metric::decode_output_per_gpu, 14.8e3, 8,
             {.dispatch_fp8 = true}, true},
    plan_row{"DeepSeek-V3, H800, prefill pool EP32 x 24 (decode EP144 x 7), FP8",
             "DeepSeek open-infra-index day 6 (~73.7k input tok/s per node, cache hits included)",
             &presets::deepseek_v3, &presets::h800, true,
             {.l = deepseek_prefill_layout, .instances = 24}, {.l = deepseek_decode_layout, .instances = 7},
             deepseek_traffic, deepseek_slo, plan_metric::prefill_input_per_gpu, 73.7e3, 8,
             {.dispatch_fp8 = true}, true},
};
// clang-format on

/// Whether a row's traffic is offline (no arrival rate, no SLO).
constexpr bool offline_row(const plan_row& r) {
    return r.target.ttft.value <= 0 && r.target.tpot.value <= 0;
}

/// The planner's options for a row: the prediction in the default (calibrated) mode, or the
/// bound in the ideal mode with all memory usable and the prefill queue allowed to be busy all
/// the time (offline rows: both modes).
constexpr serve_options options_of(const plan_row& r, bool ideal) {
    serve_options o;
    o.load = r.load;
    o.target = r.target;
    o.eval = r.o;
    o.eval.ideal = ideal;
    if (ideal)
        o.eval.memory_headroom = 1.0;
    o.max_utilisation = ideal || offline_row(r) ? 1.0 : 0.9;
    return o;
}

/// The planner's plan of the row's deployment (ideal: the bound).
constexpr serve_plan plan_of(const plan_row& r, bool ideal) {
    const serve_options o = options_of(r, ideal);
    if (r.disaggregated)
        return plan_deployment(*r.model, {*r.cluster, *r.cluster, *r.cluster}, o, r.prefill,
                               r.decode);
    return plan_deployment(*r.model, *r.cluster, o, r.prefill);
}

/// moecost's figure in the row's metric (tokens/s per GPU): the bound or the prediction.
constexpr double moecost_figure(const plan_row& r, bool ideal) {
    const serve_plan p = plan_of(r, ideal);
    if (!p.feasible)
        return 0;
    switch (r.metric) {
    case plan_metric::output_per_gpu:
        return p.tokens_per_gpu;
    case plan_metric::decode_output_per_gpu:
        return p.decode.capacity * r.load.output_mean.value / world_size(r.decode.l);
    case plan_metric::prefill_input_per_gpu:
        return p.prefill.capacity * r.load.input_mean.value / world_size(r.prefill.l);
    }
    return 0;
}

/// The published figure per GPU.
constexpr double measured_per_gpu(const plan_row& r) {
    return r.published / r.published_gpus;
}

/// The GPUs of the row's deployment.
constexpr int deployment_gpus(const plan_row& r) {
    const int agg = r.prefill.instances * world_size(r.prefill.l);
    return r.disaggregated ? agg + r.decode.instances * world_size(r.decode.l) : agg;
}

} // namespace moecost::validation::serving_plans
