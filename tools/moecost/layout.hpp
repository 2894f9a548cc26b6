#pragma once
// Layouts on the command line: --layout and --seed-layout, parsed and checked.

#include "command.hpp"
#include "values.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <moecost.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace moecost::cli {

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

} // namespace moecost::cli
