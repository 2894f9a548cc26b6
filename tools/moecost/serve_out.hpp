#pragma once
// `moecost serve`'s output: the plan as JSON and as aligned text, the Pareto front as SVG.

#include "format.hpp"
#include "json_out.hpp"
#include "layout_text.hpp"
#include "output.hpp"
#include "serve_scenario.hpp"

#include <moecost/io/svg.hpp>

#include <algorithm>
#include <fstream>

namespace moecost::cli::serve_cmd {

using result = serve_result<32>;

/// `tp=1 dp=16 pp=1 | ep=16`: a pool's layout, short.
inline std::string short_layout(const layout& l) {
    std::string s = fmt::format("tp={} dp={}", l.tp, l.dp);
    if (l.cp > 1)
        s += fmt::format(" cp={}", l.cp);
    s += fmt::format(" pp={}", l.pp);
    if (l.ep > 1 || etp_of(l) != l.tp)
        s += fmt::format(" | etp={} ep={}", etp_of(l), l.ep);
    if (l.redundant_experts > 0)
        s += fmt::format(" +{}", l.redundant_experts);
    return s;
}

inline json pool_json(const pool_plan& p, bool prefill, serve_mode mode) {
    json j{{"layout", layout_json(p.l)},
           {"instances", p.instances},
           {"gpus", p.gpus},
           {"utilisation", p.utilisation},
           {"capacity_requests_per_s_per_instance", p.capacity},
           {"memory_per_gpu_bytes", p.memory_per_gpu}};
    if (mode == serve_mode::aggregated)
        j["token_budget_per_rank"] = p.batch;
    else if (prefill)
        j["prompts_per_pass"] = p.batch;
    if (!prefill || mode == serve_mode::aggregated)
        j["concurrency_per_instance"] = p.concurrency;
    return j;
}

inline json plan_json(const serve_plan& p) {
    if (!p.feasible)
        return nullptr;
    json j{{"mode", name_of(p.mode)},
           {"gpus", p.gpus},
           {"goodput_requests_per_s", p.goodput},
           {"rate_requests_per_s", p.rate},
           {"requests_per_s_per_gpu", p.score},
           {"output_tokens_per_s", p.output_tokens},
           {"tokens_per_s_per_gpu", p.tokens_per_gpu},
           {"tokens_per_s_per_user", p.tokens_per_user},
           {"ttft_s", p.ttft_p},
           {"tpot_s", p.tpot_p},
           {"tpot_mean_s", p.tpot_mean},
           {"prefill", pool_json(p.prefill, true, p.mode)},
           {"decode", pool_json(p.decode, false, p.mode)},
           {"kv_transfer_s", p.kv_transfer_s},
           {"kv_transfer_bytes", p.kv_bytes}};
    return j;
}

inline json tally_json(const mode_tally& t) {
    return {{"layouts", t.layouts},     {"unfit", t.unfit},
            {"too_slow", t.too_slow},   {"candidates", t.candidates},
            {"evaluated", t.evaluated}, {"pruned", t.pruned},
            {"refused", t.refused},     {"over_budget", t.over_budget}};
}

/// The front, highest tokens/s per user first.
inline std::vector<serve_plan> front_of(const result& r) {
    std::vector<serve_plan> f(r.pareto.begin(), r.pareto.begin() + r.n_pareto);
    std::sort(f.begin(), f.end(), [](const serve_plan& a, const serve_plan& b) {
        return a.tokens_per_user > b.tokens_per_user;
    });
    return f;
}

/// Why the mode that did not win lost, in a sentence.
inline std::string why_lost(const result& r, serve_mode mode) {
    const auto i = static_cast<std::size_t>(mode);
    const serve_plan& p = r.by_mode[i];
    const mode_tally& t = r.tally[i];
    if (t.layouts == 0)
        return "not planned (--mode)";
    if (!p.feasible) {
        if (t.layouts == t.unfit)
            return "no layout fits in memory";
        if (t.evaluated == 0 && t.refused > 0)
            return "the connect rules refuse every pair";
        if (t.over_budget > 0)
            return "no plan fits the GPU budget (or carries the rate)";
        return "no layout meets the SLOs within the utilisation limit";
    }
    if (!r.best.feasible || r.best.mode == mode)
        return "";
    return fmt::format("{:.1f}% fewer requests/s per GPU within the SLOs than {}",
                       100.0 * (1.0 - p.score / r.best.score), name_of(r.best.mode));
}

inline json to_json(const scenario& s, const result& r, double elapsed) {
    const serve_options& o = s.plan;
    json j;
    j["model"] = std::string(s.model.spec.name.view());
    j["model_source"] = s.model.source;
    j["gpu"] = s.gpu_name;
    j["prefill_gpu"] = s.prefill_name;
    j["decode_gpu"] = s.decode_name;
    j["budget"] = {{"gpus", o.max_gpus}, {"exact", o.exact_gpus}, {"pow2_only", o.pow2_only}};
    j["traffic"] = {{"input_mean", o.load.input_mean.value},
                    {"input_cv", o.load.input_cv},
                    {"output_mean", o.load.output_mean.value},
                    {"output_cv", o.load.output_cv},
                    {"prefix_cache_hit", o.load.prefix_cache_hit},
                    {"rate_requests_per_s", o.load.arrival_rate.value > 0
                                                ? json(o.load.arrival_rate.value)
                                                : json(nullptr)}};
    if (s.csv_requests > 0)
        j["traffic"]["requests_read"] = s.csv_requests;
    j["slo"] = {{"ttft_s", o.target.ttft.value > 0 ? json(o.target.ttft.value) : json(nullptr)},
                {"tpot_s", o.target.tpot.value > 0 ? json(o.target.tpot.value) : json(nullptr)},
                {"percentile", o.target.percentile}};
    j["max_utilisation"] = o.max_utilisation;
    j["balanced_dp"] = o.balanced_dp;
    j["connect_rules"] = name_of(o.rules);
    j["options"] = options_json(o.eval);
    j["evaluated"] = r.evaluated();
    j["pruned"] = r.pruned();
    j["elapsed_s"] = elapsed;
    j["best"] = plan_json(r.best);
    json by = json::object();
    for (const serve_mode m : {serve_mode::aggregated, serve_mode::disaggregated}) {
        const auto i = static_cast<std::size_t>(m);
        json e = plan_json(r.by_mode[i]);
        json entry{{"plan", e}, {"search", tally_json(r.tally[i])}};
        const std::string why = why_lost(r, m);
        if (!why.empty())
            entry["why_not_best"] = why;
        by[name_of(m)] = entry;
    }
    j["by_mode"] = by;
    json front = json::array();
    for (const serve_plan& p : front_of(r))
        front.push_back(plan_json(p));
    j["pareto"] = front;
    return j;
}

inline std::string seconds_text(double v) {
    return pretty(make<seconds>(v));
}

inline std::string rate_text(double v) {
    return fmt::format("{:.4g}", v);
}

inline void print_plan(const serve_plan& p) {
    emit("  goodput             {} requests/s ({} per GPU) on {} GPUs\n", rate_text(p.goodput),
         rate_text(p.goodput / p.gpus), p.gpus);
    if (p.rate != p.goodput)
        emit("  at the traffic's    {} requests/s\n", rate_text(p.rate));
    emit("  output tokens/s     {} ({} per GPU, {} per user)\n", rate_text(p.output_tokens),
         rate_text(p.tokens_per_gpu), rate_text(p.tokens_per_user));
    emit("  TTFT, TPOT          {}, {} at the percentile (TPOT mean {})\n", seconds_text(p.ttft_p),
         seconds_text(p.tpot_p), seconds_text(p.tpot_mean));
    if (p.mode == serve_mode::disaggregated)
        emit("  KV transfer         {} a request ({})\n", seconds_text(p.kv_transfer_s),
             pretty(make<bytes>(p.kv_bytes)));
    text_table t;
    t.header = {"pool", "layout", "instances", "GPUs", "utilisation", "per instance", "memory/GPU"};
    t.align = "llrrrrr";
    const auto row = [&](const char* name, const pool_plan& q, bool prefill) {
        std::string per;
        if (p.mode == serve_mode::aggregated)
            per = fmt::format("{:.0f} seqs, {} tokens/rank/step", q.concurrency, q.batch);
        else if (prefill)
            per = fmt::format("{} prompts a pass", q.batch);
        else
            per = fmt::format("{:.0f} seqs", q.concurrency);
        t.add({name, short_layout(q.l), std::to_string(q.instances), std::to_string(q.gpus),
               fmt::format("{:.2f}", q.utilisation), per, pretty(make<bytes>(q.memory_per_gpu))});
    };
    if (p.mode == serve_mode::aggregated) {
        row("prefill queue", p.prefill, true);
        row("decode memory", p.decode, false);
    } else {
        row("prefill", p.prefill, true);
        row("decode", p.decode, false);
    }
    t.print("    ");
}

inline void print_text(const scenario& s, const result& r, double elapsed) {
    const serve_options& o = s.plan;
    heading(fmt::format("moecost serve: {} ({})", s.model.spec.name.view(), s.model.source));
    emit("GPUs: {} {}{}; prefill pool {}, decode pool {}\n", o.exact_gpus ? "exactly" : "up to",
         o.max_gpus, o.pow2_only ? " (power-of-two degrees)" : "", s.prefill_name, s.decode_name);
    emit("Traffic: ISL {:.0f} (c_v {:g}), OSL {:.0f} (c_v {:g}){}; {}\n", o.load.input_mean.value,
         o.load.input_cv, o.load.output_mean.value, o.load.output_cv,
         o.load.prefix_cache_hit > 0
             ? fmt::format(", prefix-cache hit {:g}", o.load.prefix_cache_hit)
             : "",
         o.load.arrival_rate.value > 0 ? fmt::format("{:g} requests/s", o.load.arrival_rate.value)
                                       : "rate: the highest that meets the SLOs");
    const bool any_slo = o.target.ttft.value > 0 || o.target.tpot.value > 0;
    emit("SLO: {} at p{:g}; utilisation <= {:g}; connect rules: {}{}\n",
         any_slo ? fmt::format("TTFT <= {}, TPOT <= {}",
                               o.target.ttft.value > 0 ? seconds_text(o.target.ttft.value) : "any",
                               o.target.tpot.value > 0 ? seconds_text(o.target.tpot.value) : "any")
                 : "none (offline maximum throughput)",
         100 * o.target.percentile, o.max_utilisation, name_of(o.rules),
         o.balanced_dp ? "; DP ranks balanced" : "");
    emit("\n");
    if (r.best.feasible) {
        heading(fmt::format("Best: {}", name_of(r.best.mode)));
        print_plan(r.best);
    } else
        emit("No plan meets the SLOs within the budget.\n");
    emit("\n");
    heading("By mode");
    text_table t;
    t.header = {"mode",          "GPUs", "req/s/GPU", "tokens/s/GPU",
                "tokens/s/user", "TTFT", "TPOT",      "note"};
    t.align = "lrrrrrrl";
    for (const serve_mode m : {serve_mode::disaggregated, serve_mode::aggregated}) {
        const serve_plan& p = r.by_mode[static_cast<std::size_t>(m)];
        const std::string why = why_lost(r, m);
        if (p.feasible)
            t.add({name_of(m), std::to_string(p.gpus), rate_text(p.score),
                   rate_text(p.tokens_per_gpu), rate_text(p.tokens_per_user),
                   seconds_text(p.ttft_p), seconds_text(p.tpot_p), why.empty() ? "best" : why});
        else
            t.add({name_of(m), "-", "-", "-", "-", "-", "-", why});
    }
    t.print();
    if (r.by_mode[0].feasible && r.best.mode != serve_mode::aggregated) {
        emit("\n");
        heading("Best aggregated");
        print_plan(r.by_mode[0]);
    } else if (r.by_mode[1].feasible && r.best.mode != serve_mode::disaggregated) {
        emit("\n");
        heading("Best disaggregated");
        print_plan(r.by_mode[1]);
    }
    emit("\n");
    heading("Pareto front: output tokens/s per GPU against tokens/s per user");
    text_table f;
    f.header = {"tokens/s/user", "tokens/s/GPU", "mode",    "GPUs",
                "TTFT",          "TPOT",         "prefill", "decode"};
    f.align = "rrlrrrll";
    for (const serve_plan& p : front_of(r))
        f.add({rate_text(p.tokens_per_user), rate_text(p.tokens_per_gpu), name_of(p.mode),
               std::to_string(p.gpus), seconds_text(p.ttft_p), seconds_text(p.tpot_p),
               fmt::format("{} x{}", short_layout(p.prefill.l), p.prefill.instances),
               p.mode == serve_mode::aggregated
                   ? std::string("(same)")
                   : fmt::format("{} x{}", short_layout(p.decode.l), p.decode.instances)});
    f.print();
    emit("\n");
    const mode_tally &a = r.tally[0], &d = r.tally[1];
    emit("Searched in {}: {} evaluated, {} pruned\n", seconds_text(elapsed),
         count(double(r.evaluated())), count(double(r.pruned())));
    if (a.layouts > 0)
        emit("  aggregated: {} layouts ({} fit), {} layout x token-budget candidates, all "
             "evaluated\n",
             a.layouts, a.layouts - a.unfit, a.candidates);
    if (d.layouts > 0)
        emit("  disaggregated: {} pool layouts ({} fit), {} prefill x decode pairs: {} evaluated, "
             "{} pruned by the bound, {} refused by the connect rules\n",
             d.layouts, d.layouts - d.unfit, d.candidates, d.evaluated, d.pruned, d.refused);
}

/// The front as an SVG chart, the best plan ringed.
inline void write_plot(const std::string& path, const scenario& s, const result& r) {
    io::chart c{.title = fmt::format("{}: Pareto front of serving plans", s.model.spec.name.view()),
                .x_label = "output tokens/s per user (1 / mean TPOT)",
                .y_label = "output tokens/s per GPU",
                .series = {}};
    for (const serve_mode m : {serve_mode::disaggregated, serve_mode::aggregated}) {
        io::chart_series ser{.name = name_of(m), .points = {}};
        std::vector<serve_plan> f = front_of(r);
        std::reverse(f.begin(), f.end()); // by x, rising
        for (const serve_plan& p : f)
            if (p.mode == m)
                ser.points.push_back({p.tokens_per_user, p.tokens_per_gpu,
                                      r.best.feasible && p.score == r.best.score &&
                                          p.gpus == r.best.gpus && p.mode == r.best.mode});
        if (!ser.points.empty())
            c.series.push_back(ser);
    }
    std::ofstream out(path);
    if (!out)
        throw run_error("--plot: cannot write '" + path + "'");
    out << io::to_svg(c);
    if (!out)
        throw run_error("--plot: cannot write '" + path + "'");
}

} // namespace moecost::cli::serve_cmd
