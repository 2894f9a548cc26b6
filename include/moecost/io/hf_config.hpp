#pragma once
/**
 * @file
 * Hugging Face `config.json` → moecost::model_spec.
 *
 * The family is found from `model_type` (then `architectures`); each family has a table of
 * the keys holding its core dimensions and one function for what is particular to it.
 * Unknown families are read through the common Llama-style keys, and the result says so. A
 * multimodal config without dimensions of its own is read from its `text_config`.
 *
 * @code
 * auto r = moecost::io::load_hf_config_detailed("Mixtral-8x7B-v0.1/config.json");
 * for (const auto& n : r.notes) std::cerr << "note: " << n << '\n';
 * auto params = moecost::total_params(r.spec).total();
 * @endcode
 *
 * Every failure is a load_error whose what() is one line naming the source and, where there
 * is one, the key: `config.json: key 'num_attention_heads': expected a positive integer, got -4`.
 * A required key is never defaulted. Where Hugging Face's own default differs from the
 * obvious reading (DeepSeek's q_lora_rank and first_k_dense_replace, Qwen3's and gpt-oss's
 * head_dim), the key is required.
 */

#include <moecost/spec/model.hpp>
#include <moecost/spec/violation.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace moecost::io {

/// A config that cannot be read: one line naming the source and the key at fault.
struct load_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct hf_options {
    /// Read the multi-token-prediction modules (num_nextn_predict_layers: DeepSeek-V3,
    /// GLM-4.5) into
    /// model_spec::mtp_layers (counted, placed on the last stage, run in training). Off: the
    /// spec is the main model, as published totals count it.
    bool include_mtp = false;
};

struct hf_load_result {
    model_spec spec{};
    std::string family;             ///< the family the keys were read as, or "generic"
    std::vector<std::string> notes; ///< what was assumed or left out, one line each
};

namespace hf_detail {

using json = nlohmann::json;

// ---- messages --------------------------------------------------------------------------

/// s with control characters escaped and cut at `limit` bytes: keeps a message on one line.
inline std::string one_line(std::string_view s, std::size_t limit = 200) {
    std::string out;
    for (const char ch : s) {
        if (out.size() >= limit) {
            // Do not end inside a UTF-8 sequence.
            while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0u) == 0x80u)
                out.pop_back();
            if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80u))
                out.pop_back();
            return out + "...";
        }
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
            out += buf;
        } else {
            out += ch;
        }
    }
    return out;
}

/// How a JSON value reads in a message: its text when scalar, its kind when not (dumping a
/// container would recurse and could be long).
inline std::string shown(const json& v) {
    switch (v.type()) {
    case json::value_t::object:
        return "an object";
    case json::value_t::array:
        return "an array";
    case json::value_t::binary:
        return "binary data";
    case json::value_t::discarded:
        return "nothing";
    default:
        return one_line(v.dump(-1, ' ', false, json::error_handler_t::replace), 80);
    }
}

// ---- bounds ----------------------------------------------------------------------------

/// The largest value a key may hold, and why.
struct bound {
    std::int64_t max;
    const char* why;
};
/// 2^24: above any real dimension (vocabularies reach 2^18), and small enough that the
/// products other code forms in `int` (4·hidden, heads·head_dim) cannot overflow.
inline constexpr bound dimension{std::int64_t{1} << 24, "the largest dimension moecost accepts"};
/// moe_spec::dense_mask has 256 bits, and validate() holds layers to 256.
inline constexpr bound layer_count{256, "the most layers a model_spec holds"};
inline constexpr bound window_size{std::int64_t{1} << 30,
                                   "the largest sliding window moecost accepts"};

enum class sign { positive, non_negative };

// ---- reading keys ----------------------------------------------------------------------

/// A config object with its source name, and the notes the loader collects.
class reader {
public:
    reader(const json& object, std::string source, std::vector<std::string>& notes)
        : obj_(object), source_(std::move(source)), notes_(notes) {}

    [[noreturn]] void fail(std::string_view key, const std::string& what) const {
        throw load_error(source_ + ": key '" + one_line(key, 80) + "': " + what);
    }
    void note(const std::string& text) { notes_.push_back(one_line(text, 300)); }

    /// Whether the key is there at all, null included.
    [[nodiscard]] bool present(std::string_view key) const {
        return obj_.find(std::string(key)) != obj_.end();
    }
    /// The value of key, or nullptr when absent or null (Hugging Face writes null for unset).
    [[nodiscard]] const json* find(std::string_view key) const {
        const auto it = obj_.find(std::string(key));
        if (it == obj_.end() || it->is_null())
            return nullptr;
        return &*it;
    }

    /// An integer in [0 or 1, limit.max], or nullopt when absent or null. 4096.0 reads as
    /// 4096; 4096.5, strings and booleans are errors.
    [[nodiscard]] std::optional<int> integer(std::string_view key, sign s = sign::positive,
                                             bound limit = dimension) const {
        const json* v = find(key);
        if (v == nullptr)
            return std::nullopt;
        const std::string want =
            s == sign::positive ? "expected a positive integer" : "expected an integer >= 0";
        double value = 0; // exact for every integer this function accepts (|v| <= 2^30)
        if (v->is_number_unsigned()) {
            const auto u = v->get<std::uint64_t>();
            value = u > static_cast<std::uint64_t>(limit.max) ? 1e300 : static_cast<double>(u);
        } else if (v->is_number_integer()) {
            const auto i = v->get<std::int64_t>();
            value = i < -limit.max ? -1e300 : static_cast<double>(i);
        } else if (v->is_number_float()) {
            value = v->get<double>();
            if (!std::isfinite(value) || value != std::floor(value))
                fail(key, want + ", got " + shown(*v));
        } else {
            fail(key, want + ", got " + shown(*v));
        }
        if (value < 0 || (s == sign::positive && value == 0))
            fail(key, want + ", got " + shown(*v));
        if (value > static_cast<double>(limit.max))
            fail(key, shown(*v) + " exceeds " + std::to_string(limit.max) + ", " + limit.why);
        return static_cast<int>(value);
    }
    [[nodiscard]] int required(std::string_view key, sign s = sign::positive,
                               bound limit = dimension) const {
        if (!present(key))
            fail(key, "required but missing");
        const auto v = integer(key, s, limit);
        if (!v)
            fail(key, std::string(s == sign::positive ? "expected a positive integer"
                                                      : "expected an integer >= 0") +
                          ", got null");
        return *v;
    }
    /// A key that must be there but whose null means 0 (DeepSeek's q_lora_rank).
    [[nodiscard]] int required_or_null(std::string_view key, const char* null_means) const {
        if (!present(key))
            fail(key, std::string("required but missing (null means ") + null_means + ")");
        return integer(key, sign::non_negative).value_or(0);
    }
    [[nodiscard]] int optional(std::string_view key, int fallback, sign s = sign::positive,
                               bound limit = dimension) const {
        return integer(key, s, limit).value_or(fallback);
    }
    [[nodiscard]] bool flag(std::string_view key, bool fallback) const {
        const json* v = find(key);
        if (v == nullptr)
            return fallback;
        if (!v->is_boolean())
            fail(key, "expected true or false, got " + shown(*v));
        return v->get<bool>();
    }
    [[nodiscard]] std::optional<std::string> text(std::string_view key) const {
        const json* v = find(key);
        if (v == nullptr)
            return std::nullopt;
        if (!v->is_string())
            fail(key, "expected a string, got " + shown(*v));
        return v->get<std::string>();
    }
    /// The array at key, or nullptr when absent or null.
    [[nodiscard]] const json* array(std::string_view key) const {
        const json* v = find(key);
        if (v != nullptr && !v->is_array())
            fail(key, "expected an array, got " + shown(*v));
        return v;
    }

private:
    const json& obj_;
    std::string source_;
    std::vector<std::string>& notes_;
};

// ---- the key tables --------------------------------------------------------------------

/// Names a value may go by; the first present is read (and named in messages).
using key_list = std::array<std::string_view, 3>;

inline std::string_view pick(const reader& r, const key_list& names) {
    for (const auto& n : names)
        if (!n.empty() && r.present(n))
            return n;
    return names[0];
}

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

/// A string member of quantization_config, if present.
inline std::optional<std::string> quant_text(reader& r, const json& q, const char* key) {
    const auto it = q.find(key);
    if (it == q.end() || it->is_null())
        return std::nullopt;
    if (!it->is_string())
        r.fail(std::string("quantization_config.") + key, "expected a string, got " + shown(*it));
    return it->get<std::string>();
}

/// The weights quantised to t, the embedding and LM head kept at the dtype they had: every
/// quantiser read here leaves the tables in 16 bits.
inline void quantise_weights(model_spec& m, dtype t) {
    m.precision.embeddings = m.precision.weights;
    m.precision.weights = t;
}

/// A note when a 4-bit integer scheme's group size `g` (null: none given) is not int4's 128.
inline void note_int4_group(reader& r, const json* g) {
    if (g != nullptr && !(g->is_number() && g->get<double>() == 128.0))
        r.note("quantization_config group_size " + shown(*g) +
               ": int4 counts one scale and zero point per 128 weights (-1: one per output "
               "column)");
}

/// NVIDIA Model Optimizer's quantization_config: quant_algo NVFP4 or FP8 for the weights,
/// kv_cache_quant_algo FP8 for the cache. An MoE model's NVFP4 is taken as its routed experts'
/// (the bulk of it); which other modules it quantises (exclude_modules, per-layer formats) is
/// not read, and they keep torch_dtype.
inline void read_modelopt(reader& r, const json& q, model_spec& m) {
    const std::string d = name_of(m.precision.weights);
    const auto algo = quant_text(r, q, "quant_algo");
    if (algo == "NVFP4") {
        if (m.moe.experts > 0) {
            m.precision.experts = dtype::nvfp4;
            r.note("quant_algo NVFP4: the routed experts counted in nvfp4, every other weight "
                   "at " +
                   d + " (exclude_modules is not read)");
        } else {
            quantise_weights(m, dtype::nvfp4);
            r.note("quant_algo NVFP4: every weight counted in nvfp4 but the embedding and LM "
                   "head, at " +
                   d + " (exclude_modules is not read)");
        }
    } else if (algo == "FP8") {
        quantise_weights(m, dtype::fp8);
    } else if (algo) {
        r.note("quant_algo '" + *algo + "' of modelopt is not modelled; weights counted at " + d);
    } else {
        r.note("quantization_config of modelopt has no quant_algo; weights counted at " + d);
    }
    if (const auto kv = quant_text(r, q, "kv_cache_quant_algo"); kv == "FP8")
        m.precision.kv = dtype::fp8;
    else if (kv)
        r.note("kv_cache_quant_algo '" + *kv + "' is not modelled; the KV cache counted at " +
               std::string(name_of(m.precision.kv)));
}

/// The note for int8 weights whose activations stay in 16 bits (W8A16): costed at the int8 rate.
inline void note_w8a16(reader& r, const std::string& what) {
    r.note(what + ": int8 weights with 16-bit activations (W8A16) multiply at the 16-bit rate "
                  "in their kernels; moecost costs int8 at the INT8 rate, so compute-bound "
                  "times are optimistic by up to the ratio of the two");
}

/// AWQ's and GPTQ's quantization_config: 4-bit integer weights in groups, dequantised in the
/// kernels (W4A16), or GPTQ's 8-bit ones (int8, W8A16). They quantise every linear layer of the
/// decoder and keep the embedding and the LM head at torch_dtype. Other widths and group sizes
/// are noted.
inline void read_awq_gptq(reader& r, const json& q, model_spec& m, const std::string& method) {
    const std::string d = name_of(m.precision.weights);
    const auto it = q.find("bits");
    const double bits = it != q.end() && it->is_number() ? it->get<double>() : 0.0;
    const bool eight = bits == 8.0 && method == "gptq";
    if (bits != 4.0 && !eight) {
        r.note("quantization_config " + method + " with bits " +
               (it == q.end() ? std::string("absent") : shown(*it)) +
               " is not modelled; weights counted at " + d);
        return;
    }
    const dtype t = eight ? dtype::int8 : dtype::int4;
    const std::string tn = name_of(t);
    quantise_weights(m, t);
    r.note("quant_method " + method + (eight ? " with bits 8" : "") + ": weights in " + tn +
           ", the embedding and LM head at " + d);
    if (eight) {
        note_w8a16(r, "quant_method gptq");
        r.note("quantization_config gptq with bits 8: its scales and zero points (about 0.19 "
               "bits a weight in groups of 128) are not counted");
    } else {
        const auto g = q.find("group_size");
        note_int4_group(r, g != q.end() ? &*g : nullptr);
    }
    // modules left at torch_dtype (AWQ's, e.g. Mixtral's router) or a quantised head (GPTQModel)
    if (const auto k = q.find("modules_to_not_convert");
        k != q.end() && k->is_array() && !k->empty())
        r.note("quantization_config modules_to_not_convert: the modules it keeps at " + d +
               " are counted in " + tn + " with the other weights");
    if (const auto h = q.find("lm_head"); h != q.end() && h->is_boolean() && h->get<bool>())
        r.note("quantization_config lm_head: the quantised LM head counted at " + d);
}

/// compressed-tensors (llm-compressor, vLLM): the first config group's weight scheme. 8-bit
/// floats are fp8 weights (the usual FP8 checkpoints); 8-bit integers int8 (W8A8 with the
/// group's 8-bit integer input_activations, else W8A16, noted); 4-bit integers are int4,
/// counted with int4's groups of 128 (the note gives the config's group size). What `ignore` leaves
/// at torch_dtype: the LM head always; in an MoE model that ignores its attention, everything but
/// the routed experts (Kimi K2 Thinking's INT4 experts).
inline void read_compressed_tensors(reader& r, const json& q, model_spec& m) {
    const std::string d = name_of(m.precision.weights);
    const json* scheme = nullptr;
    const json* inputs = nullptr; // the same group's input_activations
    if (const auto g = q.find("config_groups"); g != q.end() && g->is_object()) {
        for (const auto& group : *g) {
            if (!group.is_object())
                continue;
            if (const auto w = group.find("weights"); w != group.end() && w->is_object()) {
                scheme = &*w;
                if (const auto a = group.find("input_activations");
                    a != group.end() && a->is_object())
                    inputs = &*a;
                break;
            }
        }
    }
    const auto field = [](const json* from, const char* key) -> const json* {
        if (from == nullptr)
            return nullptr;
        const auto it = from->find(key);
        return it != from->end() ? &*it : nullptr;
    };
    const auto format = [&](const json* from) {
        const json* bits = field(from, "num_bits");
        const json* type = field(from, "type");
        return std::pair{bits != nullptr && bits->is_number() ? bits->get<double>() : 0.0,
                         type != nullptr && type->is_string() ? type->get<std::string>() : ""};
    };
    const auto [n, kind] = format(scheme);
    const bool int8 = n == 8.0 && kind == "int";
    if (!(n == 8.0 && kind == "float") && !(n == 4.0 && kind == "int") && !int8) {
        r.note("quantization_config compressed-tensors: a weight scheme other than 8-bit floats, "
               "8-bit integers or 4-bit integers is not modelled; weights counted at " +
               d);
        return;
    }
    const dtype t = int8 ? dtype::int8 : n == 8.0 ? dtype::fp8 : dtype::int4;
    bool attention_kept = false;
    if (const auto ig = q.find("ignore"); ig != q.end() && ig->is_array())
        for (const auto& v : *ig)
            attention_kept = attention_kept ||
                             (v.is_string() && v.get_ref<const std::string&>().find("self_attn") !=
                                                   std::string::npos);
    if (m.moe.experts > 0 && attention_kept) {
        m.precision.experts = t;
        r.note("quantization_config compressed-tensors: the routed experts in " +
               std::string(name_of(t)) + ", the attention and what else it ignores at " + d);
    } else {
        quantise_weights(m, t);
        r.note("quantization_config compressed-tensors: weights in " + std::string(name_of(t)) +
               ", the embedding and LM head at " + d);
    }
    if (t == dtype::int4)
        note_int4_group(r, field(scheme, "group_size"));
    if (t == dtype::int8 && format(inputs) != std::pair{8.0, std::string("int")})
        note_w8a16(r, "quantization_config compressed-tensors");
}

/// `torch_dtype` (or `dtype`, its name since transformers 4.56) for weights, KV cache and
/// activations; `quantization_config` fp8 lowers the weights alone (DeepSeek-V3), mxfp4 the
/// routed experts' matrices alone (gpt-oss), modelopt as read_modelopt says.
inline void read_precision(reader& r, model_spec& m) {
    const std::string_view key = r.present("torch_dtype") ? "torch_dtype" : "dtype";
    dtype d = dtype::bf16;
    if (const auto t = r.text(key)) {
        if (*t == "bfloat16")
            d = dtype::bf16;
        else if (*t == "float16" || *t == "half")
            d = dtype::fp16;
        else if (*t == "float32" || *t == "float")
            d = dtype::fp32;
        else
            r.note(std::string(key) + " '" + *t +
                   "' has no moecost dtype; precision taken as bf16");
    } else {
        r.note("no torch_dtype: weights, KV cache and activations taken as bf16");
    }
    m.precision = {.weights = d, .kv = d, .activations = d};

    const json* q = r.find("quantization_config");
    if (q == nullptr)
        return;
    if (!q->is_object())
        r.fail("quantization_config", "expected an object, got " + shown(*q));
    const auto found = quant_text(r, *q, "quant_method");
    if (!found) {
        r.note("quantization_config has no quant_method; weights counted at " +
               std::string(name_of(d)));
        return;
    }
    const std::string& method = *found;
    if (method == "fp8") { // DeepSeek-V3's checkpoint: the embedding and head stay bf16
        quantise_weights(m, dtype::fp8);
    } else if (method == "mxfp4") {
        // transformers' Mxfp4HfQuantizer replaces the routed experts alone; attention, router,
        // embeddings and head stay in torch_dtype (gpt-oss's modules_to_not_convert).
        if (m.moe.experts > 0)
            m.precision.experts = dtype::mxfp4;
        else
            r.note("quantization_config quant_method 'mxfp4' stores routed experts, and the "
                   "model has none: weights counted at " +
                   std::string(name_of(d)));
    } else if (method == "modelopt") {
        read_modelopt(r, *q, m);
    } else if (method == "awq" || method == "gptq") {
        read_awq_gptq(r, *q, m, method);
    } else if (method == "compressed-tensors") {
        read_compressed_tensors(r, *q, m);
    } else {
        r.note("quantization_config quant_method '" + method +
               "' is not modelled; weights counted at " + name_of(d));
    }
}

// ---- sliding windows -------------------------------------------------------------------

/// How a family places its sliding-window layers.
enum class window_rule {
    none,        ///< the family has none; sliding_window is not read
    every_layer, ///< sliding_window applies to every layer (Mistral, Mixtral)
    qwen,        ///< only with use_sliding_window, on layers i >= max_window_layers
    alternate,   ///< even layers slide, odd ones see everything (gpt-oss)
    guess,       ///< qwen when use_sliding_window is present, else every_layer
};

/// `layer_types`, when present: which layers are "sliding_attention".
inline std::optional<std::vector<bool>> read_layer_types(reader& r, int layers) {
    const json* list = r.array("layer_types");
    if (list == nullptr)
        return std::nullopt;
    if (list->size() != static_cast<std::size_t>(layers))
        r.fail("layer_types", "lists " + std::to_string(list->size()) + " layers, but there are " +
                                  std::to_string(layers));
    std::vector<bool> sliding;
    bool noted = false;
    for (const auto& v : *list) {
        if (!v.is_string())
            r.fail("layer_types", "expected strings, got " + shown(v));
        const auto& s = v.get_ref<const std::string&>();
        sliding.push_back(s == "sliding_attention");
        if (s != "sliding_attention" && s != "full_attention" && !noted) {
            r.note("layer_types '" + s + "' is read as full attention");
            noted = true;
        }
    }
    return sliding;
}

/// The spec's {window, every, offset} holding exactly these sliding layers, if one does.
inline std::optional<sliding_window_spec> as_pattern(const std::vector<bool>& sliding, int window) {
    const int n = static_cast<int>(sliding.size());
    int first = 0;
    while (first < n && !sliding[static_cast<std::size_t>(first)])
        ++first;
    if (first == n)
        return sliding_window_spec{};
    for (int every = first + 1; every <= n; ++every) {
        bool same = true;
        for (int i = 0; i < n && same; ++i)
            same = sliding[static_cast<std::size_t>(i)] == (i % every == first);
        if (same)
            return sliding_window_spec{.window = window, .every = every, .offset = first};
    }
    return std::nullopt;
}

inline void read_sliding(reader& r, model_spec& m, window_rule rule) {
    if (rule == window_rule::none)
        return;
    if (rule == window_rule::guess)
        rule = r.present("use_sliding_window") ? window_rule::qwen : window_rule::every_layer;
    const auto types = read_layer_types(r, m.layers);
    int window = r.optional("sliding_window", 0, sign::non_negative, window_size);
    const auto n = static_cast<std::size_t>(m.layers);
    std::vector<bool> sliding(n, false);
    switch (rule) {
    case window_rule::every_layer:
        sliding.assign(n, true);
        break;
    case window_rule::qwen:
        // Qwen2Config: sliding_window is None unless use_sliding_window.
        if (!r.flag("use_sliding_window", false)) {
            window = 0;
        } else if (!types) {
            const int from = r.required("max_window_layers", sign::non_negative);
            for (std::size_t i = 0; i < n; ++i)
                sliding[i] = static_cast<int>(i) >= from;
        }
        break;
    case window_rule::alternate:
        window = r.required("sliding_window", sign::positive, window_size);
        for (std::size_t i = 0; i < n; ++i)
            sliding[i] = i % 2 == 0;
        if (types && *types != sliding)
            r.note("layer_types does not alternate sliding and full attention as gpt-oss does; "
                   "layer_types is followed");
        break;
    case window_rule::none:
    case window_rule::guess:
        break;
    }
    if (types)
        sliding = *types;
    bool any = false;
    for (const bool s : sliding)
        any = any || s;
    if (!any)
        return;
    if (window == 0) {
        if (types && rule != window_rule::qwen)
            r.note("layer_types marks sliding layers but there is no sliding_window; read as "
                   "full attention");
        return;
    }
    if (const auto p = as_pattern(sliding, window)) {
        m.attention.sliding = *p;
    } else {
        r.note("the sliding-window layers do not repeat with one period, which model_spec "
               "cannot hold; all layers read as full attention (KV cache over-estimated)");
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

/// The family, the dimensions, the checks: the whole of a parsed config.
inline hf_load_result read(const json& top, const std::string& source, const hf_options& o) {
    hf_load_result out;
    // A multimodal config (Kimi K2.5, Llama 4, Qwen-VL) keeps its language model in
    // text_config; the dtype, quantisation and name may stay at the top.
    json nested;
    const auto text = top.find("text_config");
    const auto unset = [](const json& j, const char* key) {
        const auto it = j.find(key);
        return it == j.end() || it->is_null();
    };
    const bool is_nested =
        text != top.end() && text->is_object() && unset(top, "hidden_size") && unset(top, "n_embd");
    if (is_nested) {
        nested = *text;
        if (unset(nested, "torch_dtype") && unset(nested, "dtype")) // one setting, two names
            for (const char* key : {"torch_dtype", "dtype"})
                if (!unset(top, key))
                    nested[key] = top[key];
        for (const char* key : {"quantization_config", "_name_or_path"})
            if (unset(nested, key) && !unset(top, key))
                nested[key] = top[key];
    }
    const json& root = is_nested ? nested : top;
    reader r(root, is_nested ? source + " (text_config)" : source, out.notes);
    if (is_nested)
        r.note("the language model is read from text_config; the rest (a vision tower, its "
               "projector) is not counted");
    const auto type = r.text("model_type");
    const family& f = find_family(r, type);
    out.family = f.model_type;

    model_spec m = read_core(r, *f.keys);
    read_precision(r, m);
    f.finish(r, m, o);
    check_shape(r, m, *f.keys);

    std::string name = r.text("_name_or_path").value_or("");
    if (name.empty())
        name = type.value_or(std::string(f.model_type));
    m.name = std::string_view(name);
    if (name.size() > m.name.view().size())
        r.note("name '" + name + "' cut to its first " + std::to_string(m.name.view().size()) +
               " characters");

    if (is_moe(m) && moe_layers(m) == 0)
        r.note("no layer is an MoE layer: the experts count for nothing");
    const auto v = validate(m);
    if (!v.ok())
        throw load_error(source + ": the model it describes is invalid: " + describe(*v.begin()));
    out.spec = m;
    return out;
}

inline json parse_json(std::string_view text, const std::string& source) {
    try {
        return json::parse(text.data(), text.data() + text.size());
    } catch (const json::parse_error& e) {
        throw load_error(source + ": not valid JSON (byte " + std::to_string(e.byte) +
                         "): " + one_line(e.what()));
    } catch (const json::exception& e) { // out_of_range: a number beyond double
        throw load_error(source + ": not valid JSON: " + one_line(e.what()));
    }
}

/// Larger than any config.json by three orders of magnitude.
inline constexpr std::size_t max_file_bytes = std::size_t{16} << 20;

} // namespace hf_detail

// ---- the API ---------------------------------------------------------------------------

/// Reads a config.json text; `source_name` names it in messages and notes.
inline hf_load_result parse_hf_config_detailed(std::string_view json_text,
                                               std::string_view source_name = "config.json",
                                               const hf_options& options = {}) {
    const std::string source =
        hf_detail::one_line(source_name.empty() ? "config.json" : source_name);
    const auto root = hf_detail::parse_json(json_text, source);
    if (!root.is_object())
        throw load_error(source + ": expected a JSON object at the top level, got " +
                         hf_detail::shown(root));
    try {
        return hf_detail::read(root, source, options);
    } catch (const nlohmann::json::exception& e) {
        // Unreachable by design: every key is type-checked before it is read. The fuzzer
        // (fuzz/hf_config_fuzz.cpp) treats this message as a bug.
        throw load_error(
            source + ": unexpected JSON error (a moecost bug): " + hf_detail::one_line(e.what()));
    }
}

inline model_spec parse_hf_config(std::string_view json_text,
                                  std::string_view source_name = "config.json",
                                  const hf_options& options = {}) {
    return parse_hf_config_detailed(json_text, source_name, options).spec;
}

/// Reads a config.json file, or `config.json` inside a model directory.
inline hf_load_result load_hf_config_detailed(const std::filesystem::path& file,
                                              const hf_options& options = {}) {
    std::error_code ec;
    std::filesystem::path path = file;
    if (std::filesystem::is_directory(path, ec))
        path /= "config.json";
    const std::string source = hf_detail::one_line(path.string());
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int err = errno;
        throw load_error(source + ": cannot open for reading" +
                         (err != 0 ? " (" + std::generic_category().message(err) + ")" : ""));
    }
    std::string text;
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > hf_detail::max_file_bytes)
            throw load_error(source + ": larger than 16 MiB; not a config.json");
    }
    if (in.bad())
        throw load_error(source + ": read error");
    return parse_hf_config_detailed(text, source, options);
}

inline model_spec load_hf_config(const std::filesystem::path& file,
                                 const hf_options& options = {}) {
    return load_hf_config_detailed(file, options).spec;
}

} // namespace moecost::io
