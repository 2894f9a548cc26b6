// Parameter counts: hand derivations by component, and published totals with their sources.
//
// Every count here is an integer below 2^53, so the doubles are exact and compared with ==.
// Published figures are checked at the precision they were published at: "46.7B" means the
// count lies in [46.65, 46.75]·10^9.

#include <moecost/count/params.hpp>
#include <moecost/count/routing.hpp>
#include <moecost/count/shares.hpp>
#include <moecost/presets/models.hpp>

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <concepts>
#include <string>

using namespace moecost;

namespace {
/// True when x rounds to `published` at the published step (e.g. 0.1e9 for "46.7B").
bool rounds_to(double x, double published, double step) {
    return x >= published - step / 2 && x < published + step / 2;
}
/// True when x truncated (not rounded) to the published step gives `published`.
bool truncates_to(double x, double published, double step) {
    return x >= published && x < published + step;
}
} // namespace

TEST_CASE("seed model parameters by hand", "[params][seed]") {
    // presets::seed_moe: h = 512, 16 layers, MHA, 16 experts top-2, plain 2-matrix expert
    // FFN of f = 1024, no vocabulary (no embedding, no LM head), RMSNorm.
    const auto& m = presets::seed_moe;

    // attention: Q, K, V, O = 4·h² = 4·512² = 1,048,576 per layer (MHA, no biases)
    CHECK(attention_params_per_layer(m) == 1'048'576.0);
    // one expert: up h×f + down f×h = 2·512·1024 = 1,048,576
    CHECK(expert_params(m) == 1'048'576.0);
    // router: h·E = 512·16 = 8,192 per layer
    CHECK(router_params(m) == 8'192.0);
    // norms: two RMSNorms of h per layer = 1,024
    CHECK(norm_params_per_layer(m) == 1'024.0);

    const auto t = total_params(m);
    CHECK(t.embedding == 0.0);
    CHECK(t.lm_head == 0.0);
    CHECK(t.attention == 16'777'216.0);       // 16 · 1,048,576
    CHECK(t.routed_experts == 268'435'456.0); // 16 layers · 16 experts · 1,048,576
    CHECK(t.router == 131'072.0);             // 16 · 8,192
    CHECK(t.norms == 16'896.0);               // 16 · 1,024 + final norm 512
    CHECK(t.shared_experts == 0.0);
    CHECK(t.dense_ffn == 0.0);
    CHECK(t.mtp == 0.0);
    // 16,777,216 + 268,435,456 + 131,072 + 16,896 = 285,360,640
    CHECK(t.total() == 285'360'640.0);
    CHECK(t.layers() == 285'360'640.0);

    const auto a = active_params(m);
    CHECK(a.routed_experts == 33'554'432.0); // 16 layers · top-2 · 1,048,576
    // 16,777,216 + 33,554,432 + 131,072 + 16,896 = 50,479,616
    CHECK(a.total() == 50'479'616.0);

    // bf16 weights: 285,360,640 · 2 B = 570,721,280 B
    CHECK(weight_bytes(m).value() == 570'721'280.0);
}

TEST_CASE("Mixtral-8x7B parameters by hand and against Mistral's figures", "[params][gqa]") {
    // HF mistralai/Mixtral-8x7B-v0.1 config.json: h 4096, 32 layers, 32 heads, 8 KV heads
    // (head_dim 128), 8 experts of 14336 (SwiGLU), top-2, vocab 32000, untied, RMSNorm.
    const auto& m = presets::mixtral_8x7b;

    // q: 4096·(32·128) = 16,777,216 ; k, v: 4096·(8·128) = 4,194,304 each ; o: 16,777,216
    // 16,777,216 + 2·4,194,304 + 16,777,216 = 41,943,040 per layer
    CHECK(attention_params_per_layer(m) == 41'943'040.0);
    // one SwiGLU expert: gate, up, down = 3·4096·14336 = 176,160,768
    CHECK(expert_params(m) == 176'160'768.0);
    CHECK(router_params(m) == 32'768.0); // 4096 · 8

    const auto t = total_params(m);
    CHECK(t.embedding == 131'072'000.0);         // 32000 · 4096
    CHECK(t.lm_head == 131'072'000.0);           // untied
    CHECK(t.attention == 1'342'177'280.0);       // 32 · 41,943,040
    CHECK(t.routed_experts == 45'097'156'608.0); // 32 · 8 · 176,160,768
    CHECK(t.router == 1'048'576.0);              // 32 · 32,768
    CHECK(t.norms == 266'240.0);                 // 32 · 2 · 4096 + 4096
    // 131,072,000·2 + 1,342,177,280 + 45,097,156,608 + 1,048,576 + 266,240
    CHECK(t.total() == 46'702'792'704.0);

    const auto a = active_params(m);
    CHECK(a.routed_experts == 11'274'289'152.0); // 32 · 2 · 176,160,768
    // 262,144,000 + 1,342,177,280 + 11,274,289,152 + 1,048,576 + 266,240
    CHECK(a.total() == 12'879'925'248.0);

    // Mistral AI, "Mixtral of experts" (2023-12-11): "46.7B total parameters but only uses
    // 12.9B parameters per token". This convention includes embedding and LM head.
    CHECK(rounds_to(t.total(), 46.7e9, 0.1e9));
    CHECK(rounds_to(a.total(), 12.9e9, 0.1e9));
    CHECK(t.total() == Approx(46.7e9).epsilon(0.01));
    CHECK(a.total() == Approx(12.9e9).epsilon(0.01));
}

TEST_CASE("Llama-3-8B parameters by hand", "[params][gqa]") {
    // HF meta-llama/Meta-Llama-3-8B config.json: h 4096, 32 layers, 32 heads, 8 KV heads,
    // SwiGLU FFN 14336, vocab 128256, untied, RMSNorm.
    const auto& m = presets::llama_3_8b;
    const auto t = total_params(m);
    CHECK(t.embedding == 525'336'576.0); // 128256 · 4096
    CHECK(t.lm_head == 525'336'576.0);
    CHECK(t.attention == 1'342'177'280.0); // 32 · (2·4096² + 2·4096·1024)
    CHECK(t.dense_ffn == 5'637'144'576.0); // 32 · 3 · 4096 · 14336
    CHECK(t.norms == 266'240.0);           // 32 · 2 · 4096 + 4096
    CHECK(t.router == 0.0);
    CHECK(t.routed_experts == 0.0);
    // 2·525,336,576 + 1,342,177,280 + 5,637,144,576 + 266,240 = 8,030,261,248:
    // the 8.03B of the Llama 3 model card (8,030,261,248 is the safetensors count).
    CHECK(t.total() == 8'030'261'248.0);
    CHECK(rounds_to(t.total(), 8.03e9, 0.01e9));
    // dense: active = total
    CHECK(active_params(m).total() == t.total());

    // Llama-3-70B: 80·(2·8192² + 2·8192·1024 + 3·8192·28672 + 2·8192) + 8192 + 2·128256·8192
    //   = 80·855,654,400 + 8,192 + 2,101,346,304 = 70,553,706,496 ("70.6B")
    CHECK(total_params(presets::llama_3_70b).total() == 70'553'706'496.0);
}

TEST_CASE("DeepSeek-V2-Lite (MLA) parameters by hand", "[params][mla]") {
    // deepseek-ai DeepSeek-V2-Lite config: h 2048, 27 layers, 16 heads, MLA without q
    // compression, kv_lora 512, qk_nope 128, qk_rope 64, v 128; layer 0 dense (FFN 10944),
    // then 64 routed experts of 1408, top-6, 2 shared of 1408; vocab 102400, untied.
    const auto& m = presets::deepseek_v2_lite;

    // q (no LoRA): h·H·(nope+rope) = 2048·16·192            =  6,291,456
    // kv_a (latent + shared rope key): h·(512+64) = 2048·576  =  1,179,648
    // kv_b: 512·H·(nope+v) = 512·16·(128+128)                 =  2,097,152
    // o: H·v·h = 16·128·2048                                  =  4,194,304
    //                                                   sum  = 13,762,560
    CHECK(attention_params_per_layer(m) == 13'762'560.0);
    // norms: input + post-attention RMSNorm (2·2048) + kv_a_layernorm (512) = 4,608
    CHECK(norm_params_per_layer(m) == 4'608.0);
    CHECK(dense_ffn_params(m) == 67'239'936.0);     // 3·2048·10944
    CHECK(expert_params(m) == 8'650'752.0);         // 3·2048·1408
    CHECK(shared_expert_params(m) == 17'301'504.0); // 2 shared · 8,650,752
    CHECK(router_params(m) == 131'072.0);           // 2048·64

    const auto t = total_params(m);
    CHECK(t.attention == 371'589'120.0);         // 27 · 13,762,560
    CHECK(t.norms == 126'464.0);                 // 27 · 4,608 + 2,048
    CHECK(t.dense_ffn == 67'239'936.0);          // 1 dense layer
    CHECK(t.routed_experts == 14'394'851'328.0); // 26 · 64 · 8,650,752
    CHECK(t.shared_experts == 449'839'104.0);    // 26 · 17,301,504
    CHECK(t.router == 3'407'872.0);              // 26 · 131,072
    CHECK(t.embedding == 209'715'200.0);         // 102400 · 2048
    CHECK(t.lm_head == 209'715'200.0);
    CHECK(t.total() == 15'706'484'224.0);
    // DeepSeek-V2 report App. B: DeepSeek-V2-Lite has 15.7B total parameters.
    CHECK(rounds_to(t.total(), 15.7e9, 0.1e9));

    const auto a = active_params(m);
    CHECK(a.routed_experts == 1'349'517'312.0); // 26 · 6 · 8,650,752
    // 371,589,120 + 126,464 + 67,239,936 + 1,349,517,312 + 449,839,104 + 3,407,872
    //   + 2 · 209,715,200 = 2,661,150,208
    CHECK(a.total() == 2'661'150'208.0);
    // The report's "2.4B active" is met only without the input embedding (a lookup):
    // 2,661,150,208 − 209,715,200 = 2,451,435,008 (2.45B; with both embedding and head out,
    // 2.24B). deepseek-ai/DeepSeek-V2 issue #73 finds the same 2.6B when counting both.
    CHECK((a.total() - a.embedding) == Approx(2.4e9).epsilon(0.025));
}

TEST_CASE("DeepSeek-V3 parameters against DeepSeek's figures", "[params][mla]") {
    // config_671B.json: h 7168, 61 layers (3 dense, FFN 18432), 128 heads, q_lora 1536,
    // kv_lora 512, nope 128, rope 64, v 128; 256 routed experts of 2048, top-8, 1 shared
    // of 2048, router bias (e_score_correction_bias); vocab 129280, untied.
    const auto& m = presets::deepseek_v3;

    // q_a 7168·1536 = 11,010,048 ; q_b 1536·128·192 = 37,748,736 ;
    // kv_a 7168·576 = 4,128,768 ; kv_b 512·128·256 = 16,777,216 ; o 128·128·7168 = 117,440,512
    CHECK(attention_params_per_layer(m) == 187'105'280.0);
    // 2·7168 + q_a_layernorm 1536 + kv_a_layernorm 512 = 16,384
    CHECK(norm_params_per_layer(m) == 16'384.0);
    CHECK(router_params(m) == 1'835'264.0); // 7168·256 + 256

    const auto t = total_params(m);
    CHECK(t.attention == 11'413'422'080.0);       // 61 · 187,105,280
    CHECK(t.dense_ffn == 1'189'085'184.0);        // 3 · 3·7168·18432
    CHECK(t.routed_experts == 653'908'770'816.0); // 58 · 256 · 3·7168·2048
    CHECK(t.shared_experts == 2'554'331'136.0);   // 58 · 44,040,192
    CHECK(t.router == 106'445'312.0);             // 58 · 1,835,264
    CHECK(t.norms == 1'006'592.0);                // 61 · 16,384 + 7,168
    CHECK(t.embedding == 926'679'040.0);          // 129280 · 7168
    CHECK(t.lm_head == 926'679'040.0);
    CHECK(t.mtp == 0.0);
    CHECK(t.total() == 671'026'419'200.0);
    // DeepSeek-V3 report and README_WEIGHTS.md: 671B main-model parameters (MTP excluded).
    CHECK(rounds_to(t.total(), 671e9, 1e9));

    // Active: 8 of 256 routed experts: 58 · 8 · 44,040,192 = 20,434,649,088.
    const auto a = active_params(m);
    CHECK(a.routed_experts == 20'434'649'088.0);
    // Every parameter a token reads (embedding row and head included): 37,552,297,472,
    // which would round to 38B, not the published 37B.
    CHECK(a.total() == 37'552'297'472.0);
    // DeepSeek's "37B activated" (report, README) is given to two significant figures,
    // i.e. [36.5, 37.5)B. Without the input embedding (a table lookup, no FLOPs) the count
    // is 37,552,297,472 − 926,679,040 = 36,625,618,432 = 36.6B, inside that interval;
    // README_WEIGHTS.md's finer "36.7B" agrees with it within 0.2%.
    const double without_embedding = a.total() - a.embedding;
    CHECK(without_embedding == 36'625'618'432.0);
    CHECK(without_embedding >= 36.5e9);
    CHECK(without_embedding < 37.5e9);
    CHECK(without_embedding == Approx(36.7e9).epsilon(0.005));

    // fp8 weights, 1 byte per parameter, but the embedding and head, which the checkpoint keeps
    // in bf16: 671,026,419,200 + 2 · 926,679,040 = 672,879,777,280 B
    CHECK(weight_bytes(m).value() == 672'879'777'280.0);
}

TEST_CASE("a dense model's MTP block is a dense layer", "[params][mtp]") {
    // dense4 (fixtures.hpp) with one MTP module: a block like its last layer, dense (attention
    // 16,384 + norms 128 + FFN 2·64·256 = 32,768: 49,280), eh_proj 2·64² = 8,192, three
    // norms 3·64 = 192, embedding and head copies 2·100·64 = 12,800: 70,464.
    model_spec m = test::dense4;
    m.mtp_layers = 1;
    const auto t = total_params(m);
    CHECK(t.mtp == 70'464.0);
    CHECK(t.total() == 209'984.0 + 70'464.0);
    CHECK(active_params(m).mtp == 70'464.0);
    // one GPU holds it all, on the last (only) stage
    CHECK(weight_params_per_gpu(m, layout{}, stage_of(m, 1, 0)) == 209'984.0 + 70'464.0);
}

TEST_CASE("MXFP4 experts: bytes per element and the checkpoint's bytes", "[params][dtype]") {
    // OCP MX v1.0: FP4 (E2M1) elements, one E8M0 (8-bit) scale per block of 32: 4 + 8/32 bits.
    CHECK(bytes_of(dtype::mxfp4) == 4.25 / 8.0);
    // NVFP4: the same elements with one FP8 (E4M3) scale per block of 16: 4 + 8/16 bits.
    CHECK(bytes_of(dtype::nvfp4) == 4.5 / 8.0);
    // tiny_moe_mtp (fixtures.hpp): per layer attention 12,288 + norms 128 + router 256 +
    // experts 4·4,096 = 16,384: 29,056, two layers 58,112; embedding, head 6,400 each and the
    // final norm 64: 70,976. The MTP module: a block of 29,056, eh_proj 2·64² = 8,192, three
    // norms 192, embedding and head copies 12,800: 50,240. Total 121,216.
    model_spec m = test::tiny_moe_mtp;
    CHECK(total_params(m).total() == 121'216.0);
    CHECK(weight_bytes(m).value() == 242'432.0); // bf16
    // MXFP4 experts: three blocks (two layers and the MTP module's) of 4 experts of 4,096,
    // 49,152 at 0.53125 B = 26,112 B; the other 72,064 at 2 B = 144,128 B.
    m.precision.experts = dtype::mxfp4;
    CHECK(weight_bytes(m).value() == 170'240.0);
    // Expert biases stay at the weights' dtype: with them one expert is 4,096 matrix
    // elements + 32 + 64 biases: 4,096·0.53125 + 96·2 = 2,368 B.
    m.moe.expert_bias = true;
    CHECK(expert_bytes(m) == 2'368.0);
    // Set, the experts' dtype holds whatever the weights are; unset, it follows them.
    m.precision.weights = dtype::fp8;
    CHECK(experts_dtype(m.precision) == dtype::mxfp4);
    m.precision.experts = {};
    CHECK(experts_dtype(m.precision) == dtype::fp8);
    CHECK(expert_bytes(m) == 4'096.0 + 96.0);
}

TEST_CASE("int4 weights: AWQ's and GPTQ's groups of 128", "[params][dtype]") {
    // 4-bit integers with one fp16 scale and one 4-bit zero point per group of 128 weights:
    // 4 + (16 + 4)/128 = 4.15625 bits, 0.51953125 B.
    CHECK(bytes_of(dtype::int4) == 0.51953125);
    CHECK(weight_only(dtype::int4));
    // tiny_moe_mtp's 121,216 weights (above) all in int4: 62,975.5 B
    model_spec m = test::tiny_moe_mtp;
    m.precision.weights = dtype::int4;
    CHECK(weight_bytes(m).value() == 62'975.5);
    // as AWQ keeps them, the embedding and head (6,400 each) and the MTP module's copies of
    // both (12,800) at 2 B: 95,616 · 0.51953125 + 25,600 · 2 = 49,675.5 + 51,200
    m.precision.embeddings = dtype::fp16;
    CHECK(table_params(m) == 25'600.0);
    CHECK(weight_bytes(m).value() == 100'875.5);
    m.precision.embeddings = {};
    // the KV cache refuses it, with its bits
    m.precision.kv = dtype::int4;
    const violations v = validate(m);
    REQUIRE(v.count == 1);
    CHECK(v.items[0].what == rule::weight_format);
    CHECK(v.items[0].value == 4.15625);
    // matmuls with int4 weights run at the bf16 rate (W4A16), even where the GPU has FP4
    gpu_spec g = test::toy_cluster.gpu;
    g.peak_fp4 = make<flop_rate>(16e12);
    CHECK(peak_for(g, dtype::int4).value() == 4e12);
    CHECK(peak_for(g, dtype::nvfp4).value() == 16e12);
}

TEST_CASE("mxfp4 holds weights only: the KV cache and activations refuse it",
          "[params][dtype][violations]") {
    model_spec m = test::tiny_moe;
    m.precision.weights = dtype::mxfp4; // a whole model in MXFP4 is a weight format: fine
    CHECK(validate(m).ok());
    m.precision.kv = dtype::mxfp4;
    m.precision.activations = dtype::mxfp4;
    const violations v = validate(m);
    REQUIRE(v.count == 2);
    CHECK(v.items[0].what == rule::weight_format);
    CHECK(describe(v.items[0]) == "precision.kv is a 4-bit format for weights (4.25 bits with "
                                  "its block scales): store it in bf16, fp16, fp32, fp8 or int8");
    CHECK(std::string(v.items[1].field) == "precision.activations");
    m.precision.activations = dtype::nvfp4;
    CHECK(validate(m).items[1].value == 4.5);
    // an attention core of its own is checked apart (unset, it is the activations' above)
    m.precision = {.attention = dtype::int4};
    REQUIRE(validate(m).count == 1);
    CHECK(std::string(validate(m).items[0].field) == "precision.attention");
    // comparing the experts' choice with a dtype does not compile (unset would not equal the
    // dtype it follows); the resolved dtype is what compares
    static_assert(!std::equality_comparable_with<dtype_choice, dtype>);
}

TEST_CASE("DeepSeek-V3 with its MTP module is about 685B", "[params][mla][mtp]") {
    // README.md: "The total size of DeepSeek-V3 models on Hugging Face is 685B, which
    // includes 671B of the Main Model weights and 14B of the Multi-Token Prediction (MTP)
    // Module weights." The released MTP layer (model.layers.61) stores a transformer block
    // (MoE), enorm, hnorm, eh_proj (2h→h) and its own embed_tokens and shared_head
    // (norm + head) tensors.
    //   block: 187,105,280 + 16,384 + 1,835,264 + 256·44,040,192 + 44,040,192
    //        = 11,507,286,272   (README_WEIGHTS.md: "11.5B unique parameters")
    //   eh_proj 2·7168² = 102,760,448 ; 3 norms 3·7168 = 21,504
    //   embedding + head copies 2·926,679,040 = 1,853,358,080
    //   module = 11,507,286,272 + 102,760,448 + 21,504 + 1,853,358,080 = 13,463,426,304
    const double block =
        187'105'280.0 + 16'384.0 + 1'835'264.0 + 256.0 * 44'040'192.0 + 44'040'192.0;
    CHECK(block == 11'507'286'272.0);
    const double module = block + 102'760'448.0 + 21'504.0 + 1'853'358'080.0;
    const auto t = total_params(presets::deepseek_v3_mtp);
    CHECK(t.mtp == module);
    CHECK(t.total() == 671'026'419'200.0 + module);
    // 684,489,845,504 ≈ 685B (0.07% below; 685 − 671 = 14 is a difference of rounded figures)
    CHECK(t.total() == Approx(685e9).epsilon(0.01));
    // "11.5B unique parameters, excluding the shared 0.9B Embedding and 0.9B output Head"
    CHECK(rounds_to(module - 1'853'358'080.0, 11.6e9, 0.1e9));
    CHECK((module - 1'853'358'080.0) == Approx(11.5e9).epsilon(0.01));
}

TEST_CASE("Qwen3-30B-A3B parameters against the Qwen3 model card", "[params][gqa]") {
    // HF Qwen/Qwen3-30B-A3B config.json: h 2048, 48 layers, 32 heads, 4 KV heads, head_dim
    // 128 (32·128 = 4096 ≠ h), QK-norm per head, 128 experts of 768, top-8, vocab 151936.
    const auto& m = presets::qwen3_30b_a3b;
    // q 2048·4096 = 8,388,608 ; k, v 2048·512 = 1,048,576 each ; o 4096·2048 = 8,388,608
    CHECK(attention_params_per_layer(m) == 18'874'368.0);
    // 2·2048 + q_norm 128 + k_norm 128 = 4,352
    CHECK(norm_params_per_layer(m) == 4'352.0);
    CHECK(expert_params(m) == 4'718'592.0); // 3·2048·768

    // per layer total: 18,874,368 + 4,352 + 128·4,718,592 + 2048·128 = 623,120,640
    // 48 · 623,120,640 + 2,048 + 2·151936·2048 = 29,909,792,768 + 622,329,856
    const auto t = total_params(m);
    CHECK(t.total() == 30'532'122'624.0);
    // per layer active: 18,874,368 + 4,352 + 8·4,718,592 + 262,144 = 56,889,600
    // 48 · 56,889,600 + 2,048 + 622,329,856 = 3,353,032,704
    const auto a = active_params(m);
    CHECK(a.total() == 3'353'032'704.0);
    // Qwen3-30B-A3B model card: "30.5B in total and 3.3B activated", "Non-Embedding: 29.9B".
    // Qwen truncates to one decimal: 3,353,032,704 would round to 3.4B but truncates to
    // 3.3B (30.53 -> 30.5 and 29.91 -> 29.9 agree with either). The 3.3B counts the
    // embedding and head: without the input embedding it would be 3.04B.
    CHECK(rounds_to(t.total(), 30.5e9, 0.1e9));
    CHECK(truncates_to(t.total(), 30.5e9, 0.1e9));
    CHECK(truncates_to(a.total(), 3.3e9, 0.1e9));
    CHECK(a.total() == Approx(3.3e9).epsilon(0.02));
    CHECK(truncates_to(t.total() - t.embedding - t.lm_head, 29.9e9, 0.1e9));
}

TEST_CASE("OLMoE-1B-7B parameters against the OLMoE paper", "[params][gqa]") {
    // allenai/OLMoE-1B-7B-0924: h 2048, 16 layers, 16 heads (MHA), QK-norm over all heads
    // (q_norm and k_norm of 2048 each), 64 experts of 1024, top-8, vocab 50304, untied.
    const auto& m = presets::olmoe_1b_7b;
    CHECK(attention_params_per_layer(m) == 16'777'216.0); // 4·2048²
    CHECK(norm_params_per_layer(m) == 8'192.0);           // 2·2048 + 2048 + 2048
    CHECK(expert_params(m) == 6'291'456.0);               // 3·2048·1024
    // 16 · (16,777,216 + 8,192 + 64·6,291,456 + 131,072) + 2,048 + 2·50304·2048
    //   = 16 · 419,569,664 + 2,048 + 206,045,184 = 6,919,161,856
    CHECK(total_params(m).total() == 6'919'161'856.0);
    // 16 · (16,777,216 + 8,192 + 8·6,291,456 + 131,072) + 2,048 + 206,045,184 = 1,282,017,280
    CHECK(active_params(m).total() == 1'282'017'280.0);
    // OLMoE paper (arXiv 2409.02060), Table 1: 6.9B total, 1.3B active
    CHECK(rounds_to(total_params(m).total(), 6.9e9, 0.1e9));
    CHECK(rounds_to(active_params(m).total(), 1.3e9, 0.1e9));
}

TEST_CASE("GPT parameters match the Megatron-LM formula", "[params][megatron]") {
    // Narayanan et al. 2021 §5.1: P = 12·l·h²·(1 + 13/(12h) + (V + s)/(12·l·h)) for a GPT
    // with learned positions (s rows), LayerNorm, 4h GeLU MLP with biases, QKV/out biases,
    // tied embeddings. Per layer 12h² + 13h: attention 4h² + 4h, MLP 8h² + 5h, two
    // LayerNorms 4h. The formula leaves out the final LayerNorm (2h), so the model's count
    // is the formula plus exactly 2h.
    auto gpt = [](int h, int l, int a) { return presets::gpt(h, l, a); };
    const double V = 51200, s = 2048;
    struct row {
        int h, l, a;
        double published;
    };
    // Megatron-LM paper Table 1 rows: 1.7B and 145.6B
    for (const row r : {row{2304, 24, 24, 1.7e9}, row{12288, 80, 96, 145.6e9}}) {
        INFO("h = " << r.h << ", l = " << r.l);
        const model_spec m = gpt(r.h, r.l, r.a);
        REQUIRE(validate(m).ok());
        const double h = r.h, l = r.l;
        const double formula = 12 * l * h * h * (1 + 13 / (12 * h) + (V + s) / (12 * l * h));
        const double count = total_params(m).total();
        CHECK(count == Approx(formula).epsilon(0.01));
        CHECK(count - formula == Approx(2 * h).epsilon(1e-6));
        CHECK(count == Approx(r.published).epsilon(0.03));
    }
    // 1.7B row by hand: 12·24·2304² = 1,528,823,808 ; 13·24·2304 = 718,848 ;
    // (51200 + 2048)·2304 = 122,683,392 ; final LayerNorm 4,608 → 1,652,230,656
    CHECK(total_params(gpt(2304, 24, 24)).total() == 1'652'230'656.0);
}

TEST_CASE("presets are found by their CLI names", "[params][presets]") {
    CHECK(presets::find_model("mixtral-8x7b") == &presets::mixtral_8x7b);
    CHECK(presets::find_model("deepseek-v3-mtp") == &presets::deepseek_v3_mtp);
    CHECK(presets::find_model("no-such-model") == nullptr);
    for (const auto& p : presets::model_presets) {
        INFO(p.name);
        CHECK(validate(*p.spec).ok());
        CHECK(p.spec->name.view() == p.name);
    }
}

TEST_CASE("presets::gpt builds GPT-2 small", "[params][gpt]") {
    // GPT-2 small (HF gpt2: n_embd 768, n_layer 12, n_head 12, vocab 50,257, 1,024 positions,
    // tied): embedding 50,257·768 + 1,024·768 = 39,383,808; per layer attention 4·768² + 4·768
    // = 2,362,368, MLP 8·768² + 4·768 + 768 = 4,722,432, two LayerNorms 3,072: 7,087,872 ×
    // 12 = 85,054,464; final LayerNorm 1,536. Total 124,439,808, the published count.
    const model_spec m = presets::gpt(768, 12, 12, 50257, 1024);
    CHECK(total_params(m).total() == 124'439'808.0);
    CHECK(total_params(m).embedding == 39'383'808.0);
    CHECK(total_params(m).lm_head == 0.0); // tied
}
