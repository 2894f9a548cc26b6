#pragma once
/**
 * @file
 * The entry points of the Hugging Face `config.json` reader: parse_hf_config(_detailed) for a
 * text, load_hf_config(_detailed) for a file or a model directory. A multimodal config
 * without dimensions of its own is read from its `text_config`; a `text_config` that is there
 * and neither null nor an object is refused.
 */

#include <moecost/io/hf/families.hpp>
#include <moecost/io/hf/quantisation.hpp>
#include <moecost/io/hf/reader.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/violation.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace moecost::io {

struct hf_load_result {
    model_spec spec{};
    std::string family;             ///< the family the keys were read as, or "generic"
    std::vector<std::string> notes; ///< what was assumed or left out, one line each
};

/// How a parsed config becomes a model_spec: the text_config step, the family, the checks.
/// Not for use outside moecost::io.
namespace hf_load {

using hf_families::check_shape;
using hf_families::family;
using hf_families::find_family;
using hf_families::read_core;
using hf_quantisation::read_precision;
using hf_reader::json;
using hf_reader::reader;
using hf_reader::shown;

/// The family, the dimensions, the checks: the whole of a parsed config.
inline hf_load_result read(const json& top, const std::string& source, const hf_options& o) {
    hf_load_result out;
    // A multimodal config (Kimi K2.5, Llama 4, Qwen-VL) keeps its language model in
    // text_config; the dtype, quantisation and name may stay at the top.
    json nested;
    const auto text = top.find("text_config");
    if (text != top.end() && !text->is_null() && !text->is_object())
        reader(top, source, out.notes)
            .fail("text_config",
                  "expected an object holding the language model's keys, got " + shown(*text));
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

} // namespace hf_load

// ---- the API ---------------------------------------------------------------------------

/// Reads a config.json text; `source_name` names it in messages and notes.
inline hf_load_result parse_hf_config_detailed(std::string_view json_text,
                                               std::string_view source_name = "config.json",
                                               const hf_options& options = {}) {
    const std::string source =
        hf_reader::one_line(source_name.empty() ? "config.json" : source_name);
    const auto root = hf_reader::parse_json(json_text, source);
    if (!root.is_object())
        throw load_error(source + ": expected a JSON object at the top level, got " +
                         hf_reader::shown(root));
    try {
        return hf_load::read(root, source, options);
    } catch (const nlohmann::json::exception& e) {
        // Unreachable by design: every key is type-checked before it is read. The fuzzer
        // (fuzz/hf_config_fuzz.cpp) treats this message as a bug.
        throw load_error(
            source + ": unexpected JSON error (a moecost bug): " + hf_reader::one_line(e.what()));
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
    const std::string source = hf_reader::one_line(path.string());
    return parse_hf_config_detailed(hf_reader::read_file(path, source), source, options);
}

inline model_spec load_hf_config(const std::filesystem::path& file,
                                 const hf_options& options = {}) {
    return load_hf_config_detailed(file, options).spec;
}

} // namespace moecost::io
