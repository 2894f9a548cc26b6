#pragma once
// `moecost calibrate`: fits the calibration profile's free terms to the user's own measured
// points (calibrate_points.hpp) by bounded least squares on log(predicted / measured)
// (calibrate_fit.hpp); prints each term before and after, each point's error before and after
// and its leave-one-out error (the fit without the point, predicting it), and writes the
// profile as a calibration file (io/profile_json.hpp) for --calibration.

#include "calibrate_fit.hpp"
#include "calibrate_points.hpp"
#include "command.hpp"
#include "format.hpp"
#include "json_out.hpp"
#include "output.hpp"
#include "values.hpp"

#include <moecost/io/profile_json.hpp>

#include <cmath>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace moecost::cli {

namespace calibrate {

struct options {
    std::string measurements;
    std::string start; ///< --calibration
    std::string out;
    std::string free;
    std::string name;
    bool json = false;
};

/// A fit of the free terms to some of the points.
struct fitted {
    std::vector<double> values; ///< each free term's value, in its unit
    fit_outcome outcome;
};

/// The fit's problem: the points, the free terms, where they start.
struct problem {
    std::vector<point> points;
    std::vector<const term*> free;
    std::vector<double> start; ///< each free term's starting value, in its unit

    /// Point i's cluster with the free terms at `values`.
    [[nodiscard]] cluster_spec cluster_at(std::size_t i, const std::vector<double>& values) const {
        cluster_spec c = points[i].cluster();
        for (std::size_t j = 0; j < free.size(); ++j)
            free[j]->set(c, values[j]);
        return c;
    }
    [[nodiscard]] double predict_at(std::size_t i, const std::vector<double>& values) const {
        return predict(points[i], cluster_at(i, values));
    }

    /// The fit on the points `use` says to use.
    [[nodiscard]] fitted fit(const std::vector<bool>& use) const {
        const std::size_t n = free.size();
        std::vector<double> x0(n), lo(n), hi(n);
        for (std::size_t j = 0; j < n; ++j) {
            x0[j] = to_solver(*free[j], std::clamp(start[j], free[j]->lo, free[j]->hi));
            lo[j] = solver_lo(*free[j]);
            hi[j] = solver_hi(*free[j]);
        }
        const auto values_of = [this](const std::vector<double>& x) {
            std::vector<double> v(x.size());
            for (std::size_t j = 0; j < x.size(); ++j)
                v[j] = from_solver(*free[j], x[j]);
            return v;
        };
        const residual_fn residuals = [&](const std::vector<double>& x) {
            const std::vector<double> v = values_of(x);
            std::vector<double> r;
            for (std::size_t i = 0; i < points.size(); ++i)
                if (use[i]) {
                    const double pred = predict_at(i, v);
                    // a prediction that is not a positive number: as far off as can be
                    r.push_back(pred > 0 && std::isfinite(pred) ? std::log(pred / points[i].value)
                                                                : 1e3);
                }
            return r;
        };
        fitted out;
        out.outcome = least_squares(residuals, x0, lo, hi);
        out.values = values_of(out.outcome.x);
        return out;
    }
};

/// The free terms --free names (default_free without it).
inline std::vector<const term*> free_terms(const std::string& list) {
    std::vector<std::string> names;
    if (list.empty()) {
        for (const std::string_view n : default_free)
            names.emplace_back(n);
    } else {
        std::size_t pos = 0;
        while (pos <= list.size()) {
            const std::size_t comma = list.find(',', pos);
            names.push_back(
                list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
            pos = comma == std::string::npos ? list.size() + 1 : comma + 1;
        }
    }
    std::vector<const term*> out;
    for (const std::string& n : names) {
        const term* t = find_term(n);
        if (t == nullptr)
            throw usage_error("--free: unknown term '" + n +
                              "' (expected one of: " + join(term_names()) + ")");
        if (std::find(out.begin(), out.end(), t) != out.end())
            throw usage_error("--free: term '" + n + "' given twice");
        out.push_back(t);
    }
    // `compute` sets the GEMM plateaus and the prefill core, `memory` the HBM plateau and
    // decode attention: freeing one of those beside them would fit one field twice.
    const auto has = [&](std::string_view n) {
        return std::any_of(out.begin(), out.end(), [&](const term* t) { return n == t->name; });
    };
    for (const term* t : out) {
        const std::string_view n = t->name;
        if (has("compute") &&
            (n == "attention_prefill" || (n.rfind("gemm.", 0) == 0 && n.find(".peak") != n.npos)))
            throw usage_error("--free: '" + std::string(n) +
                              "' is part of 'compute' (which sets every GEMM plateau and the "
                              "prefill attention core); free one or the other");
        if (has("memory") && (n == "hbm.peak" || n == "attention_decode"))
            throw usage_error("--free: '" + std::string(n) +
                              "' is part of 'memory' (which sets the HBM plateau and decode "
                              "attention); free one or the other");
    }
    return out;
}

/// Every point is of one calibration profile (one GPU family): the fit is that profile's.
inline void check_one_family(const std::vector<point>& points, const std::string& path) {
    const std::string_view first = points.front().cluster().gpu.perf.name.view();
    for (const point& p : points)
        if (p.cluster().gpu.perf.name.view() != first)
            throw run_error(fmt::format(
                "{}: the points are on GPUs of different calibration profiles ({} on {}, {} on "
                "{}); calibrate one GPU family at a time",
                path, points.front().gpu_name(), first, p.gpu_name(),
                p.cluster().gpu.perf.name.view()));
}

// ---- text ------------------------------------------------------------------------------

inline std::string value_text(double v) {
    return fmt::format("{:.4g}", v);
}
inline std::string error_text(double predicted, double measured) {
    const double e = 100.0 * (predicted / measured - 1.0);
    return std::abs(e) < 1e5 ? fmt::format("{:+.1f} %", e) : fmt::format("{:+.3g} %", e);
}
inline double abs_error(double predicted, double measured) {
    return std::abs(predicted / measured - 1.0);
}

/// Mean and worst |error| of a column of predictions.
struct error_summary {
    double mean = 0, worst = 0;
};
inline error_summary summary(const std::vector<double>& predicted,
                             const std::vector<point>& points) {
    error_summary s;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const double e = abs_error(predicted[i], points[i].value);
        s.mean += e / static_cast<double>(points.size());
        s.worst = std::max(s.worst, e);
    }
    return s;
}

/// The default name of the fitted profile: the start's with "-calibrated" (32 characters
/// at most).
inline std::string default_name(std::string_view start) {
    const std::string_view tail = "-calibrated";
    return std::string(start.substr(0, 32 - tail.size())) + std::string(tail);
}

/// What a calibration found: the fit, each point's predictions, the profile to write.
struct result {
    problem pb;
    fitted all;
    std::vector<double> before, after, loo; ///< loo: empty with fewer than two points
    io::calibration cal;
    std::string start_name;
};

inline result calibrate_points(const options& o) {
    if (o.measurements.empty())
        throw usage_error("--measurements: required (a JSON file of measured points; see --help)");
    if (!o.name.empty() && o.name.size() > 32)
        throw usage_error("--name: at most 32 characters, got " + std::to_string(o.name.size()));
    result r;
    problem& pb = r.pb;
    pb.free = free_terms(o.free);
    pb.points = read_points(o.measurements, o.start);
    check_one_family(pb.points, o.measurements);
    const cluster_spec& base = pb.points.front().cluster();
    for (const term* t : pb.free)
        pb.start.push_back(t->get(base));

    const std::size_t np = pb.points.size();
    r.all = pb.fit(std::vector<bool>(np, true));
    for (std::size_t i = 0; i < np; ++i) {
        r.before.push_back(pb.predict_at(i, pb.start));
        r.after.push_back(pb.predict_at(i, r.all.values));
    }
    if (np >= 2)
        for (std::size_t i = 0; i < np; ++i) {
            std::vector<bool> use(np, true);
            use[i] = false;
            r.loo.push_back(pb.predict_at(i, pb.fit(use).values));
        }

    // The profile: the start's, the free terms at their fitted values.
    if (!o.start.empty())
        r.cal = io::load_calibration(o.start);
    const cluster_spec fitted_cluster = pb.cluster_at(0, r.all.values);
    r.cal.profile = fitted_cluster.gpu.perf;
    r.start_name = std::string(base.gpu.perf.name.view());
    r.cal.profile.name = std::string_view(o.name.empty() ? default_name(r.start_name) : o.name);
    for (const term* t : pb.free)
        if (is_link_term(*t)) {
            const std::string_view n = t->name;
            io::link_calibration& l =
                n.rfind("intra_node.", 0) == 0 ? r.cal.intra_node : r.cal.inter_node;
            const double v = t->get(fitted_cluster);
            (n.find("efficiency") != n.npos ? l.efficiency : l.latency_s) = v;
        }
    return r;
}

/// Why a term's fitted value is worth a note: no point depends on it, or it ends at a bound.
inline std::string term_note(const result& r, std::size_t j) {
    const term& t = *r.pb.free[j];
    if (r.all.outcome.inert[j])
        return "no point depends on it: left as it was";
    if (r.all.values[j] <= t.lo || r.all.values[j] >= t.hi)
        return "at a bound";
    return {};
}

inline double rms(double cost, std::size_t n) {
    return std::sqrt(2 * cost / static_cast<double>(n));
}

inline void print_text(const options& o, const result& r) {
    const problem& pb = r.pb;
    const std::size_t np = pb.points.size(), nf = pb.free.size();
    emit("moecost calibrate: {} point{} from {}; profile {} -> {}\n", np, np == 1 ? "" : "s",
         o.measurements, r.start_name, r.cal.profile.name.view());
    emit("  start      {}\n", o.start.empty()
                                  ? fmt::format("the {} preset's profile ({})",
                                                pb.points.front().gpu_name(), r.start_name)
                                  : "--calibration " + o.start);
    std::vector<std::string> names;
    for (const term* t : pb.free)
        names.emplace_back(t->name);
    emit("  free       {}\n", join(names));
    const fit_outcome& f = r.all.outcome;
    emit("  fit        least squares on ln(predicted / measured): rms {:.4g} -> {:.4g}, {} "
         "step{}{}\n",
         rms(f.start_cost, np), rms(f.cost, np), f.iterations, f.iterations == 1 ? "" : "s",
         f.converged ? ", converged" : ", stopped at the step limit");
    if (nf > np)
        emit("  note: {} free terms and {} points: the data cannot determine them all (those it "
             "cannot stay near their start)\n",
             nf, np);

    heading("Terms");
    text_table terms_table{{"term", "unit", "before", "after", "bounds", ""}, {}, "ll"};
    for (std::size_t j = 0; j < nf; ++j) {
        const term& t = *pb.free[j];
        terms_table.add({t.name, t.unit, value_text(pb.start[j]), value_text(r.all.values[j]),
                         fmt::format("[{:g}, {:g}]", t.lo, t.hi), term_note(r, j)});
    }
    terms_table.print();

    heading("Points (error: predicted / measured - 1)");
    text_table points_table{{"point", "measured", "value", "before", "error", "after", "error",
                             "leave-one-out", "error"},
                            {},
                            "ll"};
    const bool loo = !r.loo.empty();
    for (std::size_t i = 0; i < np; ++i) {
        const point& p = pb.points[i];
        points_table.add({p.label, p.what->key, value_text(p.value), value_text(r.before[i]),
                          error_text(r.before[i], p.value), value_text(r.after[i]),
                          error_text(r.after[i], p.value), loo ? value_text(r.loo[i]) : "-",
                          loo ? error_text(r.loo[i], p.value) : "-"});
    }
    points_table.print();
    const error_summary sb = summary(r.before, pb.points), sa = summary(r.after, pb.points);
    emit("\n  mean |error|: before {}, after {}", percent(sb.mean), percent(sa.mean));
    if (loo)
        emit(", leave-one-out {}", percent(summary(r.loo, pb.points).mean));
    emit("\n  worst |error|: before {}, after {}", percent(sb.worst), percent(sa.worst));
    if (loo)
        emit(", leave-one-out {}", percent(summary(r.loo, pb.points).worst));
    emit("\n");
    if (!loo)
        emit("  leave-one-out: needs two points or more\n");
    if (o.out.empty())
        emit("\nNo profile written (give --out FILE to write it for --calibration).\n");
    else
        emit("\nProfile {} written to {} (use it with --calibration {}).\n",
             r.cal.profile.name.view(), o.out, o.out);
}

/// The result as JSON: values in their units (the terms' as their names say, the points' as
/// their measures), errors as predicted / measured - 1.
inline json to_json(const options& o, const result& r) {
    const problem& pb = r.pb;
    const json none;
    const bool loo = !r.loo.empty();
    json terms_json = json::array();
    for (std::size_t j = 0; j < pb.free.size(); ++j) {
        const term& t = *pb.free[j];
        terms_json.push_back({{"term", t.name},
                              {"unit", t.unit},
                              {"before", pb.start[j]},
                              {"after", r.all.values[j]},
                              {"lo", t.lo},
                              {"hi", t.hi},
                              {"inert", static_cast<bool>(r.all.outcome.inert[j])},
                              {"at_bound", r.all.values[j] <= t.lo || r.all.values[j] >= t.hi}});
    }
    json points_json = json::array();
    for (std::size_t i = 0; i < pb.points.size(); ++i) {
        const point& p = pb.points[i];
        const double v = p.value;
        points_json.push_back({{"name", p.label},
                               {"measured", p.what->key},
                               {"value", v},
                               {"before", r.before[i]},
                               {"after", r.after[i]},
                               {"leave_one_out", loo ? json(r.loo[i]) : none},
                               {"error_before", r.before[i] / v - 1},
                               {"error_after", r.after[i] / v - 1},
                               {"error_leave_one_out", loo ? json(r.loo[i] / v - 1) : none}});
    }
    const auto errors = [&](const std::vector<double>& pred) {
        const error_summary e = summary(pred, pb.points);
        return json{{"mean_abs", e.mean}, {"worst_abs", e.worst}};
    };
    const fit_outcome& f = r.all.outcome;
    json j;
    j["measurements"] = o.measurements;
    j["start"] = o.start.empty() ? json("preset") : json(o.start);
    j["start_profile"] = r.start_name;
    j["profile"] = std::string(r.cal.profile.name.view());
    j["terms"] = terms_json;
    j["fit"] = {{"rms_log_error_before", rms(f.start_cost, pb.points.size())},
                {"rms_log_error_after", rms(f.cost, pb.points.size())},
                {"steps", f.iterations},
                {"converged", f.converged}};
    j["points"] = points_json;
    j["errors"] = {{"before", errors(r.before)},
                   {"after", errors(r.after)},
                   {"leave_one_out", loo ? errors(r.loo) : none}};
    j["written_to"] = o.out.empty() ? none : json(o.out);
    j["calibration"] = io::calibration_json(r.cal);
    return j;
}

inline int run(const options& o) {
    const result r = calibrate_points(o);
    if (!o.out.empty()) {
        std::ofstream file(o.out, std::ios::binary | std::ios::trunc);
        file << io::calibration_text(r.cal);
        file.close();
        if (!file)
            throw run_error("--out: cannot write " + o.out);
    }
    if (o.json)
        out_json(to_json(o, r));
    else
        print_text(o, r);
    return exit_ok;
}

} // namespace calibrate

inline command add_calibrate(CLI::App& app) {
    auto o = std::make_shared<calibrate::options>();
    CLI::App* sub = app.add_subcommand(
        "calibrate", "Fit the calibration profile to your own measured points: each term before "
                     "and after, each point's error before and after and left out, and the "
                     "profile written for --calibration");
    sub->add_option("--measurements", o->measurements,
                    "JSON file of measured points (required): each a model, gpu, layout, "
                    "workload or training, what was measured and its value")
        ->type_name("FILE");
    sub->add_option("--calibration", o->start,
                    "Calibration file to start from (default: the points' GPU preset's profile)")
        ->type_name("FILE");
    sub->add_option("--out", o->out, "Write the fitted profile to FILE (for --calibration)")
        ->type_name("FILE");
    sub->add_option("--free", o->free,
                    "Terms to fit, comma-separated (default: " +
                        join({calibrate::default_free.begin(), calibrate::default_free.end()}) +
                        "): " + join(calibrate::term_names()))
        ->type_name("TERM[,TERM...]");
    sub->add_option("--name", o->name,
                    "Name of the fitted profile, as reports print it (default: the start's with "
                    "-calibrated)")
        ->type_name("NAME");
    sub->add_flag("--json", o->json,
                  "Print JSON (values in their units, errors as predicted / measured - 1, the "
                  "profile as the file holds it)");
    sub->footer(
        "Measured points (--measurements): {\"points\": [{\"name\": ..., \"model\": PRESET or "
        "config.json path (relative to the file), \"gpu\": PRESET, \"layout\": \"tp=..,dp=..\",\n"
        "\"workload\": {\"batch\": B, \"prompt\": S, \"context\": C, ...} or \"training\": "
        "{\"global_batch\": N, \"seq\": S, \"fp8\": true, ...}, \"options\": {...},\n"
        "\"measured\": " +
        join(calibrate::measure_names(), " | ") +
        ", \"value\": X}]}.\n"
        "The keys of workload, training, options and precision are evaluate's and train's flags "
        "with _ for -.\n"
        "The fit minimises the sum of ln(predicted / measured)^2 over the free terms within "
        "their bounds (Levenberg-Marquardt); deterministic.\n" +
        std::string(exit_status_text) +
        "\nExample:\n"
        "  moecost calibrate --measurements points.json --free compute,memory,step_overhead_s "
        "--out my-cluster.json");
    return {sub, [o] { return calibrate::run(*o); }};
}

} // namespace moecost::cli
