// Unfused attention in training (Megatron-LM 2021: baddbmm, scale-mask-softmax, dropout, bmm):
// the hardware computes every score of the s×s matrix and masks it afterwards, so the executed
// FLOPs (HFU's numerator) and the step time count s² keys per layer and sequence, where flash
// attention computes only the causal half (count/flops.hpp: executed_training_flops_per_token;
// evaluate/training.hpp). And the HBM bytes those kernels move for the scores
// (unfused_score_traffic), which the step spends.
//
// gpt4: 4 layers, h = 64, 4 heads of 16, V = 100; s = 16. One layer's attention core for one
// sequence: 2·H·d per key for the scores and 2·H·d for the values, 4·4·16 = 256 FLOPs per key:
//   causal  Σ_{n=1..16} n = 136 keys → 34,816 FLOPs
//   whole   16·16 = 256 keys         → 65,536 FLOPs (30,720 more)

#include <moecost/evaluate/training.hpp>
#include <moecost/presets/models.hpp>

#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace moecost;
using namespace moecost::literals;

namespace {

constexpr model_spec gpt4 = presets::gpt(64, 4, 4, 100, 16);

/// The round GPU of fixtures.hpp: 1 TFLOP/s, 10 TB/s, 1 GB, the ideal profile.
constexpr const cluster_spec& round_gpu = test::round_gpu;

} // namespace

TEST_CASE("executed training FLOPs: unfused attention computes the whole s² scores",
          "[flops][train][unfused]") {
    constexpr double s = 16;
    const double fused = executed_training_flops_per_token(gpt4, s, recompute::none, true).value();
    const double unfused =
        executed_training_flops_per_token(gpt4, s, recompute::none, false).value();
    // 30,720 more per layer and sequence, 4 layers, 3 passes, over 16 tokens: 23,040 a token
    CHECK(unfused - fused == Approx(23'040.0).epsilon(1e-12));
    // fused is the causal count; unfused is Megatron's Eq. 3 convention (non-causal)
    CHECK(fused == training_flops_per_token(gpt4, s).value());
    CHECK(unfused == training_flops_per_token(gpt4, s, recompute::none, false).value());
    // a recomputed forward (full, or the attention core alone) executes them a fourth time:
    // 4·4·30,720/16 = 30,720 a token
    for (const recompute rc : {recompute::full, recompute::selective})
        CHECK(executed_training_flops_per_token(gpt4, s, rc, false).value() -
                  executed_training_flops_per_token(gpt4, s, rc, true).value() ==
              Approx(30'720.0).epsilon(1e-12));
}

TEST_CASE("executed training FLOPs: a sliding window is a mask, the unfused product is whole",
          "[flops][train][unfused]") {
    // every layer a window of 4: flash sums 1 + 2 + 3 + 4 + 12·4 = 58 keys (14,848 FLOPs a
    // layer); unfused still 256 (65,536): 50,688 more a layer, ·4 layers ·3 passes /16 tokens
    model_spec m = gpt4;
    m.attention.sliding = {.window = 4, .every = 1, .offset = 0};
    constexpr double s = 16;
    CHECK(executed_training_flops_per_token(m, s, recompute::none, false).value() -
              executed_training_flops_per_token(m, s, recompute::none, true).value() ==
          Approx(38'016.0).epsilon(1e-12));
    // non-causal with the window (what a bidirectional windowed mask attends to) is less
    CHECK(executed_training_flops_per_token(m, s, recompute::none, false).value() >
          training_flops_per_token(m, s, recompute::none, false).value());
}

TEST_CASE("unfused attention in evaluate_training: HFU counts, and the step spends, the whole s²",
          "[train][unfused]") {
    // 8 sequences of 16, micro-batch 2 on one GPU: M = 4, 128 tokens an iteration
    training_workload t{.global_batch = 8, .micro_batch = 2, .seq = 16};
    const auto flash = evaluate_training(gpt4, round_gpu, layout{}, t, {.ideal = true});
    t.flash_attention = false;
    const auto unfused = evaluate_training(gpt4, round_gpu, layout{}, t, {.ideal = true});
    REQUIRE(flash.valid());
    REQUIRE(unfused.valid());
    // model FLOPs keep the causal convention; hardware FLOPs gain 128 · 23,040 = 2,949,120
    CHECK(unfused.model_flops_per_iteration == flash.model_flops_per_iteration);
    CHECK(unfused.hardware_flops_per_iteration.value() -
              flash.hardware_flops_per_iteration.value() ==
          Approx(2'949'120.0).epsilon(1e-9));
    // at 1 TFLOP/s, every group compute-bound: a micro-batch (2 sequences, 4 layers, 3 passes)
    // takes 3·2·4·30,720 = 737,280 FLOPs more, 0.73728 µs; the step four of them
    CHECK(unfused.micro_batch_time.value() - flash.micro_batch_time.value() ==
          Approx(737'280e-12).epsilon(1e-9));
    CHECK(unfused.step_time.value() - flash.step_time.value() ==
          Approx(4 * 737'280e-12).epsilon(1e-9));
}

TEST_CASE("unfused attention's score traffic: forward 8 B a score (13 with dropout), backward "
          "14 (19)",
          "[flops][unfused][traffic]") {
    // forward: QKᵀ writes 2, scale-mask-softmax reads 2 and writes 2, the value product reads 2;
    // dropout adds a read 2, its output 2 and its mask 1. Backward: the probabilities' gradient
    // written 2, the softmax backward reads it and the probabilities and writes 2 + 2 + 2, the
    // query and key gradients read that 2 + 2, the value gradient the probabilities 2; dropout
    // adds a read 2, the mask 1 and a write 2. gpt4: 4 heads × 16 × 16 = 1,024 scores.
    const score_traffic plain = unfused_score_traffic(gpt4, 16, 16, false);
    const score_traffic drop = unfused_score_traffic(gpt4, 16, 16, true);
    CHECK(plain.forward.value() == 8'192.0);
    CHECK(plain.backward.value() == 14'336.0);
    CHECK(drop.forward.value() == 13'312.0);
    CHECK(drop.backward.value() == 19'456.0);
    // a CP rank's queries against every key: 8 × 16 per head
    CHECK(unfused_score_traffic(gpt4, 8, 16, false).forward.value() == 4'096.0);
    // what Korthikanti et al. keep for the backward, 5·a·s²·b (b = 1): 5,120 B, of the 13,312
    CHECK(5.0 * 4 * 16 * 16 < drop.forward.value());
}

TEST_CASE("unfused attention's score kernels add their HBM time to a micro-batch",
          "[train][unfused][traffic]") {
    // The default mode, gpt4 on one round GPU (1 TFLOP/s, 10 TB/s, every efficiency 1),
    // micro-batch 2: against flash attention a micro-batch computes 737,280 FLOPs more
    // (0.73728 µs, as above) and its mask, softmax and dropout kernels move, per layer,
    // 2 sequences × 1,024 scores × (8 + 14) B = 45,056 B, (13 + 19) B = 65,536 B with dropout:
    // 4 layers at 10 TB/s, 18.0224 ns (26.2144 ns). A full recompute runs the forward kernels
    // twice (+ 2·1,024·8·4 = 65,536 B, 6.5536 ns) and its FLOPs a fourth time (+ 0.24576 µs).
    training_workload t{.global_batch = 8, .micro_batch = 2, .seq = 16};
    const auto flash = evaluate_training(gpt4, round_gpu, layout{}, t);
    t.flash_attention = false;
    const auto unfused = evaluate_training(gpt4, round_gpu, layout{}, t);
    t.dropout = true;
    const auto dropout = evaluate_training(gpt4, round_gpu, layout{}, t);
    REQUIRE(flash.valid());
    REQUIRE(unfused.valid());
    CHECK(unfused.micro_batch_time.value() - flash.micro_batch_time.value() ==
          Approx(737'280e-12 + 18.0224e-9).epsilon(1e-9));
    CHECK(dropout.micro_batch_time.value() - flash.micro_batch_time.value() ==
          Approx(737'280e-12 + 26.2144e-9).epsilon(1e-9));
    t.dropout = false;
    t.rc = recompute::full;
    const auto full_unfused = evaluate_training(gpt4, round_gpu, layout{}, t);
    t.flash_attention = true;
    const auto full_flash = evaluate_training(gpt4, round_gpu, layout{}, t);
    CHECK(full_unfused.micro_batch_time.value() - full_flash.micro_batch_time.value() ==
          Approx(4.0 / 3.0 * 737'280e-12 + 18.0224e-9 + 6.5536e-9).epsilon(1e-9));
    // flash attention moves none of it
    CHECK(engine::score_times_of(gpt4, layout{}, t, round_gpu.gpu).forward.value() == 0.0);
}
