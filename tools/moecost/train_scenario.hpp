#pragma once
// `moecost train`'s inputs: its options, the training objectives and recomputation modes, and
// the scenario resolved from them (one layout, or a layout search with --gpus or --max-gpus);
// the training state and schedule as text.

// With a GPU budget (--gpus or --max-gpus) it searches the training layouts instead, through
// moecost::search_training: the best by an objective, or the nearest misses when none fits.

#include "cluster.hpp"
#include "command.hpp"
#include "format.hpp"
#include "json_out.hpp"
#include "layout.hpp"
#include "layout_text.hpp"
#include "model.hpp"
#include "modelling.hpp"
#include "requirements.hpp"
#include "search_space.hpp"
#include "values.hpp"
#include "violation_out.hpp"

#include <moecost/evaluate/training.hpp>
#include <moecost/search/training.hpp>

#include <chrono>

namespace moecost::cli {

namespace train_cmd {

/// The most stages whose layer counts the pipeline line lists.
inline constexpr int max_listed_stages = 64;

struct options {
    model_options model;
    cluster_options cluster;
    layout_options layout;
    std::string global_batch; ///< required; a list of up to max_batches when searching
    int micro_batch = 1;
    int seq = training_workload{}.seq;
    std::string recompute = "none";
    int recompute_layers = 0; ///< with --recompute full: the first N layers of each chunk
    int zero = 0;
    int virtual_stages = 1;
    bool sequence_parallel = false;
    bool fp8 = false;
    bool overlap_grad_reduce = false;
    bool no_flash = false;
    bool dropout = false;
    bool uneven_stages = false;
    bool embedding_in_split = false;
    bool loss_in_split = false;
    modelling_options modelling;
    search_space_options space; ///< a budget given: search instead of evaluating one layout
    std::string objective = "tokens";
    int top = 10;
    double max_mem_gb = 0;
    bool json = false;
};

using search_result = training_search_result<std::size_t(max_top)>;
using named_objective = named_choice<training_objective>;
inline constexpr std::array<named_objective, 4> objectives{{
    {"tokens", training_objective::tokens_per_gpu, "highest first"},
    {"mfu", training_objective::mfu, "highest first"},
    {"step", training_objective::step_time, "shortest first"},
    {"gpus", training_objective::fewest_gpus, "fewest first, then highest tokens/s per GPU"},
}};

inline constexpr std::array<recompute, 3> recompute_modes{recompute::none, recompute::selective,
                                                          recompute::full};

inline const char* recompute_name(recompute rc) {
    switch (rc) {
    case recompute::none:
        return "none";
    case recompute::selective:
        return "selective";
    case recompute::full:
        return "full";
    }
    return "?";
}

/// The settings of a training iteration that the evaluation and the search both print (JSON
/// keys sort, so each adds its own beside them).
inline json training_settings_json(const training_workload& t) {
    return {{"micro_batch", t.micro_batch},
            {"seq", t.seq},
            {"recompute", recompute_name(t.rc)},
            {"recompute_layers", t.recompute_layers},
            {"zero", t.zero},
            {"virtual_stages", t.virtual_stages},
            {"sequence_parallel", t.sequence_parallel},
            {"fp8_gemm", t.fp8_gemm},
            {"overlap_grad_reduce", t.overlap_grad_reduce},
            {"flash_attention", t.flash_attention},
            {"dropout", t.dropout},
            {"embedding_in_pipeline_split", t.embedding_in_split},
            {"loss_in_pipeline_split", t.loss_in_split}};
}

inline std::vector<std::string> recompute_names() {
    std::vector<std::string> out;
    for (const recompute rc : recompute_modes)
        out.emplace_back(recompute_name(rc));
    return out;
}

/// The inputs of one training evaluation, resolved from the options.
struct scenario {
    loaded_model model;
    std::string gpu_name;
    cluster_spec cluster{};
    layout l{};
    std::string layout_source;
    training_workload t{};
    eval_options opt{};
    std::vector<std::string> warnings; ///< inputs the model does not expect, one line each
    // The layout search (--gpus or --max-gpus); t.global_batch is the first of `batches`.
    bool searching = false;
    search_space space{};
    std::vector<int> batches;
    named_objective obj{};
    int top = 10;
    bytes max_memory{}; ///< --max-mem-gb, 0: none
};

inline scenario resolve(const options& o) {
    scenario s;
    s.model = resolve_model(o.model);
    resolved_cluster c = resolve_cluster(o.cluster);
    s.gpu_name = std::move(c.name);
    s.cluster = c.spec;
    s.searching = o.space.given();
    if (s.searching && !(o.layout.layout_text.empty() && o.layout.seed_layout_text.empty()))
        throw usage_error(std::string(o.layout.layout_text.empty() ? "--seed-layout" : "--layout") +
                          ": not with --gpus or --max-gpus (a search chooses the layout; give "
                          "one or the other)");
    resolved_layout l = resolve_layout(o.layout);
    s.l = l.l;
    s.layout_source = std::move(l.source);
    if (o.uneven_stages && s.searching)
        throw usage_error("--uneven-stages: applies to one layout (--layout or --seed-layout); a "
                          "search tries the layouts whose stages divide evenly");
    s.l.uneven_stages = o.uneven_stages;
    if (o.global_batch.empty())
        throw usage_error("--global-batch: required (sequences per iteration, a multiple of "
                          "--micro-batch x dp)");
    if (auto err = parse_integer_list(o.global_batch, max_batches, 1, max_count, s.batches);
        !err.empty())
        throw usage_error("--global-batch: " + err);
    if (!s.searching && s.batches.size() > 1)
        throw usage_error("--global-batch: one value when evaluating a layout (a list only in a "
                          "search, with --gpus or --max-gpus)");
    recompute rc = recompute::none;
    for (const recompute r : recompute_modes)
        if (o.recompute == recompute_name(r))
            rc = r;
    if (o.recompute_layers > 0 && rc != recompute::full)
        throw usage_error("--recompute-layers: only with --recompute full (the first N layers "
                          "of each chunk recomputed in full)");
    s.t = {.global_batch = s.batches.front(),
           .micro_batch = o.micro_batch,
           .seq = o.seq,
           .fp8_gemm = o.fp8,
           .zero = o.zero,
           .rc = rc,
           .recompute_layers = o.recompute_layers,
           .sequence_parallel = o.sequence_parallel,
           .virtual_stages = o.virtual_stages,
           .overlap_grad_reduce = o.overlap_grad_reduce,
           .flash_attention = !o.no_flash,
           .dropout = o.dropout,
           .embedding_in_split = o.embedding_in_split,
           .loss_in_split = o.loss_in_split};
    s.opt = make_eval_options(o.modelling);
    if (s.searching)
        s.space = make_search_space(o.space, s.batches);
    // The sequences one step takes over DP are counted in `int`: keep them within max_count.
    const int most_dp = s.searching ? s.space.max_gpus : s.l.dp;
    if (double(o.micro_batch) * most_dp > double(max_count))
        throw usage_error(fmt::format("--micro-batch: {} sequences per DP rank times dp {} is "
                                      "more than {} sequences per step",
                                      o.micro_batch, most_dp, max_count));
    if (s.searching) {
        s.obj = choice_named(objectives, o.objective);
        s.top = o.top;
        s.max_memory = make<bytes>(o.max_mem_gb * 1e9);
        // search_training finds nothing when a spec is invalid: say why instead.
        violations specs = validate(s.model.spec);
        specs.append(validate(s.cluster));
        specs.append(validate(s.t));
        if (!specs.ok())
            throw run_error(s.model.source + ": cannot search: " + describe(*specs.begin()));
    }
    const int positions = s.model.spec.learned_positions;
    if (positions > 0 && o.seq > positions)
        s.warnings.push_back(fmt::format("--seq {} is longer than the model's {} learned positions",
                                         o.seq, positions));
    return s;
}

/// Micro-batches whose activations the reported stage holds (1F1B: p − s of them, at most M;
/// interleaving adds (p − 1)/(p·v) of a micro-batch per chunk).
inline double in_flight(const scenario& s, const training_report& r) {
    const double pp = s.l.pp, v = s.t.virtual_stages;
    const double n = std::min<double>(r.micro_batches, pp - r.memory.stage);
    return n * (v > 1 ? 1.0 + (pp - 1.0) / (pp * v) : 1.0);
}

/// The training state on one line: GEMM precision, gradients, optimizer, ZeRO.
inline std::string state_text(const training_workload& t) {
    return fmt::format("{} GEMMs, bf16 weights, {} gradient buffers, Adam with {} master "
                       "weights and m, v; ZeRO stage {}",
                       t.fp8_gemm ? "fp8" : "bf16", name_of(t.grads), name_of(t.optimizer_state),
                       t.zero);
}

/// How the pipeline divides the layers, on one line: `61 layers + embedding + loss into 8
/// stages x 4 chunks, uneven: 7, 8, 8, 8, 8, 8, 8, 6 layers per stage`.
inline std::string pipeline_text(const model_spec& m, const layout& l, const training_workload& t) {
    const engine::pipeline_split p = pipeline_split_of(l, t);
    std::string out =
        fmt::format("{} layers{}{} into {} stage{}", m.layers, p.embedding ? " + embedding" : "",
                    p.loss ? " + loss" : "", l.pp, l.pp == 1 ? "" : "s");
    if (p.virtual_stages > 1)
        out += fmt::format(" x {} chunks", p.virtual_stages);
    if (p.uneven)
        out += ", uneven";
    if (l.pp <= 1 || l.pp > m.layers || l.pp > max_listed_stages)
        return out;
    out += ": ";
    for (int s = 0; s < l.pp; ++s)
        out += (s > 0 ? ", " : "") + std::to_string(engine::stage_of(m, p, s).layers);
    return out + " layers per stage";
}

/// The schedule on one line: recomputation, SP, attention, dropout, pipeline, reduction.
inline std::string schedule_text(const training_workload& t, const eval_options& opt) {
    return fmt::format(
        "recompute {}; sequence parallel {}; {}; dropout masks {}; {}; gradient reduction {}",
        t.rc == recompute::full && t.recompute_layers > 0
            ? fmt::format("full, first {} layers of each chunk", t.recompute_layers)
            : std::string(recompute_name(t.rc)),
        t.sequence_parallel ? "on" : "off",
        t.flash_attention ? "flash attention (no s^2 scores stored)"
                          : "s^2 attention scores stored",
        t.dropout ? "stored" : "none",
        t.virtual_stages > 1 ? fmt::format("interleaved 1F1B, {} chunks per GPU", t.virtual_stages)
                             : std::string("1F1B"),
        t.overlap_grad_reduce || opt.overlap || opt.ideal ? "overlapped with backward"
                                                          : "after backward");
}

} // namespace train_cmd

} // namespace moecost::cli
