#pragma once
/**
 * @file
 * Model presets, each with its dimensions from its published config.json (source named
 * beside it). CLI names in `model_presets`.
 */

#include <moecost/spec/model.hpp>

#include <array>
#include <string_view>

namespace moecost::presets {

/**
 * The seed plan's model: 16 layers, 16 experts per layer, top-2, hidden 512, expert hidden
 * 1024, bf16. The seed gives no vocabulary (modelled as absent: no embedding, no LM head)
 * and no head count: 8 heads of 64 are chosen (MHA). For MHA, heads·head_dim = hidden, so
 * every count (projections 4·h², scores and values 2·h per key each) is independent of the
 * head count. The seed counts 4·h·f FLOPs per expert, i.e. a plain two-matrix FFN.
 */
inline constexpr model_spec seed_moe{
    .name = "seed-moe",
    .layers = 16,
    .hidden = 512,
    .vocab = 0,
    .attention = {.heads = 8},
    .ffn = {.hidden = 1024, .gated = false},
    .moe = {.experts = 16, .top_k = 2, .expert_hidden = 1024},
};

/// mistralai/Mixtral-8x7B-v0.1 config.json. 46.7B total, 12.9B active (Mistral AI).
inline constexpr model_spec mixtral_8x7b{
    .name = "mixtral-8x7b",
    .layers = 32,
    .hidden = 4096,
    .vocab = 32000,
    .attention = {.heads = 32, .kv_heads = 8},
    .ffn = {.hidden = 14336},
    .moe = {.experts = 8, .top_k = 2, .expert_hidden = 14336},
};

/**
 * deepseek-ai/DeepSeek-V3 inference/configs/config_671B.json and HF config.json: MLA,
 * 3 dense layers then 256 routed experts (top-8) and 1 shared expert per layer, routed within
 * 4 of 8 expert groups (n_group, topk_group: report §2.1.2's node-limited routing, M = 4);
 * weights released in fp8 but the embedding and LM head, in bf16. 671B main model, 37B active
 * (DeepSeek-V3 report). The MTP module is the `deepseek_v3_mtp` variant.
 */
inline constexpr model_spec deepseek_v3{
    .name = "deepseek-v3",
    .layers = 61,
    .hidden = 7168,
    .vocab = 129280,
    .attention = {.kind = attention_kind::mla,
                  .heads = 128,
                  .q_lora_rank = 1536,
                  .kv_lora_rank = 512,
                  .qk_nope_head_dim = 128,
                  .qk_rope_head_dim = 64,
                  .v_head_dim = 128},
    .ffn = {.hidden = 18432},
    .moe = {.experts = 256,
            .top_k = 8,
            .expert_hidden = 2048,
            .shared_experts = 1,
            .shared_hidden = 2048,
            .router_bias = true,
            .first_dense = 3,
            .groups = 8,
            .group_top_k = 4},
    .precision = {.weights = dtype::fp8, .embeddings = dtype::bf16},
};

/// DeepSeek-V3 with its one multi-token-prediction module (num_nextn_predict_layers = 1).
inline constexpr model_spec deepseek_v3_mtp = [] {
    model_spec m = deepseek_v3;
    m.name = "deepseek-v3-mtp";
    m.mtp_layers = 1;
    return m;
}();

/**
 * deepseek-ai/DeepSeek-V2 config.json (V2 report §3.1.1): 60 layers of hidden 5120, MLA with
 * 128 heads (q_lora_rank 1536), the first layer dense and the rest 160 routed experts (top-6)
 * and 2 shared, each of 1536; device-limited routing within 3 of 8 expert groups (n_group,
 * topk_group). 236B total, 21B activated (V2 report).
 */
inline constexpr model_spec deepseek_v2{
    .name = "deepseek-v2",
    .layers = 60,
    .hidden = 5120,
    .vocab = 102400,
    .attention = {.kind = attention_kind::mla,
                  .heads = 128,
                  .q_lora_rank = 1536,
                  .kv_lora_rank = 512,
                  .qk_nope_head_dim = 128,
                  .qk_rope_head_dim = 64,
                  .v_head_dim = 128},
    .ffn = {.hidden = 12288},
    .moe = {.experts = 160,
            .top_k = 6,
            .expert_hidden = 1536,
            .shared_experts = 2,
            .shared_hidden = 1536,
            .first_dense = 1,
            .groups = 8,
            .group_top_k = 3},
};

/// deepseek-ai/DeepSeek-V2-Lite config.json (V2 report App. B): 15.7B total, 2.4B active.
inline constexpr model_spec deepseek_v2_lite{
    .name = "deepseek-v2-lite",
    .layers = 27,
    .hidden = 2048,
    .vocab = 102400,
    .attention = {.kind = attention_kind::mla,
                  .heads = 16,
                  .q_lora_rank = 0,
                  .kv_lora_rank = 512,
                  .qk_nope_head_dim = 128,
                  .qk_rope_head_dim = 64,
                  .v_head_dim = 128},
    .ffn = {.hidden = 10944},
    .moe = {.experts = 64,
            .top_k = 6,
            .expert_hidden = 1408,
            .shared_experts = 2,
            .shared_hidden = 1408,
            .first_dense = 1},
};

/// Qwen/Qwen3-30B-A3B config.json: head_dim 128 with 32 heads (≠ hidden 2048), QK-norm.
inline constexpr model_spec qwen3_30b_a3b{
    .name = "qwen3-30b-a3b",
    .layers = 48,
    .hidden = 2048,
    .vocab = 151936,
    .attention = {.heads = 32, .kv_heads = 4, .head_dim = 128, .qk_norm = qk_norm_kind::per_head},
    .ffn = {.hidden = 6144},
    .moe = {.experts = 128, .top_k = 8, .expert_hidden = 768},
};

/// Qwen/Qwen3-235B-A22B config.json: Qwen3-30B-A3B's shape at 94 layers of hidden 4096, GQA
/// with 64 query and 4 KV heads of 128, 128 experts of 1536 (top-8). 235B in total, 234B
/// without embedding and head, 22B activated (model card).
inline constexpr model_spec qwen3_235b_a22b{
    .name = "qwen3-235b-a22b",
    .layers = 94,
    .hidden = 4096,
    .vocab = 151936,
    .attention = {.heads = 64, .kv_heads = 4, .head_dim = 128, .qk_norm = qk_norm_kind::per_head},
    .ffn = {.hidden = 12288},
    .moe = {.experts = 128, .top_k = 8, .expert_hidden = 1536},
};

/**
 * zai-org/GLM-4.5-Air config.json: 46 layers, the first dense (10,944), the others 128 experts
 * of 1,408 (top-8) and one shared expert; GQA with 96 query heads of 128 (≠ hidden 4096) and 8
 * KV heads, biases on q, k and v; a gate with one score bias per expert. 106B total and 12B
 * active without embedding and head (model card); 106.85B and 13.42B with them.
 */
inline constexpr model_spec glm_4_5_air{
    .name = "glm-4.5-air",
    .layers = 46,
    .hidden = 4096,
    .vocab = 151552,
    .attention = {.heads = 96, .kv_heads = 8, .head_dim = 128, .qkv_bias = true},
    .ffn = {.hidden = 10944},
    .moe = {.experts = 128,
            .top_k = 8,
            .expert_hidden = 1408,
            .shared_experts = 1,
            .shared_hidden = 1408,
            .router_bias = true,
            .first_dense = 1},
};

/// allenai/OLMoE-1B-7B-0924 config.json: MHA with QK-norm over all heads.
inline constexpr model_spec olmoe_1b_7b{
    .name = "olmoe-1b-7b",
    .layers = 16,
    .hidden = 2048,
    .vocab = 50304,
    .attention = {.heads = 16, .qk_norm = qk_norm_kind::full},
    .ffn = {.hidden = 1024},
    .moe = {.experts = 64, .top_k = 8, .expert_hidden = 1024},
};

/**
 * openai/gpt-oss-120b config.json: 36 MoE layers of 128 experts (top-4), GQA with 64 heads
 * of 64 (≠ hidden 2880) and 8 KV heads, a 128-token window on every other layer from layer
 * 0, attention sinks, biases on attention, router and experts. The routed experts' matrices
 * are released in MXFP4 and the rest in bf16 (quantization_config). 116.8B total, 5.1B
 * active, a 60.8 GiB checkpoint (OpenAI gpt-oss model card, Table 1).
 */
inline constexpr model_spec gpt_oss_120b{
    .name = "gpt-oss-120b",
    .layers = 36,
    .hidden = 2880,
    .vocab = 201088,
    .attention = {.heads = 64,
                  .kv_heads = 8,
                  .head_dim = 64,
                  .qkv_bias = true,
                  .out_bias = true,
                  .sinks = true,
                  .sliding = {.window = 128, .every = 2, .offset = 0}},
    .ffn = {.hidden = 2880},
    .moe = {.experts = 128,
            .top_k = 4,
            .expert_hidden = 2880,
            .router_bias = true,
            .expert_bias = true},
    .precision = {.experts = dtype::mxfp4},
};

/// openai/gpt-oss-20b config.json: gpt-oss-120b's shape with 24 layers of 32 experts. 20.9B
/// total, 3.6B active, a 12.8 GiB checkpoint (OpenAI gpt-oss model card, Table 1).
inline constexpr model_spec gpt_oss_20b = [] {
    model_spec m = gpt_oss_120b;
    m.name = "gpt-oss-20b";
    m.layers = 24;
    m.moe.experts = 32;
    return m;
}();

/// meta-llama/Meta-Llama-3-8B config.json: 8.03B parameters.
inline constexpr model_spec llama_3_8b{
    .name = "llama-3-8b",
    .layers = 32,
    .hidden = 4096,
    .vocab = 128256,
    .attention = {.heads = 32, .kv_heads = 8},
    .ffn = {.hidden = 14336},
};

/// meta-llama/Meta-Llama-3-70B config.json: 70.6B parameters.
inline constexpr model_spec llama_3_70b{
    .name = "llama-3-70b",
    .layers = 80,
    .hidden = 8192,
    .vocab = 128256,
    .attention = {.heads = 64, .kv_heads = 8},
    .ffn = {.hidden = 28672},
};

/**
 * A GPT-2/GPT-3-style model as in the Megatron-LM paper (Narayanan et al. 2021) and
 * Korthikanti et al. 2022: learned position embeddings, LayerNorm, MHA, a plain GeLU MLP of
 * 4h, biases on every linear layer, embeddings tied to the LM head. The paper's models use
 * V = 51,200 and 2,048 positions; `gpt(768, 12, 12, 50257, 1024)` is GPT-2 small (124M).
 */
constexpr model_spec gpt(int hidden, int layers, int heads, int vocab = 51200,
                         int positions = 2048) {
    return {.name = "gpt",
            .layers = layers,
            .hidden = hidden,
            .vocab = vocab,
            .tied_embeddings = true,
            .learned_positions = positions,
            .norm = norm_kind::layer,
            .attention = {.heads = heads, .qkv_bias = true, .out_bias = true},
            .ffn = {.hidden = 4 * hidden, .gated = false, .bias = true}};
}

/// A named preset, for the CLI and reports.
struct named_model {
    std::string_view name;
    const model_spec* spec;
};

inline constexpr std::array model_presets{
    named_model{"seed-moe", &seed_moe},
    named_model{"mixtral-8x7b", &mixtral_8x7b},
    named_model{"deepseek-v3", &deepseek_v3},
    named_model{"deepseek-v3-mtp", &deepseek_v3_mtp},
    named_model{"deepseek-v2", &deepseek_v2},
    named_model{"deepseek-v2-lite", &deepseek_v2_lite},
    named_model{"qwen3-30b-a3b", &qwen3_30b_a3b},
    named_model{"qwen3-235b-a22b", &qwen3_235b_a22b},
    named_model{"glm-4.5-air", &glm_4_5_air},
    named_model{"olmoe-1b-7b", &olmoe_1b_7b},
    named_model{"gpt-oss-120b", &gpt_oss_120b},
    named_model{"gpt-oss-20b", &gpt_oss_20b},
    named_model{"llama-3-8b", &llama_3_8b},
    named_model{"llama-3-70b", &llama_3_70b},
};

/// The preset of that CLI name, or nullptr.
constexpr const model_spec* find_model(std::string_view name) {
    for (const auto& p : model_presets)
        if (p.name == name)
            return p.spec;
    return nullptr;
}

} // namespace moecost::presets
