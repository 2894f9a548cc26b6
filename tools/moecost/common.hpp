#pragma once
// Shared pieces of the moecost command-line tool: the subcommand registry, usage errors,
// value validators, the model options every subcommand shares, layout parsing, formatting.
//
// Only tools/ may use CLI11, {fmt} and nlohmann-json directly; the library core does not.

#include <moecost.hpp>
#include <moecost/io/hf_config.hpp>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace moecost::cli {

using json = nlohmann::ordered_json;

// ---- the subcommand registry -----------------------------------------------------------

/// A registered subcommand: its CLI11 app and what runs once it has been parsed.
struct command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

/// Each subcommand is one function that adds itself to the top-level app.
using registrar = command (*)(CLI::App&);

// ---- errors and exit status ------------------------------------------------------------

/// Exit status: success (violations are results, not failures).
inline constexpr int exit_ok = 0;
/// Exit status: the model could not be loaded, or an unexpected failure.
inline constexpr int exit_failure = 1;
/// Exit status: malformed command line.
inline constexpr int exit_usage = 2;

/// The exit statuses, for --help.
inline constexpr const char* exit_status_text =
    "Exit status: 0 done (a deployment that breaks a rule is reported, not an error);\n"
    "1 the model cannot be loaded; 2 a malformed command line (one line on stderr).";

/// A malformed command line found after parsing; what() is one line naming the flag.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The inputs parsed but cannot be worked on (exit_failure); what() is one line.
struct run_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// `text` on one line: newlines and tabs become spaces, trailing blanks go.
inline std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text)
        out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

// ---- value parsing ---------------------------------------------------------------------

/// The largest integer a count option takes: well inside `int`, so products stay exact.
inline constexpr long long max_count = std::int64_t{1} << 30;
/// The largest parallel degree of one layout dimension, and of a whole layout.
inline constexpr long long max_degree = std::int64_t{1} << 20;
inline constexpr long long max_world = std::int64_t{1} << 24;

/// The whole of `s` as a decimal integer, or nothing.
inline std::optional<long long> to_integer(std::string_view s) {
    long long v = 0;
    const char* end = s.data() + s.size();
    const auto [p, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc{} || p != end)
        return std::nullopt;
    return v;
}

/// The whole of `s` as a finite decimal number, or nothing.
inline std::optional<double> to_number(std::string_view s) {
    double v = 0;
    const char* end = s.data() + s.size();
    const auto [p, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc{} || p != end || !std::isfinite(v))
        return std::nullopt;
    return v;
}

/// CLI11 validator: an integer in [lo, hi]. Runs on the text, before conversion, so every
/// malformed value gets a message naming the flag (`--batch: expected ...`).
inline CLI::Validator integer_in(long long lo, long long hi) {
    return {[lo, hi](std::string& s) -> std::string {
                const auto v = to_integer(s);
                const bool digits =
                    !s.empty() &&
                    s.find_first_not_of("0123456789", s[0] == '-' ? 1 : 0) == std::string::npos;
                if (!v && digits && s[0] != '-')
                    return "expected at most " + std::to_string(hi) + ", got " + s;
                const std::string what = lo == 1   ? "a positive integer"
                                         : lo == 0 ? "a non-negative integer"
                                                   : "an integer >= " + std::to_string(lo);
                if (!v)
                    return "expected " + what + ", got '" + s + "'";
                if (*v < lo)
                    return "expected " + what + ", got " + s;
                if (*v > hi)
                    return "expected at most " + std::to_string(hi) + ", got " + s;
                return {};
            },
            ""};
}
inline CLI::Validator positive_integer() {
    return integer_in(1, max_count);
}

/// CLI11 validator: a finite number above `lo` (or at least, when `inclusive`) and at most `hi`
/// (below it unless `hi_inclusive`).
inline CLI::Validator number_in(double lo, bool inclusive, double hi = HUGE_VAL,
                                bool hi_inclusive = true) {
    return {[lo, inclusive, hi, hi_inclusive](std::string& s) -> std::string {
                const auto v = to_number(s);
                const std::string what =
                    lo == 0 && !inclusive
                        ? std::string("a positive number")
                        : fmt::format("a number {} {:g}", inclusive ? ">=" : ">", lo);
                if (!v)
                    return "expected " + what + ", got '" + s + "'";
                if (inclusive ? *v < lo : *v <= lo)
                    return "expected " + what + ", got " + s;
                if (hi_inclusive ? *v > hi : *v >= hi)
                    return fmt::format("expected {} {:g}, got {}",
                                       hi_inclusive ? "at most" : "below", hi, s);
                return {};
            },
            ""};
}
inline CLI::Validator positive_number() {
    return number_in(0, false);
}

// ---- names -----------------------------------------------------------------------------

inline std::vector<std::string> model_preset_names() {
    std::vector<std::string> out;
    for (const auto& p : presets::model_presets)
        out.emplace_back(p.name);
    return out;
}
inline std::vector<std::string> cluster_preset_names() {
    std::vector<std::string> out;
    for (const auto& p : presets::cluster_presets)
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

inline std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty())
            out += sep;
        out += s;
    }
    return out;
}

/// CLI11 validator: one of `names`. The message lists them (CLI::IsMember's is terser).
inline CLI::Validator one_of(std::vector<std::string> names, std::string what) {
    return {[names, what](std::string& s) -> std::string {
                for (const auto& n : names)
                    if (n == s)
                        return {};
                return "unknown " + what + " '" + s + "' (expected one of: " + join(names) + ")";
            },
            ""};
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

/// `A,B,C`: at most `most` integers in [lo, hi], into `out`. Returns the error message,
/// empty on success.
inline std::string parse_integer_list(std::string_view text, std::size_t most, long long lo,
                                      long long hi, std::vector<int>& out) {
    out.clear();
    if (text.empty())
        return "empty (expected N or N,N,...)";
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t comma = text.find(',', pos);
        const std::string_view item = text.substr(
            pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
        if (item.empty())
            return "empty item in '" + std::string(text) + "' (expected N or N,N,...)";
        const auto v = to_integer(item);
        if (!v || *v < lo)
            return (lo == 1 ? std::string("expected positive integers, got '")
                            : "expected integers >= " + std::to_string(lo) + ", got '") +
                   std::string(item) + "'";
        if (*v > hi)
            return "expected at most " + std::to_string(hi) + ", got " + std::string(item);
        if (out.size() == most)
            return "at most " + std::to_string(most) + " values, got more in '" +
                   std::string(text) + "'";
        out.push_back(static_cast<int>(*v));
    }
    return {};
}

/// CLI11 validator around parse_integer_list.
inline CLI::Validator integer_list(std::size_t most, long long lo, long long hi) {
    return {[most, lo, hi](std::string& s) {
                std::vector<int> v;
                return parse_integer_list(s, most, lo, hi, v);
            },
            ""};
}

// ---- layouts ----------------------------------------------------------------------------

/// A key of a `key=value,...` list and where its value goes.
struct layout_key {
    std::string_view key;
    long long lo;     ///< smallest value allowed
    long long* value; ///< where the value goes
};

/// Parses `key=value,...` into the given keys. Returns an error message, empty on success.
inline std::string parse_key_values(std::string_view text, std::vector<layout_key> keys) {
    std::vector<std::string> expected;
    for (const auto& k : keys)
        expected.emplace_back(k.key);
    std::vector<bool> seen(keys.size(), false);
    if (text.empty())
        return "empty (expected KEY=N,... with keys " + join(expected) + ")";
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t comma = text.find(',', pos);
        const std::string_view item = text.substr(
            pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
        const std::size_t eq = item.find('=');
        if (item.empty())
            return "empty item in '" + std::string(text) + "' (expected KEY=N,...)";
        if (eq == std::string_view::npos)
            return "'" + std::string(item) + "' is not KEY=N (keys: " + join(expected) + ")";
        const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
        std::size_t i = 0;
        while (i < keys.size() && keys[i].key != key)
            ++i;
        if (i == keys.size())
            return "unknown key '" + std::string(key) + "' (expected " + join(expected) + ")";
        if (seen[i])
            return "key '" + std::string(key) + "' given twice";
        seen[i] = true;
        const auto v = to_integer(value);
        const std::string want = keys[i].lo > 0 ? "a positive integer" : "a non-negative integer";
        if (!v || *v < keys[i].lo)
            return std::string(key) + ": expected " + want + ", got '" + std::string(value) + "'";
        if (*v > max_degree)
            return std::string(key) + ": expected at most " + std::to_string(max_degree) +
                   ", got " + std::string(value);
        *keys[i].value = *v;
    }
    return {};
}

/// Checks that the GPU counts a layout implies stay small enough to compute with.
/// (Doubles: four degrees of up to 2^20 overflow any integer.)
inline std::string check_world(double attention, double experts) {
    const double most = attention > experts ? attention : experts;
    if (most > static_cast<double>(max_world))
        return fmt::format("the layout needs {:.0f} GPUs; at most {} are supported", most,
                           max_world);
    return {};
}

/// `tp=A,cp=B,dp=C,pp=D,etp=E,ep=F,redundant=R` (missing keys 1; etp defaults to tp,
/// redundant to 0). Fills `out`; returns the error message, empty on success.
inline std::string parse_layout(std::string_view text, layout& out) {
    long long tp = 1, cp = 1, dp = 1, pp = 1, etp = 0, ep = 1, redundant = 0;
    const std::string err = parse_key_values(text, {{"tp", 1, &tp},
                                                    {"cp", 1, &cp},
                                                    {"dp", 1, &dp},
                                                    {"pp", 1, &pp},
                                                    {"etp", 1, &etp},
                                                    {"ep", 1, &ep},
                                                    {"redundant", 0, &redundant}});
    if (!err.empty())
        return err;
    const long long e = etp > 0 ? etp : tp;
    if (auto w = check_world(double(tp) * double(cp) * double(dp) * double(pp),
                             double(e) * double(ep) * double(pp));
        !w.empty())
        return w;
    out = {.tp = int(tp),
           .cp = int(cp),
           .dp = int(dp),
           .pp = int(pp),
           .etp = int(etp),
           .ep = int(ep),
           .redundant_experts = int(redundant)};
    return {};
}

/// The seed plan's `ep=A,pp=B,dp=C,tp=D` (missing keys 1): moecost::seed_layout.
/// Fills `out`; returns the error message, empty on success.
inline std::string parse_seed_layout(std::string_view text, layout& out) {
    long long ep = 1, pp = 1, dp = 1, tp = 1;
    const std::string err =
        parse_key_values(text, {{"ep", 1, &ep}, {"pp", 1, &pp}, {"dp", 1, &dp}, {"tp", 1, &tp}});
    if (!err.empty())
        return err;
    const double world = double(ep) * double(pp) * double(dp) * double(tp);
    if (auto w = check_world(world, world); !w.empty())
        return w;
    out = seed_layout(int(ep), int(pp), int(dp), int(tp));
    return {};
}

/// CLI11 validator around one of the layout parsers.
inline CLI::Validator layout_validator(std::string (*parse)(std::string_view, layout&)) {
    return {[parse](std::string& s) {
                layout l;
                return parse(s, l);
            },
            ""};
}

// ---- the cluster, the layout, the workload, the modelling, the requirements -------------
// Registered the same way by every subcommand that takes them (evaluate, search, train, dag).

/// --gpu, --gpus-per-node and the figures that replace the preset's (a GPU with no preset:
/// the nearest preset and its own datasheet figures).
struct cluster_options {
    std::string gpu;
    int gpus_per_node = 0; ///< 0: the preset's
    static constexpr int figures = 10;
    std::array<double, figures> value{-1, -1, -1, -1, -1,
                                      -1, -1, -1, -1, -1}; ///< < 0: the preset's
};

/// A flag of cluster_options::value: name, unit, scale to the base unit of the field it
/// replaces, and that field.
struct hardware_flag {
    const char* flag;
    const char* unit;
    double scale;
    bool positive; ///< must be > 0 (else >= 0: 0 is "none")
    const char* help;
    double& (*field)(cluster_spec&);
};
inline constexpr std::array<hardware_flag, cluster_options::figures> hardware_flags{{
    {"--peak-bf16", "TFLOPS", 1e12, true, "Dense bf16 tensor rate, TFLOP/s",
     [](cluster_spec& c) -> double& { return c.gpu.peak_bf16.value; }},
    {"--peak-fp8", "TFLOPS", 1e12, false, "Dense fp8 tensor rate, TFLOP/s (0: none, bf16's used)",
     [](cluster_spec& c) -> double& { return c.gpu.peak_fp8.value; }},
    {"--peak-fp4", "TFLOPS", 1e12, false,
     "Dense FP4 tensor rate, TFLOP/s (0: none; nvfp4 weights at bf16's)",
     [](cluster_spec& c) -> double& { return c.gpu.peak_fp4.value; }},
    {"--peak-int8", "TOPS", 1e12, false,
     "Dense INT8 tensor rate, TOP/s (0: none; int8 weights at bf16's)",
     [](cluster_spec& c) -> double& { return c.gpu.peak_int8.value; }},
    {"--hbm-gb", "GB", 1e9, true, "HBM per GPU, GB (1e9 bytes)",
     [](cluster_spec& c) -> double& { return c.gpu.hbm.value; }},
    {"--hbm-tbps", "TB/s", 1e12, true, "HBM bandwidth, TB/s",
     [](cluster_spec& c) -> double& { return c.gpu.hbm_bandwidth.value; }},
    {"--compute-efficiency", "X", 1.0, true, "Achievable fraction of peak FLOP/s, in (0, 1]",
     [](cluster_spec& c) -> double& { return c.gpu.compute_efficiency; }},
    {"--memory-efficiency", "X", 1.0, true, "Achievable fraction of HBM bandwidth, in (0, 1]",
     [](cluster_spec& c) -> double& { return c.gpu.memory_efficiency; }},
    {"--intra-node-gbps", "GB/s", 1e9, true, "Link bandwidth inside a node, GB/s each way",
     [](cluster_spec& c) -> double& { return c.intra_node.bandwidth.value; }},
    {"--inter-node-gbps", "GB/s", 1e9, true, "NIC bandwidth per GPU between nodes, GB/s each way",
     [](cluster_spec& c) -> double& { return c.inter_node.bandwidth.value; }},
}};

inline void add_cluster_options(CLI::App& app, cluster_options& o) {
    const std::string hw = "Hardware";
    app.add_option("--gpu", o.gpu,
                   "GPU and cluster preset (required): " + join(cluster_preset_names()))
        ->type_name("NAME")
        ->check(one_of(cluster_preset_names(), "GPU preset"))
        ->group(hw);
    app.add_option("--gpus-per-node", o.gpus_per_node,
                   "GPUs per node, or per NVLink domain (default: the preset's)")
        ->type_name("N")
        ->check(integer_in(1, max_degree))
        ->group(hw);
    const std::string figures = "Hardware figures (replace the --gpu preset's)";
    for (std::size_t i = 0; i < hardware_flags.size(); ++i) {
        const hardware_flag& f = hardware_flags[i];
        const bool fraction = f.scale == 1.0;
        app.add_option(f.flag, o.value[i], f.help)
            ->type_name(f.unit)
            ->check(fraction ? number_in(0, false, 1) : number_in(0, !f.positive))
            ->group(figures);
    }
}

/// The cluster of the options, with the preset's name.
struct resolved_cluster {
    std::string name;
    cluster_spec spec{};
};

inline resolved_cluster resolve_cluster(const cluster_options& o) {
    if (o.gpu.empty())
        throw usage_error("--gpu: required (one of: " + join(cluster_preset_names()) + ")");
    const cluster_spec* c = presets::find_cluster(o.gpu);
    if (c == nullptr)
        throw usage_error("--gpu: unknown GPU preset '" + o.gpu +
                          "' (expected one of: " + join(cluster_preset_names()) + ")");
    resolved_cluster out{o.gpu, *c};
    if (o.gpus_per_node > 0)
        out.spec.gpus_per_node = o.gpus_per_node;
    std::string changed;
    for (std::size_t i = 0; i < hardware_flags.size(); ++i) {
        if (o.value[i] < 0)
            continue;
        hardware_flags[i].field(out.spec) = o.value[i] * hardware_flags[i].scale;
        changed += fmt::format("{} {} {:g}", changed.empty() ? " with" : ",",
                               hardware_flags[i].flag, o.value[i]);
    }
    out.name += changed;
    return out;
}

/// --layout and --seed-layout (at most one).
struct layout_options {
    std::string layout_text, seed_layout_text;
};

inline void add_layout_options(CLI::App& app, layout_options& o) {
    const std::string par = "Layout (at most one of --layout, --seed-layout; default: one GPU)";
    auto* lay =
        app.add_option("--layout", o.layout_text,
                       "Megatron-style layout tp=A,cp=B,dp=C,pp=D,etp=E,ep=F[,redundant=R]: "
                       "attention mesh tp*cp*dp, expert mesh etp*ep*edp, pp stages; missing "
                       "keys are 1, etp defaults to tp, redundant (extra expert replicas) to 0")
            ->type_name("SPEC")
            ->check(layout_validator(parse_layout))
            ->group(par);
    auto* seed =
        app.add_option("--seed-layout", o.seed_layout_text,
                       "The seed plan's notation ep=A,pp=B,dp=C,tp=D (EP x PP x DP x TP GPUs): "
                       "attention tp=D dp=C*A pp=B, experts etp=D ep=A; missing keys are 1")
            ->type_name("SPEC")
            ->check(layout_validator(parse_seed_layout))
            ->group(par);
    lay->excludes(seed);
    seed->excludes(lay);
}

/// The layout of the options and how it was given.
struct resolved_layout {
    layout l{};
    std::string source;
};

inline resolved_layout resolve_layout(const layout_options& o) {
    resolved_layout out;
    if (!o.layout_text.empty()) {
        if (auto err = parse_layout(o.layout_text, out.l); !err.empty())
            throw usage_error("--layout: " + err);
        out.source = "--layout " + o.layout_text;
    } else if (!o.seed_layout_text.empty()) {
        if (auto err = parse_seed_layout(o.seed_layout_text, out.l); !err.empty())
            throw usage_error("--seed-layout: " + err);
        out.source = "--seed-layout " + o.seed_layout_text;
    } else {
        out.source = "default: one GPU";
    }
    return out;
}

/// The inference workload: --batch (unless the subcommand takes its own), --prompt,
/// --context, --micro-batches, --decode-micro-batches.
struct workload_options {
    int batch = 1;
    int prompt = 4096;
    int context = 0;              ///< 0: = prompt
    int micro_batches = 0;        ///< 0: = pp
    int decode_micro_batches = 0; ///< 0: = pp
    int draft_tokens = 0;
    double draft_acceptance = 0.0;
    double prefix_cache_hit = 0.0;
};

inline const std::string workload_group = "Workload";

inline void add_workload_options(CLI::App& app, workload_options& o, bool with_batch = true) {
    if (with_batch)
        app.add_option("--batch", o.batch, "Concurrent sequences in the whole deployment")
            ->type_name("B")
            ->check(positive_integer())
            ->capture_default_str()
            ->group(workload_group);
    app.add_option("--prompt", o.prompt, "Prompt length in tokens (prefill)")
        ->type_name("S")
        ->check(positive_integer())
        ->capture_default_str()
        ->group(workload_group);
    app.add_option("--context", o.context,
                   "Decode context (KV length) in tokens (default: the prompt)")
        ->type_name("C")
        ->check(positive_integer())
        ->group(workload_group);
    app.add_option("--micro-batches", o.micro_batches,
                   "Pipeline micro-batches the prefill batch is split into (default: pp)")
        ->type_name("N")
        ->check(positive_integer())
        ->group(workload_group);
    app.add_option("--decode-micro-batches", o.decode_micro_batches,
                   "Micro-batches in flight in decode (default: pp)")
        ->type_name("N")
        ->check(positive_integer())
        ->group(workload_group);
    auto* drafts = app.add_option("--draft-tokens", o.draft_tokens,
                                  "Speculative decoding: tokens the model's MTP modules draft "
                                  "per decode step (needs a model with them, e.g. "
                                  "deepseek-v3-mtp)")
                       ->type_name("D")
                       ->check(integer_in(0, 16))
                       ->group(workload_group);
    auto* acceptance =
        app.add_option("--draft-acceptance", o.draft_acceptance,
                       "The chance a drafted token is accepted (DeepSeek-V3 reports 0.85 to 0.9)")
            ->type_name("A")
            ->check(number_in(0, true, 1))
            ->needs(drafts)
            ->group(workload_group);
    drafts->needs(acceptance); // no silent default: the rate is the model's and the data's
    app.add_option("--prefix-cache-hit", o.prefix_cache_hit,
                   "Prefix caching: the share of each prompt whose KV the cache already holds, "
                   "not computed again (DeepSeek reports 0.563); prefill tokens/s still count "
                   "every prompt token")
        ->type_name("H")
        ->check(number_in(0, true, 1, false))
        ->capture_default_str()
        ->group(workload_group);
}

inline workload make_workload(const workload_options& o) {
    return {.batch = o.batch,
            .prompt = o.prompt,
            .context = o.context,
            .prefill_micro_batches = o.micro_batches,
            .decode_micro_batches = o.decode_micro_batches,
            .draft_tokens = o.draft_tokens,
            .draft_acceptance = o.draft_acceptance,
            .prefix_cache_hit = o.prefix_cache_hit};
}

/// "prompt S tokens", with the share a prefix cache holds when there is one.
inline std::string prompt_text(const workload& w) {
    if (w.prefix_cache_hit > 0)
        return fmt::format("prompt {} tokens ({:.3g}% in the prefix cache)", w.prompt,
                           100.0 * w.prefix_cache_hit);
    return fmt::format("prompt {} tokens", w.prompt);
}

/// "; speculative decoding: …" for a workload with drafts, else nothing. A model without MTP
/// modules cannot draft (rule draft_needs_mtp): it gains one token a step, and says so.
inline std::string drafts_text(const model_spec& m, const workload& w) {
    if (w.draft_tokens <= 0)
        return {};
    if (m.mtp_layers <= 0)
        return fmt::format("; speculative decoding: {} MTP draft token{} asked, none drafted (the "
                           "model has no MTP modules): 1 token per step",
                           w.draft_tokens, w.draft_tokens == 1 ? "" : "s");
    return fmt::format("; speculative decoding: {} MTP draft token{} per step, acceptance {:g}, "
                       "{:.3g} tokens per step",
                       w.draft_tokens, w.draft_tokens == 1 ? "" : "s", w.draft_acceptance,
                       tokens_per_decode_step(w));
}

/// How the evaluation treats the deployment: --ideal, --overlap, --imbalance, --headroom,
/// --dispatch-fp8, --routing-skew.
struct modelling_options {
    bool ideal = false;
    bool overlap = false;
    double imbalance = 1.0;
    double headroom = eval_options{}.memory_headroom;
    bool dispatch_fp8 = false;
    double routing_skew = 0.0;
};

inline void add_modelling_options(CLI::App& app, modelling_options& o) {
    const std::string mo = "Modelling";
    app.add_flag(
           "--ideal", o.ideal,
           "Physical upper bounds: every efficiency 1, communication overlapped, experts balanced")
        ->group(mo);
    app.add_flag("--overlap", o.overlap, "Overlap communication with compute (default: add them)")
        ->group(mo);
    app.add_option("--imbalance", o.imbalance,
                   "Expert load imbalance: tokens on the busiest EP rank / the mean (>= 1)")
        ->type_name("X")
        ->check(number_in(1, true, 1e6))
        ->capture_default_str()
        ->group(mo);
    app.add_option("--headroom", o.headroom, "Usable fraction of HBM, in (0, 1]")
        ->type_name("F")
        ->check(number_in(0, false, 1))
        ->capture_default_str()
        ->group(mo);
    app.add_flag("--dispatch-fp8", o.dispatch_fp8,
                 "EP dispatch in fp8 (DeepSeek-V3), combine in the activation dtype")
        ->group(mo);
    app.add_option("--routing-skew", o.routing_skew,
                   "Zipf exponent of expert popularity (0: uniform routing); fewer distinct "
                   "experts per step")
        ->type_name("S")
        ->check(number_in(0, true, 16))
        ->capture_default_str()
        ->group(mo);
}

inline eval_options make_eval_options(const modelling_options& o) {
    return {.ideal = o.ideal,
            .overlap = o.overlap,
            .expert_imbalance = o.imbalance,
            .memory_headroom = o.headroom,
            .dispatch_fp8 = o.dispatch_fp8,
            .routing_skew = o.routing_skew};
}

/// The modelling options as JSON, as the evaluation applies them (ideal implies overlap
/// and balanced experts).
inline json options_json(const eval_options& o) {
    return {{"ideal", o.ideal},
            {"overlap", o.overlap || o.ideal},
            {"expert_imbalance", o.ideal ? 1.0 : o.expert_imbalance},
            {"memory_headroom", o.memory_headroom},
            {"dispatch_fp8", o.dispatch_fp8},
            {"routing_skew", o.routing_skew}};
}

/// One line saying how the evaluation treats the deployment.
inline std::string modelling_text(const eval_options& o) {
    const std::string skew =
        o.routing_skew > 0 ? fmt::format(", routing skew {:g}", o.routing_skew) : std::string();
    if (o.ideal)
        return "ideal: efficiencies 1, overlapped communication, balanced experts" + skew;
    return fmt::format(
        "communication {}overlapped, expert imbalance {:g}, memory headroom {:g}{}{}",
        o.overlap ? "" : "not ", o.expert_imbalance, o.memory_headroom,
        o.dispatch_fp8 ? ", fp8 dispatch" : "", skew);
}

/// --max-mem-gb: a memory ceiling per GPU in GB (0: none), for the requirements of `search`
/// and the training search of `train`.
inline CLI::Option* add_max_memory_option(CLI::App& app, double& gb, const std::string& group) {
    return app.add_option("--max-mem-gb", gb, "Largest memory per GPU, in GB (1e9 bytes)")
        ->type_name("X")
        ->check(positive_number())
        ->group(group);
}

// ---- layout searches (search, and train with --gpus or --max-gpus) -----------------------

/// Capacity of a search result: --top shows at most max_top layouts (and misses).
inline constexpr int max_top = 50;
/// At most this many batch sizes (search_space::batches).
inline constexpr std::size_t max_batches = std::tuple_size_v<decltype(search_space::batches)>;
/// The largest GPU budget: the enumeration grows faster than linearly with it.
inline constexpr long long max_search_gpus = 4096;

/// The GPU budget and the degrees tried: --gpus, --max-gpus, --min-gpus, --max-cp, --pow2.
struct search_space_options {
    int gpus = 0;     ///< one budget
    int min_gpus = 0; ///< with max_gpus: min_gpus .. max_gpus (0: from 1)
    int max_gpus = 0; ///< 1 .. max_gpus
    int max_cp = 1;
    bool pow2 = false;
    bool pad_experts = false;
    /// A budget was given (`train` searches only then).
    [[nodiscard]] bool given() const { return gpus > 0 || max_gpus > 0; }
};

/// The options of search_space_options, in `group`, --pad-experts only for an inference search
/// (`pad`); returns --max-cp and --pow2 (which a subcommand that also evaluates one layout
/// refuses outside a search).
inline std::array<CLI::Option*, 2> add_search_space_options(CLI::App& app, search_space_options& o,
                                                            const std::string& group,
                                                            bool pad = false) {
    auto* gpus = app.add_option("--gpus", o.gpus, "Exactly this many GPUs")
                     ->type_name("N")
                     ->check(integer_in(1, max_search_gpus))
                     ->group(group);
    auto* max_gpus = app.add_option("--max-gpus", o.max_gpus,
                                    "Every world size up to N (from --min-gpus, default 1)")
                         ->type_name("N")
                         ->check(integer_in(1, max_search_gpus))
                         ->group(group);
    auto* min_gpus =
        app.add_option("--min-gpus", o.min_gpus, "With --max-gpus: world sizes from N (default 1)")
            ->type_name("N")
            ->check(integer_in(1, max_search_gpus))
            ->group(group);
    gpus->excludes(max_gpus);
    max_gpus->excludes(gpus);
    min_gpus->excludes(gpus);
    min_gpus->needs(max_gpus);
    auto* cp = app.add_option("--max-cp", o.max_cp, "Context-parallel degrees tried up to N")
                   ->type_name("N")
                   ->check(integer_in(1, max_degree))
                   ->capture_default_str()
                   ->group(group);
    auto* pow2 =
        app.add_flag("--pow2", o.pow2, "Power-of-two degrees and world sizes only (faster)")
            ->group(group);
    if (pad)
        app.add_flag("--pad-experts", o.pad_experts,
                     "Give an EP degree that does not divide the routed experts the fewest "
                     "redundant experts that make it divide (EPLB replicas: DeepSeek-V3's 256 in "
                     "288 slots on 72 GPUs)")
            ->group(group);
    return {cp, pow2};
}

/// The search space of the options (no budget given: 1 to 8 GPUs) and the batch sizes.
inline search_space make_search_space(const search_space_options& o,
                                      const std::vector<int>& batches) {
    search_space s;
    s.min_gpus = o.gpus > 0 ? o.gpus : (o.min_gpus > 0 ? o.min_gpus : 1);
    s.max_gpus = o.gpus > 0 ? o.gpus : (o.max_gpus > 0 ? o.max_gpus : 8);
    if (s.min_gpus > s.max_gpus)
        throw usage_error(
            fmt::format("--min-gpus: {} is more than --max-gpus {}", s.min_gpus, s.max_gpus));
    for (std::size_t i = 0; i < batches.size() && i < s.batches.size(); ++i)
        s.batches[i] = batches[i];
    s.max_cp = o.max_cp;
    s.pow2_only = o.pow2;
    s.pad_experts = o.pad_experts;
    return s;
}

/// The search space on one line: `8 GPUs (8 per node); batch 64, 128; cp up to 1; ...`.
inline std::string space_text(const search_space& s, int gpus_per_node, std::string_view batch_word,
                              const std::vector<int>& batches) {
    std::vector<std::string> b;
    for (const int x : batches)
        b.push_back(std::to_string(x));
    return fmt::format(
        "{} GPUs ({} per node); {} {}; cp up to {}; {}",
        s.min_gpus == s.max_gpus ? std::to_string(s.max_gpus)
                                 : fmt::format("{} to {}", s.min_gpus, s.max_gpus),
        gpus_per_node, batch_word, join(b, ", "), s.max_cp,
        std::string(s.pow2_only ? "power-of-two degrees only" : "every degree that divides") +
            (s.pad_experts ? ", EP padded with redundant experts" : ""));
}

/// An objective as the command line names it, and how the table is sorted.
template <class T>
struct named_choice {
    const char* cli;
    T value;
    const char* order;
};

template <class T, std::size_t N>
std::vector<std::string> choice_names(const std::array<named_choice<T>, N>& choices) {
    std::vector<std::string> out;
    for (const auto& c : choices)
        out.emplace_back(c.cli);
    return out;
}

template <class T, std::size_t N>
const named_choice<T>& choice_named(const std::array<named_choice<T>, N>& choices,
                                    std::string_view s) {
    for (const auto& c : choices)
        if (s == c.cli)
            return c;
    throw usage_error("--objective: unknown objective '" + std::string(s) +
                      "' (expected one of: " + join(choice_names(choices)) + ")");
}

/// --objective (one of `names`) and --top, in `group`; returns both.
inline std::array<CLI::Option*, 2> add_ranking_options(CLI::App& app, std::string& objective,
                                                       const std::vector<std::string>& names,
                                                       const std::string& help, int& top,
                                                       const std::string& group) {
    auto* obj = app.add_option("--objective", objective, help)
                    ->type_name("WHAT")
                    ->check(one_of(names, "objective"))
                    ->capture_default_str()
                    ->group(group);
    auto* t = app.add_option("--top", top, fmt::format("Layouts shown (at most {})", max_top))
                  ->type_name("N")
                  ->check(integer_in(1, max_top))
                  ->capture_default_str()
                  ->group(group);
    return {obj, t};
}

/// Seconds since `start` on the steady clock (a search's own wall time).
inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Service targets: --min-prefill-tok-per-gpu, --min-decode-tok-per-gpu, --max-ttft,
/// --max-tpot, --max-mem-gb. Zero: no target.
struct requirement_options {
    double min_prefill = 0, min_decode = 0, max_ttft = 0, max_tpot = 0, max_mem_gb = 0;
};

inline void add_requirement_options(CLI::App& app, requirement_options& o,
                                    const std::string& group) {
    app.add_option("--min-prefill-tok-per-gpu", o.min_prefill, "Least prefill tokens/s per GPU")
        ->type_name("X")
        ->check(positive_number())
        ->group(group);
    app.add_option("--min-decode-tok-per-gpu", o.min_decode, "Least decode tokens/s per GPU")
        ->type_name("X")
        ->check(positive_number())
        ->group(group);
    app.add_option("--max-ttft", o.max_ttft, "Largest time to first token, in seconds")
        ->type_name("SECONDS")
        ->check(positive_number())
        ->group(group);
    app.add_option("--max-tpot", o.max_tpot, "Largest time per output token, in seconds")
        ->type_name("SECONDS")
        ->check(positive_number())
        ->group(group);
    add_max_memory_option(app, o.max_mem_gb, group);
}

inline requirements make_requirements(const requirement_options& o) {
    return {.min_prefill_tokens_per_gpu = make<token_rate>(o.min_prefill),
            .min_decode_tokens_per_gpu = make<token_rate>(o.min_decode),
            .max_ttft = make<seconds>(o.max_ttft),
            .max_tpot = make<seconds>(o.max_tpot),
            .max_memory_per_gpu = make<bytes>(o.max_mem_gb * 1e9)};
}

/// report::requirements is in a fixed order (prefill rate, decode rate, TTFT, TPOT, memory),
/// see evaluate(); these name each entry in JSON and on the command line.
inline constexpr std::array<const char*, 5> requirement_keys{
    "min_prefill_tokens_per_s_per_gpu", "min_decode_tokens_per_s_per_gpu", "max_ttft_s",
    "max_tpot_s", "max_memory_per_gpu_bytes"};
inline constexpr std::array<const char*, 5> requirement_flags{
    "--min-prefill-tok-per-gpu", "--min-decode-tok-per-gpu", "--max-ttft", "--max-tpot",
    "--max-mem-gb"};

/// Is requirement i a floor (rates) rather than a ceiling (latencies, memory)?
inline constexpr bool requirement_at_least(std::size_t i) {
    return i < 2;
}

/// A requirement's value with its unit.
inline std::string requirement_value(std::size_t i, double v) {
    switch (i) {
    case 0:
    case 1:
        return pretty(make<token_rate>(v));
    case 2:
    case 3:
        return pretty(make<seconds>(v));
    default:
        return pretty(make<bytes>(v));
    }
}

/// The targets given, one phrase each (`TPOT <= 50 ms`); empty when none.
inline std::vector<std::string> requirement_phrases(const requirements& q) {
    const std::array<double, 5> targets{q.min_prefill_tokens_per_gpu.value,
                                        q.min_decode_tokens_per_gpu.value, q.max_ttft.value,
                                        q.max_tpot.value, q.max_memory_per_gpu.value};
    static constexpr std::array<const char*, 5> names{
        "prefill tokens/s per GPU", "decode tokens/s per GPU", "TTFT", "TPOT", "memory per GPU"};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < targets.size(); ++i)
        if (targets[i] > 0)
            out.push_back(fmt::format("{} {} {}", names[i], requirement_at_least(i) ? ">=" : "<=",
                                      requirement_value(i, targets[i])));
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

/// An integer tensor rate, stored as a FLOP rate: "4.5 POP/s".
inline std::string int_ops_text(flop_rate r) {
    std::string s = pretty(r);
    if (const auto at = s.find("FLOP/s"); at != std::string::npos)
        s.replace(at, 6, "OP/s");
    return s;
}

/// The GPU's rates, memory and efficiencies on one line.
inline std::string gpu_text(const cluster_spec& c, bool ideal) {
    return fmt::format(
        "{} {} bf16, {}; {} HBM at {}; efficiency compute {:g}, memory {:g}{}", c.gpu.name.view(),
        pretty(c.gpu.peak_bf16.get()),
        (c.gpu.peak_fp8.value > 0 ? pretty(c.gpu.peak_fp8.get()) + " fp8"
                                  : std::string("no fp8 rate (bf16's used)")) +
            (c.gpu.peak_fp4.value > 0 ? ", " + pretty(c.gpu.peak_fp4.get()) + " fp4"
                                      : std::string{}) +
            (c.gpu.peak_int8.value > 0 ? ", " + int_ops_text(c.gpu.peak_int8.get()) + " int8"
                                       : std::string{}),
        pretty(c.gpu.hbm.get()), pretty(c.gpu.hbm_bandwidth.get()), c.gpu.compute_efficiency,
        c.gpu.memory_efficiency, ideal ? " (ideal: taken as 1)" : "");
}

/// The node size and links on one line.
inline std::string network_text(const cluster_spec& c) {
    return fmt::format("{} GPUs per node; {} each way inside a node, {} per GPU between nodes{}",
                       c.gpus_per_node, pretty(c.intra_node.bandwidth.get()),
                       pretty(c.inter_node.bandwidth.get()),
                       c.interconnect_assumed ? " (ASSUMED: the preset's source names none)" : "");
}

/// A layout's degrees as JSON (attention mesh, expert mesh, world size).
inline json layout_json(const layout& l) {
    return {{"tp", l.tp},
            {"cp", l.cp},
            {"dp", l.dp},
            {"pp", l.pp},
            {"etp", etp_of(l)},
            {"ep", l.ep},
            {"edp", edp_of(l)},
            {"redundant_experts", l.redundant_experts},
            {"world_size", world_size(l)}};
}

/// A layout on one line: `attention tp=2 cp=1 dp=4 pp=2 | experts etp=2 ep=8 edp=1`.
inline std::string layout_text(const layout& l) {
    return fmt::format("attention tp={} cp={} dp={} pp={} | experts etp={} ep={} edp={}{}", l.tp,
                       l.cp, l.dp, l.pp, etp_of(l), l.ep, edp_of(l),
                       l.redundant_experts > 0 ? fmt::format(" redundant={}", l.redundant_experts)
                                               : "");
}

// ---- formatting -------------------------------------------------------------------------

/// A parameter count: `46.70 B`, `512.00 M`, `4096`.
inline std::string count(double n) {
    static constexpr std::array<const char*, 5> suffix{"", " K", " M", " B", " T"};
    std::size_t k = 0;
    double v = n;
    while ((v >= 999.995 || v <= -999.995) && k + 1 < suffix.size()) {
        v /= 1000.0;
        ++k;
    }
    if (k == 0)
        return fmt::format("{:.0f}", n);
    return fmt::format("{:.2f}{}", v, suffix[k]);
}

/// A count as a JSON integer when it is one (parameter counts are), else as a number.
inline json count_json(double n) {
    if (n == std::floor(n) && std::fabs(n) < 9.0e15)
        return static_cast<std::int64_t>(n);
    return n;
}

inline std::string percent(double fraction) {
    return fmt::format("{:.1f} %", 100.0 * fraction);
}

/// A section heading.
inline void heading(std::string_view title) {
    fmt::print("\n{}\n{}\n", title, std::string(title.size(), '-'));
}

/// A text table: columns sized to their widest cell; `align` holds 'l' for each column
/// aligned left (a column past its end is aligned right). An empty header is not printed.
struct text_table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::string align;

    void add(std::vector<std::string> row) { rows.push_back(std::move(row)); }

    void print(std::string_view indent = "  ") const {
        std::vector<std::size_t> width;
        auto measure = [&](const std::vector<std::string>& r) {
            if (width.size() < r.size())
                width.resize(r.size(), 0);
            for (std::size_t i = 0; i < r.size(); ++i)
                width[i] = std::max(width[i], display_width(r[i]));
        };
        measure(header);
        for (const auto& r : rows)
            measure(r);
        auto line = [&](const std::vector<std::string>& r) {
            std::string out(indent);
            for (std::size_t i = 0; i < width.size(); ++i) {
                const std::string& cell = i < r.size() ? r[i] : std::string();
                const std::string pad(width[i] - display_width(cell), ' ');
                if (i > 0)
                    out += "  ";
                out += i < align.size() && align[i] == 'l' ? cell + pad : pad + cell;
            }
            while (!out.empty() && out.back() == ' ')
                out.pop_back();
            fmt::print("{}\n", out);
        };
        if (!header.empty())
            line(header);
        for (const auto& r : rows)
            line(r);
    }

    /// Characters as a terminal shows them: UTF-8 continuation bytes (µ's second) take none.
    static std::size_t display_width(std::string_view s) {
        std::size_t n = 0;
        for (const char c : s)
            n += (static_cast<unsigned char>(c) & 0xC0) == 0x80 ? 0 : 1;
        return n;
    }
};

inline std::string yes_no(bool b) {
    return b ? "yes" : "no";
}

/// The "searched" line of `search` and of `train`'s layout search.
inline std::string searched_text(long evaluated, long rejected, long feasible, double elapsed) {
    return fmt::format("{} layout{} evaluated in {:.3g} s ({} refused by the division rules); "
                       "{} feasible",
                       evaluated, evaluated == 1 ? "" : "s", elapsed, rejected, feasible);
}

} // namespace moecost::cli
