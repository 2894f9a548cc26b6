#pragma once
// Shared fixtures of the unit tests: each test derives its expectations by hand from these
// specs, and says so where it uses them.

#include <moecost/spec/hardware.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/workload.hpp>
#include <moecost/units.hpp>

#include <catch2/catch.hpp>

namespace moecost::test {

/// Relative comparison for hand-derived values (sums of exact binary fractions and decimal
/// literals: 1e-9 is far below any mistake worth catching and far above rounding).
inline Approx near(double v) {
    return Approx(v).epsilon(1e-9);
}

/**
 * A tiny MoE: 2 layers, both MoE; h = 64; GQA with 4 heads of 16 and 2 KV heads; 4 experts,
 * top-2, plain (2-matrix) experts of width 32; vocabulary 100, untied; bf16 everywhere.
 *
 * Parameters by hand:
 *   attention per layer: Q h·H·d = 64·64 = 4,096; K,V 2·h·K·d = 2·64·32 = 4,096; O 4,096
 *                        → 12,288 (of which K,V 4,096)
 *   norms per layer 2·64 = 128; router h·E = 256; one expert 2·h·f = 2·64·32 = 4,096
 *   embedding = head = V·h = 6,400; final norm 64
 */
inline constexpr model_spec tiny_moe{
    .name = "tiny-moe",
    .layers = 2,
    .hidden = 64,
    .vocab = 100,
    .attention = {.heads = 4, .kv_heads = 2},
    .ffn = {.hidden = 128, .gated = false},
    .moe = {.experts = 4, .top_k = 2, .expert_hidden = 32},
};

/// tiny_moe with one MTP module (a block of its last layer's kind, MoE, as DeepSeek-V3's).
inline constexpr model_spec tiny_moe_mtp = [] {
    model_spec m = tiny_moe;
    m.mtp_layers = 1;
    return m;
}();

/**
 * tiny_moe on 16 layers with seven stage shapes on PP 8 (two layers a stage), one more than
 * the evaluation's stage set holds. A sliding window on layers 0, 3, 6, 9, 12, 15 (every 3;
 * wider than any sequence, so it costs as full attention) and dense layers 2–6 give stages
 * (MoE, sliding layers): 0 (2, 1) embedding · 1 (0, 1) · 2 (0, 0) · 3 (1, 1) · 4 (2, 1) ·
 * 5 (2, 0) · 6 (2, 1) as 4 · 7 (2, 1) LM head. The dense FFN of 32 is narrower than the two
 * experts a token uses (2·32), so an MoE layer outweighs a dense one in FLOPs and in the
 * weights a decode step reads (router 256 + two experts 8,192 against 4,096).
 */
inline constexpr model_spec tiny_seven_shapes = [] {
    model_spec m = tiny_moe;
    m.name = "tiny-seven-shapes";
    m.layers = 16;
    m.ffn.hidden = 32;
    m.attention.sliding = {.window = 1 << 20, .every = 3, .offset = 0};
    for (int i = 2; i <= 6; ++i)
        set_dense_layer(m.moe, i);
    return m;
}();

/// tiny_moe_mtp's speculative decoding in the tests: 4 sequences of 8 tokens, one draft a
/// step, accepted half the time.
inline constexpr workload tiny_drafting{
    .batch = 4, .prompt = 8, .draft_tokens = 1, .draft_acceptance = 0.5};

/**
 * A small dense model: 4 layers, h = 64, MHA with 4 heads of 16, plain (2-matrix) FFN of 256,
 * RMSNorm, vocabulary 100, untied, no biases.
 *
 * Parameters by hand: attention 4·h² = 16,384, norms 2·64 = 128, FFN 2·64·256 = 32,768:
 * 49,280 per layer. Embedding = head = 100·64 = 6,400; final norm 64.
 * Total 4·49,280 + 6,400 + 6,400 + 64 = 209,984.
 */
inline constexpr model_spec dense4{
    .name = "dense4",
    .layers = 4,
    .hidden = 64,
    .vocab = 100,
    .attention = {.heads = 4},
    .ffn = {.hidden = 256, .gated = false},
};

/// A made-up GPU: 4 TFLOP/s, 1 TB/s (ridge at 4 FLOP/B, so both rooflines show up), 1 MB of
/// HBM, every efficiency 1; 8 per node, links 100 GB/s with α = 10 ns inside a node,
/// 10 GB/s with α = 100 ns between nodes.
inline constexpr cluster_spec toy_cluster{
    .gpu = {.name = "toy",
            .peak_bf16 = make<flop_rate>(4e12),
            .peak_fp8 = {},
            .hbm = make<bytes>(1e6),
            .hbm_bandwidth = make<byte_rate>(1e12)},
    .gpus_per_node = 8,
    .max_gpus = 0,
    .intra_node = {.bandwidth = make<byte_rate>(100e9),
                   .latency = make<seconds>(10e-9),
                   .efficiency = 1.0},
    .inter_node = {.bandwidth = make<byte_rate>(10e9),
                   .latency = make<seconds>(100e-9),
                   .efficiency = 1.0},
};

/**
 * A made-up GPU with round numbers: 1 TFLOP/s bf16, 2 TFLOP/s fp8, 10 TB/s HBM (ridge at
 * 0.1 FLOP/B: every operator group of the training tests is compute-bound), 1 GB; the ideal
 * profile. Links: 100 GB/s with α = 0 inside a node of 8, 10 GB/s with α = 0 between nodes.
 */
inline constexpr cluster_spec round_gpu{
    .gpu = {.name = "round",
            .peak_bf16 = make<flop_rate>(1e12),
            .peak_fp8 = make<flop_rate>(2e12),
            .hbm = make<bytes>(1e9),
            .hbm_bandwidth = make<byte_rate>(10e12)},
    .gpus_per_node = 8,
    .max_gpus = 0,
    .intra_node = {.bandwidth = make<byte_rate>(100e9),
                   .latency = make<seconds>(0),
                   .efficiency = 1.0},
    .inter_node = {.bandwidth = make<byte_rate>(10e9),
                   .latency = make<seconds>(0),
                   .efficiency = 1.0},
};

} // namespace moecost::test
