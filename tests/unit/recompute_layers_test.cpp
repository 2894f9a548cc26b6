// Block recomputation (Megatron-LM's --recompute-granularity full --recompute-method block
// --recompute-num-layers N; training_workload::recompute_layers): each model chunk recomputes
// its first N layers in full, the others keep all their activations.
//
// Expectations by hand, from the conventions of train_test.cpp:
// - activations per layer, 16-bit, with the s² scores and dropout masks stored (Korthikanti et
//   al. 2022, Table 2): s·b·h·(34 + 5·a·s/h) without recomputation, 2·s·b·h (the layer's
//   input) under full recomputation;
// - the share φ of a stage's layers recomputed: Σ over its chunks of min(N, chunk layers)
//   over its layers; a recomputed layer repeats its forward, so the time and the executed
//   FLOPs interpolate linearly between no and full recomputation by φ.

#include <moecost/evaluate/training.hpp>
#include <moecost/presets/models.hpp>

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace moecost;
using moecost::test::near;

namespace {

/// 8 GPT layers, h = 64, a = 4 heads, V = 100, 16 positions.
const model_spec gpt8 = presets::gpt(64, 8, 4, 100, 16);

/// s = 16, b = 2 (s·b·h = 2,048; a·s/h = 1), the scores and masks stored, full recompute.
constexpr training_workload paper_setting{.global_batch = 8,
                                          .micro_batch = 2,
                                          .seq = 16,
                                          .rc = recompute::full,
                                          .flash_attention = false,
                                          .dropout = true};

} // namespace

TEST_CASE("block recomputation: the share of each stage's layers recomputed",
          "[train][recompute_layers]") {
    training_workload t = paper_setting;
    // PP 2: chunks of 4 layers. N = 1 recomputes 1 of 4.
    t.recompute_layers = 1;
    CHECK(recomputed_share(gpt8, layout{.pp = 2}, t, 0) == 0.25);
    CHECK(recomputed_share(gpt8, layout{.pp = 2}, t, 1) == 0.25);
    CHECK(recomputed_share(gpt8, layout{.pp = 2}, t) == 0.25); // 2 of 8
    // interleaved, v = 2: four chunks of 2 layers, each stage's two recompute 1 each: 2 of 4
    t.virtual_stages = 2;
    CHECK(recomputed_share(gpt8, layout{.pp = 2}, t, 0) == 0.5);
    CHECK(recomputed_share(gpt8, layout{.pp = 2}, t) == 0.5); // 4 of 8
    // N at least a chunk's layers, or 0: every layer
    t.recompute_layers = 2;
    CHECK(recomputed_share(gpt8, layout{.pp = 2}, t, 1) == 1.0);
    t.recompute_layers = 0;
    CHECK(recomputed_share(gpt8, layout{.pp = 2}, t, 1) == 1.0);
    // 5 layers unevenly over PP 2 (3 + 2), N = 2: stage 0 recomputes 2 of 3, stage 1 both;
    // the model 4 of 5
    model_spec m5 = gpt8;
    m5.layers = 5;
    t.virtual_stages = 1;
    t.recompute_layers = 2;
    const layout uneven{.pp = 2, .uneven_stages = true};
    CHECK(recomputed_share(m5, uneven, t, 0) == near(2.0 / 3.0));
    CHECK(recomputed_share(m5, uneven, t, 1) == 1.0);
    CHECK(recomputed_share(m5, uneven, t) == near(0.8));
    // other recomputation modes ignore it
    t.rc = recompute::selective;
    CHECK(recomputed_share(m5, uneven, t, 0) == 1.0);
}

TEST_CASE("block recomputation with N at least the chunk's layers is full recomputation",
          "[train][recompute_layers]") {
    training_workload t = paper_setting;
    const auto full = evaluate_training(gpt8, test::round_gpu, layout{.pp = 2}, t);
    REQUIRE(full.valid());
    for (const int n : {4, 5, 1000}) {
        t.recompute_layers = n;
        const auto r = evaluate_training(gpt8, test::round_gpu, layout{.pp = 2}, t);
        REQUIRE(r.valid());
        CHECK(r.memory.activations == full.memory.activations);
        CHECK(r.micro_batch_time == full.micro_batch_time);
        CHECK(r.step_time == full.step_time);
        CHECK(r.hardware_flops_per_iteration == full.hardware_flops_per_iteration);
    }
}

TEST_CASE("block recomputation: N layers at 2sbh, the others at sbh(34 + 5as/h)",
          "[train][recompute_layers][memory]") {
    // Per layer 2,048·39 = 79,872 B kept, 2·2,048 = 4,096 B recomputed. PP 2, M = 8/2 = 4:
    // stage 0 holds 2 micro-batches of its 4 layers and the embedding's dropout mask (s·b·h =
    // 2,048 B), and holds more parameters than stage 1 (its embedding and positions 116·64 =
    // 7,424 against the head 6,400 and the final norm 128) and more activations (stage 1 holds
    // one micro-batch), so it is the most loaded.
    constexpr double kept = 79'872.0, recomputed = 4'096.0, mask = 2'048.0;
    training_workload t = paper_setting;
    SECTION("N = 1 of 4") {
        t.recompute_layers = 1;
        const auto r = evaluate_training(gpt8, test::round_gpu, layout{.pp = 2}, t);
        REQUIRE(r.valid());
        CHECK(r.memory.stage == 0);
        CHECK(r.memory.activations.value() ==
              near(2.0 * (1.0 * recomputed + 3.0 * kept + mask))); // 491,520
    }
    SECTION("N = 3 of 4") {
        t.recompute_layers = 3;
        const auto r = evaluate_training(gpt8, test::round_gpu, layout{.pp = 2}, t);
        REQUIRE(r.valid());
        CHECK(r.memory.activations.value() ==
              near(2.0 * (3.0 * recomputed + 1.0 * kept + mask))); // 188,416
    }
    SECTION("interleaved, v = 2, N = 1: 2 of stage 0's 4 layers, × 1.25 in flight") {
        // chunks of 2 layers; the interleaved schedule holds 1 + (p − 1)/(p·v) = 1.25 times
        t.virtual_stages = 2;
        t.recompute_layers = 1;
        const auto r = evaluate_training(gpt8, test::round_gpu, layout{.pp = 2}, t);
        REQUIRE(r.valid());
        CHECK(r.memory.stage == 0);
        CHECK(r.memory.activations.value() ==
              near(1.25 * 2.0 * (2.0 * recomputed + 2.0 * kept + mask))); // 424,960
    }
}

TEST_CASE("block recomputation repeats φ of the forward: t(N) = t(none) + φ·(t(full) − t(none))",
          "[train][recompute_layers][time]") {
    // One GPU: no collectives and no pipeline sends, so the micro-batch time is its compute
    // (and, without flash attention, its score kernels, whose recomputed forward φ scales too).
    training_workload t = paper_setting;
    t.global_batch = 2;
    const layout one{};
    for (const bool ideal : {false, true}) {
        CAPTURE(ideal);
        const eval_options opt{.ideal = ideal};
        t.rc = recompute::none;
        const auto none = evaluate_training(gpt8, test::round_gpu, one, t, opt);
        t.rc = recompute::full;
        const auto full = evaluate_training(gpt8, test::round_gpu, one, t, opt);
        REQUIRE(none.valid());
        REQUIRE(full.micro_batch_time > none.micro_batch_time);
        const double extra = full.micro_batch_time.value() - none.micro_batch_time.value();
        const double hw_extra =
            full.hardware_flops_per_iteration.value() - none.hardware_flops_per_iteration.value();
        for (const int n : {1, 2, 6}) {
            CAPTURE(n);
            t.recompute_layers = n;
            const double phi = n / 8.0;
            const auto r = evaluate_training(gpt8, test::round_gpu, one, t, opt);
            REQUIRE(r.valid());
            CHECK(r.micro_batch_time.value() == near(none.micro_batch_time.value() + phi * extra));
            // HFU's numerator: φ of the recomputed forward
            CHECK(r.hardware_flops_per_iteration.value() ==
                  near(none.hardware_flops_per_iteration.value() + phi * hw_extra));
            // MFU's does not recompute
            CHECK(r.model_flops_per_iteration == none.model_flops_per_iteration);
        }
        t.recompute_layers = 0;
    }
}

TEST_CASE("block recomputation: a negative count, or one without full recomputation, breaks a rule",
          "[train][recompute_layers][violations]") {
    training_workload t = paper_setting;
    t.recompute_layers = -1;
    const violations neg = validate(t);
    REQUIRE(neg.has(rule::non_negative));
    CHECK(std::string(neg.begin()->field) == "training.recompute_layers");
    CHECK_FALSE(evaluate_training(gpt8, test::round_gpu, layout{.pp = 2}, t).valid());

    t.recompute_layers = 2;
    CHECK(validate(t).ok());
    t.rc = recompute::selective;
    const auto r = evaluate_training(gpt8, test::round_gpu, layout{.pp = 2}, t);
    REQUIRE(r.problems.has(rule::at_most));
    CHECK_FALSE(r.valid());
    CHECK_FALSE(r.evaluated);
    t.rc = recompute::none;
    CHECK(validate(t).has(rule::at_most));
    t.recompute_layers = 0;
    CHECK(validate(t).ok());
}
