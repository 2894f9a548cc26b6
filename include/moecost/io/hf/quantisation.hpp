#pragma once
/**
 * @file
 * A Hugging Face `config.json`'s precision: `torch_dtype` (or `dtype`) for the weights, the KV
 * cache and the activations, and `quantization_config` for quantised weights: fp8 (DeepSeek-V3),
 * mxfp4 (gpt-oss), NVIDIA Model Optimizer (NVFP4, FP8), AWQ and GPTQ (int4, GPTQ's int8) and
 * compressed-tensors (fp8, int8, int4). What a scheme leaves unmodelled is said in a note.
 *
 * The entry point is moecost::io::hf_quantisation::read_precision; the rest of that namespace
 * is its parts.
 */

#include <moecost/io/hf/reader.hpp>
#include <moecost/spec/model.hpp>

#include <optional>
#include <string>
#include <utility>

namespace moecost::io {

/// The precision and quantisation readers of `<moecost/io/hf/quantisation.hpp>`: read_precision
/// and its parts. Not for use outside moecost::io.
namespace hf_quantisation {

using hf_reader::json;
using hf_reader::reader;
using hf_reader::shown;

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

} // namespace hf_quantisation
} // namespace moecost::io
