// Fifty full deployments evaluated at compile time: each static_assert runs the whole of
// `evaluate` (memory, prefill, TTFT, decode, every rule) in a constant expression. Compiling
// is passing. The build time of this file is measured by hand and recorded in
// docs/performance.md (target: under 3 s with g++ -O0); no test asserts a time.

#include <moecost.hpp>

namespace {

using namespace moecost;
using namespace moecost::presets;

/// Every module divides, the node rules hold, and it fits in memory.
constexpr bool deployable(const report& r) {
    return r.valid() && r.memory.fits;
}
/// Valid but for memory: too big for the GPUs.
constexpr bool only_too_big(const report& r) {
    return !r.memory.fits && r.problems.count == 1 && r.problems.has(rule::memory);
}
/// Decoding reads weights and KV cache faster than it computes: HBM binds.
constexpr bool decode_memory_bound(const report& r) {
    return r.decode.bottleneck == resource::memory;
}
/// Decode bound by bytes moved: HBM or the links, not FLOPs.
constexpr bool decode_bandwidth_bound(const report& r) {
    return r.decode.bottleneck == resource::memory || r.decode.bottleneck == resource::network;
}

constexpr workload seed_scenario{.batch = 128, .prompt = 10240};
constexpr workload v3_decode{.batch = 4096, .prompt = 4096, .context = 4989};

} // namespace

// ---- seed-moe on the seed GPU (A100-class effective rates, 64 GB) ----------------------
static_assert(deployable(evaluate(seed_moe, seed_gpu, seed_layout(8, 2, 4, 2), seed_scenario)));
static_assert(deployable(evaluate(seed_moe, seed_gpu, seed_layout(8, 4, 4, 2), seed_scenario)));
static_assert(
    evaluate(seed_moe, seed_gpu, seed_layout(8, 2, 4, 2), seed_scenario).decode.bottleneck ==
    resource::network); // 16 nodes' all-to-all per layer dwarfs a 512-wide layer
static_assert(decode_memory_bound(evaluate(seed_moe, seed_gpu, {}, {.batch = 1, .prompt = 10240})));
static_assert(deployable(evaluate(seed_moe, seed_gpu, {.tp = 8}, {.batch = 64, .prompt = 10240})));
static_assert(deployable(evaluate(seed_moe, seed_gpu, {.dp = 16, .etp = 1, .ep = 16},
                                  {.batch = 256, .prompt = 4096})));
static_assert(deployable(evaluate(seed_moe, seed_gpu, {.pp = 16}, {.batch = 16, .prompt = 2048})));
static_assert(evaluate(seed_moe, seed_gpu, {.tp = 3}, {.batch = 12, .prompt = 2048})
                  .problems.has(rule::heads_vs_tp));
static_assert(evaluate(seed_moe, seed_gpu, {.pp = 3}, {.batch = 12, .prompt = 2048})
                  .problems.has(rule::layers_vs_pp));
static_assert(deployable(evaluate(seed_moe, seed_gpu, {.cp = 2, .dp = 4, .etp = 1, .ep = 8},
                                  {.batch = 32, .prompt = 32768})));
static_assert(deployable(evaluate(seed_moe, seed_gpu, seed_layout(8, 2, 4, 2),
                                  {.batch = 8192, .prompt = 10240})));

// ---- Mixtral 8x7B ------------------------------------------------------------------------
static_assert(only_too_big(evaluate(mixtral_8x7b, h100_sxm, {}, {.batch = 1, .prompt = 2048})));
static_assert(deployable(evaluate(mixtral_8x7b, h100_sxm, {.tp = 2},
                                  {.batch = 16, .prompt = 2048})));
static_assert(deployable(evaluate(mixtral_8x7b, h100_sxm, {.tp = 8},
                                  {.batch = 64, .prompt = 4096})));
static_assert(deployable(evaluate(mixtral_8x7b, h100_sxm, {.dp = 8, .etp = 1, .ep = 8},
                                  {.batch = 256, .prompt = 2048})));
static_assert(deployable(evaluate(mixtral_8x7b, a100_sxm_80gb, {.tp = 4, .pp = 2},
                                  {.batch = 32, .prompt = 2048})));
static_assert(deployable(evaluate(mixtral_8x7b, mi300x, {.tp = 8},
                                  {.batch = 128, .prompt = 2048})));
static_assert(deployable(evaluate(mixtral_8x7b, mi300x, {},
                                  {.batch = 8, .prompt = 2048}))); // 192 GB holds it whole

// ---- DeepSeek-V3 (fp8 weights, MLA, 256 experts) ------------------------------------------
static_assert(only_too_big(evaluate(deepseek_v3, h800, {.dp = 32, .ep = 32}, v3_decode)));
static_assert(deployable(evaluate(deepseek_v3, h800,
                                  {.dp = 144, .ep = 144, .redundant_experts = 32},
                                  {.batch = 4608, .prompt = 4096, .context = 4989})));
// 32 sequences a GPU: the cache and the weights' reads and the all-to-all across 18 nodes
// (DeepEP's low-latency kernels, one copy per expert over the NIC) bind it, not FLOPs.
static_assert(decode_bandwidth_bound(evaluate(deepseek_v3, h800,
                                              {.dp = 144, .ep = 144, .redundant_experts = 32},
                                              {.batch = 4608, .prompt = 4096, .context = 4989})));
static_assert(deployable(evaluate(deepseek_v3, h200, {.tp = 8}, {.batch = 32, .prompt = 4096})));
static_assert(only_too_big(evaluate(deepseek_v3, h100_sxm, {.tp = 8},
                                    {.batch = 32, .prompt = 4096})));
static_assert(deployable(evaluate(deepseek_v3, b200, {.tp = 8}, {.batch = 64, .prompt = 4096})));
static_assert(deployable(evaluate(deepseek_v3, h100_sxm, {.tp = 8, .pp = 2, .uneven_stages = true},
                                  {.batch = 64, .prompt = 4096})));
static_assert(deployable(evaluate(deepseek_v3, h800, {.tp = 8, .pp = 4, .uneven_stages = true},
                                  {.batch = 64, .prompt = 4096})));
static_assert(evaluate(deepseek_v3, h800, {.tp = 8, .pp = 4}, {.batch = 64, .prompt = 4096})
                  .problems.has(rule::layers_vs_pp));
static_assert(evaluate(deepseek_v3, h800, {.dp = 7, .ep = 7}, {.batch = 70, .prompt = 4096})
                  .problems.has(rule::experts_vs_ep));
static_assert(only_too_big(evaluate(deepseek_v3_mtp, h800, {.dp = 32, .ep = 32},
                                    {.batch = 1024, .prompt = 4096, .context = 4989})));
static_assert(evaluate(deepseek_v3, h800, {.tp = 16}, {.batch = 16, .prompt = 4096})
                  .problems.has(rule::group_crosses_node));

// ---- DeepSeek-V2-Lite, Qwen3-30B-A3B, OLMoE-1B-7B ---------------------------------------------
static_assert(deployable(evaluate(deepseek_v2_lite, h100_sxm, {}, {.batch = 32, .prompt = 4096})));
static_assert(deployable(evaluate(deepseek_v2_lite, a100_sxm_80gb, {.tp = 2},
                                  {.batch = 64, .prompt = 4096})));
static_assert(deployable(evaluate(deepseek_v2_lite, h100_sxm, {.dp = 8, .etp = 1, .ep = 8},
                                  {.batch = 512, .prompt = 2048})));
static_assert(only_too_big(evaluate(qwen3_30b_a3b, h100_sxm, {}, {.batch = 16, .prompt = 4096})));
static_assert(deployable(evaluate(qwen3_30b_a3b, h100_sxm, {.tp = 4},
                                  {.batch = 64, .prompt = 4096})));
static_assert(deployable(evaluate(qwen3_30b_a3b, h100_sxm, {.tp = 8},
                                  {.batch = 64, .prompt = 4096})));
static_assert(deployable(evaluate(qwen3_30b_a3b, h200, {.dp = 8, .etp = 1, .ep = 8},
                                  {.batch = 512, .prompt = 4096})));
static_assert(deployable(evaluate(olmoe_1b_7b, a100_sxm_80gb, {}, {.batch = 64, .prompt = 4096})));
static_assert(deployable(evaluate(olmoe_1b_7b, h100_sxm, {.dp = 8, .etp = 1, .ep = 8},
                                  {.batch = 1024, .prompt = 2048})));

// ---- Llama 3 8B and 70B (dense) --------------------------------------------------------------
static_assert(only_too_big(evaluate(llama_3_8b, h100_sxm, {},
                                    {.batch = 64, .prompt = 4096}))); // the KV cache
static_assert(deployable(evaluate(llama_3_8b, a100_sxm_80gb, {}, {.batch = 1, .prompt = 4096})));
static_assert(deployable(evaluate(llama_3_8b, h100_sxm, {.tp = 2},
                                  {.batch = 128, .prompt = 4096})));
static_assert(deployable(evaluate(llama_3_8b, h100_sxm, {.dp = 8},
                                  {.batch = 512, .prompt = 2048})));
static_assert(only_too_big(evaluate(llama_3_70b, h100_sxm, {}, {.batch = 1, .prompt = 4096})));
static_assert(deployable(evaluate(llama_3_70b, h200, {.tp = 2}, {.batch = 16, .prompt = 4096})));
static_assert(deployable(evaluate(llama_3_70b, h100_sxm, {.tp = 4},
                                  {.batch = 32, .prompt = 4096})));
static_assert(deployable(evaluate(llama_3_70b, h100_sxm, {.tp = 8},
                                  {.batch = 64, .prompt = 8192})));
static_assert(deployable(evaluate(llama_3_70b, a100_sxm_80gb, {.tp = 8, .pp = 2},
                                  {.batch = 64, .prompt = 4096})));
static_assert(deployable(evaluate(llama_3_70b, h100_sxm, {.pp = 80},
                                  {.batch = 80, .prompt = 2048})));
static_assert(deployable(evaluate(llama_3_70b, h100_sxm, {.tp = 8, .cp = 4},
                                  {.batch = 8, .prompt = 131072})));
