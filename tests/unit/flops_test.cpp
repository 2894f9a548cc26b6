// Forward, prefill and training FLOPs: hand derivations and published formulas.
//
// Convention (REFERENCES.md): an (m×k)·(k×n) product costs 2·m·n·k FLOPs; attention core
// work for a query over n keys is 2·H·d_qk·n (scores) + 2·H·d_v·n (values); a decoded token
// at context c attends to c keys. Matmul FLOPs are compared exactly (all values are
// integers below 2^53); the estimated non-matmul `other` is only bounded.

#include <moecost/count/flops.hpp>
#include <moecost/count/params.hpp>
#include <moecost/presets/models.hpp>

#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace moecost;
using moecost::test::near;

namespace {
/// A 4-layer dense model with sliding windows of 4 on layers 0 and 2 (every 2, offset 0):
/// h = 64, 4 heads of 16, SwiGLU FFN 128, no vocabulary.
constexpr model_spec sliding_model{
    .name = "sliding",
    .layers = 4,
    .hidden = 64,
    .vocab = 0,
    .attention = {.heads = 4, .sliding = {.window = 4, .every = 2}},
    .ffn = {.hidden = 128},
};

/// A GPT of the Megatron-LM paper: learned positions, LayerNorm, 4h GeLU MLP, biases, tied
/// embeddings, V = 51200, s = 2048.
constexpr model_spec megatron_gpt(int h, int l, int a) {
    return presets::gpt(h, l, a);
}
} // namespace

TEST_CASE("seed model decode FLOPs by hand", "[flops][seed][decode]") {
    // h = 512, 16 layers, E = 16, top-2, plain expert FFN f = 1024, no vocabulary.
    // Per layer and token at context c:
    //   projections Q,K,V,O: 2·4·h²       = 2·4·262,144  = 2,097,152
    //   core (scores + values): 4·h·c     = 2,048·c
    //   router: 2·h·E                     = 2·512·16     = 16,384
    //   experts: top_k·2·(2·h·f)          = 2·2·1,048,576 = 4,194,304
    // 16 layers: 100,925,440 + 32,768·c ; no LM head.
    const auto& m = presets::seed_moe;
    for (double c : {1.0, 1024.0, 4096.0}) {
        INFO("context " << c);
        const auto f = decode_flops(m, c);
        CHECK(f.attention_proj.value() == 33'554'432.0); // 16 · 2,097,152
        CHECK(f.attention_core.value() == 32'768.0 * c); // 16 · 2,048·c
        CHECK(f.router.value() == 262'144.0);            // 16 · 16,384
        CHECK(f.routed_experts.value() == 67'108'864.0); // 16 · 4,194,304
        CHECK(f.shared_experts.value() == 0.0);
        CHECK(f.dense_ffn.value() == 0.0);
        CHECK(f.lm_head.value() == 0.0);
        CHECK(f.matmul().value() == 100'925'440.0 + 32'768.0 * c);
        // The non-matmul estimate is small and positive. Bound: per score, softmax is a few
        // FLOPs (say <= 8) against 4·d = 256 matmul FLOPs (d = 64): < 3.2%; norms, GeLU and
        // residuals are O(h + f) per layer against O(h·f) matmul work: < 1%.
        CHECK(f.other.value() > 0.0);
        CHECK(f.other.value() < 0.042 * f.matmul().value());
        CHECK(f.total().value() == f.matmul().value() + f.other.value());
    }
    // c = 1024: 100,925,440 + 33,554,432 = 134,479,872
    CHECK(decode_flops(m, 1024).matmul().value() == 134'479'872.0);
}

TEST_CASE("prefill is the exact causal sum of decode steps", "[flops][prefill]") {
    SECTION("seed model, s = 1, 2, 3 by explicit summation") {
        const auto& m = presets::seed_moe;
        for (int s = 1; s <= 3; ++s) {
            INFO("s = " << s);
            flop_breakdown sum;
            for (int c = 1; c <= s; ++c)
                sum += decode_flops(m, c);
            const auto p = prefill_flops(m, s);
            CHECK(p.attention_core.value() == sum.attention_core.value());
            CHECK(p.matmul().value() == sum.matmul().value());
            CHECK(p.total().value() == Approx(sum.total().value()).epsilon(1e-14));
        }
        // s = 3 by hand: 3·100,925,440 + 32,768·(1+2+3) = 302,776,320 + 196,608
        CHECK(prefill_flops(m, 3).matmul().value() == 302'972'928.0);
    }
    SECTION("Mixtral, s = 1, 2, 3: decode costs minus LM heads, plus one LM head") {
        const auto& m = presets::mixtral_8x7b;
        // LM head of one token: 2·h·V = 2·4096·32000 = 262,144,000
        const double head = 262'144'000.0;
        CHECK(decode_flops(m, 7).lm_head.value() == head);
        for (int s = 1; s <= 3; ++s) {
            INFO("s = " << s);
            double layers = 0, core = 0;
            for (int c = 1; c <= s; ++c) {
                const auto d = decode_flops(m, c);
                layers += d.total().value() - d.lm_head.value();
                core += d.attention_core.value();
            }
            const auto p = prefill_flops(m, s);
            CHECK(p.lm_head.value() == head); // logits for the last prompt token only
            CHECK(p.total().value() - head == Approx(layers).epsilon(1e-14));
            CHECK(p.attention_core.value() == core);
        }
        // training-style prefill: logits for every token
        CHECK(prefill_flops(m, 3, {}, 3).lm_head.value() == 3 * head);
    }
    SECTION("closed form s(s+1)/2") {
        // seed: core = 16 layers · 4·h · s(s+1)/2 = 32,768 · 2048·2049/2 = 68,753,031,168
        const auto p = prefill_flops(presets::seed_moe, 2048);
        CHECK(p.attention_core.value() == 68'753'031'168.0);
        // everything else is linear in s: 2048 · 100,925,440
        CHECK(p.matmul().value() - p.attention_core.value() == 2048.0 * 100'925'440.0);
        // per prompt token: total / s
        CHECK(prefill_flops_per_token(presets::seed_moe, 2048).value() ==
              Approx(p.total().value() / 2048.0).epsilon(1e-15));
    }
    SECTION("non-causal attends to all s keys") {
        // seed: 32,768 · s² = 32,768 · 2048² = 137,438,953,472 (vs causal s(s+1)/2)
        const auto p = prefill_flops(presets::seed_moe, 2048, {.causal = false});
        CHECK(p.attention_core.value() == 137'438'953'472.0);
        CHECK(p.matmul().value() - p.attention_core.value() == 2048.0 * 100'925'440.0);
    }
}

TEST_CASE("sliding windows cap the keys attended", "[flops][sliding]") {
    const auto& m = sliding_model;
    REQUIRE(validate(m).ok());
    REQUIRE(sliding_layers(m) == 2);
    // core per key per layer: 4·H·d = 4·4·16 = 256 FLOPs
    // decode at c = 10: layers 0, 2 see min(10, 4) = 4 keys, layers 1, 3 see 10
    //   256·(4 + 10 + 4 + 10) = 7,168
    CHECK(decode_flops(m, 10).attention_core.value() == 7'168.0);
    // c = 3 is inside the window: 256·4·3 = 3,072 ; c = 5: 256·(4+5+4+5) = 4,608
    CHECK(decode_flops(m, 3).attention_core.value() == 3'072.0);
    CHECK(decode_flops(m, 5).attention_core.value() == 4'608.0);
    // the window does not change the projections: 8·h² = 32,768 per layer, 4 layers;
    // nor the FFN: 2·3·64·128 = 49,152 per layer
    CHECK(decode_flops(m, 10).attention_proj.value() == 4 * 32'768.0);
    CHECK(decode_flops(m, 10).dense_ffn.value() == 4 * 49'152.0);

    // causal prefill s = 10: sliding layer keys Σ min(n, 4) = 1+2+3+4·7 = 34;
    // full layer keys Σ n = 55 ; 256·(2·34 + 2·55) = 45,568
    CHECK(prefill_flops(m, 10).attention_core.value() == 45'568.0);
    // s = 4 stays inside the window: 256·4·(4·5/2) = 10,240
    CHECK(prefill_flops(m, 4).attention_core.value() == 10'240.0);
    // and equals the explicit sum of decode steps
    for (int s : {1, 4, 5, 10, 17}) {
        INFO("s = " << s);
        double core = 0;
        for (int c = 1; c <= s; ++c)
            core += decode_flops(m, c).attention_core.value();
        CHECK(prefill_flops(m, s).attention_core.value() == core);
    }
}

TEST_CASE("decode at context 1 is about 2 FLOPs per active parameter", "[flops][crosscheck]") {
    // Kaplan et al. 2020: forward ≈ 2·N per token. N here is the active count without the
    // input embedding (a lookup): hand counts from params_test.cpp.
    //   Mixtral:   12,879,925,248 − 131,072,000 = 12,748,853,248 → 2N = 25,497,706,496
    //   Llama-3-8B: 8,030,261,248 − 525,336,576 =  7,504,924,672 → 2N = 15,009,849,344
    CHECK(decode_flops(presets::mixtral_8x7b, 1).total().value() ==
          Approx(25'497'706'496.0).epsilon(0.005));
    CHECK(decode_flops(presets::llama_3_8b, 1).total().value() ==
          Approx(15'009'849'344.0).epsilon(0.005));
    // Matmul part exactly: 2·(attention + experts + router + head) + core 4·h·l
    //   Mixtral: 2·(1,342,177,280 + 11,274,289,152 + 1,048,576 + 131,072,000) + 4·4096·32
    //          = 25,497,174,016 + 524,288 = 25,497,698,304
    CHECK(decode_flops(presets::mixtral_8x7b, 1).matmul().value() == 25'497'698'304.0);
}

TEST_CASE("training FLOPs per token: 6N plus Kaplan's attention term", "[flops][training]") {
    // Kaplan et al. 2020 Table 1: C_forward = 2N + 2·n_layer·n_ctx·d_attn; training ≈ 3×.
    // Ours (causal): forward per token = 2·N_mat + mean core, with
    //   mean core = (1/s)·Σ_{n=1..s} 4·d_attn·n per layer = 2·d_attn·(s+1) per layer,
    // so training (3 passes) = 6·N_mat + 6·n_layer·d_attn·(s+1): Kaplan's term with n_ctx
    // replaced by s+1 (Kaplan's 2·n_ctx·d_attn is the causal mean of QK and AV work).
    // N_mat = matmul weights a token uses, LM head included (logits for every token):
    //   Mixtral: 1,342,177,280 + 11,274,289,152 + 1,048,576 + 131,072,000 = 12,748,587,008
    const auto& m = presets::mixtral_8x7b;
    const double N = 12'748'587'008.0, l = 32, d_attn = 32 * 128, s = 4096;
    const double kaplan = 6 * N + 6 * l * d_attn * (s + 1); // 79,713,533,952
    CHECK(kaplan == 79'713'533'952.0);
    CHECK(training_flops_per_token(m, s).value() == Approx(kaplan).epsilon(1e-12));

    // Full recompute (Megatron convention): layers run 4 passes, the LM head 3:
    //   8·(N − head) + 8·l·d_attn·(s+1) + 6·head
    //   = 8·12,617,515,008 + 4,296,015,872 + 6·131,072,000 = 106,022,567,936
    CHECK(training_flops_per_token(m, s, recompute::full).value() ==
          Approx(106'022'567'936.0).epsilon(1e-12));
    // Selective recompute re-runs only the attention core: 6N + 8·l·d_attn·(s+1)
    //   = 76,491,522,048 + 4,296,015,872 = 80,787,537,920
    CHECK(training_flops_per_token(m, s, recompute::selective).value() ==
          Approx(80'787'537'920.0).epsilon(1e-12));

    // Seed model (no vocabulary): full recompute is exactly 4/3 of plain training.
    const auto& seed = presets::seed_moe;
    CHECK(training_flops_per_token(seed, 2048, recompute::full).value() ==
          Approx(4.0 / 3.0 * training_flops_per_token(seed, 2048).value()).epsilon(1e-14));
    // and plain training is 3 forward passes: 3·(100,925,440 + 32,768·2049/2)
    CHECK(training_flops_per_token(seed, 2048).value() ==
          Approx(3.0 * (100'925'440.0 + 32'768.0 * 2049.0 / 2.0)).epsilon(1e-14));
}

TEST_CASE("training FLOPs of MTP modules: a block, the 2h→h projection and a head per token",
          "[flops][training][mtp]") {
    // One MTP module (DeepSeek-V3 §2.2), whose block is like the model's last layer. Training
    // sequences of s tokens; an (m×k)·(k×n) product costs 2mnk.
    SECTION("dense4: a dense block") {
        // dense4 (fixtures.hpp): h = 64, 4 heads of 16, plain FFN 256, V = 100; s = 16.
        // Per sequence: block 16·(2·4h² + 2·2·h·256) = 16·(32,768 + 65,536) = 1,572,864, its
        // core 4·h·Σ_{n=1..16} n = 256·136 = 34,816; projection 16·2·(2h)·h = 262,144; head
        // 16·2·h·V = 204,800. Module: 2,074,624.
        model_spec m = test::dense4;
        m.mtp_layers = 1;
        const auto f = mtp_flops(m, 16);
        CHECK(f.dense_ffn.value() == 16.0 * 65'536.0);
        CHECK(f.attention_proj.value() == 16.0 * 32'768.0);
        CHECK(f.attention_core.value() == 34'816.0);
        CHECK(f.mtp_projection.value() == 262'144.0);
        CHECK(f.lm_head.value() == 204'800.0);
        CHECK(f.matmul().value() == 2'074'624.0);
        CHECK(mtp_flops(test::dense4, 16).total().value() == 0.0);
        const double base = training_flops_per_token(test::dense4, 16).value();
        // three passes: 3·2,074,624/16 = 388,992 per token more
        CHECK(training_flops_per_token(m, 16).value() - base == near(388'992.0));
        // full recompute: the module again but its head, 4·1,869,824 + 3·204,800 per sequence
        CHECK(training_flops_per_token(m, 16, recompute::full).value() -
                  training_flops_per_token(test::dense4, 16, recompute::full).value() ==
              near((4.0 * 1'869'824.0 + 3.0 * 204'800.0) / 16.0)); // 505,856
        // selective recompute: its attention core again, 3·2,074,624 + 34,816 per sequence
        CHECK(training_flops_per_token(m, 16, recompute::selective).value() -
                  training_flops_per_token(test::dense4, 16, recompute::selective).value() ==
              near((3.0 * 2'074'624.0 + 34'816.0) / 16.0)); // 391,168
        // two modules, twice
        m.mtp_layers = 2;
        CHECK(mtp_flops(m, 16).matmul().value() == 2.0 * 2'074'624.0);
    }
    SECTION("tiny_moe: an MoE block") {
        // tiny_moe (fixtures.hpp): GQA 4 heads of 16, 2 KV heads; 4 plain experts of 32, top-2;
        // s = 8. Per token: projections 2·12,288 = 24,576, router 2·h·E = 512, routed
        // 2·2·(2·h·32) = 16,384; per sequence ×8 = 331,776 (no dense FFN); core
        // 4·(4·16)·Σ_{n=1..8} n = 256·36 = 9,216; projection 8·2·128·64 = 131,072; head
        // 8·2·64·100 = 102,400. Module: 574,464.
        model_spec m = test::tiny_moe;
        m.mtp_layers = 1;
        const auto f = mtp_flops(m, 8);
        CHECK(f.dense_ffn.value() == 0.0);
        CHECK(f.router.value() == 8.0 * 512.0);
        CHECK(f.routed_experts.value() == 8.0 * 16'384.0);
        CHECK(f.matmul().value() == 574'464.0);
        CHECK(training_flops_per_token(m, 8).value() -
                  training_flops_per_token(test::tiny_moe, 8).value() ==
              near(3.0 * 574'464.0 / 8.0)); // 215,424
    }
    SECTION("inference does not run them") {
        CHECK(prefill_flops(presets::deepseek_v3_mtp, 4096).total() ==
              prefill_flops(presets::deepseek_v3, 4096).total());
        CHECK(decode_flops(presets::deepseek_v3_mtp, 4096).total() ==
              decode_flops(presets::deepseek_v3, 4096).total());
    }
}

TEST_CASE("training FLOPs match the Megatron-LM paper's formula", "[flops][training][megatron]") {
    // Narayanan et al. SC'21 §5.1: with full recomputation, non-causal attention,
    //   F = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h))   per iteration,
    // i.e. per token 96·l·h² + 16·l·h·s + 6·h·V: layers 4 passes of 24h² (matmuls) + 4hs
    // (core), logits 3 passes of 2hV. Without recomputation the factor is 72 and the last
    // term V/(12·l·h). Biases, norms and softmax are not in the formula and not in our
    // matmul count, so the match is exact, not just within 1%.
    struct row {
        int h, l, a;
        double batch;
    };
    const double V = 51200, s = 2048;
    // Table 1 rows: 1.7B (h 2304, 24 layers, 24 heads, batch 512) and 145.6B (h 12288,
    // 80 layers, 96 heads, batch 2304)
    for (const row r : {row{2304, 24, 24, 512}, row{12288, 80, 96, 2304}}) {
        INFO("h = " << r.h);
        const model_spec m = megatron_gpt(r.h, r.l, r.a);
        REQUIRE(validate(m).ok());
        const double h = r.h, l = r.l, B = r.batch;
        const double F_full = 96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
        const double F_none = 72 * B * s * l * h * h * (1 + s / (6 * h) + V / (12 * l * h));
        const double ours_full =
            training_flops_per_token(m, s, recompute::full, /*causal=*/false).value() * B * s;
        const double ours_none =
            training_flops_per_token(m, s, recompute::none, /*causal=*/false).value() * B * s;
        CHECK(ours_full == Approx(F_full).epsilon(0.01));
        CHECK(ours_full == Approx(F_full).epsilon(1e-12));
        CHECK(ours_none == Approx(F_none).epsilon(1e-12));
    }
    // 1.7B per token by hand: 96·24·2304² + 16·24·2304·2048 + 6·2304·51200
    //   = 12,230,590,464 + 1,811,939,328 + 707,788,800 = 14,750,318,592
    CHECK(training_flops_per_token(megatron_gpt(2304, 24, 24), 2048, recompute::full, false)
              .value() == Approx(14'750'318'592.0).epsilon(1e-13));
}

TEST_CASE("MLA absorbed vs naive, DeepSeek-V2-Lite at context 4096", "[flops][mla]") {
    // h 2048, H 16, nope 128, rope 64, v 128, kv_lora r 512, no q LoRA, 27 layers.
    // Per layer and token:
    //   q: 2·h·H·(nope+rope)    = 2·2048·16·192  = 12,582,912
    //   kv_a: 2·h·(r+rope)      = 2·2048·576     =  2,359,296
    //   o: 2·H·v·h              = 2·16·128·2048  =  8,388,608
    // naive:    kv_b up-projection 2·r·H·(nope+v) = 2·512·16·256 = 4,194,304
    //           core 2·H·(nope+rope)·n + 2·H·v·n  = (6,144 + 4,096)·4096 = 41,943,040
    // absorbed: W_UK into q 2·H·nope·r = 2,097,152 ; W_UV after attention 2·H·r·v = 2,097,152
    //           core over the latent 2·H·(r+rope)·n + 2·H·r·n = (18,432 + 16,384)·4096
    //                                                          = 142,606,336
    // Projections: 27,525,120 per layer in both forms (2·H·r·(nope+v) either way).
    const auto& m = presets::deepseek_v2_lite;
    const auto naive = decode_flops(m, 4096, mla_form::naive);
    const auto absorbed = decode_flops(m, 4096, mla_form::absorbed);
    CHECK(naive.attention_proj.value() == 743'178'240.0);      // 27 · 27,525,120
    CHECK(absorbed.attention_proj.value() == 743'178'240.0);   // 27 · 27,525,120
    CHECK(naive.attention_core.value() == 1'132'462'080.0);    // 27 · 41,943,040
    CHECK(absorbed.attention_core.value() == 3'850'371'072.0); // 27 · 142,606,336
    // decode defaults to the absorbed form
    CHECK(decode_flops(m, 4096).attention_core.value() == absorbed.attention_core.value());

    // The FFN side, same in both forms: 1 dense layer, 26 MoE layers
    //   dense 2·3·2048·10944 = 134,479,872 ; routed 26·6·2·3·2048·1408 = 2,699,034,624 ;
    //   shared 26·2·2·3·2048·1408 = 899,678,208 ; router 26·2·2048·64 = 6,815,744 ;
    //   LM head 2·2048·102400 = 419,430,400
    CHECK(naive.dense_ffn.value() == 134'479'872.0);
    CHECK(naive.routed_experts.value() == 2'699'034'624.0);
    CHECK(naive.shared_experts.value() == 899'678'208.0);
    CHECK(naive.router.value() == 6'815'744.0);
    CHECK(naive.lm_head.value() == 419'430'400.0);
    CHECK(absorbed.routed_experts.value() == naive.routed_experts.value());

    // Prefill in the naive form: core 27 · (6,144 + 4,096) · s(s+1)/2; s = 4096:
    //   27 · 10,240 · 8,390,656 = 2,319,848,570,880
    CHECK(prefill_flops(m, 4096, {.mla = mla_form::naive}).attention_core.value() ==
          2'319'848'570'880.0);
    // and it equals the sum of naive decode steps (checked on a short prompt)
    double core = 0;
    for (int c = 1; c <= 5; ++c)
        core += decode_flops(m, c, mla_form::naive).attention_core.value();
    CHECK(prefill_flops(m, 5, {.mla = mla_form::naive}).attention_core.value() == core);
}

TEST_CASE("DeepSeek-V3 decode FLOPs are about 2 per active parameter", "[flops][mla]") {
    // Absorbed MLA at context 1 adds little to 2·N: N without the input embedding is
    // 37,552,297,472 − 926,679,040 = 36,625,618,432 (params_test.cpp), 2N = 73,251,236,864.
    // The absorbed form multiplies by W_UK/W_UV instead of kv_b (same FLOPs, see above) and
    // the core at context 1 is 61 · (2·128·576 + 2·128·512) = 16,990,208: within 0.5%.
    CHECK(decode_flops(presets::deepseek_v3, 1).total().value() ==
          Approx(73'251'236'864.0).epsilon(0.005));
}
