#pragma once
// How the evaluation treats a deployment: --ideal, --overlap, --imbalance, --headroom,
// --dispatch-fp8, --routing-skew; the options as text and JSON.

#include "json_out.hpp"
#include "values.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <moecost.hpp>

#include <string>

namespace moecost::cli {

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
    app.add_flag("--ideal", o.ideal,
                 "Physical upper bounds: every efficiency 1, operator groups and communication "
                 "overlapped, experts balanced")
        ->group(mo);
    app.add_flag("--overlap", o.overlap, "Overlap communication with compute (default: add them)")
        ->group(mo);
    app.add_option("--imbalance", o.imbalance,
                   "Expert load imbalance: tokens on the busiest EP rank / the mean (>= 1; at most "
                   "ep x min(top-k, experts a rank) / top-k, every token sending its most copies "
                   "to one rank, which applies above it: 1 with one rank)")
        ->type_name("X")
        ->check(number_in({.lo = 1, .hi = 1e6}))
        ->capture_default_str()
        ->group(mo);
    app.add_option("--headroom", o.headroom, "Usable fraction of HBM, from 0.001 to 1")
        ->type_name("F")
        ->check(number_in({.lo = 1e-3, .hi = 1}))
        ->capture_default_str()
        ->group(mo);
    app.add_flag("--dispatch-fp8", o.dispatch_fp8,
                 "EP dispatch in fp8 (DeepSeek-V3), combine in the activation dtype")
        ->group(mo);
    app.add_option("--routing-skew", o.routing_skew,
                   "Zipf exponent of expert popularity (0: uniform routing); fewer distinct "
                   "experts per step")
        ->type_name("S")
        ->check(number_in({.lo = 0, .hi = 16}))
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
        return "ideal: efficiencies 1, operator groups and communication overlapped, balanced "
               "experts" +
               skew;
    return fmt::format(
        "communication {}overlapped, expert imbalance {:g}, memory headroom {:g}{}{}",
        o.overlap ? "" : "not ", o.expert_imbalance, o.memory_headroom,
        o.dispatch_fp8 ? ", fp8 dispatch" : "", skew);
}

} // namespace moecost::cli
