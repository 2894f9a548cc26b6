#pragma once
// Published figures moecost is validated against, with their sources, and the deployments that
// reproduce each published setting. Shared by tests/validation/*.cpp (which check them with
// stated tolerances) and examples/validation_report.cpp (which prints them as the table of
// docs/validation.md), so that the two cannot drift apart.
//
// Nothing here is a moecost formula: each figure is copied from its source (named beside it)
// and each setting is the published one, or an assumption named as such.

#include <moecost.hpp>
#include <moecost/evaluate/training.hpp>

#include <array>
#include <string_view>

namespace moecost::validation {

// =============================================================================================
// 1. Parameter counts of the model presets against their model cards
// =============================================================================================

/// What a vendor's "active parameters" counts.
enum class convention : unsigned char {
    everything,             ///< input embedding and LM head included (Mistral, Qwen, OLMoE)
    no_input_embedding,     ///< the input embedding (a lookup) left out, the head kept (DeepSeek,
                            ///< OpenAI)
    no_embedding_no_head,   ///< neither embedding nor head ("non-embedding" counts)
    checkpoint_with_scales, ///< every tensor of the released checkpoint, fp8 block scales included
    mtp_unique, ///< the MTP module without its embedding/head copies, and without eh_proj
    mtp_active_no_embedding, ///< one token through the MTP module, head included, no input
                             ///< embedding, no eh_proj
};

/// How the vendor shortened its count.
enum class precision : unsigned char { rounded, truncated };

/// One published parameter count.
struct published_count {
    std::string_view preset; ///< presets::model_presets name
    bool active;             ///< active (per token) or total
    double value;            ///< as published, in parameters
    double step;             ///< the published precision: "46.7B" is 0.1e9
    precision how;
    convention conv;
    std::string_view text; ///< the published wording
    std::string_view source;
};

/// True when x, rounded (or truncated) at the published step, gives the published value.
constexpr bool reproduces(double x, double value, double step, precision how) {
    // a relative guard of 1e-12 keeps e.g. 46.7e9 - 0.05e9 from failing on its last bit
    const double eps = 1e-12 * value;
    if (how == precision::truncated)
        return x >= value - eps && x < value + step - eps;
    return x >= value - step / 2 - eps && x < value + step / 2 - eps;
}

// clang-format off
inline constexpr std::array published_counts{
    // Mistral AI, "Mixtral of experts" (2023-12-11), as quoted in the model description
    // Azure/azureml-assets:assets/models/system/mistralai-Mixtral-8x7B-Instruct-v01/description.md:
    // "46.7B total parameters but only uses 12.9B parameters per token". Embedding and head count.
    published_count{"mixtral-8x7b", false, 46.7e9, 0.1e9, precision::rounded, convention::everything,
                    "46.7B total", "Mistral AI, Mixtral of experts (2023-12-11)"},
    published_count{"mixtral-8x7b", true, 12.9e9, 0.1e9, precision::rounded, convention::everything,
                    "12.9B per token", "Mistral AI, Mixtral of experts (2023-12-11)"},
    // deepseek-ai/DeepSeek-V3:README.md: "671B total parameters with 37B activated";
    // README_WEIGHTS.md (current): "Activation parameters: 36.6B (including 0.9B for the output
    // Head)", i.e. without the input embedding.
    published_count{"deepseek-v3", false, 671e9, 1e9, precision::rounded, convention::everything,
                    "671B total", "deepseek-ai/DeepSeek-V3:README.md"},
    published_count{"deepseek-v3", true, 37e9, 1e9, precision::rounded, convention::no_input_embedding,
                    "37B activated", "deepseek-ai/DeepSeek-V3:README.md"},
    published_count{"deepseek-v3", true, 36.6e9, 0.1e9, precision::rounded, convention::no_input_embedding,
                    "36.6B, including 0.9B for the output Head", "deepseek-ai/DeepSeek-V3:README_WEIGHTS.md"},
    // README.md: "The total size of DeepSeek-V3 models on Hugging Face is 685B, which includes 671B
    // of the Main Model weights and 14B of the Multi-Token Prediction (MTP) Module weights." The
    // 685B counts the checkpoint's tensors, whose fp32 block scales (one per 128x128 block of each
    // fp8 matrix) are not parameters to moecost; they are added here (fp8_block_scales below).
    published_count{"deepseek-v3-mtp", false, 685e9, 1e9, precision::rounded, convention::checkpoint_with_scales,
                    "685B on Hugging Face (671B + 14B MTP)", "deepseek-ai/DeepSeek-V3:README.md"},
    // README_WEIGHTS.md: the MTP module has "11.5B unique parameters, excluding the shared 0.9B
    // Embedding and 0.9B output Head"; current version: "Activation parameters: 1.5B (including
    // 0.9B for the output Head)". Both are met only without the module's eh_proj (2·h² = 0.10B),
    // which the report's §2.2 includes (M_k) and the checkpoint holds: with it, 11.61B and 1.61B
    // (model_cards_test.cpp pins both).
    published_count{"deepseek-v3-mtp", false, 11.5e9, 0.1e9, precision::rounded, convention::mtp_unique,
                    "MTP: 11.5B unique", "deepseek-ai/DeepSeek-V3:README_WEIGHTS.md"},
    published_count{"deepseek-v3-mtp", true, 1.5e9, 0.1e9, precision::rounded, convention::mtp_active_no_embedding,
                    "MTP: 1.5B activated, including 0.9B for the output Head", "deepseek-ai/DeepSeek-V3:README_WEIGHTS.md"},
    // DeepSeek-V2 report (arXiv 2405.04434), abstract: "236B total parameters, of which 21B are
    // activated for each token"; rounded and without the input embedding, as V3's 37B (20.85B;
    // with it 21.38B, which rounds the same).
    published_count{"deepseek-v2", false, 236e9, 1e9, precision::rounded, convention::everything,
                    "236B total", "DeepSeek-V2 report, abstract"},
    published_count{"deepseek-v2", true, 21e9, 1e9, precision::rounded, convention::no_input_embedding,
                    "21B activated", "DeepSeek-V2 report, abstract"},
    // DeepSeek-V2 report (arXiv 2405.04434) App. B: DeepSeek-V2-Lite "15.7B total parameters, of
    // which 2.4B are activated for each token". The 2.4B leaves out the input embedding and is
    // truncated (2.45B).
    published_count{"deepseek-v2-lite", false, 15.7e9, 0.1e9, precision::rounded, convention::everything,
                    "15.7B total", "DeepSeek-V2 report, App. B"},
    published_count{"deepseek-v2-lite", true, 2.4e9, 0.1e9, precision::truncated, convention::no_input_embedding,
                    "2.4B activated", "DeepSeek-V2 report, App. B"},
    // Qwen/Qwen3-30B-A3B model card: "Number of Parameters: 30.5B in total and 3.3B activated";
    // "Number of Parameters (Non-Embedding): 29.9B". The 3.3B counts embedding and head, truncated.
    // (30.5B and 3.3B were re-read in secondary copies of the card; 29.9B as recorded.)
    published_count{"qwen3-30b-a3b", false, 30.5e9, 0.1e9, precision::rounded, convention::everything,
                    "30.5B in total", "Qwen/Qwen3-30B-A3B model card"},
    published_count{"qwen3-30b-a3b", false, 29.9e9, 0.1e9, precision::rounded, convention::no_embedding_no_head,
                    "29.9B non-embedding", "Qwen/Qwen3-30B-A3B model card"},
    published_count{"qwen3-30b-a3b", true, 3.3e9, 0.1e9, precision::truncated, convention::everything,
                    "3.3B activated", "Qwen/Qwen3-30B-A3B model card"},
    // Qwen/Qwen3-235B-A22B model card: "Number of Parameters: 235B in total and 22B activated";
    // "Number of Paramaters (Non-Embedding): 234B" (read in a copy of the card). Its 30B
    // sibling's conventions: the activated count has embedding and head.
    published_count{"qwen3-235b-a22b", false, 235e9, 1e9, precision::rounded, convention::everything,
                    "235B in total", "Qwen/Qwen3-235B-A22B model card"},
    published_count{"qwen3-235b-a22b", false, 234e9, 1e9, precision::rounded, convention::no_embedding_no_head,
                    "234B non-embedding", "Qwen/Qwen3-235B-A22B model card"},
    published_count{"qwen3-235b-a22b", true, 22e9, 1e9, precision::rounded, convention::everything,
                    "22B activated", "Qwen/Qwen3-235B-A22B model card"},
    // zai-org/GLM-4.5 README (and transformers' Glm4Moe model page): "GLM-4.5-Air adopts a more
    // compact design with 106 billion total parameters and 12 billion active parameters". Both
    // are met without the input embedding and the LM head (105.61B, 12.18B); with both the
    // counts are 106.85B and 13.42B, which round to neither, and without the embedding alone
    // 106.23B and 12.80B, whose active count misses. The MTP layer is not counted. (GLM-4.5's
    // own 355B needs its MTP layer: 351.25B without it, 355.23B with it; no preset.)
    published_count{"glm-4.5-air", false, 106e9, 1e9, precision::rounded, convention::no_embedding_no_head,
                    "106 billion total", "zai-org/GLM-4.5 README"},
    published_count{"glm-4.5-air", true, 12e9, 1e9, precision::rounded, convention::no_embedding_no_head,
                    "12 billion active", "zai-org/GLM-4.5 README"},
    // OLMoE paper (Muennighoff et al. 2024, arXiv 2409.02060) and model card: 6.9B total, 1.3B
    // active per token (embedding and head included); the abstract rounds them to "7B" and "1B".
    published_count{"olmoe-1b-7b", false, 6.9e9, 0.1e9, precision::rounded, convention::everything,
                    "6.9B total", "OLMoE paper (arXiv 2409.02060)"},
    published_count{"olmoe-1b-7b", true, 1.3e9, 0.1e9, precision::rounded, convention::everything,
                    "1.3B active", "OLMoE paper (arXiv 2409.02060)"},
    // Hugging Face model pages of meta-llama/Meta-Llama-3-8B and -70B (safetensors parameter
    // counts): 8.03B and 70.6B; Meta's own card names them 8B and 70B. Dense: active = total.
    // (As recorded; the pages themselves were not among the stored sources re-read.)
    published_count{"llama-3-8b", false, 8.03e9, 0.01e9, precision::rounded, convention::everything,
                    "8.03B params", "meta-llama/Meta-Llama-3-8B (Hugging Face)"},
    published_count{"llama-3-70b", false, 70.6e9, 0.1e9, precision::rounded, convention::everything,
                    "70.6B params", "meta-llama/Meta-Llama-3-70B (Hugging Face)"},
    // OpenAI gpt-oss model card (2025-08-05): gpt-oss-120b 116.8B total, 5.1B active; gpt-oss-20b
    // 20.9B total, 3.6B active. Active counts leave out the input embedding, keep the unembedding.
    published_count{"gpt-oss-120b", false, 116.8e9, 0.1e9, precision::rounded, convention::everything,
                    "116.8B total", "OpenAI gpt-oss model card"},
    published_count{"gpt-oss-120b", true, 5.1e9, 0.1e9, precision::rounded, convention::no_input_embedding,
                    "5.1B active", "OpenAI gpt-oss model card"},
    published_count{"gpt-oss-20b", false, 20.9e9, 0.1e9, precision::rounded, convention::everything,
                    "20.9B total", "OpenAI gpt-oss model card"},
    published_count{"gpt-oss-20b", true, 3.6e9, 0.1e9, precision::rounded, convention::no_input_embedding,
                    "3.6B active", "OpenAI gpt-oss model card"},
};
// clang-format on

/// One published checkpoint size: every weight at its stored dtype.
struct published_size {
    std::string_view preset;
    double gib;  ///< as published, in GiB (2^30 bytes)
    double step; ///< the published precision, rounded: "60.8 GiB" is 0.1
    std::string_view text;
    std::string_view source;
};

// OpenAI gpt-oss model card (2025-08-05), Table 1, "Checkpoint Size": the routed experts'
// matrices in MXFP4 (4.25 bits each), everything else in bf16.
inline constexpr std::array published_sizes{
    published_size{"gpt-oss-120b", 60.8, 0.1, "60.8 GiB", "OpenAI gpt-oss model card, Table 1"},
    published_size{"gpt-oss-20b", 12.8, 0.1, "12.8 GiB", "OpenAI gpt-oss model card, Table 1"},
};

/// Presets with no published model card (synthetic models), and why.
inline constexpr std::array<std::string_view, 1> unpublished_presets{"seed-moe"};

/**
 * fp32 scale tensors of DeepSeek-V3's fp8 checkpoint: one per 128×128 block of every fp8
 * matrix (the linear layers of attention, dense FFN, shared and routed experts, and the MTP
 * module's eh_proj; embedding, head, router and norms are bf16/fp32 and have none). A
 * checkpoint tensor count includes them; moecost's parameter count does not.
 */
constexpr double fp8_block_scales(const model_spec& m) {
    auto blocks = [](double out, double in) {
        auto up = [](double x) {
            return static_cast<double>(static_cast<long long>((x + 127.0) / 128.0));
        };
        return up(out) * up(in);
    };
    const auto& a = m.attention;
    const double h = m.hidden, H = a.heads, qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    double attn = blocks(a.kv_lora_rank + a.qk_rope_head_dim, h) +                  // kv_a
                  blocks(H * (a.qk_nope_head_dim + a.v_head_dim), a.kv_lora_rank) + // kv_b
                  blocks(h, H * a.v_head_dim);                                      // o
    attn += a.q_lora_rank > 0 ? blocks(a.q_lora_rank, h) + blocks(H * qk, a.q_lora_rank)
                              : blocks(H * qk, h);
    const double ffn = 2 * blocks(m.ffn.hidden, h) + blocks(h, m.ffn.hidden);
    const double expert = 2 * blocks(m.moe.expert_hidden, h) + blocks(h, m.moe.expert_hidden);
    const double shared = m.moe.shared_experts *
                          (2 * blocks(m.moe.shared_hidden, h) + blocks(h, m.moe.shared_hidden));
    const double Lm = moe_layers(m), Ld = dense_layers(m);
    double s = m.layers * attn + Ld * ffn + Lm * (m.moe.experts * expert + shared);
    if (m.mtp_layers > 0)
        s += m.mtp_layers * (attn + m.moe.experts * expert + shared + blocks(h, 2 * h));
    return s;
}

/// moecost's count of a published figure, in the vendor's convention.
constexpr double count_as(const model_spec& m, const published_count& p) {
    const param_breakdown b = p.active ? active_params(m) : total_params(m);
    const double h = m.hidden, V = m.vocab;
    switch (p.conv) {
    case convention::everything:
        return b.total();
    case convention::no_input_embedding:
        return b.total() - b.embedding;
    case convention::no_embedding_no_head:
        return b.total() - b.embedding - b.lm_head;
    case convention::checkpoint_with_scales:
        return b.total() + fp8_block_scales(m);
    case convention::mtp_unique:
        return b.mtp - m.mtp_layers * (2.0 * V * h + 2.0 * h * h);
    case convention::mtp_active_no_embedding:
        return b.mtp - m.mtp_layers * (V * h + 2.0 * h * h);
    }
    return 0;
}

constexpr const char* describe(convention c) {
    switch (c) {
    case convention::everything:
        return "all parameters";
    case convention::no_input_embedding:
        return "without the input embedding";
    case convention::no_embedding_no_head:
        return "without embedding and head";
    case convention::checkpoint_with_scales:
        return "checkpoint tensors, fp8 block scales included";
    case convention::mtp_unique:
        return "MTP module, no embedding/head copies, no eh_proj";
    case convention::mtp_active_no_embedding:
        return "MTP module per token, with head, no embedding, no eh_proj";
    }
    return "?";
}

constexpr const model_spec* find_preset(std::string_view name) {
    return presets::find_model(name);
}

// =============================================================================================
// 2. Megatron-LM (Narayanan et al., SC'21, arXiv 2104.04473), Table 1
// =============================================================================================
//
// Table 1: GPT models on A100 80GB (Selene), s = 2048, V = 51,200, full activation
// recomputation, interleaved schedule with the scatter/gather optimisation. Micro-batch sizes and
// interleaving are from the paper's own launch script, NVIDIA/Megatron-LM:examples/sc21/
// run_table_1.sh (MBS; --recompute-method uniform; --num-layers-per-virtual-pipeline-stage n,
// i.e. v = layers / (pp · n) model chunks per GPU).

struct megatron_row {
    double params_b; ///< "Number of parameters (billion)"
    int heads, hidden, layers, tp, pp, gpus, batch;
    double tflops_per_gpu; ///< "Achieved teraFLOP/s per GPU" (computed by the paper with Eq. 3)
    int micro_batch;       ///< run_table_1.sh MBS
    int virtual_stages;    ///< layers / (pp · num-layers-per-virtual-pipeline-stage), 1 if not set
};

// clang-format off
inline constexpr std::array<megatron_row, 10> megatron_table1{{
    {1.7,    24,  2304,  24, 1,  1,   32,  512, 137, 16, 1},
    {3.6,    32,  3072,  30, 2,  1,   64,  512, 138, 16, 1},
    {7.5,    32,  4096,  36, 4,  1,  128,  512, 142, 16, 1},
    {18.4,   48,  6144,  40, 8,  1,  256, 1024, 135,  8, 1},
    {39.1,   64,  8192,  48, 8,  2,  512, 1536, 138,  4, 1},
    {76.1,   80, 10240,  60, 8,  4, 1024, 1792, 140,  2, 3}, // 60 / (4 · 5)
    {145.6,  96, 12288,  80, 8,  8, 1536, 2304, 148,  2, 2}, // 80 / (8 · 5)
    {310.1, 128, 16384,  96, 8, 16, 1920, 2160, 155,  1, 2}, // 96 / (16 · 3)
    {529.6, 128, 20480, 105, 8, 35, 2520, 2520, 163,  1, 3}, // 105 / (35 · 1)
    {1008.0,160, 25600, 128, 8, 64, 3072, 3072, 163,  1, 1},
}};
// clang-format on

inline constexpr double megatron_vocab = 51200, megatron_seq = 2048;

/// The paper's GPT: learned positions, LayerNorm, plain GeLU MLP of 4h with biases, QKV and
/// output biases, tied embeddings, V = 51,200, 2048 positions.
constexpr model_spec megatron_gpt(int hidden, int layers, int heads) {
    model_spec m = presets::gpt(hidden, layers, heads, static_cast<int>(megatron_vocab),
                                static_cast<int>(megatron_seq));
    m.name = "megatron-gpt";
    return m;
}
constexpr model_spec megatron_gpt(const megatron_row& r) {
    return megatron_gpt(r.hidden, r.layers, r.heads);
}

/// Eq. (2): P = 12·l·h²·(1 + 13/(12h) + (V + s)/(12·l·h)).
constexpr double megatron_eq2_params(const megatron_row& r) {
    const double l = r.layers, h = r.hidden, V = megatron_vocab, s = megatron_seq;
    return 12 * l * h * h * (1 + 13 / (12 * h) + (V + s) / (12 * l * h));
}
/// Eq. (3): F = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) FLOPs per iteration (full recompute).
constexpr double megatron_eq3_flops(const megatron_row& r) {
    const double l = r.layers, h = r.hidden, V = megatron_vocab, s = megatron_seq, B = r.batch;
    return 96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
}
constexpr layout megatron_layout(const megatron_row& r) {
    return {.tp = r.tp, .dp = r.gpus / (r.tp * r.pp), .pp = r.pp};
}
constexpr training_workload megatron_workload(const megatron_row& r) {
    return {.global_batch = r.batch,
            .micro_batch = r.micro_batch,
            .seq = static_cast<int>(megatron_seq),
            .rc = recompute::full,
            .virtual_stages = r.virtual_stages,
            .flash_attention = false,
            .dropout = true};
}
/// moecost's ideal bound on the paper's metric: F (Eq. 3) over the ideal step time and GPUs.
constexpr double megatron_bound_tflops(const megatron_row& r) {
    const training_report t =
        evaluate_training(megatron_gpt(r), presets::a100_sxm_80gb, megatron_layout(r),
                          megatron_workload(r), {.ideal = true});
    return megatron_eq3_flops(r) / (t.step_time.value() * r.gpus) / 1e12;
}

// =============================================================================================
// 3. Korthikanti et al. 2022 (arXiv 2205.05198): activation memory and iteration times
// =============================================================================================
//
// Table 3 (model configurations; s = 2048, V = 51,200, A100 80GB, no data parallelism; the
// interleaved schedule with m = 3 for the 175B and 530B models, §6) and Table 5 (end-to-end
// iteration time, full recompute vs. sequence parallelism + selective recompute ("present work")).

struct korthikanti_row {
    std::string_view name;
    int heads, hidden, layers, tp, pp, gpus, batch, micro_batch, virtual_stages;
    double full_recompute_s; ///< Table 5 iteration time, full recompute
    double present_work_s;   ///< Table 5 iteration time, SP + selective recompute
    double mfu, hfu;         ///< Table 5, present work
};

// clang-format off
inline constexpr std::array<korthikanti_row, 4> korthikanti_table3{{
    {"22B",           64,  6144,  48, 8,  1,   8,   4, 4, 1,  1.42,  1.10, 0.415, 0.437},
    {"175B (GPT-3)",  96, 12288,  96, 8,  8,  64,  64, 1, 3, 18.13, 13.75, 0.514, 0.528},
    {"530B (MT-NLG)",128, 20480, 105, 8, 35, 280, 280, 1, 3, 49.05, 37.83, 0.560, 0.570},
    {"1T",           160, 25600, 128, 8, 64, 512, 512, 1, 1, 94.42, 71.49, 0.563, 0.570},
}};
// clang-format on

/// The paper's Table 2 rows, in bytes per layer: s, b, h, a, t.
struct korthikanti_formulas {
    double s, b, h, a, t;
    [[nodiscard]] constexpr double none() const {
        return s * b * h * (34 + 5 * a * s / h);
    } // Eq. 1
    [[nodiscard]] constexpr double tp() const {
        return s * b * h * (10 + 24 / t + 5 * a * s / (h * t));
    } // Eq. 2
    [[nodiscard]] constexpr double tp_sp() const {
        return s * b * h / t * (34 + 5 * a * s / h);
    } // Eq. 4
    [[nodiscard]] constexpr double tp_selective() const { return s * b * h * (10 + 24 / t); }
    [[nodiscard]] constexpr double tp_sp_selective() const { return s * b * h * 34 / t; }
    [[nodiscard]] constexpr double full() const { return 2 * s * b * h; }
};

constexpr training_workload korthikanti_workload(const korthikanti_row& r, bool present_work) {
    return {.global_batch = r.batch,
            .micro_batch = r.micro_batch,
            .seq = static_cast<int>(megatron_seq),
            .rc = present_work ? recompute::selective : recompute::full,
            .sequence_parallel = present_work,
            .virtual_stages = r.virtual_stages,
            .flash_attention = false,
            .dropout = true};
}
constexpr layout korthikanti_layout(const korthikanti_row& r) {
    return {.tp = r.tp, .dp = r.gpus / (r.tp * r.pp), .pp = r.pp};
}
constexpr training_report korthikanti_ideal(const korthikanti_row& r, bool present_work) {
    return evaluate_training(megatron_gpt(r.hidden, r.layers, r.heads), presets::a100_sxm_80gb,
                             korthikanti_layout(r), korthikanti_workload(r, present_work),
                             {.ideal = true});
}

// =============================================================================================
// 4. Inference: DeepSeek-V3 serving on H800, SGLang on H100 and GB200 NVL72
// =============================================================================================

/**
 * DeepSeek-V3 as SGLang's low-precision GB200 path serves it: routed experts in NVFP4 (NVIDIA's
 * DeepSeek-R1 FP4 checkpoint), FP8 attention (an fp8 KV cache and core). Its NVFP4 output
 * projection and NVFP4 dispatch ("halving the required network traffic") stay at fp8 here:
 * slower than served, so the bound is, if anything, too low.
 */
inline constexpr model_spec deepseek_v3_nvfp4_fp8_attention = [] {
    model_spec m = presets::deepseek_v3;
    m.precision.experts = dtype::nvfp4;
    m.precision.kv = dtype::fp8;
    m.precision.attention = dtype::fp8;
    return m;
}();

/// A published serving throughput and the deployment that reproduces it.
struct serving_case {
    std::string_view what;
    std::string_view source;
    double published; ///< tokens/s per `published_gpus` GPUs, as published (prefill: every
                      ///< input token, cache hits too)
    bool decode;
    const cluster_spec* cluster;
    layout l;
    workload w;
    eval_options o;
    int published_gpus = 8; ///< 8: a figure per H800 or H100 node; 1: per GPU
    const model_spec* model = &presets::deepseek_v3;
};

// DeepSeek-V3/R1 inference system overview, deepseek-ai/open-infra-index:
// 202502OpenSourceWeek/day_6_one_more_thing_deepseekV3R1_inference_system_overview.md:
// - prefill "Routed Expert EP32, MLA/Shared Expert DP32 ... 4 nodes with 32 redundant routed
//   experts"; "~73.7k tokens/s input (including cache hits)" per H800 node; "342B tokens (56.3%)
//   hit the on-disk KV cache";
// - decode "Routed Expert EP144, MLA/Shared Expert DP144 ... 18 nodes with 32 redundant routed
//   experts"; "~14.8k tokens/s output" per node; "average kvcache length per output token was
//   4,989 tokens";
// - "matrix multiplications and dispatch transmissions adopt the FP8 format ..., while core MLA
//   computations and combine transmissions use the BF16 format".
// Batch sizes are not published by DeepSeek. Prefill: 16,384 tokens per GPU in 4,096-token
// prompts (the setting of DeepSeek's profile data, per the LMSYS blog's table): 4 sequences per
// GPU, enough to be compute-bound. Decode: 128 sequences per GPU (the LMSYS blog's reading of
// DeepSeek's setting, "Batch Size 128").
//
// SGLang, lm-sys/lm-sys.github.io:blog/2025-05-05-large-scale-ep.md ("Deploying DeepSeek with PD
// Disaggregation and Large-scale Expert Parallelism on 96 H100 GPUs"):
// - prefill "On 4 nodes (4×8×H100, EP32), ... 57,674, 54,543, and 50,302 tokens per second for
//   prompt lengths of 1K, 2K, and 4K"; profile setting "16,384 tokens per device"; EPLB with 32
//   redundant experts (288); DP attention; DeepEP (fp8 dispatch) and DeepGEMM (fp8);
// - decode "9 nodes (9×8×H100, EP72 ...) 22,282 tokens/sec per node for 2K inputs", table:
//   "Batch Size 256" (per device), "KV Cache Length 2,000";
// - "DeepSeek Profile" prefill (table): 62,713 tokens/s per node at 16,384 tokens per device and
//   input length 4,096 (H800, EP32 as in DeepSeek's prefill).
//
// SGLang on GB200 NVL72 (figures per GPU, DeepSeek-V3/R1, 2,000-token inputs; the setup
// "mirrors that of our previous blog post", the H100 one above):
// - lm-sys/lm-sys.github.io:blog/2025-06-16-gb200-part-1.md: "7,583 tokens per second per GPU
//   for decoding", "12 nodes for decode" (4-GPU trays: 48 GPUs), no MTP; batch not published:
//   256 sequences per GPU as on H100 (the bound grows with the batch, so a larger real batch
//   only loosens it);
// - blog/2025-09-25-gb200-part-2.md: "traditional BF16 attention and FP8 MoE ... 18,471 input
//   and 9,087 output tokens per second" per GPU, "for decode, we use 48 ranks"; "the batch size
//   is chosen to make KV cache roughly full": 900 sequences per GPU, near the 943 moecost fits
//   in 0.9 × 186 GB with a bf16 cache (the bound, memory-bound there, moves by 1 token/s between
//   the two). Its prefill runs on "4 ranks per instance" with the weights
//   offloaded to host memory, which moecost does not model: not a case here. With FP8 attention
//   and NVFP4 MoE and output projection, "26,156 input and 13,386 output tokens per second" per
//   GPU; "1408 for 2k ISL" sequences per GPU fill its fp8 KV cache. The decode figure is a case,
//   with NVFP4 experts and FP8 attention (deepseek_v3_nvfp4_fp8_attention).
// 32 redundant experts on 48 ranks as on H100 (288 slots, 6 per GPU; not published for GB200).
//
// Prefill micro-batches: 1 (the whole batch is one forward pass per GPU; no pipeline).
// Decode deployments are prefill/decode disaggregated: their prefill runs elsewhere. moecost's
// memory check still sizes one prefill micro-batch's activations, which for 256 sequences × 2,000
// tokens per GPU would be ~130 GB; prefill_micro_batches = batch / dp makes that one sequence at
// a time, so the memory check reflects what a decode node holds (weights and KV cache).

inline constexpr double deepseek_cache_hit = 0.563;

// clang-format off
inline constexpr std::array serving_cases{
    serving_case{"DeepSeek-V3 prefill, H800, EP32/DP32 (4 nodes), 4 x 4096 tokens per GPU, 56.3% cached",
                 "DeepSeek open-infra-index day 6", 73.7e3, false, &presets::h800,
                 {.dp = 32, .ep = 32, .redundant_experts = 32},
                 {.batch = 32 * 4, .prompt = 4096, .prefill_micro_batches = 1,
                  .prefix_cache_hit = deepseek_cache_hit},
                 {.ideal = true, .dispatch_fp8 = true}},
    serving_case{"DeepSeek-V3 decode, H800, EP144/DP144 (18 nodes), 128 seqs/GPU, KV 4989",
                 "DeepSeek open-infra-index day 6", 14.8e3, true, &presets::h800,
                 {.dp = 144, .ep = 144, .redundant_experts = 32},
                 {.batch = 144 * 128, .prompt = 4989, .context = 4989, .prefill_micro_batches = 144 * 128 / 144},
                 {.ideal = true, .dispatch_fp8 = true}},
    serving_case{"DeepSeek-V3 prefill (profile), H800, EP32, 4 x 4096 tokens per GPU",
                 "LMSYS blog 2025-05-05 (DeepSeek Profile)", 62713, false, &presets::h800,
                 {.dp = 32, .ep = 32, .redundant_experts = 32},
                 {.batch = 32 * 4, .prompt = 4096, .prefill_micro_batches = 1},
                 {.ideal = true, .dispatch_fp8 = true}},
    serving_case{"SGLang prefill, H100, EP32 (4 nodes), 16 x 1024 tokens per GPU",
                 "LMSYS blog 2025-05-05", 57674, false, &presets::h100_sxm,
                 {.dp = 32, .ep = 32, .redundant_experts = 32},
                 {.batch = 32 * 16, .prompt = 1024, .prefill_micro_batches = 1},
                 {.ideal = true, .dispatch_fp8 = true}},
    serving_case{"SGLang prefill, H100, EP32 (4 nodes), 8 x 2048 tokens per GPU",
                 "LMSYS blog 2025-05-05", 54543, false, &presets::h100_sxm,
                 {.dp = 32, .ep = 32, .redundant_experts = 32},
                 {.batch = 32 * 8, .prompt = 2048, .prefill_micro_batches = 1},
                 {.ideal = true, .dispatch_fp8 = true}},
    serving_case{"SGLang prefill, H100, EP32 (4 nodes), 4 x 4096 tokens per GPU",
                 "LMSYS blog 2025-05-05", 50302, false, &presets::h100_sxm,
                 {.dp = 32, .ep = 32, .redundant_experts = 32},
                 {.batch = 32 * 4, .prompt = 4096, .prefill_micro_batches = 1},
                 {.ideal = true, .dispatch_fp8 = true}},
    serving_case{"SGLang decode, H100, EP72/DP72 (9 nodes), 256 seqs/GPU, KV 2000",
                 "LMSYS blog 2025-05-05", 22282, true, &presets::h100_sxm,
                 {.dp = 72, .ep = 72, .redundant_experts = 32},
                 {.batch = 72 * 256, .prompt = 2000, .context = 2000, .prefill_micro_batches = 72 * 256 / 72},
                 {.ideal = true, .dispatch_fp8 = true}},
    serving_case{"SGLang decode, GB200 NVL72, EP48/DP48 (12 trays), 256 seqs/GPU, KV 2000",
                 "LMSYS blog 2025-06-16 (GB200 part I)", 7583, true, &presets::gb200_nvl72,
                 {.dp = 48, .ep = 48, .redundant_experts = 32},
                 {.batch = 48 * 256, .prompt = 2000, .context = 2000, .prefill_micro_batches = 48 * 256 / 48},
                 {.ideal = true, .dispatch_fp8 = true}, 1},
    serving_case{"SGLang decode, GB200 NVL72, EP48/DP48 (12 trays), 900 seqs/GPU, KV 2000",
                 "LMSYS blog 2025-09-25 (GB200 part II, BF16 attention, FP8 MoE)", 9087, true, &presets::gb200_nvl72,
                 {.dp = 48, .ep = 48, .redundant_experts = 32},
                 {.batch = 48 * 900, .prompt = 2000, .context = 2000, .prefill_micro_batches = 48 * 900 / 48},
                 {.ideal = true, .dispatch_fp8 = true}, 1},
    serving_case{"SGLang decode, GB200 NVL72, EP48/DP48, NVFP4 experts, FP8 attention, 1408 seqs/GPU, KV 2000",
                 "LMSYS blog 2025-09-25 (GB200 part II, FP8 attention, NVFP4 MoE)", 13386, true, &presets::gb200_nvl72,
                 {.dp = 48, .ep = 48, .redundant_experts = 32},
                 {.batch = 48 * 1408, .prompt = 2000, .context = 2000, .prefill_micro_batches = 48 * 1408 / 48},
                 {.ideal = true, .dispatch_fp8 = true}, 1, &deepseek_v3_nvfp4_fp8_attention},
};
// clang-format on

constexpr report evaluate_case(const serving_case& c) {
    return evaluate(*c.model, *c.cluster, c.l, c.w, c.o);
}
/// The published figure per GPU.
constexpr double measured_per_gpu(const serving_case& c) {
    return c.published / c.published_gpus;
}
constexpr double bound_per_gpu(const serving_case& c) {
    const report r = evaluate_case(c);
    return (c.decode ? r.decode : r.prefill).tokens_per_gpu.value();
}

// =============================================================================================
// 5. DeepSeek-V3 pre-training (DeepSeek-V3 report, arXiv 2412.19437)
// =============================================================================================
//
// deepseek-ai/DeepSeek-V3:README.md: "At an economical cost of only 2.664M H800 GPU hours, we
// complete the pre-training of DeepSeek-V3 on 14.8T tokens". Report §3.1: 2048 H800 GPUs, 8 per
// node; §3.2: "16-way Pipeline Parallelism (PP), 64-way Expert Parallelism (EP) spanning 8 nodes,
// and ZeRO-1 Data Parallelism (DP)", no TP; §4.2: sequence length 4K, batch size scheduled from
// 3,072 up to 15,360 sequences; §3.3: FP8 GEMMs; FP8 dispatch, BF16 combine.
//
// Assumptions, each favourable to the bound (a higher bound): the whole run at batch 15,360;
// micro-batch 1 sequence per DP rank (120 micro-batches: the smallest bubble 1F1B allows);
// no activation recomputation (DeepSeek recomputes RMSNorm and MLA up-projections); no dropout;
// flash attention. 61 layers over 16 stages: the first 13 stages hold 4 layers, the last 3
// hold 3 (uneven stages). The model trained with its MTP module (§2.2, "we set D to 1"),
// which runs on the last stage, as DualPipe places it (§3.2.1).

inline constexpr double deepseek_pretrain_tokens = 14.8e12;
inline constexpr double deepseek_pretrain_gpu_hours = 2.664e6;

inline constexpr layout deepseek_train_layout{
    .tp = 1, .dp = 128, .pp = 16, .ep = 64, .uneven_stages = true};
inline constexpr training_workload deepseek_train_workload{.global_batch = 15360,
                                                           .micro_batch = 1,
                                                           .seq = 4096,
                                                           .fp8_gemm = true,
                                                           .zero = 1,
                                                           .rc = recompute::none,
                                                           .flash_attention = true,
                                                           .dropout = false};

constexpr double deepseek_implied_tokens_per_gpu() {
    return deepseek_pretrain_tokens / (deepseek_pretrain_gpu_hours * 3600.0);
}
constexpr training_report deepseek_train_ideal() {
    return evaluate_training(presets::deepseek_v3_mtp, presets::h800, deepseek_train_layout,
                             deepseek_train_workload, {.ideal = true, .dispatch_fp8 = true});
}

} // namespace moecost::validation
