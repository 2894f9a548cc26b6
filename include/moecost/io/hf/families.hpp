#pragma once
/**
 * @file
 * The model families a Hugging Face `config.json` is read as, and how each is read.
 *
 * The family is found from `model_type` (then `architectures`); each family has a table of
 * the keys holding its core dimensions and one function for what is particular to it.
 * Unknown families are read through the common Llama-style keys, and the result says so.
 * A required key is never defaulted. Where Hugging Face's own default differs from the
 * obvious reading (DeepSeek's q_lora_rank and first_k_dense_replace, Qwen3's and gpt-oss's
 * head_dim), the key is required.
 *
 * The table and its parts are in moecost::io::hf_families: find_family, read_core,
 * each family's finish function and check_shape.
 */

#include <moecost/io/hf/reader.hpp>
#include <moecost/io/hf/sliding.hpp>
#include <moecost/spec/model.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace moecost::io {

struct hf_options {
    /// Read the multi-token-prediction modules (num_nextn_predict_layers: DeepSeek-V3,
    /// GLM-4.5) into
    /// model_spec::mtp_layers (counted, placed on the last stage, run in training). Off: the
    /// spec is the main model, as published totals count it.
    bool include_mtp = false;
};

/// The family table of `<moecost/io/hf/families.hpp>` and the readers it names. Not for use
/// outside moecost::io.
namespace hf_families {

using hf_reader::dimension;
using hf_reader::json;
using hf_reader::key_list;
using hf_reader::layer_count;
using hf_reader::pick;
using hf_reader::reader;
using hf_reader::shown;
using hf_reader::sign;
using hf_sliding::read_sliding;
using hf_sliding::window_rule;

// ---- the key tables --------------------------------------------------------------------

/// Where a family keeps its core dimensions. An empty list: the family does not have it, or
/// its function reads it.
struct family_keys {
    key_list hidden{"hidden_size"};
    key_list layers{"num_hidden_layers"};
    key_list heads{"num_attention_heads"};
    key_list kv_heads{"num_key_value_heads"}; ///< absent: MHA
    key_list head_dim{"head_dim"};            ///< absent: hidden / heads
    key_list ffn_hidden{"intermediate_size"};
    key_list experts{}; ///< empty: dense
    key_list top_k{"num_experts_per_tok"};
    key_list expert_hidden{};
    bool tied = false; ///< tie_word_embeddings when absent: the config class's default
};

inline constexpr family_keys llama_keys{};
inline constexpr family_keys mixtral_keys{.experts = {"num_local_experts"},
                                          .expert_hidden = {"intermediate_size"}};
inline constexpr family_keys qwen_moe_keys{.experts = {"num_experts"},
                                           .expert_hidden = {"moe_intermediate_size"}};
inline constexpr family_keys deepseek_keys{.kv_heads = {}, // MLA: no KV heads
                                           .head_dim = {},
                                           .experts = {"n_routed_experts"},
                                           .expert_hidden = {"moe_intermediate_size"}};
inline constexpr family_keys glm4_moe_keys{.experts = {"n_routed_experts"},
                                           .expert_hidden = {"moe_intermediate_size"}};
// OLMoE has no moe_intermediate_size: intermediate_size is each expert's hidden size.
inline constexpr family_keys olmoe_keys{.experts = {"num_experts"},
                                        .expert_hidden = {"intermediate_size"}};
// openai/gpt-oss's own checkpoint format says num_experts and experts_per_token.
inline constexpr family_keys gpt_oss_keys{.experts = {"num_local_experts", "num_experts"},
                                          .top_k = {"num_experts_per_tok", "experts_per_token"},
                                          .expert_hidden = {"intermediate_size"}};
inline constexpr family_keys gpt2_keys{.hidden = {"n_embd"},
                                       .layers = {"n_layer"},
                                       .heads = {"n_head"},
                                       .kv_heads = {},
                                       .head_dim = {},
                                       .ffn_hidden = {}, // n_inner, null meaning 4·n_embd
                                       .tied = true};
inline constexpr family_keys generic_keys{};

// ---- shared pieces ---------------------------------------------------------------------

/// The dimensions every family has, through its key table.
inline model_spec read_core(const reader& r, const family_keys& k) {
    model_spec m;
    m.hidden = r.required(pick(r, k.hidden));
    m.layers = r.required(pick(r, k.layers), sign::positive, layer_count);
    m.vocab = r.required("vocab_size");
    m.tied_embeddings = r.flag("tie_word_embeddings", k.tied);
    auto& a = m.attention;
    a.heads = r.required(pick(r, k.heads));
    if (!k.kv_heads[0].empty())
        a.kv_heads = r.optional(pick(r, k.kv_heads), 0);
    if (!k.head_dim[0].empty())
        a.head_dim = r.optional(pick(r, k.head_dim), 0);
    if (!k.ffn_hidden[0].empty())
        m.ffn.hidden = r.required(pick(r, k.ffn_hidden));
    if (!k.experts[0].empty()) {
        m.moe.experts = r.required(pick(r, k.experts));
        m.moe.top_k = r.required(pick(r, k.top_k));
        m.moe.expert_hidden = r.required(pick(r, k.expert_hidden));
    }
    return m;
}

/// `attention_bias`: biases on q, k, v and o together (Llama, Qwen3, OLMoE, gpt-oss).
inline void read_attention_bias(const reader& r, model_spec& m, bool fallback = false) {
    const bool bias = r.flag("attention_bias", fallback);
    m.attention.qkv_bias = bias;
    m.attention.out_bias = bias;
}

/// Qwen-MoE's layer plan: layer i is MoE iff (i + 1) % decoder_sparse_step == 0 and i is
/// not in mlp_only_layers (Qwen2MoeDecoderLayer).
inline void read_qwen_sparse_layers(const reader& r, model_spec& m) {
    m.moe.every = r.optional("decoder_sparse_step", 1, sign::positive, dimension);
    m.moe.phase = m.moe.every - 1;
    if (const json* list = r.array("mlp_only_layers")) {
        for (const auto& v : *list) {
            if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
                v.get<std::int64_t>() >= m.layers)
                r.fail("mlp_only_layers", "expected layer indices in [0, " +
                                              std::to_string(m.layers) + "), got " + shown(v));
            set_dense_layer(m.moe, static_cast<int>(v.get<std::int64_t>()));
        }
    }
}

// ---- one function per family -----------------------------------------------------------

using finish_fn = void (*)(reader&, model_spec&, const hf_options&);

inline void finish_llama(reader& r, model_spec& m, const hf_options&) {
    read_attention_bias(r, m);
    m.ffn.bias = r.flag("mlp_bias", false); // LlamaMLP: gate, up and down together
}

inline void finish_mixtral(reader& r, model_spec& m, const hf_options&) {
    read_sliding(r, m, window_rule::every_layer); // null for Mixtral-8x7B: no sliding window
}

inline void finish_qwen2_moe(reader& r, model_spec& m, const hf_options&) {
    m.attention.qkv_bias = r.flag("qkv_bias", true); // Qwen2 attention: q, k, v biased, o not
    // One shared expert behind a sigmoid gate. The config class defaults it to 5632, so a
    // config without the key is ambiguous: required (0 for none).
    const int shared = r.required("shared_expert_intermediate_size", sign::non_negative);
    if (shared > 0) {
        m.moe.shared_experts = 1;
        m.moe.shared_hidden = shared;
        m.moe.shared_gate = true;
    }
    read_qwen_sparse_layers(r, m);
    read_sliding(r, m, window_rule::qwen);
}

inline void finish_qwen3_moe(reader& r, model_spec& m, const hf_options&) {
    // Qwen3MoeConfig defaults head_dim to 128, not hidden / heads: required.
    m.attention.head_dim = r.required("head_dim");
    m.attention.qk_norm = qk_norm_kind::per_head;
    read_attention_bias(r, m);
    read_qwen_sparse_layers(r, m);
    read_sliding(r, m, window_rule::qwen);
}

/// DeepSeek-style MoE keys (DeepSeek-V2/V3, GLM-4.5): n_shared_experts shared experts each as
/// wide as a routed one, first_k_dense_replace dense layers first, then MoE every
/// moe_layer_freq (DeepSeek's own modelling code; GLM's sets every layer after them).
inline void read_deepseek_style_moe(reader& r, model_spec& m) {
    auto& e = m.moe;
    e.shared_experts = r.required_or_null("n_shared_experts", "no shared expert");
    e.shared_hidden = e.shared_experts > 0 ? e.expert_hidden : 0; // each as wide as a routed one
    // V3's config class defaults first_k_dense_replace to 3, V2's to 0, GLM-4.5's to 1:
    // required.
    e.first_dense = r.required("first_k_dense_replace", sign::non_negative);
    if (e.first_dense > m.layers)
        r.fail("first_k_dense_replace",
               std::to_string(e.first_dense) +
                   " exceeds num_hidden_layers = " + std::to_string(m.layers));
    e.every = r.optional("moe_layer_freq", 1); // MoE iff i >= first_dense and i % freq == 0
    e.phase = 0;
}

/// Group-limited routing: a token's experts within topk_group of n_group groups (the keys'
/// values when present, else the config class's defaults); a limit of every group is none.
inline void read_expert_groups(reader& r, moe_spec& e, std::optional<int> groups_default,
                               std::optional<int> topk_default) {
    e.groups = groups_default ? r.optional("n_group", *groups_default) : r.required("n_group");
    e.group_top_k =
        topk_default ? r.optional("topk_group", *topk_default) : r.required("topk_group");
    if (e.experts % e.groups != 0)
        r.fail("n_group", std::to_string(e.groups) +
                              " does not divide n_routed_experts = " + std::to_string(e.experts));
    if (e.group_top_k > e.groups)
        r.fail("topk_group",
               std::to_string(e.group_top_k) + " exceeds n_group = " + std::to_string(e.groups));
    if (e.group_top_k * (e.experts / e.groups) < e.top_k)
        r.fail("topk_group", std::to_string(e.group_top_k) + " groups of " +
                                 std::to_string(e.experts / e.groups) +
                                 " experts (n_routed_experts / n_group) hold fewer than "
                                 "num_experts_per_tok = " +
                                 std::to_string(e.top_k));
    if (e.group_top_k >= e.groups) { // every group: no limit
        e.groups = 1;
        e.group_top_k = 0;
    }
}

/// num_nextn_predict_layers: the multi-token-prediction modules, counted when asked.
inline void read_mtp(reader& r, model_spec& m, const hf_options& o) {
    if (o.include_mtp) {
        m.mtp_layers = r.required("num_nextn_predict_layers", sign::non_negative, layer_count);
    } else if (const int mtp =
                   r.optional("num_nextn_predict_layers", 0, sign::non_negative, layer_count);
               mtp > 0) {
        r.note("num_nextn_predict_layers = " + std::to_string(mtp) +
               ": the multi-token-prediction module is not counted (hf_options::include_mtp "
               "counts it)");
    }
}

inline void finish_deepseek(reader& r, model_spec& m, const hf_options& o, bool v3) {
    auto& a = m.attention;
    a.kind = attention_kind::mla;
    // DeepseekV2/V3Config default q_lora_rank to 1536, so absent is not "none": required.
    a.q_lora_rank = r.required_or_null("q_lora_rank", "no query compression");
    a.kv_lora_rank = r.required("kv_lora_rank");
    a.qk_nope_head_dim = r.required("qk_nope_head_dim");
    a.qk_rope_head_dim = r.required("qk_rope_head_dim");
    a.v_head_dim = r.required("v_head_dim");
    if (r.flag("attention_bias", false)) {
        a.out_bias = true;
        r.note("attention_bias: the o_proj bias is counted; MLA's q_a/kv_a projection biases "
               "are not modelled");
    }
    read_deepseek_style_moe(r, m);
    m.moe.router_bias = v3; // V3's gate has e_score_correction_bias, one per expert
    // V3's "noaux_tc" and V2's "group_limited_greedy" pick a token's experts within groups;
    // V2's "greedy" ignores them. Absent keys take the config classes' defaults:
    // DeepseekV3Config's noaux_tc with 8 and 4; DeepseekV2Config has none for the groups, so
    // there they are required.
    const std::string method = r.text("topk_method").value_or(v3 ? "noaux_tc" : "greedy");
    if (method == "noaux_tc" || method == "group_limited_greedy") {
        if (v3)
            read_expert_groups(r, m.moe, 8, 4);
        else
            read_expert_groups(r, m.moe, std::nullopt, std::nullopt);
    } else if (method != "greedy") {
        r.note("topk_method = " + method + ": routed as greedy (no group limit)");
    }
    read_mtp(r, m, o);
}
inline void finish_deepseek_v2(reader& r, model_spec& m, const hf_options& o) {
    finish_deepseek(r, m, o, false);
}
inline void finish_deepseek_v3(reader& r, model_spec& m, const hf_options& o) {
    finish_deepseek(r, m, o, true);
}

/// GLM-4.5 (Glm4MoeForCausalLM): GQA with biased q, k, v (o_proj has none) and optional
/// per-head q/k norms, DeepSeek-V3's MoE layout (shared experts, dense layers first, a gate
/// with e_score_correction_bias, group-limited sigmoid routing) and its MTP module.
inline void finish_glm4_moe(reader& r, model_spec& m, const hf_options& o) {
    // Glm4MoeConfig defaults num_key_value_heads to 8, where absent reads as MHA: required.
    m.attention.kv_heads = r.required("num_key_value_heads");
    m.attention.qkv_bias = r.flag("attention_bias", false);
    m.attention.out_bias = false;
    if (r.flag("use_qk_norm", false))
        m.attention.qk_norm = qk_norm_kind::per_head;
    read_deepseek_style_moe(r, m);
    if (m.moe.every != 1) { // Glm4MoeDecoderLayer: MoE in every layer from first_dense on
        r.note("moe_layer_freq = " + std::to_string(m.moe.every) +
               " is not read by GLM-4.5's layers: every layer after the dense ones is MoE");
        m.moe.every = 1;
    }
    m.moe.router_bias = true; // Glm4MoeTopkRouter: e_score_correction_bias, one per expert
    read_expert_groups(r, m.moe, 1, 1); // Glm4MoeConfig: n_group 1, topk_group 1
    read_mtp(r, m, o);
}

inline void finish_olmoe(reader& r, model_spec& m, const hf_options&) {
    // OlmoeAttention: q_norm over all query heads (hidden), k_norm over all KV heads.
    m.attention.qk_norm = qk_norm_kind::full;
    read_attention_bias(r, m);
}

inline void finish_gpt_oss(reader& r, model_spec& m, const hf_options&) {
    // GptOssConfig defaults head_dim to 64 (64 heads of 64 ≠ hidden 2880): required.
    m.attention.head_dim = r.required("head_dim");
    read_attention_bias(r, m, true); // GptOssConfig: attention_bias defaults to true
    m.attention.sinks = true;        // one learned sink logit per head
    m.moe.router_bias = true;        // router: Linear with bias
    m.moe.expert_bias = true;        // gate_up and down projections carry biases
    const auto a = r.integer("num_experts_per_tok");
    const auto b = r.integer("experts_per_token");
    if (a && b && *a != *b)
        r.fail("experts_per_token",
               std::to_string(*b) + " disagrees with num_experts_per_tok = " + std::to_string(*a));
    read_sliding(r, m, window_rule::alternate);
}

inline void finish_gpt2(reader& r, model_spec& m, const hf_options&) {
    m.norm = norm_kind::layer;
    m.learned_positions = r.required("n_positions");
    // GPT2MLP: c_fc and c_proj with biases, GeLU; n_inner null means 4·n_embd.
    m.ffn = {.hidden = r.optional("n_inner", 4 * m.hidden), .gated = false, .bias = true};
    m.attention.qkv_bias = true; // c_attn and c_proj are Conv1D with biases
    m.attention.out_bias = true;
}

inline void finish_generic(reader& r, model_spec& m, const hf_options&) {
    if (!r.present("tie_word_embeddings"))
        r.note("no tie_word_embeddings: read as false (PretrainedConfig's own default is true)");
    read_attention_bias(r, m);
    const auto experts_key = pick(r, {"num_local_experts", "num_experts"});
    if (const int experts = r.optional(experts_key, 0, sign::non_negative); experts > 0) {
        m.moe.experts = experts;
        m.moe.top_k = r.required("num_experts_per_tok");
        m.moe.expert_hidden =
            r.present("moe_intermediate_size") ? r.required("moe_intermediate_size") : m.ffn.hidden;
    }
    read_sliding(r, m, window_rule::guess);
    if (m.moe.experts == 0 && r.present("n_routed_experts"))
        r.note("n_routed_experts is a DeepSeek-style MoE key this family's reading does not "
               "know: the model is read as dense");
}

// ---- the family table ------------------------------------------------------------------

struct family {
    std::string_view model_type;
    std::array<std::string_view, 2> architectures; ///< used when model_type is absent or unknown
    const family_keys* keys;
    finish_fn finish;
};

inline constexpr std::array families{
    family{"mixtral", {"MixtralForCausalLM"}, &mixtral_keys, finish_mixtral},
    family{"llama", {"LlamaForCausalLM"}, &llama_keys, finish_llama},
    family{"qwen2_moe", {"Qwen2MoeForCausalLM"}, &qwen_moe_keys, finish_qwen2_moe},
    family{"qwen3_moe", {"Qwen3MoeForCausalLM"}, &qwen_moe_keys, finish_qwen3_moe},
    family{"deepseek_v2", {"DeepseekV2ForCausalLM"}, &deepseek_keys, finish_deepseek_v2},
    family{"deepseek_v3", {"DeepseekV3ForCausalLM"}, &deepseek_keys, finish_deepseek_v3},
    family{"glm4_moe", {"Glm4MoeForCausalLM"}, &glm4_moe_keys, finish_glm4_moe},
    // Moonshot's Kimi K2: DeepSeek-V3's architecture under its own model_type
    family{"kimi_k2", {}, &deepseek_keys, finish_deepseek_v3},
    family{"olmoe", {"OlmoeForCausalLM"}, &olmoe_keys, finish_olmoe},
    family{"gpt_oss", {"GptOssForCausalLM"}, &gpt_oss_keys, finish_gpt_oss},
    family{"gpt2", {"GPT2LMHeadModel", "GPT2Model"}, &gpt2_keys, finish_gpt2},
};
inline constexpr family generic{"generic", {}, &generic_keys, finish_generic};

/// The family by model_type, else by architectures, else generic; a fallback says so.
inline const family& find_family(reader& r, const std::optional<std::string>& type) {
    if (type)
        for (const auto& f : families)
            if (f.model_type == *type)
                return f;
    const std::string named = type ? "model_type '" + *type + "'" : std::string("no model_type");
    if (const json* list = r.array("architectures")) {
        for (const auto& v : *list) {
            if (!v.is_string())
                r.fail("architectures", "expected strings, got " + shown(v));
            const auto& arch = v.get_ref<const std::string&>();
            for (const auto& f : families)
                for (const auto& a : f.architectures)
                    if (!a.empty() && a == arch) {
                        r.note(named + (type ? " is not a known family" : "") + "; read as " +
                               std::string(f.model_type) + " from architectures '" + arch + "'");
                        return f;
                    }
        }
    }
    r.note(type ? named + " is not a known family; read the common Llama-style keys"
                : "no model_type and no known architecture; read the common Llama-style keys");
    return generic;
}

// ---- checks ----------------------------------------------------------------------------

/// Shape rules, named by the config's keys; validate() is the backstop.
inline void check_shape(const reader& r, model_spec& m, const family_keys& k) {
    auto& a = m.attention;
    if (a.kind == attention_kind::gqa) {
        if (a.kv_heads > 0 && a.heads % a.kv_heads != 0)
            r.fail(pick(r, k.kv_heads), std::to_string(a.kv_heads) + " does not divide " +
                                            std::string(pick(r, k.heads)) + " = " +
                                            std::to_string(a.heads));
        if (a.head_dim == 0 && m.hidden % a.heads != 0)
            r.fail(pick(r, k.heads), std::to_string(a.heads) + " does not divide " +
                                         std::string(pick(r, k.hidden)) + " = " +
                                         std::to_string(m.hidden) + " and there is no head_dim");
        // The spec's conventions, so that a loaded spec equals its preset: 0 means MHA, and
        // 0 means hidden / heads.
        if (a.kv_heads == a.heads)
            a.kv_heads = 0;
        if (a.head_dim > 0 && m.hidden % a.heads == 0 && a.head_dim == m.hidden / a.heads)
            a.head_dim = 0;
    }
    if (m.moe.experts > 0 && m.moe.top_k > m.moe.experts)
        r.fail(pick(r, k.top_k), std::to_string(m.moe.top_k) + " exceeds the " +
                                     std::to_string(m.moe.experts) + " experts");
}

} // namespace hf_families
} // namespace moecost::io
