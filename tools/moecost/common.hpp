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

#include <array>
#include <charconv>
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

/// CLI11 validator: a finite number above `lo` (or at least, when `inclusive`) and at most `hi`.
inline CLI::Validator number_in(double lo, bool inclusive, double hi = HUGE_VAL) {
    return {[lo, inclusive, hi](std::string& s) -> std::string {
                const auto v = to_number(s);
                const std::string what =
                    lo == 0 && !inclusive
                        ? std::string("a positive number")
                        : fmt::format("a number {} {:g}", inclusive ? ">=" : ">", lo);
                if (!v)
                    return "expected " + what + ", got '" + s + "'";
                if (inclusive ? *v < lo : *v <= lo)
                    return "expected " + what + ", got " + s;
                if (*v > hi)
                    return fmt::format("expected at most {:g}, got {}", hi, s);
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

inline constexpr std::array all_dtypes{dtype::bf16, dtype::fp8, dtype::fp16, dtype::fp32};

inline std::vector<std::string> dtype_names() {
    std::vector<std::string> out;
    for (const dtype t : all_dtypes)
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
    std::string weights, kv, activations;
    bool mtp = false;
};

/// The model a subcommand works on, with what the loader noted.
struct loaded_model {
    model_spec spec{};
    std::string source;             ///< "preset NAME" or the config path
    std::string family;             ///< config.json family, empty for presets
    std::vector<std::string> notes; ///< what the loader assumed, one line each
};

inline void add_model_options(CLI::App& app, model_options& o) {
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
    const std::string precision = "Precision (overrides the model's)";
    app.add_option("--weights", o.weights, "Weight dtype: " + join(dtype_names()))
        ->type_name("DTYPE")
        ->check(one_of(dtype_names(), "dtype"))
        ->group(precision);
    app.add_option("--kv", o.kv, "KV-cache dtype: " + join(dtype_names()))
        ->type_name("DTYPE")
        ->check(one_of(dtype_names(), "dtype"))
        ->group(precision);
    app.add_option("--activations", o.activations, "Activation dtype: " + join(dtype_names()))
        ->type_name("DTYPE")
        ->check(one_of(dtype_names(), "dtype"))
        ->group(precision);
    app.add_flag("--mtp", o.mtp,
                 "With --model: count DeepSeek-V3's multi-token-prediction modules "
                 "(num_nextn_predict_layers); off, the main model as its published total counts it")
        ->group(group);
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
    if (!o.kv.empty())
        out.spec.precision.kv = dtype_named(o.kv);
    if (!o.activations.empty())
        out.spec.precision.activations = dtype_named(o.activations);
    return out;
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

inline std::string yes_no(bool b) {
    return b ? "yes" : "no";
}

} // namespace moecost::cli
