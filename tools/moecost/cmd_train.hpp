#pragma once
// `moecost train`: one training deployment (model × cluster × layout × training iteration)
// through moecost::evaluate_training: memory per GPU (weights, gradients, optimizer states
// under ZeRO, activations of the micro-batches in flight), step time (pipeline and bubble,
// gradient reduction, optimizer step), tokens/s per GPU, MFU and HFU, violations.
// With a GPU budget (--gpus or --max-gpus) it searches the training layouts instead, through
// moecost::search_training: the best by an objective, or the nearest misses when none fits.

#include "common.hpp"

#include <moecost/evaluate/training.hpp>
#include <moecost/search/training.hpp>

#include <chrono>

namespace moecost::cli {

namespace train_detail {

struct options {
    model_options model;
    cluster_options cluster;
    layout_options layout;
    std::string global_batch; ///< required; a list of up to max_batches when searching
    int micro_batch = 1;
    int seq = training_workload{}.seq;
    std::string recompute = "none";
    int zero = 0;
    int virtual_stages = 1;
    bool sequence_parallel = false;
    bool fp8 = false;
    bool overlap_grad_reduce = false;
    bool no_flash = false;
    bool dropout = false;
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
    s.t = {.global_batch = s.batches.front(),
           .micro_batch = o.micro_batch,
           .seq = o.seq,
           .fp8_gemm = o.fp8,
           .zero = o.zero,
           .rc = rc,
           .sequence_parallel = o.sequence_parallel,
           .virtual_stages = o.virtual_stages,
           .overlap_grad_reduce = o.overlap_grad_reduce,
           .flash_attention = !o.no_flash,
           .dropout = o.dropout};
    s.opt = make_eval_options(o.modelling);
    if (s.searching) {
        s.space = make_search_space(o.space, s.batches);
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

inline std::vector<std::string> violation_lines(const violations& v) {
    std::vector<std::string> out;
    for (const auto& x : v)
        out.push_back(describe(x));
    if (v.dropped > 0)
        out.push_back(fmt::format("... and {} more", v.dropped));
    return out;
}

// ---- JSON ------------------------------------------------------------------------------

inline json to_json(const scenario& s, const training_report& r) {
    const bool ok = r.evaluated;
    const model_spec& m = s.model.spec;
    const training_workload& t = s.t;
    const json none;
    auto num = [&](double v) { return ok ? json(v) : none; };
    json j;
    j["model"] = std::string(m.name.view());
    j["model_source"] = s.model.source;
    j["notes"] = s.model.notes;
    j["warnings"] = s.warnings;
    j["gpu"] = s.gpu_name;
    j["gpus_per_node"] = s.cluster.gpus_per_node;
    j["layout"] = layout_json(s.l);
    j["training"] = {{"global_batch", t.global_batch},
                     {"micro_batch", t.micro_batch},
                     {"seq", t.seq},
                     {"tokens_per_iteration", static_cast<double>(t.global_batch) * t.seq},
                     {"micro_batches", r.micro_batches},
                     {"recompute", recompute_name(t.rc)},
                     {"zero", t.zero},
                     {"virtual_stages", t.virtual_stages},
                     {"sequence_parallel", t.sequence_parallel},
                     {"fp8_gemm", t.fp8_gemm},
                     {"overlap_grad_reduce", t.overlap_grad_reduce},
                     {"flash_attention", t.flash_attention},
                     {"dropout", t.dropout},
                     {"optimizer", t.optimizer == optimizer_kind::adam ? "adam" : "sgd"},
                     {"optimizer_state", name_of(t.optimizer_state)},
                     {"master_weights", t.master_weights},
                     {"grads", name_of(t.grads)}};
    j["options"] = options_json(s.opt);
    j["evaluated"] = ok;
    j["valid"] = r.valid();
    j["fits"] = ok && r.memory.fits;
    j["flops_per_iteration"] = num(r.model_flops_per_iteration.value());
    j["hardware_flops_per_iteration"] = num(r.hardware_flops_per_iteration.value());
    j["step_time_s"] = num(r.step_time.value());
    j["pipeline_time_s"] = num(r.pipeline_time.value());
    j["micro_batch_time_s"] = num(r.micro_batch_time.value());
    j["grad_sync_time_s"] = num(r.grad_sync_time.value());
    j["optimizer_time_s"] = num(r.optimizer_time.value());
    j["bubble_fraction"] = num(r.bubble_fraction);
    j["tokens_per_s_per_gpu"] = num(r.tokens_per_gpu.value());
    j["mfu"] = num(r.mfu);
    j["hfu"] = num(r.hfu);
    j["bottleneck"] = ok ? json(name_of(r.bottleneck)) : none;
    j["memory_per_gpu_bytes"] = num(r.memory.total().value());
    j["memory"] = ok ? json{{"weights_bytes", r.memory.weights.value()},
                            {"grads_bytes", r.memory.grads.value()},
                            {"optimizer_bytes", r.memory.optimizer.value()},
                            {"activations_bytes", r.memory.activations.value()},
                            {"total_bytes", r.memory.total().value()},
                            {"usable_bytes", r.memory.usable.value()},
                            {"stage", r.memory.stage},
                            {"micro_batches_in_flight", in_flight(s, r)}}
                     : none;
    j["violations"] = violation_lines(r.problems);
    return j;
}

// ---- text ------------------------------------------------------------------------------

/// The training state on one line: GEMM precision, gradients, optimizer, ZeRO.
inline std::string state_text(const training_workload& t) {
    return fmt::format("{} GEMMs, bf16 weights, {} gradient buffers, Adam with {} master "
                       "weights and m, v; ZeRO stage {}",
                       t.fp8_gemm ? "fp8" : "bf16", name_of(t.grads), name_of(t.optimizer_state),
                       t.zero);
}

/// The schedule on one line: recomputation, SP, attention, dropout, pipeline, reduction.
inline std::string schedule_text(const training_workload& t, const eval_options& opt) {
    return fmt::format(
        "recompute {}; sequence parallel {}; {}; dropout masks {}; {}; gradient reduction {}",
        recompute_name(t.rc), t.sequence_parallel ? "on" : "off",
        t.flash_attention ? "flash attention (no s^2 scores stored)"
                          : "s^2 attention scores stored",
        t.dropout ? "stored" : "none",
        t.virtual_stages > 1 ? fmt::format("interleaved 1F1B, {} chunks per GPU", t.virtual_stages)
                             : std::string("1F1B"),
        t.overlap_grad_reduce || opt.overlap || opt.ideal ? "overlapped with backward"
                                                          : "after backward");
}

inline void print_text(const scenario& s, const training_report& r) {
    const bool ok = r.evaluated;
    const model_spec& m = s.model.spec;
    const cluster_spec& c = s.cluster;
    const layout& l = s.l;
    const training_workload& t = s.t;
    fmt::print("moecost train: {} on {}{}\n", m.name.view(), s.gpu_name,
               r.ideal ? " (ideal bounds)" : "");
    auto line = [](std::string_view what, const std::string& text) {
        fmt::print("  {:<10} {}\n", what, text);
    };
    line("model", s.model.source);
    for (const auto& n : s.model.notes)
        line("", "note: " + n);
    for (const auto& w : s.warnings)
        line("", "warning: " + w);
    line("GPU", gpu_text(c, r.ideal));
    line("network", network_text(c));
    line("layout", fmt::format("{} | {} GPU{} ({})", layout_text(l), world_size(l),
                               world_size(l) == 1 ? "" : "s", s.layout_source));
    line("batch",
         fmt::format("global {} sequences of {} tokens ({} tokens per iteration); micro-batch {} "
                     "-> {} micro-batch{} per DP rank",
                     t.global_batch, t.seq, count(double(t.global_batch) * t.seq), t.micro_batch,
                     r.micro_batches, r.micro_batches == 1 ? "" : "es"));
    line("state", state_text(t));
    line("schedule", schedule_text(t, s.opt));
    line("modelling", modelling_text(s.opt));

    heading("Violations");
    if (r.problems.ok())
        fmt::print("  none: every module divides evenly and the deployment fits\n");
    for (const auto& v : violation_lines(r.problems))
        fmt::print("  - {}\n", v);
    if (!ok) {
        fmt::print("\nNot evaluated: {}.\n",
                   micro_batches_of(t, l) <= 0
                       ? fmt::format("the global batch ({}) holds no whole micro-batch ({}) per "
                                     "DP rank ({})",
                                     t.global_batch, t.micro_batch, l.dp)
                       : std::string("a spec or the layout breaks a rule the evaluation needs"));
        return;
    }

    heading(fmt::format("Memory per GPU (stage {}, the most loaded)", r.memory.stage));
    text_table mem;
    mem.align = "l";
    mem.add({"weights (bf16)", pretty(r.memory.weights)});
    mem.add({fmt::format("gradients ({})", name_of(t.grads)), pretty(r.memory.grads)});
    mem.add({"optimizer states (master, m, v)", pretty(r.memory.optimizer)});
    mem.add({fmt::format("activations ({:.3g} micro-batch{} in flight)", in_flight(s, r),
                         in_flight(s, r) == 1 ? "" : "es"),
             pretty(r.memory.activations)});
    mem.add({"total", pretty(r.memory.total())});
    mem.print();
    fmt::print("  {} usable ({} x {:g}): {}\n", pretty(r.memory.usable), pretty(c.gpu.hbm.get()),
               s.opt.memory_headroom, r.memory.fits ? "fits" : "DOES NOT FIT");

    heading("Step time");
    text_table st;
    st.align = "l";
    st.add({"micro-batch, forward + backward (slowest stage)", pretty(r.micro_batch_time)});
    st.add({fmt::format("pipeline: {} micro-batch{} through {} stage{}", r.micro_batches,
                        r.micro_batches == 1 ? "" : "es", l.pp, l.pp == 1 ? "" : "s"),
            pretty(r.pipeline_time)});
    st.add({"  of which bubble", percent(r.bubble_fraction)});
    st.add({"gradient reduction (exposed)", pretty(r.grad_sync_time)});
    st.add({"optimizer step", pretty(r.optimizer_time)});
    st.add({"step", pretty(r.step_time)});
    st.add({"bottleneck", name_of(r.bottleneck)});
    st.print();

    heading("Throughput");
    text_table th;
    th.align = "l";
    th.add({"tokens/s per GPU", pretty(r.tokens_per_gpu)});
    th.add({"model FLOPs per iteration", pretty(r.model_flops_per_iteration)});
    th.add({"hardware FLOPs per iteration", pretty(r.hardware_flops_per_iteration)});
    th.add({"MFU", percent(r.mfu)});
    th.add({"HFU (with recomputation)", percent(r.hfu)});
    th.print();
    fmt::print("  model FLOPs: forward + backward (3 passes), causal attention, logits for every "
               "token;\n  MFU and HFU against the {} peak of every GPU.\n",
               t.fp8_gemm && c.gpu.peak_fp8.value > 0 ? "fp8" : "bf16");
}

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
    j["gpus_per_node"] = s.cluster.gpus_per_node;
    j["space"] = {{"min_gpus", s.space.min_gpus},
                  {"max_gpus", s.space.max_gpus},
                  {"global_batches", s.batches},
                  {"max_cp", s.space.max_cp},
                  {"pow2_only", s.space.pow2_only}};
    j["training"] = {{"micro_batch", t.micro_batch},
                     {"seq", t.seq},
                     {"recompute", recompute_name(t.rc)},
                     {"zero", t.zero},
                     {"virtual_stages", t.virtual_stages},
                     {"sequence_parallel", t.sequence_parallel},
                     {"fp8_gemm", t.fp8_gemm},
                     {"overlap_grad_reduce", t.overlap_grad_reduce},
                     {"flash_attention", t.flash_attention},
                     {"dropout", t.dropout}};
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
    fmt::print("moecost train: layout search for {} on {}{}\n", m.name.view(), s.gpu_name,
               s.opt.ideal ? " (ideal bounds)" : "");
    auto line = [](std::string_view what, const std::string& text) {
        fmt::print("  {:<10} {}\n", what, text);
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
        fmt::print("\nNo layout to evaluate: every factorisation of the GPU budget breaks a "
                   "division or node rule.\nTry more GPUs (--max-gpus), other global batches "
                   "(--global-batch, --micro-batch) or --max-cp.\n");
        return;
    }
    if (r.feasible == 0) {
        const bytes limit = memory_limit(s);
        fmt::print("\nNo layout fits: none of the {} layouts evaluated fits in {} per GPU.\n",
                   r.evaluated, pretty(limit));
        const int n = std::min(r.n_misses, s.top);
        heading(fmt::format("Nearest misses ({} of {}, least memory over first)", n, r.evaluated));
        search_table(m, r.nearest_misses.data(), n, limit.value()).print();
        fmt::print("\n  over by: memory per GPU above the {} limit. Fewer bytes per GPU: more "
                   "GPUs, a higher\n  --zero stage, --recompute selective or full, a smaller "
                   "--micro-batch.\n",
                   pretty(limit));
        return;
    }
    const int n = std::min(r.n_best, s.top);
    heading(fmt::format("Top {} of {} feasible layouts by {} ({})", n, r.feasible,
                        name_of(s.obj.value), s.obj.order));
    search_table(m, r.best.data(), n).print();
    fmt::print("\n  memory/GPU: the most loaded stage; step: one iteration of the global batch; "
               "bubble: the\n  pipeline's idle fraction. `moecost train --layout` shows any of "
               "them in full.\n");
}

} // namespace train_detail

inline command add_train(CLI::App& app) {
    using namespace train_detail;
    auto o = std::make_shared<options>();
    CLI::App* sub = app.add_subcommand(
        "train", "Evaluate one training deployment: memory per GPU (weights, gradients, "
                 "optimizer states, activations), step time, tokens/s per GPU, MFU and HFU; "
                 "or, with --gpus or --max-gpus, search the training layouts");
    // Training fixes the precisions (bf16 weights and activations, fp8 GEMMs with --fp8).
    add_model_options(*sub, o->model, /*precision=*/false);
    add_cluster_options(*sub, o->cluster);
    add_layout_options(*sub, o->layout);

    const std::string tr = "Training iteration";
    sub->add_option("--global-batch", o->global_batch,
                    fmt::format("Sequences per iteration (required; a multiple of --micro-batch "
                                "x dp); a search takes a comma-separated list of at most {}",
                                max_batches))
        ->type_name("N[,N...]")
        ->check(integer_list(max_batches, 1, max_count))
        ->group(tr);
    sub->add_option("--micro-batch", o->micro_batch, "Sequences per micro-batch per DP rank")
        ->type_name("N")
        ->check(positive_integer())
        ->capture_default_str()
        ->group(tr);
    sub->add_option("--seq", o->seq, "Sequence length in tokens")
        ->type_name("S")
        ->check(positive_integer())
        ->capture_default_str()
        ->group(tr);
    sub->add_option("--recompute", o->recompute,
                    "Activation recomputation: none, selective (attention core) or full "
                    "(every layer's forward)")
        ->type_name("MODE")
        ->check(one_of(recompute_names(), "recompute mode"))
        ->capture_default_str()
        ->group(tr);
    sub->add_option("--zero", o->zero,
                    "ZeRO stage over DP (dense) and EDP (experts): 1 shards optimizer states, "
                    "2 also gradients, 3 also weights")
        ->type_name("0|1|2|3")
        ->check(integer_in(0, 3))
        ->capture_default_str()
        ->group(tr);
    sub->add_option("--virtual-stages", o->virtual_stages,
                    "Model chunks per GPU: > 1 is interleaved 1F1B (layers divide into pp x N)")
        ->type_name("N")
        ->check(integer_in(1, max_degree))
        ->capture_default_str()
        ->group(tr);
    sub->add_flag("--sequence-parallel", o->sequence_parallel,
                  "Megatron sequence parallelism: norm and dropout activations split over TP")
        ->group(tr);
    sub->add_flag("--fp8", o->fp8, "Matmuls at the fp8 rate (MFU against the fp8 peak)")->group(tr);
    sub->add_flag("--overlap-grad-reduce", o->overlap_grad_reduce,
                  "Reduce gradients during the backward passes")
        ->group(tr);
    sub->add_flag("--no-flash", o->no_flash,
                  "No flash attention: store the s^2 attention scores (and their softmax)")
        ->group(tr);
    sub->add_flag("--dropout", o->dropout, "Store dropout masks (GPT-3-era models)")->group(tr);
    add_modelling_options(*sub, o->modelling);

    // The layout search: the options only a search takes are refused without a budget.
    const std::string sg = "Layout search (--gpus or --max-gpus: search the layouts instead of "
                           "evaluating --layout)";
    const auto space = add_search_space_options(*sub, o->space, sg);
    const auto ranking = add_ranking_options(
        *sub, o->objective, choice_names(objectives),
        "Rank by: tokens (tokens/s per GPU) or mfu, highest first; step (step time), shortest "
        "first; gpus, fewest first",
        o->top, sg);
    auto* mem = add_max_memory_option(*sub, o->max_mem_gb, sg);
    const std::array<CLI::Option*, 5> search_only{space[0], space[1], ranking[0], ranking[1], mem};

    sub->add_flag("--json", o->json,
                  "Print JSON (numbers in base units: FLOP, s, token/s, bytes; null when not "
                  "evaluated; a search's elapsed_s is its own wall time)");
    sub->footer(
        "Memory is per GPU of the most loaded pipeline stage: bf16 weights, fp32 gradient\n"
        "buffers, Adam's fp32 master weights and m, v, sharded by --zero; activations of the\n"
        "micro-batches 1F1B keeps in flight. A layout that does not divide is listed under\n"
        "violations (exit status 0).\n"
        "With --gpus or --max-gpus (not with --layout), every TP*CP*DP*PP and ETP*EP*EDP*PP\n"
        "factorisation of each world size that passes the division and node rules is evaluated\n"
        "for each global batch; those that fit in memory (and --max-mem-gb) are ranked by\n"
        "--objective. With none fitting, the nearest misses are listed with how far memory is "
        "over.\n" +
        std::string(exit_status_text) +
        "\nExamples:\n"
        "  moecost train --model path/to/gpt2/config.json --gpu a100-sxm-80gb --global-batch 512 "
        "--seq 1024\n"
        "  moecost train --preset llama-3-8b --gpu h100-sxm --layout tp=2,dp=4 --global-batch "
        "256 --micro-batch 2 --seq 8192 --recompute selective --zero 1 --sequence-parallel\n"
        "  moecost train --preset llama-3-8b --gpu h100-sxm --max-gpus 16 --global-batch 64,256 "
        "--seq 4096 --recompute selective --zero 1 --objective mfu");
    return {sub, [o, search_only] {
                if (!o->space.given())
                    for (const CLI::Option* opt : search_only)
                        if (opt->count() > 0)
                            throw usage_error(opt->get_name() +
                                              ": applies to a layout search (give --gpus or "
                                              "--max-gpus)");
                const scenario s = resolve(*o);
                if (s.searching) {
                    const auto start = std::chrono::steady_clock::now();
                    const search_result r = search_training<std::size_t(max_top)>(
                        s.model.spec, s.cluster, s.space, s.t, s.obj.value, s.opt, s.max_memory);
                    const double elapsed = seconds_since(start);
                    if (o->json)
                        fmt::print("{}\n", search_json(s, r, elapsed).dump(2));
                    else
                        print_search_text(s, r, elapsed);
                    return exit_ok;
                }
                const training_report r =
                    evaluate_training(s.model.spec, s.cluster, s.l, s.t, s.opt);
                if (o->json)
                    fmt::print("{}\n", to_json(s, r).dump(2));
                else
                    print_text(s, r);
                return exit_ok;
            }};
}

} // namespace moecost::cli
