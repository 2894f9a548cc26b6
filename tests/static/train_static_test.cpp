// evaluate_training is constexpr: a training plan's memory, micro-batches and pipeline bubble
// are compile-time facts. Every STATIC_REQUIRE here is checked by the compiler (and, built with
// CATCH_CONFIG_RUNTIME_STATIC_REQUIRE, again at run time). Numbers are derived by hand in the
// comments (the same model as tests/unit/train_test.cpp).

#include <moecost/evaluate/training.hpp>

#include "../unit/fixtures.hpp"

#include <catch2/catch.hpp>

using namespace moecost;
using namespace moecost::literals;

namespace {

/// The dense model of fixtures.hpp (209,984 parameters, by hand there).
using test::dense4;

/// 1 TFLOP/s, 10 TB/s, 1 GB, efficiencies 1; links 100 GB/s (10 GB/s between nodes), α = 0.
constexpr cluster_spec round_gpu{
    .gpu = {.name = "round",
            .peak_bf16 = 1.0_TFLOP_per_s,
            .peak_fp8 = 2.0_TFLOP_per_s,
            .hbm = 1.0_GB,
            .hbm_bandwidth = 10.0_TB_per_s},
    .gpus_per_node = 8,
    .max_gpus = 0,
    .intra_node = {.bandwidth = 100_GB_per_s, .latency = 0.0_ns, .efficiency = 1.0},
    .inter_node = {.bandwidth = 10_GB_per_s, .latency = 0.0_ns, .efficiency = 1.0},
};

constexpr bool within(double x, double want, double rel) {
    const double d = x > want ? x - want : want - x;
    return d <= rel * (want > 0 ? want : -want);
}

// DP 4, ZeRO-1: 8 sequences of 16 tokens in micro-batches of 1 → M = 2 per rank.
constexpr training_report zero1 =
    evaluate_training(dense4, round_gpu, layout{.dp = 4},
                      {.global_batch = 8, .micro_batch = 1, .seq = 16, .zero = 1});
// No ZeRO, same plan.
constexpr training_report zero0 = evaluate_training(
    dense4, round_gpu, layout{.dp = 4}, {.global_batch = 8, .micro_batch = 1, .seq = 16});
// DP 2 × PP 2, 1F1B: M = 4.
constexpr training_report piped = evaluate_training(
    dense4, round_gpu, layout{.dp = 2, .pp = 2}, {.global_batch = 8, .micro_batch = 1, .seq = 16});
// 10 sequences do not split into micro-batches of 1 over DP 4.
constexpr training_report ragged = evaluate_training(
    dense4, round_gpu, layout{.dp = 4}, {.global_batch = 10, .micro_batch = 1, .seq = 16});

} // namespace

TEST_CASE("training memory as compile-time facts", "[static][train]") {
    STATIC_REQUIRE(zero0.valid());
    STATIC_REQUIRE(zero0.memory.fits);
    STATIC_REQUIRE(zero0.micro_batches == 2);
    // 18 B per parameter without ZeRO: 18 · 209,984 = 3,779,712
    STATIC_REQUIRE(zero0.memory.weights.value() + zero0.memory.grads.value() +
                       zero0.memory.optimizer.value() ==
                   3'779'712.0);
    // ZeRO-1 over DP 4: (6 + 12/4) · 209,984 = 1,889,856
    STATIC_REQUIRE(zero1.memory.weights.value() + zero1.memory.grads.value() +
                       zero1.memory.optimizer.value() ==
                   1'889'856.0);
    STATIC_REQUIRE(zero1.memory.total() < zero0.memory.total());
    // Activations, PP 1: one micro-batch of 16 tokens, 4 layers of s·b·h·32 = 32,768 B (flash
    // attention, no dropout), fp32 logits 16 · 100 · 4 = 6,400 and the final norm and output
    // layer inputs 4 · s·b·h = 4,096: 141,568
    STATIC_REQUIRE(zero0.memory.activations.value() == 141'568.0);
    STATIC_REQUIRE(zero0.memory.usable.value() == 0.9e9);
}

TEST_CASE("training time as compile-time facts", "[static][train]") {
    STATIC_REQUIRE(piped.valid());
    STATIC_REQUIRE(piped.micro_batches == 4);
    // bubble (p − 1)/(M + p − 1) = 1/5
    STATIC_REQUIRE(within(piped.bubble_fraction, 0.2, 1e-12));
    // pipeline (M + p − 1) · t with t = 3 · 3,420.16 ns + 20.48 ns (the last stage's forward and
    // backward, and the 2,048 B gradient it sends back)
    STATIC_REQUIRE(within(piped.micro_batch_time.value(), 10'280.96e-9, 1e-12));
    STATIC_REQUIRE(within(piped.pipeline_time.value(), 5 * 10'280.96e-9, 1e-12));
    STATIC_REQUIRE(piped.step_time > piped.pipeline_time);
    // model FLOPs 8 · 3 · 6,635,520 = 159,252,480; MFU between 0 and 1
    STATIC_REQUIRE(within(piped.model_flops_per_iteration.value(), 159'252'480.0, 1e-12));
    STATIC_REQUIRE(
        (piped.mfu > 0.7 && piped.mfu < 0.72)); // 159,252,480 / (55,983.85 ns · 4 · 1e12) = 0.7111
    STATIC_REQUIRE_FALSE(ragged.valid());
    STATIC_REQUIRE(ragged.problems.has(rule::batch_vs_dp));
}
