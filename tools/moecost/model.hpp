#pragma once
// The model every subcommand works on: --model, --preset, --mtp and the precision overrides,
// resolved into a model_spec; the model and its precisions as text and JSON.

#include "command.hpp"
#include "json_out.hpp"
#include "values.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <moecost.hpp>
#include <moecost/io/hf_config.hpp>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace moecost::cli {

// ---- names -----------------------------------------------------------------------------

inline std::vector<std::string> model_preset_names() {
    std::vector<std::string> out;
    for (const auto& p : presets::model_presets)
        out.emplace_back(p.name);
    return out;
}

inline constexpr std::array all_dtypes{dtype::bf16, dtype::fp8,   dtype::fp16,  dtype::fp32,
                                       dtype::int8, dtype::mxfp4, dtype::nvfp4, dtype::int4};

/// The dtypes' names; without the weight-only ones (mxfp4, nvfp4, int4) for the KV cache and
/// activations.
inline std::vector<std::string> dtype_names(bool weights = true) {
    std::vector<std::string> out;
    for (const dtype t : all_dtypes)
        if (weights || !weight_only(t))
            out.emplace_back(name_of(t));
    return out;
}
inline dtype dtype_named(std::string_view s) {
    for (const dtype t : all_dtypes)
        if (s == name_of(t))
            return t;
    throw usage_error("unknown dtype '" + std::string(s) + "'"); // IsMember checked it already
}

// ---- the model, shared by every subcommand ----------------------------------------------

/// Where the model comes from and the precision overrides.
struct model_options {
    std::string config; ///< --model
    std::string preset; ///< --preset
    std::string weights, kv, activations, experts, embeddings, attention;
    bool mtp = false;
};

/// The model a subcommand works on, with what the loader noted.
struct loaded_model {
    model_spec spec{};
    std::string source;             ///< "preset NAME" or the config path
    std::string family;             ///< config.json family, empty for presets
    std::vector<std::string> notes; ///< what the loader assumed, one line each
};

/// --model, --preset, --mtp and, unless `precision` is false (a subcommand that fixes the
/// precisions itself), --weights, --experts, --embeddings, --kv, --activations, --attention.
inline void add_model_options(CLI::App& app, model_options& o, bool precision = true) {
    const std::string group = "Model (exactly one of --model, --preset)";
    auto* model =
        app.add_option("--model", o.config,
                       "Hugging Face config.json of the model, or a directory holding one")
            ->type_name("PATH")
            ->group(group);
    auto* preset =
        app.add_option("--preset", o.preset, "Built-in model: " + join(model_preset_names()))
            ->type_name("NAME")
            ->check(one_of(model_preset_names(), "model preset"))
            ->group(group);
    model->excludes(preset);
    preset->excludes(model);
    app.add_flag("--mtp", o.mtp,
                 "With --model: include DeepSeek-V3's multi-token-prediction modules "
                 "(num_nextn_predict_layers): counted, held on the last stage, run in training; "
                 "off, the main model as its published total counts it")
        ->group(group);
    if (!precision)
        return;
    const std::string prec = "Precision (overrides the model's)";
    const auto dtype_option = [&](const char* flag, std::string& target, const std::string& what,
                                  const std::vector<std::string>& names,
                                  const std::string& more = "") {
        app.add_option(flag, target, what + ": " + join(names) + more)
            ->type_name("DTYPE")
            ->check(one_of(names, "dtype"))
            ->group(prec);
    };
    std::vector<std::string> or_weights = dtype_names();
    or_weights.emplace_back("weights");
    dtype_option("--weights", o.weights, "Weight dtype", dtype_names());
    dtype_option("--experts", o.experts, "Routed experts' matrices' dtype", or_weights,
                 " (weights: as --weights). Default: the model's own (gpt-oss: mxfp4, which "
                 "--weights leaves as it is); otherwise as --weights");
    dtype_option("--embeddings", o.embeddings, "Embedding and LM head dtype", or_weights,
                 " (weights: as --weights). Default: the model's own (an AWQ or GPTQ config's "
                 "torch_dtype); otherwise as --weights");
    dtype_option("--kv", o.kv, "KV-cache dtype", dtype_names(false));
    dtype_option("--activations", o.activations, "Activation dtype", dtype_names(false));
    std::vector<std::string> or_activations = dtype_names(false);
    or_activations.emplace_back("activations");
    dtype_option("--attention", o.attention, "Attention core dtype (the rate of its products)",
                 or_activations,
                 " (activations: as --activations). Default: the model's own; otherwise as "
                 "--activations. FP8 attention kernels with an fp8 cache: fp8");
}

/// The model of the options. Throws usage_error (neither source) or io::load_error.
inline loaded_model resolve_model(const model_options& o) {
    loaded_model out;
    if (o.config.empty() && o.preset.empty())
        throw usage_error("--model or --preset: give one (the model to work on; see --help)");
    if (!o.preset.empty()) {
        if (o.mtp)
            throw usage_error("--mtp: applies to --model only (use --preset deepseek-v3-mtp)");
        const model_spec* m = presets::find_model(o.preset);
        if (m == nullptr)
            throw usage_error("--preset: unknown model preset '" + o.preset +
                              "' (expected one of: " + join(model_preset_names()) + ")");
        out.spec = *m;
        out.source = "preset " + o.preset;
    } else {
        auto r = io::load_hf_config_detailed(o.config, {.include_mtp = o.mtp});
        out.spec = r.spec;
        out.source = o.config;
        out.family = std::move(r.family);
        out.notes = std::move(r.notes);
    }
    if (!o.weights.empty())
        out.spec.precision.weights = dtype_named(o.weights);
    // "weights": follow --weights again
    const auto choice = [](const std::string& t) {
        return t == "weights" ? dtype_choice{} : dtype_choice{dtype_named(t)};
    };
    if (!o.experts.empty()) {
        out.spec.precision.experts = choice(o.experts);
        if (!is_moe(out.spec))
            out.notes.emplace_back("--experts: the model has no routed experts; nothing changes");
    }
    if (!o.embeddings.empty()) {
        out.spec.precision.embeddings = choice(o.embeddings);
        if (out.spec.vocab == 0)
            out.notes.emplace_back("--embeddings: the model has no vocabulary; nothing changes");
    }
    if (!o.kv.empty())
        out.spec.precision.kv = dtype_named(o.kv);
    if (!o.activations.empty())
        out.spec.precision.activations = dtype_named(o.activations);
    if (!o.attention.empty())
        out.spec.precision.attention =
            o.attention == "activations" ? dtype_choice{} : dtype_choice{dtype_named(o.attention)};
    return out;
}

/// The model's precisions; "experts" is the routed experts' dtype (precision_spec::experts),
/// null for a dense model; "embeddings" the embedding and LM head's, null without a vocabulary.
inline json precision_json(const model_spec& m) {
    return {
        {"weights", name_of(m.precision.weights)},
        {"experts", is_moe(m) ? json(name_of(experts_dtype(m.precision))) : json(nullptr)},
        {"embeddings", m.vocab > 0 ? json(name_of(embeddings_dtype(m.precision))) : json(nullptr)},
        {"kv", name_of(m.precision.kv)},
        {"activations", name_of(m.precision.activations)},
        {"attention", name_of(attention_dtype(m.precision))}};
}

/// The weights' dtype, and the routed experts' and the embedding and head's where they differ:
/// "bf16 (routed experts mxfp4)", "int4 (embedding and LM head fp16)".
inline std::string weight_dtypes_text(const model_spec& m) {
    const dtype experts = experts_dtype(m.precision), tables = embeddings_dtype(m.precision);
    std::vector<std::string> apart;
    if (is_moe(m) && experts != m.precision.weights)
        apart.push_back(fmt::format("routed experts {}", name_of(experts)));
    if (m.vocab > 0 && tables != m.precision.weights)
        apart.push_back(fmt::format("embedding and LM head {}", name_of(tables)));
    std::string out = name_of(m.precision.weights);
    if (!apart.empty())
        out += " (" + join(apart, ", ") + ")";
    return out;
}

/// The model's precisions on one line; the attention core's where it differs from the
/// activations'.
inline std::string model_precision_text(const model_spec& m) {
    const dtype core = attention_dtype(m.precision);
    return fmt::format("weights {}, KV cache {}, activations {}{}", weight_dtypes_text(m),
                       name_of(m.precision.kv), name_of(m.precision.activations),
                       core != m.precision.activations
                           ? fmt::format(" (attention core {})", name_of(core))
                           : std::string{});
}

/// The model's source and precisions on one line.
inline std::string model_text(const loaded_model& lm) {
    return fmt::format("{}; {}", lm.source, model_precision_text(lm.spec));
}

} // namespace moecost::cli
