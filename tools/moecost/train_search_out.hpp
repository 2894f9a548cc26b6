#pragma once
// `moecost train --gpus N` / `--max-gpus N`: the layout search's output, as JSON and text:
// the best layouts by the objective, or the nearest misses with how far memory is over.

#include "output.hpp"
#include "train_scenario.hpp"

namespace moecost::cli {

namespace train_cmd {

// ---- the layout search -------------------------------------------------------------------

/// The memory a layout must fit in: usable HBM, or --max-mem-gb when it is lower.
inline bytes memory_limit(const scenario& s) {
    const bytes usable = s.opt.memory_headroom * s.cluster.gpu.hbm.get();
    return s.max_memory.value() > 0 && s.max_memory < usable ? s.max_memory : usable;
}

inline std::string memory_limit_text(const scenario& s) {
    const bytes usable = s.opt.memory_headroom * s.cluster.gpu.hbm.get();
    std::string out = fmt::format("{} usable ({} x {:g})", pretty(usable),
                                  pretty(s.cluster.gpu.hbm.get()), s.opt.memory_headroom);
    if (s.max_memory.value() > 0)
        out += fmt::format("; at most {} (--max-mem-gb)", pretty(s.max_memory));
    return out;
}

inline json search_candidate_json(const training_candidate& c) {
    return {{"layout", layout_json(c.l)},
            {"gpus", world_size(c.l)},
            {"global_batch", c.t.global_batch},
            {"micro_batches", micro_batches_of(c.t, c.l)},
            {"memory_per_gpu_bytes", c.memory.value()},
            {"fits", c.fits},
            {"tokens_per_s_per_gpu", c.tokens_per_gpu.value()},
            {"mfu", c.mfu},
            {"step_time_s", c.step_time.value()},
            {"bubble_fraction", c.bubble_fraction},
            {"bottleneck", name_of(c.bottleneck)}};
}

inline json search_json(const scenario& s, const search_result& r, double elapsed) {
    const training_workload& t = s.t;
    json j;
    j["model"] = std::string(s.model.spec.name.view());
    j["model_source"] = s.model.source;
    j["notes"] = s.model.notes;
    j["warnings"] = s.warnings;
    j["gpu"] = s.gpu_name;
    j["profile"] = std::string(s.cluster.gpu.perf.name.view()); // the calibration in use
    j["gpus_per_node"] = s.cluster.gpus_per_node;
    j["space"] = {{"min_gpus", s.space.min_gpus},
                  {"max_gpus", s.space.max_gpus},
                  {"global_batches", s.batches},
                  {"max_cp", s.space.max_cp},
                  {"pow2_only", s.space.pow2_only}};
    j["training"] = training_settings_json(t);
    j["options"] = options_json(s.opt);
    j["max_memory_per_gpu_bytes"] = s.max_memory.value() > 0 ? json(s.max_memory.value()) : json();
    j["memory_limit_bytes"] = memory_limit(s).value();
    j["objective"] = s.obj.cli;
    j["evaluated"] = r.evaluated;
    j["rejected"] = r.rejected;
    j["feasible"] = r.feasible;
    j["elapsed_s"] = elapsed;
    json best = json::array();
    for (int i = 0; i < r.n_best && i < s.top; ++i)
        best.push_back(search_candidate_json(r.best[std::size_t(i)]));
    j["best"] = best;
    const double limit = memory_limit(s).value();
    json near = json::array();
    for (int i = 0; i < r.n_misses && i < s.top; ++i) {
        const training_candidate& c = r.nearest_misses[std::size_t(i)];
        json cj = search_candidate_json(c);
        cj["memory_limit_bytes"] = limit;
        cj["over_by_bytes"] = c.memory.value() - limit;
        cj["shortfall"] = c.shortfall;
        near.push_back(cj);
    }
    j["nearest_misses"] = near;
    return j;
}

/// The layouts as an aligned table; expert columns for MoE models only; `limit` > 0 adds
/// how far each is over it.
inline text_table search_table(const model_spec& m, const training_candidate* first, int n,
                               double limit = 0) {
    const bool moe = is_moe(m);
    text_table t;
    t.header = {"#", "tp", "cp", "dp", "pp"};
    if (moe)
        t.header.insert(t.header.end(), {"etp", "ep", "edp"});
    t.header.insert(t.header.end(), {"GPUs", "global batch", "memory/GPU"});
    if (limit > 0)
        t.header.insert(t.header.end(), {"over by"});
    t.header.insert(t.header.end(), {"tokens/s/GPU", "MFU", "step", "bubble", "bottleneck"});
    t.align = std::string(t.header.size() - 1, 'r') + "l";
    for (int i = 0; i < n; ++i) {
        const training_candidate& c = first[i];
        std::vector<std::string> row{std::to_string(i + 1), std::to_string(c.l.tp),
                                     std::to_string(c.l.cp), std::to_string(c.l.dp),
                                     std::to_string(c.l.pp)};
        if (moe)
            row.insert(row.end(), {std::to_string(etp_of(c.l)), std::to_string(c.l.ep),
                                   std::to_string(edp_of(c.l))});
        row.insert(row.end(), {std::to_string(world_size(c.l)), std::to_string(c.t.global_batch),
                               pretty(c.memory)});
        if (limit > 0)
            row.push_back(fmt::format("{} (+{:.0f} %)",
                                      pretty(make<bytes>(c.memory.value() - limit)),
                                      100.0 * (c.memory.value() / limit - 1.0)));
        row.insert(row.end(), {pretty(c.tokens_per_gpu), percent(c.mfu), pretty(c.step_time),
                               percent(c.bubble_fraction), name_of(c.bottleneck)});
        t.add(std::move(row));
    }
    return t;
}

inline void print_search_text(const scenario& s, const search_result& r, double elapsed) {
    const model_spec& m = s.model.spec;
    const cluster_spec& c = s.cluster;
    const training_workload& t = s.t;
    emit("moecost train: layout search for {} on {}{}\n", m.name.view(), s.gpu_name,
         s.opt.ideal ? " (ideal bounds)" : "");
    auto line = [](std::string_view what, const std::string& text) {
        emit("  {:<10} {}\n", what, text);
    };
    line("model", s.model.source);
    for (const auto& n : s.model.notes)
        line("", "note: " + n);
    for (const auto& w : s.warnings)
        line("", "warning: " + w);
    line("GPU", gpu_text(c, s.opt.ideal));
    line("network", network_text(c));
    line("space", space_text(s.space, c.gpus_per_node, "global batch", s.batches));
    line("batch", fmt::format("micro-batch {} of {}-token sequences", t.micro_batch, t.seq));
    line("state", state_text(t));
    line("schedule", schedule_text(t, s.opt));
    line("modelling", modelling_text(s.opt));
    line("memory", memory_limit_text(s));
    line("objective", fmt::format("{} ({})", name_of(s.obj.value), s.obj.order));
    line("searched", searched_text(r.evaluated, r.rejected, r.feasible, elapsed));
    if (r.evaluated == 0) {
        emit("\nNo layout to evaluate: every factorisation of the GPU budget breaks a "
             "division or node rule.\nTry more GPUs (--max-gpus), other global batches "
             "(--global-batch, --micro-batch) or --max-cp.\n");
        return;
    }
    if (r.feasible == 0) {
        const bytes limit = memory_limit(s);
        emit("\nNo layout fits: none of the {} layouts evaluated fits in {} per GPU.\n",
             r.evaluated, pretty(limit));
        const int n = std::min(r.n_misses, s.top);
        heading(fmt::format("Nearest misses ({} of {}, least memory over first)", n, r.evaluated));
        search_table(m, r.nearest_misses.data(), n, limit.value()).print();
        emit("\n  over by: memory per GPU above the {} limit. Fewer bytes per GPU: more "
             "GPUs, a higher\n  --zero stage, --recompute selective or full, a smaller "
             "--micro-batch.\n",
             pretty(limit));
        return;
    }
    const int n = std::min(r.n_best, s.top);
    heading(fmt::format("Top {} of {} feasible layouts by {} ({})", n, r.feasible,
                        name_of(s.obj.value), s.obj.order));
    search_table(m, r.best.data(), n).print();
    emit("\n  memory/GPU: the most loaded stage; step: one iteration of the global batch; "
         "bubble: the\n  pipeline's idle fraction. `moecost train --layout` shows any of "
         "them in full.\n");
}

} // namespace train_cmd

} // namespace moecost::cli
