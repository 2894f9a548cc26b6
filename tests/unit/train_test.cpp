// Training evaluation (include/moecost/evaluate/training.hpp): memory under ZeRO, activations of the
// micro-batches in flight, step time, MFU/HFU, and the rules a training plan must follow.
//
// Every expected number is derived by hand in the comments from the conventions below, not
// read back from the code:
// - bytes per parameter without ZeRO: bf16 weight 2 + fp32 gradient 4 + fp32 master 4 + Adam
//   m and v 4 + 4 = 18; with the distributed optimizer (ZeRO-1) 6 + 12/DP
//   (NVIDIA/Megatron-LM:megatron/training/theoretical_memory_usage.py,
//   `num_bytes_per_parameter = 18 if not args.use_distributed_optimizer else 6 + (12 / dp)`);
//   ZeRO-2 also shards the gradients, ZeRO-3 the weights (Rajbhandari et al. 2020);
//   routed-expert parameters shard over the expert-data-parallel group (EDP), the rest over DP.
// - activations per layer, 16-bit (Korthikanti et al. 2022, arXiv 2205.05198, Table 2):
//   s·b·h·(34 + 5·a·s/h) with no parallelism, s·b·h·(10 + 24/t + 5·a·s/(h·t)) with TP t,
//   (s·b·h/t)·(34 + 5as/h) with SP, 34·s·b·h/t with SP + selective recompute, 2·s·b·h with full
//   recompute. 1F1B holds p − s micro-batches on stage s (at most M); the interleaved schedule
//   multiplies by 1 + (p − 1)/(p·v) (§4.2.3).
// - pipeline: (M + p − 1)·t for 1F1B, (M + (p − 1)/v)·t interleaved (Narayanan et al. 2021,
//   SC'21, §2.2); bubble (p − 1)/(M + p − 1) of the pipeline time.
// - all-reduce of M bytes over n GPUs: 2⌈log2 n⌉·α + 2(n − 1)/n·M/bw (recursive halving and
//   doubling); all-gather of shards S: ⌈log2 n⌉·α + (n − 1)·S/bw (Thakur et al. 2005).
// - an (m×k)·(k×n) product costs 2·m·n·k FLOPs; backward twice forward; full recompute adds a
//   forward without the logits (Megatron-LM paper, Appendix).

#include <moecost/evaluate/training.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace moecost;
using namespace moecost::literals;
using moecost::test::near;

namespace {

/// The dense model of fixtures.hpp (209,984 parameters, by hand there).
using test::dense4;

/**
 * The tiny MoE of fixtures.hpp: 2 MoE layers, h = 64, GQA 4 heads of 16 with 2 KV heads,
 * 4 routed experts top-2, plain experts of 32, vocabulary 100, untied.
 *
 * Per layer: attention Q,O 2·64·64 = 8,192 + K,V 2·64·32 = 4,096; norms 128; router
 * 64·4 = 256; one expert 2·64·32 = 4,096.
 */
using test::tiny_moe;

/// A GPT of Korthikanti et al. / the Megatron-LM paper (presets::gpt), layers first.
constexpr model_spec gpt_spec(int layers, int h, int heads, int vocab, int positions) {
    return presets::gpt(h, layers, heads, vocab, positions);
}

/// 4 GPT layers, h = 64, a = 4 heads, V = 100.
constexpr model_spec gpt4 = gpt_spec(4, 64, 4, 100, 16);

/// The round GPU of fixtures.hpp: 1 TFLOP/s, 10 TB/s, 1 GB, the ideal profile.
constexpr const cluster_spec& round_gpu = test::round_gpu;

/// The same GPU with a latency of 10 ns per step on both links.
constexpr cluster_spec round_gpu_alpha = [] {
    cluster_spec c = round_gpu;
    c.intra_node.latency = 10.0_ns;
    c.inter_node.latency = 10.0_ns;
    return c;
}();

/// The same GPU with real-world-like losses: efficiencies 0.5 and α = 1 µs.
constexpr cluster_spec lossy_gpu = [] {
    cluster_spec c = round_gpu;
    c.gpu.perf = flat_profile(0.5, 0.5);
    c.intra_node = {.bandwidth = 100_GB_per_s, .latency = 1.0_us, .efficiency = 0.5};
    c.inter_node = {.bandwidth = 10_GB_per_s, .latency = 1.0_us, .efficiency = 0.5};
    return c;
}();

/// The first violation of rule r (a default one if none).
violation first_of(const violations& vs, rule r) {
    for (const auto& v : vs)
        if (v.what == r)
            return v;
    return {};
}

/// Memory of weights, gradients and optimizer states (activations apart).
double states(const training_report& r) {
    return r.memory.weights.value() + r.memory.grads.value() + r.memory.optimizer.value();
}

} // namespace

// ---- memory: weights, gradients, optimizer states --------------------------------------------

TEST_CASE("18 bytes per parameter without ZeRO, 6 + 12/DP with the distributed optimizer",
          "[train][memory][zero][megatron]") {
    // dense4 on DP 4 (TP 1, PP 1): every GPU holds all 209,984 parameters.
    constexpr layout l{.dp = 4};
    constexpr double P = 209'984.0;
    training_workload t{.global_batch = 8, .micro_batch = 1, .seq = 16};
    SECTION("no ZeRO: 2 + 4 + 12 = 18 B/param") {
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        REQUIRE(r.valid());
        CHECK(r.memory.weights.value() == 2.0 * P);    // 419,968
        CHECK(r.memory.grads.value() == 4.0 * P);      // 839,936
        CHECK(r.memory.optimizer.value() == 12.0 * P); // 2,519,808
        CHECK(states(r) == 18.0 * P);                  // 3,779,712
    }
    SECTION("ZeRO-1 (Megatron's distributed optimizer): 6 + 12/4 = 9 B/param") {
        t.zero = 1;
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        REQUIRE(r.valid());
        CHECK(r.memory.optimizer.value() == 12.0 * P / 4.0); // 629,952
        CHECK(states(r) == 9.0 * P);                         // 1,889,856
    }
    SECTION("ZeRO-2 shards the gradients too: 2 + 16/4 = 6 B/param") {
        t.zero = 2;
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        CHECK(r.memory.grads.value() == 4.0 * P / 4.0);
        CHECK(states(r) == 6.0 * P); // 1,259,904
    }
    SECTION("ZeRO-3 shards the weights too: 18/4 = 4.5 B/param") {
        t.zero = 3;
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        CHECK(r.memory.weights.value() == 2.0 * P / 4.0);
        CHECK(states(r) == 4.5 * P); // 944,928
    }
    SECTION("SGD: master 4 + momentum 4; without the master copy, momentum only") {
        t.optimizer = optimizer_kind::sgd;
        auto r = evaluate_training(dense4, round_gpu, l, t);
        CHECK(r.memory.optimizer.value() == 8.0 * P);
        CHECK(states(r) == 14.0 * P);
        t.master_weights = false;
        r = evaluate_training(dense4, round_gpu, l, t);
        CHECK(r.memory.optimizer.value() == 4.0 * P);
        CHECK(states(r) == 10.0 * P);
    }
    SECTION("Adam with bf16 m and v: 4 + 2·2 = 8 B of state per parameter") {
        t.optimizer_state = dtype::bf16;
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        CHECK(r.memory.optimizer.value() == 8.0 * P);
    }
}

TEST_CASE("ZeRO shards routed experts over EDP and the rest over DP",
          "[train][memory][zero][moe]") {
    // tiny_moe on TP 1 × DP 4 for attention, ETP 1 × EP 2 × EDP 2 for the experts, PP 1.
    // Per GPU: attention 12,288 (TP 1) + norms 128 + router 256 + 2 experts (4 / EP 2) of
    // 4,096 = 20,864 per layer; 2 layers 41,728; embedding 6,400, head 6,400, final norm 64:
    // 54,592 parameters, of which experts 2·2·4,096 = 16,384 and dense 38,208.
    // Shard of a ZeRO-sharded quantity: 38,208/DP 4 + 16,384/EDP 2 = 9,552 + 8,192 = 17,744.
    constexpr layout l{.tp = 1, .dp = 4, .etp = 1, .ep = 2};
    REQUIRE(edp_of(l) == 2);
    constexpr double P = 54'592.0, shard = 17'744.0;
    training_workload t{.global_batch = 8, .micro_batch = 1, .seq = 8};
    auto at = [&](int zero) {
        t.zero = zero;
        const auto r = evaluate_training(tiny_moe, round_gpu, l, t);
        REQUIRE(r.valid());
        return r;
    };
    const auto z0 = at(0), z1 = at(1), z2 = at(2), z3 = at(3);
    CHECK(z0.memory.weights.value() == 2.0 * P);    // 109,184
    CHECK(z0.memory.grads.value() == 4.0 * P);      // 218,368
    CHECK(z0.memory.optimizer.value() == 12.0 * P); // 655,104
    CHECK(z1.memory.weights.value() == 2.0 * P);
    CHECK(z1.memory.grads.value() == 4.0 * P);
    CHECK(z1.memory.optimizer.value() == 12.0 * shard); // 212,928
    CHECK(z2.memory.weights.value() == 2.0 * P);
    CHECK(z2.memory.grads.value() == 4.0 * shard); // 70,976
    CHECK(z2.memory.optimizer.value() == 12.0 * shard);
    CHECK(z3.memory.weights.value() == 2.0 * shard); // 35,488
    CHECK(z3.memory.grads.value() == 4.0 * shard);
    CHECK(z3.memory.optimizer.value() == 12.0 * shard);
    // Activations do not depend on ZeRO.
    CHECK(z3.memory.activations == z0.memory.activations);
}

// ---- memory: activations ---------------------------------------------------------------------

TEST_CASE("activations: Korthikanti's bytes per layer × layers per stage × micro-batches in flight",
          "[train][memory][activations]") {
    // gpt4 with s = 16, micro-batch b = 2: s·b·h = 2,048; a·s/h = 4·16/64 = 1. With dropout
    // masks and stored scores (the paper's setting):
    //   per layer s·b·h·(34 + 5·1) = 2,048·39 = 79,872 B.
    // PP 2: 2 layers per stage. Outside the layers (Korthikanti §4.3) the first stage keeps the
    // embedding's dropout mask, s·b·h = 2,048 B (one byte per element), and the last the fp32
    // logits, s·b·V·4 = 16·2·100·4 = 12,800 B (4sbv/t for the cross entropy), and the 16-bit
    // inputs of the final norm and of the output layer, 4·s·b·h = 8,192 B. The SP cases split
    // these by t.
    training_workload t{
        .global_batch = 8, .micro_batch = 2, .seq = 16, .flash_attention = false, .dropout = true};
    constexpr double per_layer = 79'872.0, logits = 12'800.0, mask = 2'048.0, ends = 8'192.0;
    SECTION("1F1B, M = 4 ≥ p = 2: the first stage holds 2 micro-batches, the last one") {
        const auto r = evaluate_training(gpt4, round_gpu, layout{.pp = 2}, t);
        REQUIRE(r.valid());
        REQUIRE(r.micro_batches == 4);
        // stage 0: 2 in flight × (2 layers × 79,872 + 2,048) = 323,584 (L·per_layer, paper
        // Eq. 5, plus §4.3's sbhp); stage 1: 1 × (2 × 79,872 + 12,800 + 8,192) = 180,736;
        // stage 0 also holds more parameters (next section), so it is the most loaded.
        CHECK(r.memory.stage == 0);
        CHECK(r.memory.activations.value() == 2.0 * (2.0 * per_layer + mask));
        CHECK(r.memory.activations.value() == 4.0 * per_layer + 2.0 * mask);
    }
    SECTION("M = 1: one micro-batch everywhere, and the last stage (with its logits) is the most "
            "loaded") {
        // gpt4's parameters: per layer attention 4h² + 4h biases = 16,640, two LayerNorms
        // 256, MLP 8h² + 5h = 33,088: 49,984. Stage 0 adds the embedding and positions
        // (100 + 16)·64 = 7,424 (107,392 in all), stage 1 the head copy 6,400 and the final
        // LayerNorm 128 (106,496). With micro-batch 4 (s·b·h = 4,096, 159,744 B per layer,
        // embedding mask 4,096 B, logits 16·4·100·4 = 25,600 B, final norm and output-layer
        // inputs 4·4,096 = 16,384 B):
        //   stage 0: 18·107,392 + 2·159,744 + 4,096 = 1,933,056 + 323,584 = 2,256,640
        //   stage 1: 18·106,496 + 2·159,744 + 25,600 + 16,384 = 1,916,928 + 361,472 = 2,278,400
        t.global_batch = 4;
        t.micro_batch = 4;
        const auto r = evaluate_training(gpt4, round_gpu, layout{.pp = 2}, t);
        REQUIRE(r.valid());
        REQUIRE(r.micro_batches == 1);
        CHECK(r.memory.stage == 1);
        CHECK(r.memory.activations.value() == 2.0 * 159'744.0 + 25'600.0 + 16'384.0);
        CHECK(r.memory.total().value() == 2'278'400.0);
    }
    SECTION("an MTP module on the last stage: its block, its inputs and its own logits") {
        // The M = 1 setting (micro-batch 4, s·b·h = 4,096) with one MTP module: a block like
        // the last layer, 159,744 B; the inputs of its two norms and its projection (h, h,
        // 2h per token, 16-bit) 8·4,096 = 32,768 B; its fp32 logits 25,600 B. Stage 1:
        // 361,472 + 218,112 = 579,584 B, and it also holds the module's weights.
        model_spec m = gpt4;
        m.mtp_layers = 1;
        t.global_batch = 4;
        t.micro_batch = 4;
        const auto r = evaluate_training(m, round_gpu, layout{.pp = 2}, t);
        REQUIRE(r.valid());
        CHECK(r.memory.stage == 1);
        CHECK(r.memory.activations.value() == 579'584.0);
        // full recompute keeps each layer's input (2sbh = 8,192 B) and the module's two inputs
        // (4sbh = 16,384 B) besides the logits and the final inputs:
        // 3·8,192 + 16,384 + 2·25,600 + 16,384 = 108,544 B
        t.rc = recompute::full;
        CHECK(evaluate_training(m, round_gpu, layout{.pp = 2}, t).memory.activations.value() ==
              108'544.0);
    }
    SECTION("interleaved, v = 2: × (1 + (p − 1)/(p·v)) = 1.25") {
        t.virtual_stages = 2;
        const auto r = evaluate_training(gpt4, round_gpu, layout{.pp = 2}, t);
        REQUIRE(r.valid());
        CHECK(r.memory.stage == 0);
        CHECK(r.memory.activations.value() ==
              near(1.25 * 2.0 * (2.0 * per_layer + mask))); // 404,480
    }
    SECTION("PP 1: one micro-batch in flight, all 4 layers, the logits and both ends") {
        const auto r = evaluate_training(gpt4, round_gpu, layout{.dp = 1}, t);
        REQUIRE(r.valid());
        CHECK(r.memory.activations.value() == 4.0 * per_layer + logits + mask + ends); // 342,528
    }
    SECTION("TP 2 without SP: s·b·h·(10 + 24/2 + 5·1/2) = 2,048·24.5 = 50,176 per layer") {
        // the embedding mask is not split: stage 0 holds 2 × (2 × 50,176 + 2,048) = 204,800
        const auto r = evaluate_training(gpt4, round_gpu, layout{.tp = 2, .pp = 2}, t);
        REQUIRE(r.valid());
        CHECK(r.memory.stage == 0);
        CHECK(r.memory.activations.value() == 2.0 * (2.0 * 50'176.0 + mask));
    }
    SECTION("TP 2 with SP: (s·b·h/2)·39 = 39,936 per layer, the mask split too (1,024)") {
        // Stage 0 stays the most loaded in each case below: it holds 384 parameters more than
        // stage 1 (its embedding and positions (100 + 16)·64/2 = 3,712 against the head 3,200
        // and the final LayerNorm 128), 6,912 B at 18 B each, more than stage 1's lead in
        // activations (at most 14,592 − 10,240 = 4,352 B, with full recompute).
        t.sequence_parallel = true;
        const auto r = evaluate_training(gpt4, round_gpu, layout{.tp = 2, .pp = 2}, t);
        CHECK(r.memory.stage == 0);
        CHECK(r.memory.activations.value() == 2.0 * (2.0 * 39'936.0 + 1'024.0)); // 161,792
        // selective recompute with SP: 34·s·b·h/t = 34,816 per layer
        t.rc = recompute::selective;
        CHECK(evaluate_training(gpt4, round_gpu, layout{.tp = 2, .pp = 2}, t)
                  .memory.activations.value() == 2.0 * (2.0 * 34'816.0 + 1'024.0)); // 141,312
        // full recompute with SP: the layer input shard, 2·s·b·h/t = 2,048 per layer
        t.rc = recompute::full;
        const auto full = evaluate_training(gpt4, round_gpu, layout{.tp = 2, .pp = 2}, t);
        CHECK(full.memory.stage == 0);
        CHECK(full.memory.activations.value() == 2.0 * (2.0 * 2'048.0 + 1'024.0)); // 10,240
    }
    SECTION("recompute: full (2sbh) < selective (34sbh) < none (39sbh)") {
        t.rc = recompute::selective;
        const auto sel = evaluate_training(gpt4, round_gpu, layout{.pp = 2}, t);
        t.rc = recompute::full;
        const auto full = evaluate_training(gpt4, round_gpu, layout{.pp = 2}, t);
        t.rc = recompute::none;
        const auto none = evaluate_training(gpt4, round_gpu, layout{.pp = 2}, t);
        // stage 0, 2 in flight, each with 2 layers and the 2,048 B mask (with full recompute
        // stage 1 holds 8,704 B more activations, but 896 fewer parameters, 16,128 B):
        CHECK(none.memory.activations.value() == 2.0 * (2.0 * per_layer + mask));     // 323,584
        CHECK(sel.memory.activations.value() == 2.0 * (2.0 * 34.0 * 2'048.0 + mask)); // 282,624
        CHECK(full.memory.activations.value() == 2.0 * (2.0 * 2.0 * 2'048.0 + mask)); // 20,480
        CHECK(full.memory.stage == 0);
        CHECK(full.memory.activations < sel.memory.activations);
        CHECK(sel.memory.activations < none.memory.activations);
    }
    SECTION("flash attention never stores the scores: selective recompute then saves nothing") {
        // no s² term, no dropout masks: s·b·h·(34 − 2) = 32·2,048 = 65,536 per layer
        t.flash_attention = true;
        t.dropout = false;
        const auto none = evaluate_training(gpt4, round_gpu, layout{.pp = 2}, t);
        t.rc = recompute::selective;
        const auto sel = evaluate_training(gpt4, round_gpu, layout{.pp = 2}, t);
        CHECK(none.memory.activations.value() == 4.0 * 65'536.0);
        CHECK(sel.memory.activations == none.memory.activations);
    }
    SECTION("uneven stages: 5 layers over PP 2, the first stage takes 3") {
        model_spec m5 = gpt4;
        m5.layers = 5;
        auto r = evaluate_training(m5, round_gpu, layout{.pp = 2}, t);
        CHECK(r.problems.has(rule::layers_vs_pp));
        r = evaluate_training(m5, round_gpu, layout{.pp = 2, .uneven_stages = true}, t);
        REQUIRE(r.valid());
        CHECK(r.memory.stage == 0);
        CHECK(r.memory.activations.value() == 2.0 * (3.0 * per_layer + mask)); // 483,328
    }
}

// ---- step time --------------------------------------------------------------------------------

TEST_CASE("step time by hand: dense model, PP 2 × DP 2, 1F1B", "[train][time]") {
    // dense4 on TP 1, DP 2, PP 2 (4 GPUs); 8 sequences of 16 tokens, micro-batch 1:
    // M = 8/(1·2) = 4 micro-batches per DP rank.
    //
    // Forward FLOPs of one micro-batch (16 tokens), per layer: projections 2·4·h² = 32,768
    // per token, FFN 2·2·h·f = 65,536 per token, core 4·h per query-key pair over
    // Σ_{n=1..16} n = 136 causal pairs → 16·98,304 + 256·136 = 1,572,864 + 34,816 = 1,607,680.
    // Logits for every token: 16·2·h·V = 204,800.
    //   stage 0 (layers 0–1): 3,215,360 FLOPs → 3,215.36 ns at 1 TFLOP/s
    //   stage 1 (layers 2–3 + head): 3,420,160 FLOPs → 3,420.16 ns
    // (every group is compute-bound: the least intense, the core, does 69,632 FLOPs on
    // 24,576 B, 2.8 FLOP/B > the 0.1 ridge).
    // Point to point, 1F1B: stage 0 sends its output forward, stage 1 sends the gradient of its
    // input back, one send each per micro-batch of 16·64·2 B = 2,048 B: 2,048/1e11 = 20.48 ns.
    //   stage 0: 3·3,215.36 + 20.48 = 9,666.56 ns; stage 1: 3·3,420.16 + 20.48 = 10,280.96 ns.
    const layout l{.dp = 2, .pp = 2};
    training_workload t{.global_batch = 8, .micro_batch = 1, .seq = 16};
    constexpr double send = 20.48e-9;
    constexpr double t_mb = 10'280.96e-9;
    // Gradient all-reduce over DP 2 of fp32 gradients: stage 1 holds 2·49,280 + 6,400 + 64 =
    // 105,024 parameters (stage 0: 104,960): 420,096 B · 2(2 − 1)/2 / 1e11 = 4,200.96 ns.
    constexpr double sync = 4'200.96e-9;
    // Optimizer step: read and write 18 B per parameter: 2·18·105,024 / 1e13 = 378.0864 ns.
    constexpr double opt = 378.0864e-9;
    // Model FLOPs per sequence: 3·(4·1,607,680 + 204,800) = 19,906,560; 8 sequences:
    constexpr double model_flops = 8.0 * 19'906'560.0; // 159,252,480

    SECTION("1F1B") {
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        REQUIRE(r.valid());
        CHECK(r.micro_batches == 4);
        CHECK(r.micro_batch_time.value() == near(t_mb));
        // (M + p − 1)·t = 5·10,280.96 = 51,404.8 ns; bubble (p − 1)/(M + p − 1) = 1/5
        CHECK(r.pipeline_time.value() == near(5.0 * t_mb));
        CHECK(r.bubble_fraction == Approx(0.2).epsilon(1e-12));
        CHECK(r.grad_sync_time.value() == near(sync));
        CHECK(r.optimizer_time.value() == near(opt));
        const double step = 5.0 * t_mb + sync + opt; // 55,983.8464 ns
        CHECK(r.step_time.value() == near(step));
        // 128 tokens per iteration over 4 GPUs
        CHECK(r.tokens_per_gpu.value() == near(128.0 / step / 4.0));
        CHECK(r.model_flops_per_iteration.value() == near(model_flops));
        CHECK(r.hardware_flops_per_iteration.value() == near(model_flops));
        CHECK(r.mfu == near(model_flops / (step * 4.0 * 1e12))); // 0.7111
        CHECK(r.hfu == near(r.mfu));
        CHECK(r.bottleneck == resource::compute);
    }
    SECTION("one MTP module: the last stage runs it after its layers") {
        // Forward of the module on 16 tokens (flops_test derives it): block 1,607,680,
        // projection 262,144 (weights 2·64·64·2 = 16,384 B and 16·(128 + 64)·2 = 6,144 B of
        // activations: 11.6 FLOP/B, compute-bound), head 204,800: 2,074,624 FLOPs. Stage 1:
        // 3,420,160 + 2,074,624 = 5,494,784 FLOPs → 5,494.784 ns; 3·5,494.784 + 20.48 =
        // 16,504.832 ns.
        model_spec m = dense4;
        m.mtp_layers = 1;
        const auto r = evaluate_training(m, round_gpu, l, t);
        REQUIRE(r.valid());
        constexpr double t_mtp = 16'504.832e-9;
        CHECK(r.micro_batch_time.value() == near(t_mtp));
        CHECK(r.pipeline_time.value() == near(5.0 * t_mtp));
        // model FLOPs: + 8 sequences × 3·2,074,624
        CHECK(r.model_flops_per_iteration.value() == near(model_flops + 8.0 * 3.0 * 2'074'624.0));
        // full recompute: a fourth pass of the forward but both heads,
        //   3·5,494.784 + (5,494.784 − 2·204.8) + 20.48 = 21,590.016 ns
        t.rc = recompute::full;
        CHECK(evaluate_training(m, round_gpu, l, t).micro_batch_time.value() ==
              near(21'590.016e-9));
    }
    SECTION("interleaved, v = 2: (M + (p − 1)/v)·t, bubble 0.5/4.5, sends × v") {
        // Each GPU holds two chunks. Stage 0 (chunks 0, 2) sends both outputs forward and chunk
        // 2's input gradient back; stage 1 (chunks 1, 3) sends chunk 1's output forward and both
        // input gradients back: 2v − 1 = 3 sends each. Stage 1: 3·3,420.16 + 3·20.48 = 10,321.92
        // ns.
        t.virtual_stages = 2;
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        REQUIRE(r.valid());
        constexpr double t_mb2 = 10'321.92e-9;
        CHECK(r.micro_batch_time.value() == near(t_mb2));
        CHECK(r.pipeline_time.value() == near(4.5 * t_mb2)); // 46,448.64 ns
        CHECK(r.bubble_fraction == Approx(1.0 / 9.0).epsilon(1e-12));
        CHECK(r.step_time.value() == near(4.5 * t_mb2 + sync + opt));
    }
    SECTION("full recompute: a fourth pass of the forward without the logits") {
        // stage 1: 3·3,420.16 + (3,420.16 − 204.8) + 20.48 = 13,496.32 ns (the recompute sends
        // nothing again); stage 0: 4·3,215.36 + 20.48 = 12,881.92 ns, below.
        t.rc = recompute::full;
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        REQUIRE(r.valid());
        CHECK(r.micro_batch_time.value() == near(13'475.84e-9 + send));
        CHECK(r.pipeline_time.value() == near(5.0 * (13'475.84e-9 + send)));
        // hardware FLOPs: + 8 sequences × the layers' forward 4·1,607,680 = 6,430,720
        CHECK(r.model_flops_per_iteration.value() == near(model_flops));
        CHECK(r.hardware_flops_per_iteration.value() == near(model_flops + 8.0 * 6'430'720.0));
        const double step = 5.0 * (13'475.84e-9 + send) + sync + opt;
        CHECK(r.step_time.value() == near(step));
        CHECK(r.mfu == near(model_flops / (step * 4e12)));
        CHECK(r.hfu == near((model_flops + 8.0 * 6'430'720.0) / (step * 4e12)));
    }
    SECTION("selective recompute: the attention core again (stage 1: 2·34,816 FLOPs = 69.632 ns)") {
        t.rc = recompute::selective;
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        CHECK(r.micro_batch_time.value() == near(10'260.48e-9 + 69.632e-9 + send));
        CHECK(r.hardware_flops_per_iteration.value() == near(model_flops + 8.0 * 4.0 * 34'816.0));
    }
    SECTION("fp8 GEMMs: matmuls at 2 TFLOP/s, the attention core at the bf16 rate; MFU against fp8 "
            "peak") {
        // stage 1: (1,048,576 + 2,097,152 + 204,800)/2e12 + 69,632/1e12 = 1,675.264 + 69.632
        // = 1,744.896 ns; × 3 + 20.48 = 5,255.168 ns. stage 0: 3·(1,572.864 + 69.632) + 20.48
        // = 4,947.968 ns.
        t.fp8_gemm = true;
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        CHECK(r.micro_batch_time.value() == near(5'234.688e-9 + send));
        // weights, gradients and states keep their bytes: the optimizer step is unchanged
        CHECK(r.optimizer_time.value() == near(opt));
        const double step = 5.0 * (5'234.688e-9 + send) + sync + opt;
        CHECK(r.step_time.value() == near(step));
        CHECK(r.mfu == near(model_flops / (step * 4.0 * 2e12)));
    }
    SECTION("overlapped gradient reduction hides the 4.2 µs all-reduce") {
        t.overlap_grad_reduce = true;
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        CHECK(r.grad_sync_time.value() == 0.0);
        CHECK(r.step_time.value() == near(5.0 * t_mb + opt));
    }
    SECTION("ZeRO shards what the optimizer step reads and writes") {
        // ZeRO-1: 2·(2 + 4 + 12/2)·105,024 / 1e13 = 252.0576 ns; ZeRO-3: 2·(18/2)·105,024 / 1e13
        // = 189.0432 ns. (The gradient sync under ZeRO is checked in its own case below.)
        t.zero = 1;
        CHECK(evaluate_training(dense4, round_gpu, l, t).optimizer_time.value() ==
              near(252.0576e-9));
        t.zero = 3;
        CHECK(evaluate_training(dense4, round_gpu, l, t).optimizer_time.value() ==
              near(189.0432e-9));
    }
}

TEST_CASE("step time by hand: TP 2, the forward's all-reduces repeated in backward",
          "[train][time][comm]") {
    // dense4 on TP 2 alone (PP 1, DP 1): 2 sequences of 16 tokens, micro-batch 1, M = 2.
    // Per GPU, forward of one micro-batch:
    //   projections: K,V 2·2·h·64 = 16,384 per token over min(TP, 4 KV heads) = 2, Q,O 16,384
    //     over TP 2: 16,384 per token · 16 tokens · 4 layers = 1,048,576
    //   core: 4 layers · 136 pairs · 256 / TP 2 = 69,632;  FFN 4 · 16 · 65,536 / 2 = 2,097,152
    //   logits: 16 rows · 2·64·100 / 2 = 102,400          Σ 3,317,760 FLOPs → 3,317.76 ns
    // TP all-reduces: one after attention and one after the FFN of each layer, 8 of
    // 16·64·2 B = 2,048 B over 2: (2·1/2)·2,048 / 1e11 = 20.48 ns each, 163.84 ns.
    const layout l{.tp = 2};
    training_workload t{.global_batch = 2, .micro_batch = 1, .seq = 16};
    SECTION("no overlap: 3 passes of compute + 2 of communication") {
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        REQUIRE(r.valid());
        CHECK(r.micro_batch_time.value() == near(3 * 3'317.76e-9 + 2 * 163.84e-9)); // 10,280.96 ns
        CHECK(r.pipeline_time.value() == near(2 * 10'280.96e-9));
        CHECK(r.bubble_fraction == 0.0);
    }
    SECTION("full recompute repeats the forward's all-reduces a third time") {
        t.rc = recompute::full;
        const auto r = evaluate_training(dense4, round_gpu, l, t);
        // 3·3,317.76 + (3,317.76 − 102.4) + 3·163.84 = 13,660.16 ns
        CHECK(r.micro_batch_time.value() == near(13'660.16e-9));
    }
    SECTION("overlapped: the larger of compute and communication") {
        const auto r = evaluate_training(dense4, round_gpu, l, t, {.overlap = true});
        CHECK(r.micro_batch_time.value() == near(3 * 3'317.76e-9));
    }
}

TEST_CASE("gradient sync by hand: dense over DP, experts over EDP, with latency",
          "[train][time][comm]") {
    // tiny_moe on TP 1 × DP 4, ETP 1 × EP 2 × EDP 2, PP 1, links with α = 10 ns.
    // Per GPU (see the ZeRO test): dense 38,208 and expert 16,384 parameters.
    //   dense: all-reduce of 38,208·4 = 152,832 B over 4: 2·2·10 ns + (6/4)·152,832/1e11
    //          = 40 + 2,292.48 = 2,332.48 ns
    //   experts: 16,384·4 = 65,536 B over 2: 2·10 ns + 65,536/1e11 = 20 + 655.36 = 675.36 ns
    // The stage-GPU span is 4 ≤ 8: intra-node link.
    const layout l{.tp = 1, .dp = 4, .etp = 1, .ep = 2};
    training_workload t{.global_batch = 8, .micro_batch = 1, .seq = 8};
    const auto r = evaluate_training(tiny_moe, round_gpu_alpha, l, t);
    REQUIRE(r.valid());
    CHECK(r.grad_sync_time.value() == near(2'332.48e-9 + 675.36e-9));
    // Across nodes (1 GPU per node, so a group of 4 spans 4 nodes): 10 GB/s.
    cluster_spec c = round_gpu_alpha;
    c.gpus_per_node = 1;
    const auto across = evaluate_training(tiny_moe, c, l, t);
    CHECK(across.grad_sync_time.value() == near(40e-9 + 22'924.8e-9 + 20e-9 + 6'553.6e-9));
}

// ---- Megatron-LM's FLOPs convention ----------------------------------------------------------

TEST_CASE("model and hardware FLOPs per iteration: the Megatron-LM forms",
          "[train][flops][megatron]") {
    // A GPT with l = 4, h = 256, a = 8, V = 1,000, s = 128; B = 16 sequences per iteration.
    // Narayanan et al. 2021 (non-causal, per iteration):
    //   model (no recompute)      F = 72·B·s·l·h²·(1 + s/(6h) + V/(12·l·h))
    //   hardware (full recompute) F = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h))
    // With causal attention each query sees (n of s) keys, (s + 1)/2 on average instead of s:
    // the s/(6h) term becomes (s + 1)/(12h).
    const double l = 4, h = 256, V = 1000, s = 128, B = 16;
    const model_spec m = gpt_spec(4, 256, 8, 1000, 128);
    REQUIRE(validate(m).ok());
    const double base72 = 72.0 * B * s * l * h * h, base96 = 96.0 * B * s * l * h * h;
    SECTION("training_flops_per_token with causal = false is the paper's form") {
        CHECK(training_flops_per_token(m, s, recompute::none, false).value() * B * s ==
              near(base72 * (1 + s / (6 * h) + V / (12 * l * h))));
        CHECK(training_flops_per_token(m, s, recompute::full, false).value() * B * s ==
              near(base96 * (1 + s / (6 * h) + V / (16 * l * h))));
    }
    SECTION("evaluate_training counts causal attention") {
        // layout DP 2, micro-batch 2: M = 4
        training_workload t{.global_batch = 16, .micro_batch = 2, .seq = 128};
        auto r = evaluate_training(m, presets::h100_sxm, layout{.dp = 2}, t);
        REQUIRE(r.valid());
        const double model = base72 * (1 + (s + 1) / (12 * h) + V / (12 * l * h));
        CHECK(r.model_flops_per_iteration.value() == near(model));
        CHECK(r.hardware_flops_per_iteration.value() == near(model));
        t.rc = recompute::full;
        r = evaluate_training(m, presets::h100_sxm, layout{.dp = 2}, t);
        CHECK(r.model_flops_per_iteration.value() == near(model));
        CHECK(r.hardware_flops_per_iteration.value() ==
              near(base96 * (1 + (s + 1) / (12 * h) + V / (16 * l * h))));
        CHECK(r.hfu / r.mfu ==
              near(r.hardware_flops_per_iteration.value() / r.model_flops_per_iteration.value()));
        // selective: + the forward core, 2·h·(s + 1) per token per layer
        t.rc = recompute::selective;
        r = evaluate_training(m, presets::h100_sxm, layout{.dp = 2}, t);
        CHECK(r.hardware_flops_per_iteration.value() == near(model + B * s * l * 2 * h * (s + 1)));
    }
}

TEST_CASE("Megatron-LM Table 1: the ideal bound is not below the published throughput",
          "[train][validation][megatron]") {
    // Narayanan et al. 2021, Table 1 (A100 80GB... SXM, s = 2048, V = 51,200, full
    // recompute): 1.7B (h 2304, 24 layers, 24 heads; TP 1, PP 1, 32 GPUs, batch 512) reaches
    // 137 TFLOP/s per GPU; 39.1B (h 8192, 48 layers, 64 heads; TP 8, PP 2, 512 GPUs, batch
    // 1536) 138 TFLOP/s. Those figures divide the paper's own FLOP count
    //   F = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h))
    // by the measured time. moecost's ideal step (efficiencies 1, full overlap) cannot be
    // slower than the real one, so F / (ideal step · GPUs) must be at least the published
    // figure; and no plan beats the peak: HFU ≤ 1.
    struct row {
        int h, layers, heads, tp, pp, gpus, batch;
        double published;
    };
    const double s = 2048, V = 51200;
    for (const row x :
         {row{2304, 24, 24, 1, 1, 32, 512, 137e12}, row{8192, 48, 64, 8, 2, 512, 1536, 138e12}}) {
        INFO("h = " << x.h);
        const model_spec m = gpt_spec(x.layers, x.h, x.heads, 51200, 2048);
        const layout l{.tp = x.tp, .dp = x.gpus / (x.tp * x.pp), .pp = x.pp};
        const training_workload t{.global_batch = x.batch,
                                  .micro_batch = 1,
                                  .seq = 2048,
                                  .rc = recompute::full,
                                  .sequence_parallel = false};
        const auto r = evaluate_training(m, presets::a100_sxm_80gb, l, t, {.ideal = true});
        REQUIRE(r.valid());
        const double h = x.h, L = x.layers, B = x.batch;
        const double F = 96 * B * s * L * h * h * (1 + s / (6 * h) + V / (16 * L * h));
        CHECK(F / (r.step_time.value() * x.gpus) >= x.published);
        CHECK(r.hfu <= 1.0);
        CHECK(r.hfu > 0.0);
    }
}

// ---- validation-style properties ------------------------------------------------------------

TEST_CASE("ideal throughput is never below the non-ideal one", "[train][ideal]") {
    const training_workload base{.global_batch = 16, .micro_batch = 1, .seq = 16};
    for (const layout l :
         {layout{.dp = 2, .pp = 2}, layout{.tp = 2, .dp = 2}, layout{.tp = 2, .pp = 4}}) {
        for (const bool overlap : {false, true}) {
            training_workload t = base;
            t.overlap_grad_reduce = overlap;
            INFO("tp " << l.tp << " dp " << l.dp << " pp " << l.pp << " overlap " << overlap);
            const auto real = evaluate_training(dense4, lossy_gpu, l, t);
            const auto ideal = evaluate_training(dense4, lossy_gpu, l, t, {.ideal = true});
            REQUIRE(real.valid());
            REQUIRE(ideal.valid());
            CHECK(ideal.ideal);
            CHECK(ideal.step_time < real.step_time);
            CHECK(ideal.tokens_per_gpu > real.tokens_per_gpu);
            CHECK(ideal.mfu > real.mfu);
            // Ideal mode is the same GPU with every efficiency 1 (round_gpu with α = 1 µs) and
            // everything overlapped: on this GPU (ridge 0.1 FLOP/B) every group is compute
            // bound, so overlapping the groups, max(Σ FLOP time, Σ HBM time), is their sum.
            cluster_spec sharp = lossy_gpu;
            sharp.gpu.perf = perf_profile{};
            sharp.intra_node.efficiency = sharp.inter_node.efficiency = 1.0;
            const auto same = evaluate_training(dense4, sharp, l, t, {.overlap = true});
            CHECK(ideal.step_time.value() == near(same.step_time.value()));
        }
    }
    // An MoE preset on H100s
    const training_workload t{.global_batch = 64,
                              .micro_batch = 1,
                              .seq = 4096,
                              .zero = 1,
                              .rc = recompute::selective,
                              .sequence_parallel = true};
    const layout l{.tp = 2, .dp = 4, .pp = 4, .etp = 1, .ep = 8};
    const auto real = evaluate_training(presets::mixtral_8x7b, presets::h100_sxm, l, t);
    const auto ideal =
        evaluate_training(presets::mixtral_8x7b, presets::h100_sxm, l, t, {.ideal = true});
    REQUIRE(real.valid());
    CHECK(ideal.tokens_per_gpu > real.tokens_per_gpu);
    CHECK(ideal.mfu <= 1.0);
}

TEST_CASE("ideal training overlaps the operator groups: max(Σ compute, Σ HBM)", "[train][ideal]") {
    // dense4 alone on one toy GPU (4 TFLOP/s, 1 TB/s, ridge 4 FLOP/B; HBM raised to fit), one
    // micro-batch of 1 × 16 tokens, no collective. Its forward by hand, 4 layers, T = 16:
    //   projections 4·16·32,768 = 2,097,152 F: 524.288 ns; 4·(16,384·2 B + 16·384·2 B)
    //     = 180,224 B: 180.224 ns                                               compute bound
    //   core: causal keys 16·17/2 = 136 a layer, 4·136·256 F = 139,264 F: 34.816 ns; bytes
    //     4·16·(KV 256 B + (q 64 + kv 128 + ctx 64)·2 B) = 49,152 B: 49.152 ns   memory bound
    //   FFN 4·16·65,536 = 4,194,304 F: 1,048.576 ns; 4·(65,536 + 16·640·2) = 344,064 B:
    //     344.064 ns                                                            compute bound
    //   LM head, logits for every token: 16·12,800 = 204,800 F: 51.2 ns; 12,800 + 16·100·4
    //     = 19,200 B: 19.2 ns                                                   compute bound
    // Σ rooflines 524.288 + 49.152 + 1,048.576 + 51.2 = 1,673.216 ns; Σ FLOP times 1,658.88 ns,
    // Σ HBM times 592.64 ns.
    cluster_spec c = test::toy_cluster;
    c.gpu.hbm = make<bytes>(1e9);
    const double roof = 1'673.216e-9, sum_c = 1'658.88e-9, sum_m = 592.64e-9;
    const double head_c = 51.2e-9, head_m = 19.2e-9, head = 51.2e-9;
    const double core_c = 34.816e-9, core_m = 49.152e-9, core = 49.152e-9;
    for (const recompute rc : {recompute::none, recompute::selective, recompute::full}) {
        INFO("recompute " << static_cast<int>(rc));
        const training_workload t{.global_batch = 1, .micro_batch = 1, .seq = 16, .rc = rc};
        const auto real = evaluate_training(dense4, c, layout{}, t);
        const auto ideal = evaluate_training(dense4, c, layout{}, t, {.ideal = true});
        REQUIRE(real.evaluated);
        REQUIRE(ideal.evaluated);
        // default: 3 forward rooflines (backward twice), plus the recomputed groups' rooflines
        // (selective: the core; full: the forward but its head); ideal: the same groups, their
        // FLOP and HBM times summed apart, the longer sum
        double expected = 3 * roof, c3 = 3 * sum_c, m3 = 3 * sum_m;
        if (rc == recompute::selective) {
            expected += core;
            c3 += core_c;
            m3 += core_m;
        }
        if (rc == recompute::full) {
            expected += roof - head;
            c3 += sum_c - head_c;
            m3 += sum_m - head_m;
        }
        CHECK(real.micro_batch_time.value() == near(expected));
        CHECK(ideal.micro_batch_time.value() == near(std::max(c3, m3)));
        CHECK(ideal.pipeline_time.value() == near(std::max(c3, m3))); // M = 1, pp = 1
        CHECK(ideal.micro_batch_time < real.micro_batch_time);
        CHECK(ideal.bottleneck == resource::compute);
    }
    // the numbers: none 3·1,658.88 = 4,976.64 ns (default 5,019.648); selective 4,976.64 +
    // 34.816 = 5,011.456 ns; full 4·1,658.88 − 51.2 = 6,584.32 ns
    const training_workload t{.global_batch = 1, .micro_batch = 1, .seq = 16};
    CHECK(evaluate_training(dense4, c, layout{}, t, {.ideal = true}).micro_batch_time.value() ==
          near(4'976.64e-9));
}

TEST_CASE("more micro-batches shrink the bubble: (p − 1)/(M + p − 1)", "[train][pipeline]") {
    const layout l{.pp = 4};
    double last = 1.0;
    for (int M : {1, 2, 4, 8, 16, 64}) {
        INFO("M = " << M);
        const auto r = evaluate_training(dense4, round_gpu, l,
                                         {.global_batch = M, .micro_batch = 1, .seq = 16});
        REQUIRE(r.valid());
        CHECK(r.micro_batches == M);
        CHECK(r.bubble_fraction == Approx(3.0 / (M + 3.0)).epsilon(1e-12));
        CHECK(r.bubble_fraction < last);
        last = r.bubble_fraction;
        // 1F1B activations stop growing once M ≥ p: stage 0 (one layer, s·b·h·32 = 32,768 B
        // with flash attention and no dropout) holds min(M, 4) micro-batches. With M = 1 the
        // last stage is the most loaded: one layer, the logits 16·100·4 = 6,400 B and the final
        // norm and output-layer inputs 4·16·64 = 4,096 B, and 64 more parameters (final norm)
        // than stage 0's embedding-holding 55,680.
        if (M == 1) {
            CHECK(r.memory.stage == 3);
            CHECK(r.memory.activations.value() == 32'768.0 + 6'400.0 + 4'096.0);
        } else {
            CHECK(r.memory.stage == 0);
            CHECK(r.memory.activations.value() == (M < 4 ? M : 4) * 32'768.0);
        }
    }
    // With PP 1 there is no bubble.
    CHECK(evaluate_training(dense4, round_gpu, layout{},
                            {.global_batch = 4, .micro_batch = 1, .seq = 16})
              .bubble_fraction == 0.0);
    // A bubble over one half names the pipeline as the bottleneck: M = 1 on PP 4 idles 3/4.
    CHECK(evaluate_training(dense4, round_gpu, l, {.global_batch = 1, .micro_batch = 1, .seq = 16})
              .bottleneck == resource::pipeline);
}

TEST_CASE("no ZeRO stage raises memory", "[train][memory][zero]") {
    struct plan {
        const model_spec* m;
        layout l;
    };
    const plan plans[] = {
        {&dense4, layout{.dp = 4}},
        {&dense4, layout{.tp = 2, .dp = 2, .pp = 2}},
        {&tiny_moe, layout{.tp = 1, .dp = 4, .etp = 1, .ep = 2}},
        {&tiny_moe, layout{.tp = 2, .dp = 2, .etp = 1, .ep = 4}},
        {&presets::mixtral_8x7b, layout{.tp = 2, .dp = 8, .pp = 4, .etp = 1, .ep = 8}},
        {&presets::deepseek_v2_lite, layout{.tp = 1, .dp = 16, .pp = 3, .etp = 1, .ep = 16}},
    };
    for (const auto& p : plans) {
        INFO(p.m->name.view() << " tp " << p.l.tp << " dp " << p.l.dp << " ep " << p.l.ep);
        training_workload t{.global_batch = 32, .micro_batch = 1, .seq = 16};
        double prev_total = 0, prev_w = 0, prev_g = 0, prev_o = 0;
        for (int z = 0; z <= 3; ++z) {
            t.zero = z;
            const auto r = evaluate_training(*p.m, presets::h100_sxm, p.l, t);
            REQUIRE(r.valid());
            if (z > 0) {
                CHECK(r.memory.total().value() <= prev_total);
                CHECK(r.memory.weights.value() <= prev_w);
                CHECK(r.memory.grads.value() <= prev_g);
                CHECK(r.memory.optimizer.value() <= prev_o);
            }
            prev_total = r.memory.total().value();
            prev_w = r.memory.weights.value();
            prev_g = r.memory.grads.value();
            prev_o = r.memory.optimizer.value();
        }
        // with more than one replica, ZeRO-3 strictly saves
        t.zero = 0;
        const double z0 = evaluate_training(*p.m, presets::h100_sxm, p.l, t).memory.total().value();
        CHECK(prev_total < z0);
    }
}

TEST_CASE("training plans that break a rule", "[train][violations]") {
    const training_workload ok{.global_batch = 8, .micro_batch = 1, .seq = 16};
    REQUIRE(evaluate_training(dense4, round_gpu, layout{.dp = 2, .pp = 2}, ok).valid());
    SECTION("global batch not a multiple of micro-batch · DP") {
        // 10 sequences over micro-batch 1 · DP 4
        training_workload t = ok;
        t.global_batch = 10;
        const auto r = evaluate_training(dense4, round_gpu, layout{.dp = 4}, t);
        CHECK_FALSE(r.valid());
        REQUIRE(r.problems.has(rule::batch_vs_dp));
        const auto v = first_of(r.problems, rule::batch_vs_dp);
        CHECK(v.value == 10);
        CHECK(v.limit == 4);
        // micro-batch 2 · DP 2 = 4 does not divide 10 either, while DP 2 alone would
        t.micro_batch = 2;
        CHECK(evaluate_training(dense4, round_gpu, layout{.dp = 2}, t)
                  .problems.has(rule::batch_vs_dp));
        // fewer sequences than one micro-batch per rank: no micro-batch at all
        t.global_batch = 2;
        t.micro_batch = 1;
        const auto none = evaluate_training(dense4, round_gpu, layout{.dp = 4}, t);
        CHECK(none.problems.has(rule::batch_vs_dp));
        CHECK(none.micro_batches == 0);
    }
    SECTION("gradients and optimizer states refuse a weight-only dtype") {
        training_workload t = ok;
        t.grads = dtype::mxfp4;
        t.optimizer_state = dtype::mxfp4;
        const auto r = evaluate_training(dense4, round_gpu, layout{.dp = 2, .pp = 2}, t);
        CHECK_FALSE(r.evaluated);
        CHECK(first_of(r.problems, rule::weight_format).field == std::string("training.grads"));
        CHECK(r.problems.count == 2);
    }
    SECTION("a model's MXFP4 experts are trained in bf16 like its other weights") {
        // the experts' dtype is a storage format of the released weights, not of training
        // (on a GPU starved of bandwidth, so that the experts' bytes would show in the time)
        model_spec m = test::tiny_moe;
        cluster_spec slow = round_gpu;
        slow.gpu.hbm_bandwidth = make<byte_rate>(1e9);
        const layout l{.dp = 2, .ep = 2};
        const auto bf16 = evaluate_training(m, slow, l, ok);
        m.precision.experts = dtype::mxfp4;
        const auto mx = evaluate_training(m, slow, l, ok);
        REQUIRE(mx.valid());
        CHECK(mx.memory.weights == bf16.memory.weights);
        CHECK(mx.step_time == bf16.step_time);
        // and so are an int4 checkpoint's 16-bit embedding and head (AWQ)
        m.precision.embeddings = dtype::fp32;
        const auto tables = evaluate_training(m, slow, l, ok);
        CHECK(tables.memory.weights == bf16.memory.weights);
        CHECK(tables.step_time == bf16.step_time);
    }
    SECTION("a serving attention dtype does not carry into training") {
        // round_gpu's fp8 rate is twice its bf16 one and its HBM fast: an fp8 attention core
        // would shorten the compute-bound core; training runs it at bf16 like its activations
        model_spec m = test::tiny_moe;
        const layout l{.dp = 2, .ep = 2};
        const auto bf16 = evaluate_training(m, round_gpu, l, ok);
        m.precision.attention = dtype::fp8;
        const auto fp8 = evaluate_training(m, round_gpu, l, ok);
        REQUIRE(fp8.valid());
        CHECK(fp8.step_time == bf16.step_time);
        // serving the same model does run the core faster
        CHECK(evaluate(m, round_gpu, l, {.batch = 8, .prompt = 64}).prefill.latency <
              evaluate(test::tiny_moe, round_gpu, l, {.batch = 8, .prompt = 64}).prefill.latency);
    }
    SECTION("interleaving needs pp·v to divide the layers") {
        // 4 layers over PP 2 × v 4 = 8 chunks
        training_workload t = ok;
        t.virtual_stages = 4;
        const auto r = evaluate_training(dense4, round_gpu, layout{.dp = 2, .pp = 2}, t);
        CHECK_FALSE(r.valid());
        REQUIRE(r.problems.has(rule::layers_vs_pp));
        const auto v = first_of(r.problems, rule::layers_vs_pp);
        CHECK(v.value == 4);
        CHECK(v.limit == 2);  // what the user set: pp = 2 ...
        CHECK(v.factor == 4); // ... × 4 virtual stages
        CHECK(describe(v) == "layers (4) do not divide into pp = 2 × 4 virtual stages = 8 chunks");
        CHECK_FALSE(r.evaluated);
        // v = 2: 8 chunks? no, 4 chunks of one layer: fine
        t.virtual_stages = 2;
        CHECK(evaluate_training(dense4, round_gpu, layout{.dp = 2, .pp = 2}, t).valid());
    }
    SECTION("pp not dividing the layers, unless stages may be uneven") {
        const auto r = evaluate_training(dense4, round_gpu, layout{.pp = 3}, ok);
        CHECK(r.problems.has(rule::layers_vs_pp));
        const auto u =
            evaluate_training(dense4, round_gpu, layout{.pp = 3, .uneven_stages = true}, ok);
        CHECK(u.valid());
        // stage 0 holds 2 layers (4 = 2 + 1 + 1) and 3 micro-batches in flight
        CHECK(u.memory.stage == 0);
    }
    SECTION("bad workload fields") {
        training_workload t = ok;
        t.zero = 4;
        CHECK(evaluate_training(dense4, round_gpu, layout{}, t).problems.has(rule::at_most));
        t = ok;
        t.virtual_stages = 0;
        CHECK(evaluate_training(dense4, round_gpu, layout{}, t).problems.has(rule::positive));
        t = ok;
        t.seq = 0;
        CHECK(evaluate_training(dense4, round_gpu, layout{}, t).problems.has(rule::positive));
        t = ok;
        t.micro_batch = 0;
        CHECK_FALSE(evaluate_training(dense4, round_gpu, layout{}, t).valid());
    }
    SECTION("memory: DeepSeek-V3 states do not fit on 8 H100s") {
        // 671 B parameters × 18 B ≈ 12 TB over 8 GPUs of 80 GB
        const auto r = evaluate_training(presets::deepseek_v3, presets::h100_sxm,
                                         layout{.tp = 8, .etp = 1, .ep = 8},
                                         {.global_batch = 8, .micro_batch = 1, .seq = 4096});
        CHECK_FALSE(r.memory.fits);
        CHECK(r.problems.has(rule::memory));
        CHECK(r.memory.usable.value() == near(0.9 * 80e9));
    }
}

// ---- disagreements with the code (now fixed; each test pins the fix)
// -----------------------------------------

// Regression (fixed): train.hpp shards dense parameters (ZeRO) and reduces their gradients over
// `l.dp` only, but with context parallelism every CP rank holds the same weights and computes
// gradients for its share of the sequence, so both span DP·CP. Megatron-LM allocates the dense
// gradient buffers on `intra_dp_cp_group` = get_data_parallel_group(with_context_parallel=True)
// (megatron/core/distributed/distributed_data_parallel.py) and builds the dense distributed
// optimizer on the same group; moecost's own EDP (= t·cp·dp/(etp·ep)) already includes CP.
TEST_CASE("context parallelism: gradients reduce and ZeRO shards over DP·CP", "[train][zero][cp]") {
    // dense4 on CP 2 × DP 2: 4 replicas of 209,984 parameters.
    const layout l{.cp = 2, .dp = 2};
    const training_workload t{.global_batch = 4, .micro_batch = 1, .seq = 16, .zero = 1};
    const auto r = evaluate_training(dense4, round_gpu, l, t);
    REQUIRE(r.valid());
    // ZeRO-1 optimizer shard 12·209,984/4 = 629,952 B
    CHECK(r.memory.optimizer.value() == 12.0 * 209'984.0 / 4.0);
    // ZeRO-1 over the 4 ranks: reduce-scatter of 839,936 B of fp32 gradients, (3/4)·839,936/1e11
    // = 6,299.52 ns, then all-gather of 419,968 B of bf16 weights, (3/4)·419,968/1e11 =
    // 3,149.76 ns: 9,449.28 ns
    CHECK(r.grad_sync_time.value() == near(9'449.28e-9));
}

// Regression (fixed): train.hpp's expert_params_per_gpu counts only the routed experts of the
// stage's layers, but weight_params_per_gpu also puts each MTP module's routed experts on the last
// stage (count/traffic.hpp). Those experts are split over EP like any other and replicated over
// EDP, yet train.hpp shards their optimizer state over DP and all-reduces their gradients over DP.
TEST_CASE("MTP modules' routed experts shard over EDP", "[train][zero][mtp]") {
    // tiny_moe plus one MTP module on TP 1 × DP 4, EP 2 × EDP 2. The module adds one MoE
    // block (attention 12,288 + norms 128 + router 256 + 2 experts 8,192 = 20,864) and
    // eh_proj 2·64² = 8,192, 3 norms 192: 29,248 (training shares the embedding and head, next
    // case). Per GPU 54,592 + 29,248 = 83,840, of which experts 16,384 + 8,192 = 24,576.
    // ZeRO-1 shard: 59,264/4 + 24,576/2 = 14,816 + 12,288 = 27,104 → 12 B · 27,104 = 325,248.
    model_spec m = tiny_moe;
    m.mtp_layers = 1;
    const layout l{.tp = 1, .dp = 4, .etp = 1, .ep = 2};
    const auto r = evaluate_training(m, round_gpu, l,
                                     {.global_batch = 8, .micro_batch = 1, .seq = 8, .zero = 1});
    REQUIRE(r.valid());
    CHECK(r.memory.weights.value() == 2.0 * 83'840.0); // all parameters are there
    CHECK(r.memory.optimizer.value() == 12.0 * 27'104.0);
}

TEST_CASE("training shares the MTP modules' embedding and head with the main model",
          "[train][memory][mtp]") {
    // DeepSeek-V3 §3.2.3: the MTP module and the main model share the embedding and output head
    // physically, so training holds neither of the checkpoint's copies (2·V·h per module). A
    // last stage without the embedding keeps one copy of it for the modules' inputs.
    // dense4 (untied, 49,280 per layer, V·h = 6,400) with one MTP module on PP 2, stage 1:
    //   2 layers 98,560 + head 6,400 + final norm 64 + block 49,280 + eh_proj 8,192 + 3 norms
    //   192 + the embedding copy 6,400 = 169,088 parameters (stored for inference: the module's
    //   own embedding and head, 175,488).
    model_spec m = dense4;
    m.mtp_layers = 1;
    CHECK(weight_params_per_gpu(m, layout{.pp = 2}, stage_of(m, 2, 1)) == 175'488.0);
    const training_workload t{.global_batch = 4, .micro_batch = 1, .seq = 16};
    auto r = evaluate_training(m, round_gpu, layout{.pp = 2}, t);
    REQUIRE(r.valid());
    CHECK(r.memory.stage == 1);
    CHECK(r.memory.weights.value() == 2.0 * 169'088.0);
    CHECK(states(r) == 18.0 * 169'088.0);
    // on one stage the embedding is there already: 4·49,280 + 6,400 + 6,400 + 64 + 57,664
    r = evaluate_training(m, round_gpu, layout{}, t);
    REQUIRE(r.valid());
    CHECK(r.memory.weights.value() == 2.0 * 267'648.0);
}

// Regression (fixed): train.hpp always adds an expert all-reduce over EDP (and, under ZeRO-3,
// expert all-gathers), even when the stage has no expert parameters: all_reduce_time of 0 bytes
// still costs 2⌈log2 n⌉·α. A dense model on DP 2 with α = 10 ns pays 20 ns for a collective it never
// issues.
TEST_CASE("a dense model pays no latency for an empty expert all-reduce", "[train][comm]") {
    // The step-time case on links with α = 10 ns: the DP all-reduce of 420,096 B over 2 is
    // 2·10 ns + 4,200.96 ns = 4,220.96 ns, and nothing else.
    const auto r = evaluate_training(dense4, round_gpu_alpha, layout{.dp = 2, .pp = 2},
                                     {.global_batch = 8, .micro_batch = 1, .seq = 16});
    REQUIRE(r.valid());
    CHECK(r.grad_sync_time.value() == near(4'220.96e-9));
}

// Regression (fixed): with overlap_grad_reduce, train.hpp hides the gradient reduction
// behind 2/3 of the whole pipeline time, i.e. behind the backward passes of all M
// micro-batches. Gradients are accumulated over the micro-batches and reduced once: Megatron-LM
// runs every micro-batch but the last under no_sync ("Run computation for last microbatch out
// of context handler (want to synchronize gradients)", megatron/core/pipeline_parallel/
// schedules.py), so its bucketed reduce-scatter/all-reduce overlaps only the last micro-batch's
// backward on the stage, about 2/3 of one micro-batch time, not of (M + p − 1) of them.
TEST_CASE("overlapped gradient reduction hides behind the last backward only", "[train][comm]") {
    // The step-time case with one GPU per node, so the DP group crosses nodes (10 GB/s):
    // sync = 420,096 B / 1e10 = 42,009.6 ns. One PP send per stage per micro-batch (204.8 ns
    // each) leaves stage 1 the slowest: t = 3·3,420.16 + 204.8 = 10,465.28 ns. The last backward
    // is 2/3·t = 6,976.8533 ns: exposed 35,032.7467 ns. (The bug hid it behind 2/3 of the whole
    // pipeline, 2/3·5·10,465.28 ns, exposing 7,125.33 ns.)
    cluster_spec c = round_gpu;
    c.gpus_per_node = 1;
    const auto r = evaluate_training(
        dense4, c, layout{.dp = 2, .pp = 2},
        {.global_batch = 8, .micro_batch = 1, .seq = 16, .overlap_grad_reduce = true});
    REQUIRE(r.valid());
    REQUIRE(r.micro_batch_time.value() == near(10'465.28e-9));
    CHECK(r.grad_sync_time.value() == near(42'009.6e-9 - 2.0 / 3.0 * 10'465.28e-9));
}

// Regression (fixed): with a 16-bit gradient buffer
// (`grads = bf16`) train.hpp counts 2 + 2 + 12 = 16 B/param. Megatron Core's distributed-
// optimizer guide (docs.nvidia.com/megatron-core/developer-guide, "Distributed Optimizer")
// tabulates 20 B/param without and 4 + 16/d with the distributed optimizer for 16-bit
// parameters and 16-bit gradients: the optimizer steps on an fp32 copy of the gradients (its
// `main_param.grad`), 4 B more per parameter, sharded with the optimizer states. (A fused
// optimizer that reads 16-bit gradients directly would not need it; the code should say which
// framework it models.)
TEST_CASE("16-bit gradient buffer: Megatron's 20 and 4 + 16/d bytes per parameter",
          "[train][memory][zero][megatron]") {
    constexpr double P = 209'984.0; // dense4, every parameter on each of DP 4
    training_workload t{.global_batch = 8, .micro_batch = 1, .seq = 16, .grads = dtype::bf16};
    auto r = evaluate_training(dense4, round_gpu, layout{.dp = 4}, t);
    REQUIRE(r.valid());
    CHECK(states(r) == 20.0 * P);
    t.zero = 1;
    r = evaluate_training(dense4, round_gpu, layout{.dp = 4}, t);
    CHECK(states(r) == (4.0 + 16.0 / 4.0) * P);
}

// Regression (fixed): with ZeRO-1/2 train.hpp times the gradient sync as an all-reduce of the
// gradient dtype ("the reduce-scatter + all-gather of ZeRO, the same volume"). The distributed
// optimizer reduce-scatters the fp32 gradients but all-gathers the updated *bf16* parameters
// (Megatron Core "Distributed Optimizer" guide, data flow: reduce-scatter → optimizer step on
// the shard → all-gather of the 16-bit params; the Ultra-Scale Playbook's ZeRO-1 steps say the
// same), so the second half moves 2 B per parameter, not 4.
// ZeRO-3 keeps the weights sharded: no all-gather after the step, only the gathers of the
// weights before each forward and backward, and the reduce-scatter of the gradients.
TEST_CASE("ZeRO-1: reduce-scatter fp32 gradients, all-gather bf16 parameters",
          "[train][comm][zero]") {
    // The step-time case (dense4, DP 2 × PP 2, α = 0, 100 GB/s) with ZeRO-1. Stage 1 holds
    // 105,024 parameters. Reduce-scatter of 420,096 B of fp32 gradients over 2: each GPU sends
    // its other half, 210,048 B (2,100.48 ns); all-gather of 210,048 B of bf16 weights: each
    // sends its half, 105,024 B (1,050.24 ns). Together 3,150.72 ns (train.hpp: 4,200.96 ns).
    const auto r = evaluate_training(dense4, round_gpu, layout{.dp = 2, .pp = 2},
                                     {.global_batch = 8, .micro_batch = 1, .seq = 16, .zero = 1});
    REQUIRE(r.valid());
    CHECK(r.grad_sync_time.value() == near(3'150.72e-9));
    // ZeRO-3: the reduce-scatter (2,100.48 ns) and 2·M = 8 gathers of the 105,024 B bf16 weight
    // shard over 2 (1,050.24 ns each: 8,401.92 ns); train.hpp: all-reduce 4,200.96 + 8,401.92.
    const auto z3 = evaluate_training(dense4, round_gpu, layout{.dp = 2, .pp = 2},
                                      {.global_batch = 8, .micro_batch = 1, .seq = 16, .zero = 3});
    CHECK(z3.grad_sync_time.value() == near(2'100.48e-9 + 8'401.92e-9));
}

TEST_CASE("training costs every stage when there are more shapes than the set holds",
          "[train][stages]") {
    // fixtures.hpp's seven shapes on PP 8, one sequence of 64 tokens a micro-batch: the last
    // stage computes logits for all 64 tokens, so its forward alone, three times over (forward
    // and backward), bounds the micro-batch time from below. Folded into stage 5's shape it
    // would have no LM head, and stage 0's embedding and send would set the time instead.
    const model_spec& m = test::tiny_seven_shapes;
    const layout l{.tp = 1, .cp = 1, .dp = 1, .pp = 8, .etp = 1, .ep = 1};
    const training_workload t{.global_batch = 8, .micro_batch = 1, .seq = 64};
    const training_report r = evaluate_training(m, test::toy_cluster, l, t);
    REQUIRE(r.evaluated);
    const engine::step_load ld{.seqs = 1,
                               .tokens_per_seq = 64,
                               .keys_full = 64.0 * 65.0 / 2.0,
                               .keys_sliding = 64.0 * 65.0 / 2.0, // the window exceeds 64
                               .expert_tokens = 64,
                               .kv_len = 0,
                               .decode = false,
                               .logit_rows_per_seq = 64};
    const stage_step last =
        engine::step_cost(with_resolved_heads(m), test::toy_cluster, l, stage_of(m, 8, 7), ld, {});
    REQUIRE(last.op(op_group::lm_head).time().value() > 0);
    CHECK(r.micro_batch_time.value() >= 3.0 * last.compute.value());
}
