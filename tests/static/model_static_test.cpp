// Compile-time facts about models, counts and units. Built twice: as static_asserts, and with
// CATCH_CONFIG_RUNTIME_STATIC_REQUIRE as run-time REQUIREs (so the same expressions are
// checked by the constant evaluator and by ordinary code). The numbers are the hand
// derivations of tests/unit/*_test.cpp, repeated briefly here.

#include <moecost/count/flops.hpp>
#include <moecost/count/memory.hpp>
#include <moecost/count/params.hpp>
#include <moecost/presets/models.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/units.hpp>

#include <catch2/catch.hpp>

#include <type_traits>

using namespace moecost;
using namespace moecost::literals;

namespace {

constexpr model_spec good{
    .name = "good",
    .layers = 2,
    .hidden = 64,
    .vocab = 100,
    .attention = {.heads = 4, .kv_heads = 2},
    .ffn = {.hidden = 128},
    .moe = {.experts = 8, .top_k = 2, .expert_hidden = 32},
};

constexpr model_spec with(model_spec m, auto change) {
    change(m);
    return m;
}

// top_k 9 of 8 experts
constexpr model_spec topk_exceeds = with(good, [](model_spec& m) { m.moe.top_k = 9; });
// 32 heads over 6 KV heads: 32 % 6 = 2
constexpr model_spec heads_not_divisible = with(good, [](model_spec& m) {
    m.hidden = 4096;
    m.attention.heads = 32;
    m.attention.kv_heads = 6;
});
constexpr model_spec no_layers = with(good, [](model_spec& m) { m.layers = 0; });
constexpr model_spec no_expert_width = with(good, [](model_spec& m) { m.moe.expert_hidden = 0; });
// 4 dense-first layers in a 2-layer model
constexpr model_spec too_many_dense = with(good, [](model_spec& m) { m.moe.first_dense = 4; });
// a dense layer (layer 0) but no dense FFN width
constexpr model_spec dense_without_ffn = with(good, [](model_spec& m) {
    m.moe.first_dense = 1;
    m.ffn.hidden = 0;
});
// every layer MoE: the dense FFN width is not needed
constexpr model_spec all_moe_without_ffn = with(good, [](model_spec& m) { m.ffn.hidden = 0; });
// hidden 100 does not split into 3 heads and no head_dim is given
constexpr model_spec hidden_not_divisible = with(good, [](model_spec& m) {
    m.hidden = 100;
    m.attention.heads = 3;
    m.attention.kv_heads = 0;
});
// ... but an explicit head_dim makes it legal (Qwen3: heads·head_dim ≠ hidden)
constexpr model_spec explicit_head_dim =
    with(hidden_not_divisible, [](model_spec& m) { m.attention.head_dim = 32; });
// MLA without a latent rank
constexpr model_spec mla_without_rank =
    with(presets::deepseek_v2_lite, [](model_spec& m) { m.attention.kv_lora_rank = 0; });
constexpr model_spec shared_without_width =
    with(good, [](model_spec& m) { m.moe.shared_experts = 1; });

struct custom_model {
    static constexpr model_spec spec = good;
};

template <class A, class B>
concept addable = requires(A a, B b) {
    a + b;
};

constexpr bool within(double x, double ref, double rel) {
    const double d = x > ref ? x - ref : ref - x;
    return d <= rel * (ref < 0 ? -ref : ref);
}

} // namespace

TEST_CASE("valid presets and specs", "[static][validate]") {
    STATIC_REQUIRE(validate(good).ok());
    STATIC_REQUIRE(validate(presets::seed_moe).ok());
    STATIC_REQUIRE(validate(presets::mixtral_8x7b).ok());
    STATIC_REQUIRE(validate(presets::deepseek_v3).ok());
    STATIC_REQUIRE(validate(presets::deepseek_v3_mtp).ok());
    STATIC_REQUIRE(validate(presets::deepseek_v2_lite).ok());
    STATIC_REQUIRE(validate(presets::qwen3_30b_a3b).ok());
    STATIC_REQUIRE(validate(presets::olmoe_1b_7b).ok());
    STATIC_REQUIRE(validate(presets::llama_3_8b).ok());
    STATIC_REQUIRE(validate(presets::llama_3_70b).ok());
    STATIC_REQUIRE(validate(all_moe_without_ffn).ok());
    STATIC_REQUIRE(validate(explicit_head_dim).ok());
    STATIC_REQUIRE(head_dim_of(explicit_head_dim) == 32);
}

TEST_CASE("invalid specs are rejected with the rule they break", "[static][validate]") {
    STATIC_REQUIRE(!validate(topk_exceeds).ok());
    STATIC_REQUIRE(validate(topk_exceeds).has(rule::at_most));
    STATIC_REQUIRE(validate(topk_exceeds).count == 1);
    STATIC_REQUIRE(validate(topk_exceeds).items[0].value == 9);
    STATIC_REQUIRE(validate(topk_exceeds).items[0].limit == 8);

    STATIC_REQUIRE(!validate(heads_not_divisible).ok());
    STATIC_REQUIRE(validate(heads_not_divisible).has(rule::divides));
    STATIC_REQUIRE(validate(heads_not_divisible).count == 1);

    STATIC_REQUIRE(validate(no_layers).has(rule::positive));
    STATIC_REQUIRE(!validate(no_expert_width).ok());
    STATIC_REQUIRE(validate(no_expert_width).has(rule::positive));
    STATIC_REQUIRE(validate(too_many_dense).has(rule::at_most));
    STATIC_REQUIRE(!validate(dense_without_ffn).ok());
    STATIC_REQUIRE(!validate(hidden_not_divisible).ok());
    STATIC_REQUIRE(validate(hidden_not_divisible).has(rule::divides));
    STATIC_REQUIRE(!validate(mla_without_rank).ok());
    STATIC_REQUIRE(!validate(shared_without_width).ok());
}

TEST_CASE("the type face of a model", "[static][concepts]") {
    STATIC_REQUIRE(ModelType<model<presets::seed_moe>>);
    STATIC_REQUIRE(ModelType<custom_model>);
    STATIC_REQUIRE(!ModelType<int>);
    STATIC_REQUIRE(!ModelType<model_spec>);
    STATIC_REQUIRE(model<presets::mixtral_8x7b>::spec == presets::mixtral_8x7b);
    STATIC_REQUIRE(model<good>::spec.moe.top_k == 2);
}

TEST_CASE("units at compile time", "[static][units]") {
    STATIC_REQUIRE((64_GiB).value() == 68'719'476'736.0); // 64 · 2^30
    STATIC_REQUIRE((400_Gbit_per_s).value() == 5e10);     // 400·10^9 / 8
    STATIC_REQUIRE((240_TFLOP_per_s).value() == 2.4e14);
    STATIC_REQUIRE(7.3728e6_FLOP / 240.0_TFLOP_per_s < 1.0_us); // 30.72 ns
    STATIC_REQUIRE(within((240_TFLOP_per_s / (7372800_FLOP / 1_tok)).value(), 3.2552083e7, 1e-7));
    STATIC_REQUIRE(within((1.44_TB_per_s / (1024_B / 1_tok)).value(), 1.40625e9, 1e-12));
    STATIC_REQUIRE(addable<flops, flops>);
    STATIC_REQUIRE(!addable<flops, bytes>);
    STATIC_REQUIRE(!addable<tokens, seconds>);
    STATIC_REQUIRE(std::is_same_v<decltype(1.0_GFLOP / 1.0_TFLOP_per_s), seconds>);
    STATIC_REQUIRE(bytes_of(dtype::fp8) == 1.0);
    STATIC_REQUIRE(bytes_of(dtype::bf16) == 2.0);
    STATIC_REQUIRE(bytes_of(dtype::fp32) == 4.0);
}

TEST_CASE("parameter counts at compile time", "[static][params]") {
    // seed: 16·4·512² + 16·16·2·512·1024 + 16·512·16 + (16·2·512 + 512)
    STATIC_REQUIRE(total_params(presets::seed_moe).total() == 285'360'640.0);
    STATIC_REQUIRE(active_params(presets::seed_moe).total() == 50'479'616.0);
    // Mixtral: 46,702,792,704 total, 12,879,925,248 active (46.7B / 12.9B, Mistral AI)
    STATIC_REQUIRE(total_params(presets::mixtral_8x7b).total() == 46'702'792'704.0);
    STATIC_REQUIRE(active_params(presets::mixtral_8x7b).total() == 12'879'925'248.0);
    // Llama-3-8B: 8,030,261,248
    STATIC_REQUIRE(total_params(presets::llama_3_8b).total() == 8'030'261'248.0);
    // DeepSeek-V2-Lite MLA attention per layer: 6,291,456 + 1,179,648 + 2,097,152 + 4,194,304
    STATIC_REQUIRE(attention_params_per_layer(presets::deepseek_v2_lite) == 13'762'560.0);
    // DeepSeek-V3: 671,026,419,200 (671B) ; active without the input embedding 36.6B
    STATIC_REQUIRE(total_params(presets::deepseek_v3).total() == 671'026'419'200.0);
    STATIC_REQUIRE(within(total_params(presets::deepseek_v3_mtp).total(), 685e9, 0.01));
    STATIC_REQUIRE(active_params(presets::deepseek_v3).total() -
                       active_params(presets::deepseek_v3).embedding ==
                   36'625'618'432.0);
}

TEST_CASE("FLOP and KV counts at compile time", "[static][flops][memory]") {
    // seed decode at context c: 16 · (2·4·h² + 2·h·E + 2·2·2·h·f) + 16 · 4·h·c
    //   = 100,925,440 + 32,768·c ; c = 1024 → 134,479,872
    STATIC_REQUIRE(decode_flops(presets::seed_moe, 1024).matmul().value() == 134'479'872.0);
    // causal prefill core: 32,768 · s(s+1)/2 ; s = 3 → 196,608
    STATIC_REQUIRE(prefill_flops(presets::seed_moe, 3).attention_core.value() == 196'608.0);
    STATIC_REQUIRE(prefill_flops(presets::seed_moe, 3, {.causal = false}).attention_core.value() ==
                   294'912.0); // 32,768 · 9
    // KV: DeepSeek-V3 (512+64)·61·2 = 70,272 ; Llama-3-8B 2·8·128·32·2 = 131,072
    STATIC_REQUIRE(kv_bytes_per_token(presets::deepseek_v3).value() == 70'272.0);
    STATIC_REQUIRE(kv_bytes_per_token(presets::llama_3_8b).value() == 131'072.0);
    // Korthikanti no-parallelism GPT layer, h 12288, a 96, s 2048, b 1: sbh·(34 + 80)
    constexpr model_spec gpt{.name = "gpt",
                             .layers = 1,
                             .hidden = 12288,
                             .norm = norm_kind::layer,
                             .attention = {.heads = 96},
                             .ffn = {.hidden = 4 * 12288, .gated = false}};
    STATIC_REQUIRE(training_activation_bytes_layer(gpt, 0, 2048, 1).value() == 2'868'903'936.0);
    STATIC_REQUIRE(
        training_activation_bytes_layer(gpt, 0, 2048, 1, {.rc = recompute::full}).value() ==
        50'331'648.0);
}
