#pragma once
// Shared fixtures of the unit tests: each test derives its expectations by hand from these
// specs, and says so where it uses them.

#include <moecost/spec/model.hpp>

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

} // namespace moecost::test
