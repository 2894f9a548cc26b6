#pragma once
// `moecost evaluate`: one deployment (model × cluster × layout × workload) through
// moecost::evaluate: memory per GPU, prefill and decode rates and latencies, the slowest
// stage's operator groups and communication, violations and requirement verdicts.

#include "cluster.hpp"
#include "command.hpp"
#include "format.hpp"
#include "json_out.hpp"
#include "layout.hpp"
#include "layout_text.hpp"
#include "model.hpp"
#include "modelling.hpp"
#include "output.hpp"
#include "requirements.hpp"
#include "violation_out.hpp"
#include "workload.hpp"

namespace moecost::cli {

namespace evaluate_cmd {

struct options {
    model_options model;
    cluster_options cluster;
    layout_options layout;
    workload_options workload;
    modelling_options modelling;
    requirement_options req;
    bool json = false;
};

/// The inputs of one evaluation, resolved from the options.
struct scenario {
    loaded_model model;
    std::string gpu_name;
    cluster_spec cluster{};
    layout l{};
    std::string layout_source; ///< how the layout was given
    workload w{};
    eval_options opt{};
    requirements req{};
};

inline scenario resolve(const options& o) {
    scenario s;
    s.model = resolve_model(o.model);
    resolved_cluster c = resolve_cluster(o.cluster);
    s.gpu_name = std::move(c.name);
    s.cluster = c.spec;
    resolved_layout l = resolve_layout(o.layout);
    s.l = l.l;
    s.layout_source = std::move(l.source);
    s.w = make_workload(o.workload);
    s.opt = make_eval_options(o.modelling);
    s.req = make_requirements(o.req);
    return s;
}

inline const char* op_key(op_group g) {
    switch (g) {
    case op_group::attention_proj:
        return "attention_proj";
    case op_group::attention_core:
        return "attention_core";
    case op_group::router:
        return "router";
    case op_group::routed_experts:
        return "routed_experts";
    case op_group::shared_experts:
        return "shared_experts";
    case op_group::dense_ffn:
        return "dense_ffn";
    case op_group::lm_head:
        return "lm_head";
    }
    return "?";
}

// ---- JSON ------------------------------------------------------------------------------

inline json step_json(const stage_step& st) {
    json ops = json::array();
    for (std::size_t i = 0; i < op_group_count; ++i) {
        const auto g = static_cast<op_group>(i);
        const op_cost& op = st.op(g);
        ops.push_back({{"group", op_key(g)},
                       {"flops", op.work.value()},
                       {"bytes", op.traffic.value()},
                       {"compute_s", op.compute_time.value()},
                       {"memory_s", op.memory_time.value()},
                       {"time_s", op.time().value()},
                       {"bound", name_of(op.bound())}});
    }
    const comm_cost& c = st.comm;
    return {{"time_s", st.time.value()},
            {"compute_s", st.compute.value()},
            {"draft_s", st.draft.value()},
            {"bound", name_of(st.bound)},
            {"flops", st.work().value()},
            {"bytes", st.traffic().value()},
            {"ops", ops},
            {"comm",
             {{"tp_s", c.tp.value()},
              {"ep_s", c.ep.value()},
              {"etp_s", c.etp.value()},
              {"cp_s", c.cp.value()},
              {"pp_s", c.pp.value()},
              {"total_s", c.total().value()},
              {"ep_intra_node_bytes", c.ep_intra_node.value()},
              {"ep_inter_node_bytes", c.ep_inter_node.value()}}}};
}

inline json phase_json(const phase_result& p, bool prefill, bool ok) {
    const json none; // null: not evaluated
    json j;
    j["tokens_per_s_per_gpu"] = ok ? json(p.tokens_per_gpu.value()) : none;
    j[prefill ? "ttft_s" : "tpot_s"] = ok ? json(p.latency.value()) : none;
    j["batch_time_s"] = ok ? json(p.batch_time.value()) : none;
    j["bottleneck"] = ok ? json(name_of(p.bottleneck)) : none;
    j["bubble_fraction"] = ok ? json(p.bubble_fraction) : none;
    j["slowest_stage"] = ok ? json(p.slowest_stage) : none;
    j["slowest_step"] = ok ? step_json(p.slowest) : none;
    return j;
}

inline json to_json(const scenario& s, const report& r) {
    const bool ok = r.evaluated;
    const model_spec& m = s.model.spec;
    const layout& l = s.l;
    json j;
    j["model"] = std::string(m.name.view());
    j["model_source"] = s.model.source;
    j["notes"] = s.model.notes;
    j["gpu"] = s.gpu_name;
    j["profile"] = std::string(s.cluster.gpu.perf.name.view()); // the calibration in use
    j["gpus_per_node"] = s.cluster.gpus_per_node;
    j["interconnect_assumed"] = s.cluster.interconnect_assumed;
    j["precision"] = precision_json(m);
    j["layout"] = layout_json(l);
    j["workload"] = {{"batch", s.w.batch},
                     {"prompt", s.w.prompt},
                     {"context", context_of(s.w)},
                     {"prefill_micro_batches", prefill_micro_batches_of(s.w, l.pp, l.dp)},
                     {"decode_micro_batches", decode_micro_batches_of(s.w, l.pp, l.dp)},
                     {"draft_tokens", s.w.draft_tokens},
                     {"draft_acceptance", s.w.draft_acceptance},
                     {"prefix_cache_hit", s.w.prefix_cache_hit},
                     {"step_tokens", s.w.step_tokens > 0 ? json(s.w.step_tokens) : json(nullptr)}};
    j["options"] = options_json(s.opt);
    j["evaluated"] = ok;
    j["valid"] = r.valid();
    j["meets"] = r.meets();
    j["fits"] = ok && r.memory.fits;
    j["memory_per_gpu_bytes"] = ok ? json(r.memory.total().value()) : json();
    j["memory"] = ok ? json{{"weights_bytes", r.memory.weights.value()},
                            {"kv_cache_bytes", r.memory.kv_cache.value()},
                            {"activations_bytes", r.memory.activations.value()},
                            {"total_bytes", r.memory.total().value()},
                            {"capacity_bytes", r.memory.capacity.value()},
                            {"usable_bytes", r.memory.usable.value()},
                            {"stage", r.memory.stage},
                            {"max_batch", r.max_batch}}
                     : json();
    // a deployment that does not fit cannot run: its memory is shown, no time or throughput
    const bool runs = ok && r.memory.fits;
    j["prefill"] = phase_json(r.prefill, true, runs);
    j["decode"] = phase_json(r.decode, false, runs);
    j["decode_experts_touched"] = runs ? json(r.decode_experts_touched) : json();
    j["decode_tokens_per_step"] = runs ? json(r.decode_tokens_per_step) : json();
    j["violations_dropped"] = r.problems.dropped;
    j["violations"] = violations_json(r.problems);
    json req = json::array();
    for (std::size_t i = 0; i < r.requirements.size(); ++i) {
        const auto& q = r.requirements[i];
        if (!q.applies)
            continue;
        req.push_back({{"name", q.name},
                       {"key", requirement_keys[i]},
                       {"value", (i == memory_requirement ? ok : runs) ? json(q.value) : json()},
                       {"target", q.target},
                       {"pass", (i == memory_requirement ? ok : runs) && q.pass}});
    }
    j["requirements"] = req;
    return j;
}

// ---- text ------------------------------------------------------------------------------

inline void print_step(std::string_view phase, const phase_result& p, const cluster_spec& c) {
    heading(fmt::format("{}: slowest stage (stage {}), one GPU, one step", phase, p.slowest_stage));
    const stage_step& st = p.slowest;
    emit("  {:<22} {:>12} {:>11} {:>11} {:>11} {:>11}  {}\n", "operator group", "FLOPs",
         "HBM bytes", "compute", "memory", "time", "bound");
    for (std::size_t i = 0; i < op_group_count; ++i) {
        const auto g = static_cast<op_group>(i);
        const op_cost& op = st.op(g);
        if (op.work.value() == 0 && op.traffic.value() == 0)
            continue;
        emit("  {:<22} {:>12} {:>11} {:>11} {:>11} {:>11}  {}\n", name_of(g), pretty(op.work),
             pretty(op.traffic), pretty(op.compute_time), pretty(op.memory_time), pretty(op.time()),
             name_of(op.bound()));
    }
    emit("  {:<22} {:>12} {:>11} {:>35}\n", "all groups", pretty(st.work()), pretty(st.traffic()),
         pretty(st.compute));
    const comm_cost& cm = st.comm;
    std::vector<std::string> parts;
    auto item = [&](const char* name, seconds t) {
        if (t.value() > 0)
            parts.push_back(fmt::format("{} {}", name, pretty(t)));
    };
    item("TP all-reduce", cm.tp);
    item("EP all-to-all", cm.ep);
    item("ETP gather/scatter", cm.etp);
    item("CP exchange", cm.cp);
    item("PP send", cm.pp);
    emit("  communication: {}\n", parts.empty() ? std::string("none") : join(parts, " | "));
    if (cm.ep_intra_node.value() > 0 || cm.ep_inter_node.value() > 0)
        emit("  EP bytes per GPU: {} inside the node ({} each way), {} between nodes ({} NIC)\n",
             pretty(cm.ep_intra_node), pretty(c.intra_node.bandwidth.get()),
             pretty(cm.ep_inter_node), pretty(c.inter_node.bandwidth.get()));
    if (st.draft.value() > 0)
        emit("  step: compute {} and communication {}, then MTP drafts {} -> {} ({}-bound)\n",
             pretty(st.compute), pretty(cm.total()), pretty(st.draft), pretty(st.time),
             name_of(st.bound));
    else
        emit("  step: compute {} and communication {} -> {} ({}-bound)\n", pretty(st.compute),
             pretty(cm.total()), pretty(st.time), name_of(st.bound));
}

inline void print_text(const scenario& s, const report& r) {
    const bool ok = r.evaluated;
    const model_spec& m = s.model.spec;
    const layout& l = s.l;
    const cluster_spec& c = s.cluster;
    emit("moecost evaluate: {} on {}{}\n", m.name.view(), s.gpu_name,
         r.ideal ? " (ideal bounds)" : "");
    auto line = [](std::string_view what, const std::string& text) {
        emit("  {:<10} {}\n", what, text);
    };
    line("model", model_text(s.model));
    for (const auto& n : s.model.notes)
        line("", "note: " + n);
    line("GPU", gpu_text(c, r.ideal));
    line("network", network_text(c));
    line("layout", fmt::format("{} | {} GPU{} ({})", layout_text(l), world_size(l),
                               world_size(l) == 1 ? "" : "s", s.layout_source));
    line("workload",
         fmt::format("batch {}, {}, decode context {} tokens; micro-batches: "
                     "prefill {}, decode {}{}{}",
                     s.w.batch, prompt_text(s.w), context_of(s.w),
                     s.w.prefill_micro_batches > 0 ? fmt::format("{}", s.w.prefill_micro_batches)
                                                   : fmt::format("{} (= pp)", l.pp),
                     s.w.decode_micro_batches > 0 ? fmt::format("{}", s.w.decode_micro_batches)
                                                  : fmt::format("{} (= pp)", l.pp),
                     drafts_text(s.model.spec, s.w), step_budget_text(s.w)));
    line("modelling", modelling_text(s.opt));

    heading("Violations");
    if (r.problems.ok())
        emit("  none: every module divides evenly and the deployment fits\n");
    for (const auto& v : violation_lines(r.problems))
        emit("  - {}\n", v);
    if (!ok) {
        emit("\nNot evaluated: the layout (or a spec) breaks a rule the evaluation needs.\n");
        return;
    }

    heading(fmt::format("Memory per GPU (stage {}, the most loaded)", r.memory.stage));
    emit("  {:<26} {:>12}\n", "weights", pretty(r.memory.weights));
    emit("  {:<26} {:>12}\n", "KV cache", pretty(r.memory.kv_cache));
    emit("  {:<26} {:>12}\n", "activations (prefill)", pretty(r.memory.activations));
    emit("  {:<26} {:>12}  of {} usable ({} x {:g}): {}\n", "total", pretty(r.memory.total()),
         pretty(r.memory.usable), pretty(r.memory.capacity), s.opt.memory_headroom,
         r.memory.fits ? "fits" : "DOES NOT FIT");
    emit("  {:<26} {:>12}\n", "largest batch that fits", fmt::format("{} sequences", r.max_batch));
    if (!r.memory.fits) {
        emit("\nThroughput and latency not evaluated: the deployment does not fit in memory, so it "
             "cannot run.\n");
        return;
    }

    heading("Throughput and latency");
    emit("  {:<26} {:>16} {:>16}\n", "", "prefill", "decode");
    emit("  {:<26} {:>16} {:>16}\n", "tokens/s per GPU", pretty(r.prefill.tokens_per_gpu),
         pretty(r.decode.tokens_per_gpu));
    emit("  {:<26} {:>16} {:>16}\n", "latency (TTFT / TPOT)", pretty(r.prefill.latency),
         pretty(r.decode.latency));
    emit("  {:<26} {:>16} {:>16}\n", "batch time / round", pretty(r.prefill.batch_time),
         pretty(r.decode.batch_time));
    emit("  {:<26} {:>16} {:>16}\n", "pipeline bubble", percent(r.prefill.bubble_fraction),
         percent(r.decode.bubble_fraction));
    emit("  {:<26} {:>16} {:>16}\n", "bottleneck", name_of(r.prefill.bottleneck),
         name_of(r.decode.bottleneck));
    emit("  {:<26} {:>16} {:>16}\n", "slowest stage", r.prefill.slowest_stage,
         r.decode.slowest_stage);
    if (is_moe(m))
        emit("  decode: {:.1f} of {} experts touched per layer per EP group per step\n",
             r.decode_experts_touched, m.moe.experts);
    if (s.w.draft_tokens > 0)
        emit("  TTFT: one request alone through every stage; TPOT: one decode round of the "
             "batch over the {:.3g} tokens it gains\n",
             r.decode_tokens_per_step);
    else
        emit(
            "  TTFT: one request alone through every stage; TPOT: one decode round of the batch\n");

    print_step("Prefill", r.prefill, c);
    print_step("Decode", r.decode, c);

    heading("Requirements");
    bool any = false;
    for (std::size_t i = 0; i < r.requirements.size(); ++i) {
        const auto& q = r.requirements[i];
        if (!q.applies)
            continue;
        any = true;
        const bool at_least = requirement_at_least(i);
        emit("  {:<26} {:>16}  {} {:<14} {}\n", q.name, requirement_value(i, q.value),
             at_least ? ">=" : "<=", requirement_value(i, q.target), q.pass ? "pass" : "FAIL");
    }
    if (!any)
        emit("  none given ({})\n", join({requirement_flags.begin(), requirement_flags.end()}));
    else
        emit("  verdict: {}\n",
             r.meets() ? "meets every requirement" : "does NOT meet the requirements");
}

} // namespace evaluate_cmd

inline command add_evaluate(CLI::App& app) {
    auto o = std::make_shared<evaluate_cmd::options>();
    CLI::App* sub = app.add_subcommand(
        "evaluate", "Evaluate one deployment: memory per GPU, prefill and decode tokens/s per GPU, "
                    "TTFT and TPOT, bottlenecks, the slowest stage's operators, violations, "
                    "requirement verdicts");
    add_model_options(*sub, o->model);

    add_cluster_options(*sub, o->cluster);
    add_layout_options(*sub, o->layout);
    add_workload_options(*sub, o->workload);
    add_modelling_options(*sub, o->modelling);
    add_requirement_options(
        *sub, o->req,
        "Requirements (each optional; verdicts are reported, the exit status stays 0)");

    sub->add_flag(
        "--json", o->json,
        "Print JSON (numbers in base units: token/s, s, FLOP, bytes; null when not evaluated)");
    sub->footer(
        "Memory is per GPU of the most loaded pipeline stage; rates are per GPU of the whole\n"
        "deployment. A layout that does not divide is listed under violations (exit status 0).\n" +
        std::string(exit_status_text) +
        "\nExamples:\n"
        "  moecost evaluate --preset seed-moe --gpu seed-gpu --seed-layout ep=8,pp=2,dp=4,tp=2 "
        "--batch 128 --prompt 10240\n"
        "  moecost evaluate --preset deepseek-v3 --gpu h800 --layout dp=32,ep=32,redundant=32 "
        "--batch 2048 --prompt 4096 --dispatch-fp8 --max-tpot 0.05");
    return {sub, [o] {
                const evaluate_cmd::scenario s = evaluate_cmd::resolve(*o);
                const report r = evaluate(s.model.spec, s.cluster, s.l, s.w, s.opt, s.req);
                if (o->json)
                    out_json(evaluate_cmd::to_json(s, r));
                else
                    evaluate_cmd::print_text(s, r);
                return exit_ok;
            }};
}

} // namespace moecost::cli
