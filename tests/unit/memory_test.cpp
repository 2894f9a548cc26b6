// KV cache and activation memory: hand counts and the formulas of Korthikanti et al. 2022.

#include <moecost/count/memory.hpp>
#include <moecost/presets/models.hpp>

#include <catch2/catch.hpp>

using namespace moecost;

namespace {
/// A GPT layer as in Korthikanti et al. 2022: 4h GeLU MLP, LayerNorm, MHA with a heads.
model_spec gpt_layer(int h, int a) {
    model_spec m;
    m.name = "gpt";
    m.layers = 1;
    m.hidden = h;
    m.vocab = 51200;
    m.norm = norm_kind::layer;
    m.attention = {.heads = a};
    m.ffn = {.hidden = 4 * h, .gated = false};
    return m;
}

/// Dense 4-layer model with sliding windows of 4 tokens on layers 0 and 2; 4 heads of 16.
constexpr model_spec sliding_model{
    .name = "sliding",
    .layers = 4,
    .hidden = 64,
    .vocab = 0,
    .attention = {.heads = 4, .sliding = {.window = 4, .every = 2}},
    .ffn = {.hidden = 128},
};
} // namespace

TEST_CASE("KV bytes per token", "[memory][kv]") {
    // DeepSeek-V3, MLA, bf16: (kv_lora 512 + rope 64) · 61 layers · 2 B = 70,272 B/token
    // (REFERENCES.md; DeepSeek-V2 report §2.1: the cache holds c_KV and k_R).
    CHECK(kv_bytes_per_token_per_layer(presets::deepseek_v3).value() == 1'152.0); // 576 · 2
    CHECK(kv_bytes_per_token(presets::deepseek_v3).value() == 70'272.0);
    // Llama-3-8B, GQA: 2 (K, V) · 8 KV heads · 128 · 32 layers · 2 B = 131,072 B/token
    CHECK(kv_bytes_per_token(presets::llama_3_8b).value() == 131'072.0);
    CHECK(kv_bytes_per_token_per_layer(presets::llama_3_8b).value() == 4'096.0);
    // Mixtral has the same attention shape: 2·8·128·32·2 = 131,072
    CHECK(kv_bytes_per_token(presets::mixtral_8x7b).value() == 131'072.0);
    // DeepSeek-V2-Lite: (512 + 64) · 27 · 2 = 31,104
    CHECK(kv_bytes_per_token(presets::deepseek_v2_lite).value() == 31'104.0);
    // Qwen3-30B-A3B: 2 · 4 · 128 · 48 · 2 = 98,304
    CHECK(kv_bytes_per_token(presets::qwen3_30b_a3b).value() == 98'304.0);
    // OLMoE (MHA): 2 · 16 · 128 · 16 · 2 = 131,072 ; seed (MHA, h 512): 2·512·16·2 = 32,768
    CHECK(kv_bytes_per_token(presets::olmoe_1b_7b).value() == 131'072.0);
    CHECK(kv_bytes_per_token(presets::seed_moe).value() == 32'768.0);

    // fp8 KV halves it: 576 · 61 · 1 = 35,136
    model_spec v3_fp8 = presets::deepseek_v3;
    v3_fp8.precision.kv = dtype::fp8;
    CHECK(kv_bytes_per_token(v3_fp8).value() == 35'136.0);

    // One Llama-3-8B sequence of 8192 tokens: 131,072 · 8192 = 1,073,741,824 B = 1 GiB
    CHECK(kv_cache_bytes(presets::llama_3_8b, 8192).value() == 1'073'741'824.0);
    // DeepSeek-V3 at the mean KV length 4,989 of DeepSeek's serving report:
    // 70,272 · 4,989 = 350,587,008 B
    CHECK(kv_cache_bytes(presets::deepseek_v3, 4989).value() == 350'587'008.0);
}

TEST_CASE("KV cache with sliding windows", "[memory][kv][sliding]") {
    const auto& m = sliding_model;
    // per layer per token: 2 · 4 KV heads · 16 · 2 B = 256 B
    CHECK(kv_bytes_per_token_per_layer(m).value() == 256.0);
    // growth rate: only the 2 full-attention layers grow: 2 · 256 = 512 B/token
    CHECK(kv_bytes_per_token(m).value() == 512.0);
    // n = 10: sliding layers hold min(10, 4) = 4 tokens, full layers 10:
    //   256 · (4 + 10 + 4 + 10) = 7,168 B
    CHECK(kv_cache_bytes(m, 10).value() == 7'168.0);
    // n = 3, inside the window: 256 · 4 · 3 = 3,072 B
    CHECK(kv_cache_bytes(m, 3).value() == 3'072.0);
    // n = 1000: 256 · (4 + 1000 + 4 + 1000) = 514,048 B
    CHECK(kv_cache_bytes(m, 1000).value() == 514'048.0);
}

TEST_CASE("MLA against GQA/MHA caches", "[memory][kv][mla]") {
    // DeepSeek-V2 report Table 1: per token and layer MHA caches 2·n_h·d_h elements, GQA
    // 2·n_g·d_h, MLA (d_c + d_h^R) = 4.5·d_h when d_c = 4·d_h and d_h^R = d_h/2 ("equal to
    // GQA with only 2.25 groups"). DeepSeek-V3: d_h = 128, d_c = 512, d_h^R = 64.
    const auto& v3 = presets::deepseek_v3;
    CHECK(kv_elements_per_token_per_layer(v3) == 4.5 * 128);
    // The same model with MHA of 128 heads × 128: 2 · 128 · 128 = 32,768 elements
    model_spec mha = v3;
    mha.attention = {.heads = 128, .head_dim = 128};
    REQUIRE(validate(mha).ok());
    CHECK(kv_elements_per_token_per_layer(mha) == 32'768.0);
    // 32,768 · 61 · 2 = 3,997,696 B/token, 56.9× the MLA cache
    CHECK(kv_bytes_per_token(mha).value() == 3'997'696.0);
    CHECK(kv_bytes_per_token(mha).value() / kv_bytes_per_token(v3).value() ==
          Approx(32'768.0 / 576.0).epsilon(1e-12));
    // GQA with 8 KV heads of 128: 2·8·128 = 2,048 elements, 3.56× MLA's 576
    model_spec gqa8 = mha;
    gqa8.attention.kv_heads = 8;
    CHECK(kv_elements_per_token_per_layer(gqa8) == 2'048.0);
    CHECK(kv_bytes_per_token(gqa8).value() > kv_bytes_per_token(v3).value());
}

TEST_CASE("activations per GPT layer: Korthikanti et al. 2022, Table 2", "[memory][activations]") {
    // arXiv 2205.05198, §4 and Table 2 (per layer, 16-bit activations, with dropout and the
    // a·s² attention scores stored):
    //   no parallelism                 s·b·h·(34 + 5·a·s/h)
    //   tensor parallel (t)            s·b·h·(10 + 24/t + 5·a·s/(h·t))
    //   TP + sequence parallel         (s·b·h/t)·(34 + 5·a·s/h)
    //   TP + selective recompute       s·b·h·(10 + 24/t)
    //   TP + SP + selective recompute  34·s·b·h/t
    //   full recompute                 2·s·b·h
    // 34 = attention 11 + MLP 19 + two LayerNorms 4 (4h GeLU MLP).
    // GPT-3 175B shapes: h 12288, a 96, s 2048; b 1; t 8. s·b·h = 25,165,824; 5·a·s/h = 80.
    const model_spec m = gpt_layer(12288, 96);
    const double s = 2048, b = 1, h = 12288, a = 96, t = 8, sbh = s * b * h;
    CHECK(sbh == 25'165'824.0);
    CHECK(5 * a * s / h == 80.0);

    // 25,165,824 · 114 = 2,868,903,936 B
    CHECK(training_activation_bytes_layer(m, 0, s, b).value() == 2'868'903'936.0);
    CHECK(training_activation_bytes_layer(m, 0, s, b).value() ==
          Approx(sbh * (34 + 5 * a * s / h)).epsilon(1e-15));
    // TP 8: 25,165,824 · (10 + 3 + 10) = 578,813,952 B
    CHECK(training_activation_bytes_layer(m, 0, s, b, {.tp = 8}).value() == 578'813'952.0);
    CHECK(training_activation_bytes_layer(m, 0, s, b, {.tp = 8}).value() ==
          Approx(sbh * (10 + 24 / t + 5 * a * s / (h * t))).epsilon(1e-15));
    // TP + SP: 25,165,824 / 8 · 114 = 358,612,992 B
    CHECK(
        training_activation_bytes_layer(m, 0, s, b, {.tp = 8, .sequence_parallel = true}).value() ==
        358'612'992.0);
    // TP + selective: 25,165,824 · 13 = 327,155,712 B
    CHECK(training_activation_bytes_layer(m, 0, s, b, {.tp = 8, .rc = recompute::selective})
              .value() == 327'155'712.0);
    // TP + SP + selective: 34 · 25,165,824 / 8 = 106,954,752 B
    CHECK(training_activation_bytes_layer(
              m, 0, s, b, {.tp = 8, .sequence_parallel = true, .rc = recompute::selective})
              .value() == 106'954'752.0);
    // full recompute keeps the layer input only: 2 · 25,165,824 = 50,331,648 B
    CHECK(training_activation_bytes_layer(m, 0, s, b, {.rc = recompute::full}).value() ==
          50'331'648.0);
    CHECK(training_activation_bytes_layer(m, 0, s, b, {.tp = 8, .rc = recompute::full}).value() ==
          50'331'648.0);

    // The formulas are linear in b: b = 4 is 4× b = 1.
    CHECK(training_activation_bytes_layer(m, 0, s, 4, {.tp = 8}).value() == 4 * 578'813'952.0);

    // Another shape, the 1.7B row of the Megatron paper: h 2304, a 24, s 2048, b 2, t 2.
    //   sbh = 9,437,184 ; 5·a·s/h = 5·24·2048/2304 = 106.67
    //   TP: 9,437,184 · (10 + 12 + 53.333) = 710,934,528 B
    const model_spec small = gpt_layer(2304, 24);
    CHECK(training_activation_bytes_layer(small, 0, 2048, 2, {.tp = 2}).value() ==
          Approx(710'934'528.0).epsilon(1e-12));
}

// Regression (fixed): with sequence parallelism, full recomputation keeps the layer input as each
// rank holds it, which is the sequence shard: 2·(s/t)·b·h bytes, not 2·s·b·h. Megatron-LM scatters
// the embedding output to the sequence-parallel region (LanguageModelEmbedding.forward: `if
// sequence_parallel: embeddings = scatter_to_sequence_parallel_region(embeddings)`), so every
// transformer layer's input, the tensor `tensor_parallel.checkpoint` saves, is [s/t, b, h] on each
// rank. The paper's Table 2 row "full activation recompute: 2sbh" is the replicated-input case (no
// SP). memory.hpp returned 2sbh/t under SP until commit f500757
// ("full recompute stores 2sbh as in the paper") made it 2sbh unconditionally: 8× too much at
// t = 8, and inconsistent with its own TP+SP rows, which divide everything by t.
TEST_CASE("full recompute with sequence parallelism keeps the input shard",
          "[memory][activations]") {
    // GPT-3 shapes: s 2048, b 1, h 12288, t 8: 2·2048·1·12288/8 = 6,291,456 B
    const model_spec m = gpt_layer(12288, 96);
    CHECK(training_activation_bytes_layer(
              m, 0, 2048, 1, {.tp = 8, .sequence_parallel = true, .rc = recompute::full})
              .value() == 6'291'456.0);
    // Nor can it exceed TP+SP+selective, which keeps strictly more (34sbh/t vs 2sbh/t):
    // at t = 32, 34sbh/32 = 1.0625·sbh is already below an unsharded 2sbh.
    const auto full32 = training_activation_bytes_layer(
        m, 0, 2048, 1, {.tp = 32, .sequence_parallel = true, .rc = recompute::full});
    const auto selective32 = training_activation_bytes_layer(
        m, 0, 2048, 1, {.tp = 32, .sequence_parallel = true, .rc = recompute::selective});
    CHECK(full32.value() < selective32.value());
}

TEST_CASE("activations without scores or dropout, gated FFN", "[memory][activations]") {
    // Llama-3-8B layer, s 4096, b 1, flash attention (no a·s² scores), no dropout, no TP.
    // Unsplit: two norm inputs 2·2sbh, QKV input 2sbh, FFN input 2sbh = 8·sbh
    // Attention: Q (32·128), K and V (8·128 each), context (32·128), 2 B each:
    //   2·s·b·(4096 + 1024 + 1024 + 4096) = 20,480·sb
    // SwiGLU FFN (f 14336): gate out, up out, product (down input), 2 B each: 6·f·sb = 86,016·sb
    // Total per token: 8·4096 + 20,480 + 86,016 = 139,264 B ; · 4096 = 570,425,344 B
    const auto bytes = training_activation_bytes_layer(presets::llama_3_8b, 0, 4096, 1,
                                                       {.store_scores = false, .dropout = false});
    CHECK(bytes.value() == 570'425'344.0);
}

TEST_CASE("fp8 training keeps the fp8 copies of GEMM inputs", "[memory][activations][fp8]") {
    // The Llama-3-8B layer above with fp8 GEMMs (g = 1 byte per kept GEMM input):
    //   unsplit: two norm inputs 4sbh (16-bit), QKV input sbh, FFN input sbh = 6·sbh = 24,576
    //   attention: Q, K, V, context 16-bit 20,480, plus the out projection's fp8 copy of the
    //   context 4,096 = 24,576
    //   SwiGLU: gate out and up out 16-bit (4 B per f), down input fp8 (1 B): 5·14,336 = 71,680
    //   total per token 120,832 B ; · 4096 = 494,927,872 B
    const auto bytes = training_activation_bytes_layer(
        presets::llama_3_8b, 0, 4096, 1,
        {.store_scores = false, .dropout = false, .gemm_inputs = 1.0});
    CHECK(bytes.value() == 494'927'872.0);

    // A MoE layer of Qwen3-30B-A3B (h 2048; Q 32·128, K and V 4·128; 128 experts, top 8,
    // expert f 768, gated; no shared experts), s 1, b 1:
    //   unsplit: norms 4h, QKV input h (fp8), MoE input 2h (16-bit, kept by the router) = 7h
    //   attention: 2·(4096 + 512 + 512 + 4096) + 4096 (fp8 context copy) = 22,528
    //   experts: 8 copies · (h fp8 input + 5·768) = 8 · 5,888 = 47,104
    //   router logits 2·128 = 256
    //   total 14,336 + 22,528 + 47,104 + 256 = 84,224 B
    const auto& q = presets::qwen3_30b_a3b;
    const auto moe = training_activation_bytes_layer(
        q, 0, 1, 1, {.store_scores = false, .dropout = false, .gemm_inputs = 1.0});
    CHECK(moe.value() == 84'224.0);
    // and in bf16 (g = 2): 8h + 2·9,216 + 8·(2h + 6·768) + 256 = 16,384 + 18,432 + 69,632 + 256
    const auto moe16 =
        training_activation_bytes_layer(q, 0, 1, 1, {.store_scores = false, .dropout = false});
    CHECK(moe16.value() == 104'704.0);
}
