#pragma once
// `moecost search`: every layout of a GPU budget through moecost::search: the best layouts
// by an objective, the Pareto front of decode tokens/s per GPU against TPOT and, when no
// layout meets the requirements, the nearest misses with what each missed by.

#include "cluster.hpp"
#include "command.hpp"
#include "format.hpp"
#include "json_out.hpp"
#include "layout_text.hpp"
#include "model.hpp"
#include "modelling.hpp"
#include "output.hpp"
#include "requirements.hpp"
#include "search_progress.hpp"
#include "search_space.hpp"
#include "values.hpp"
#include "violation_out.hpp"
#include "workload.hpp"

#include <algorithm>
#include <chrono>

namespace moecost::cli {

namespace search_cmd {

/// The Pareto front keeps at most front_capacity layouts (--top: at most max_top,
/// search_space.hpp).
inline constexpr std::size_t front_capacity = 64;

using result = search_result<std::size_t(max_top), front_capacity>;

struct options {
    model_options model;
    cluster_options cluster;
    workload_options workload; ///< its batch is unused: --batch is a list here
    std::string batches = "1";
    modelling_options modelling;
    requirement_options req;
    search_space_options space;
    std::string objective = "decode";
    int top = 10;
    bool json = false;
    std::string layout_given; ///< --layout or --seed-layout: refused, search tries every layout
};

using named_objective = named_choice<objective>;
inline constexpr std::array<named_objective, 5> objectives{{
    {"decode", objective::decode_tokens_per_gpu, "highest first"},
    {"prefill", objective::prefill_tokens_per_gpu, "highest first"},
    {"ttft", objective::ttft, "lowest first"},
    {"tpot", objective::tpot, "lowest first"},
    {"gpus", objective::fewest_gpus, "fewest first, then highest decode tokens/s per GPU"},
}};

/// The inputs of one search, resolved from the options.
struct scenario {
    loaded_model model;
    std::string gpu_name;
    cluster_spec cluster{};
    search_space space{};
    std::vector<int> batches;
    workload w{};
    eval_options opt{};
    requirements req{};
    named_objective obj{};
    int top = 10;
};

inline scenario resolve(const options& o) {
    scenario s;
    s.model = resolve_model(o.model);
    if (const auto v = validate(s.model.spec); !v.ok())
        throw run_error(s.model.source + ": the model is invalid: " + describe(*v.begin()));
    resolved_cluster c = resolve_cluster(o.cluster);
    s.gpu_name = std::move(c.name);
    s.cluster = c.spec;
    if (auto err = parse_integer_list(o.batches, max_batches, 1, max_count, s.batches);
        !err.empty())
        throw usage_error("--batch: " + err);
    s.w = make_workload(o.workload);
    s.w.batch = s.batches.front();
    s.space = make_search_space(o.space, s.batches);
    s.opt = make_eval_options(o.modelling);
    s.req = make_requirements(o.req);
    s.obj = choice_named(objectives, o.objective);
    s.top = o.top;
    return s;
}

// ---- what a nearest miss missed by ---------------------------------------------------------

/// One target (or the memory capacity) a layout misses, and by how much.
struct miss {
    std::string name;
    std::string key;
    double value = 0;
    double target = 0;
    /// A floor (short by target − value) or a ceiling (over by value − target).
    bool at_least = false;
    double by() const { return at_least ? target - value : value - target; }
};

/// Re-evaluates the candidate and lists what it misses: the usable memory, then each
/// requirement in report order.
inline std::vector<miss> misses_of(const scenario& s, const candidate& cd) {
    const report r = evaluate(s.model.spec, s.cluster, cd.l, cd.w, s.opt, s.req);
    std::vector<miss> out;
    if (!r.memory.fits)
        out.push_back({"memory (usable HBM)", "usable_memory_per_gpu_bytes",
                       r.memory.total().value(), r.memory.usable.value(), false});
    for (std::size_t i = 0; i < r.requirements.size(); ++i) {
        const auto& q = r.requirements[i];
        if (q.applies && !q.pass)
            out.push_back(
                {q.name, requirement_keys[i], q.value, q.target, requirement_at_least(i)});
    }
    return out;
}

inline std::string miss_value(const miss& x, double v) {
    if (x.key == "usable_memory_per_gpu_bytes")
        return pretty(make<bytes>(v));
    for (std::size_t i = 0; i < requirement_keys.size(); ++i)
        if (x.key == requirement_keys[i])
            return requirement_value(i, v);
    return fmt::format("{:g}", v);
}

/// `TPOT over by 4.2 ms (54.2 ms; target <= 50 ms)`.
inline std::string miss_text(const miss& x) {
    if (x.key == "usable_memory_per_gpu_bytes")
        return fmt::format("memory over by {} ({} per GPU; {} usable)", miss_value(x, x.by()),
                           miss_value(x, x.value), miss_value(x, x.target));
    return fmt::format("{} {} by {} ({}; target {} {})", x.name, x.at_least ? "short" : "over",
                       miss_value(x, x.by()), miss_value(x, x.value),
                       x.at_least ? ">=" : "<=", miss_value(x, x.target));
}

// ---- JSON ------------------------------------------------------------------------------

inline json candidate_json(const candidate& c) {
    return {{"layout", layout_json(c.l)},
            {"gpus", world_size(c.l)},
            {"batch", c.w.batch},
            {"memory_per_gpu_bytes", c.memory.value()},
            {"fits", c.fits},
            {"prefill_tokens_per_s_per_gpu", c.prefill.value()},
            {"decode_tokens_per_s_per_gpu", c.decode.value()},
            {"ttft_s", c.ttft.value()},
            {"tpot_s", c.tpot.value()},
            {"decode_bottleneck", name_of(c.decode_bound)},
            {"meets", c.meets}};
}

/// The rules that refused factorisations, most refusals first: (how many, the first one's
/// violation).
inline std::vector<std::pair<long, violation>> refusals_of(const result& r) {
    std::vector<std::pair<long, violation>> out;
    for (std::size_t k = 0; k < rule_count; ++k)
        if (r.refused_by[k] > 0)
            out.emplace_back(r.refused_by[k], r.refused_example[k]);
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    return out;
}

/// The Pareto front, lowest TPOT first.
inline std::vector<candidate> front_of(const result& r) {
    std::vector<candidate> f(r.pareto.begin(), r.pareto.begin() + r.n_pareto);
    std::sort(f.begin(), f.end(), [](const candidate& a, const candidate& b) {
        return a.tpot < b.tpot || (a.tpot == b.tpot && a.decode > b.decode);
    });
    return f;
}

inline json to_json(const scenario& s, const result& r, double elapsed) {
    const model_spec& m = s.model.spec;
    json j;
    j["model"] = std::string(m.name.view());
    j["model_source"] = s.model.source;
    j["notes"] = s.model.notes;
    j["gpu"] = s.gpu_name;
    j["profile"] = std::string(s.cluster.gpu.perf.name.view()); // the calibration in use
    j["gpus_per_node"] = s.cluster.gpus_per_node;
    j["space"] = {{"min_gpus", s.space.min_gpus},   {"max_gpus", s.space.max_gpus},
                  {"batches", s.batches},           {"max_cp", s.space.max_cp},
                  {"pow2_only", s.space.pow2_only}, {"pad_experts", s.space.pad_experts}};
    j["workload"] = {{"prompt", s.w.prompt},
                     {"context", context_of(s.w)},
                     {"prefill_micro_batches",
                      s.w.prefill_micro_batches > 0 ? json(s.w.prefill_micro_batches) : json("pp")},
                     {"decode_micro_batches",
                      s.w.decode_micro_batches > 0 ? json(s.w.decode_micro_batches) : json("pp")},
                     {"draft_tokens", s.w.draft_tokens},
                     {"draft_acceptance", s.w.draft_acceptance},
                     {"prefix_cache_hit", s.w.prefix_cache_hit},
                     {"step_tokens", s.w.step_tokens > 0 ? json(s.w.step_tokens) : json(nullptr)}};
    j["options"] = options_json(s.opt);
    const std::array<double, 5> targets{s.req.min_prefill_tokens_per_gpu.value,
                                        s.req.min_decode_tokens_per_gpu.value, s.req.max_ttft.value,
                                        s.req.max_tpot.value, s.req.max_memory_per_gpu.value};
    json req = json::object();
    for (std::size_t i = 0; i < targets.size(); ++i)
        if (targets[i] > 0)
            req[requirement_keys[i]] = targets[i];
    j["requirements"] = req;
    j["objective"] = s.obj.cli;
    j["evaluated"] = r.evaluated;
    j["rejected"] = r.rejected;
    j["feasible"] = r.feasible;
    j["elapsed_s"] = elapsed;
    json best = json::array();
    for (int i = 0; i < r.n_best && i < s.top; ++i)
        best.push_back(candidate_json(r.best[std::size_t(i)]));
    j["best"] = best;
    json pareto = json::array();
    for (const candidate& c : front_of(r))
        pareto.push_back(candidate_json(c));
    j["pareto"] = pareto;
    if (r.feasible == 0) {
        json near = json::array();
        for (int i = 0; i < r.n_misses && i < s.top; ++i) {
            const candidate& c = r.nearest_misses[std::size_t(i)];
            json cj = candidate_json(c);
            cj["shortfall"] = c.shortfall;
            json ms = json::array();
            for (const miss& x : misses_of(s, c)) {
                json mj{{"name", x.name}, {"key", x.key}, {"value", x.value}, {"target", x.target}};
                mj[x.at_least ? "short_by" : "over_by"] = x.by();
                ms.push_back(mj);
            }
            cj["misses"] = ms;
            near.push_back(cj);
        }
        j["nearest_misses"] = near;
    }
    json refused = json::array();
    for (const auto& [n, v] : refusals_of(r))
        refused.push_back({{"factorisations", n}, {"first", violation_json(v)}});
    j["refused_by"] = refused;
    return j;
}

// ---- text ------------------------------------------------------------------------------

/// The layouts as an aligned table; expert columns for MoE models only, the redundant experts
/// where a layout has some.
inline text_table candidate_table(const model_spec& m, const std::vector<candidate>& list) {
    const bool moe = is_moe(m);
    bool redundant = false;
    for (const candidate& c : list)
        redundant = redundant || c.l.redundant_experts > 0;
    text_table t;
    t.header = {"#", "tp", "cp", "dp", "pp"};
    if (moe)
        t.header.insert(t.header.end(), {"etp", "ep", "edp"});
    if (redundant)
        t.header.emplace_back("redundant");
    t.header.insert(t.header.end(), {"GPUs", "batch", "memory/GPU", "prefill/GPU", "decode/GPU",
                                     "TTFT", "TPOT", "decode bound"});
    t.align = std::string(t.header.size() - 1, 'r') + "l";
    int i = 0;
    for (const candidate& c : list) {
        std::vector<std::string> row{std::to_string(++i), std::to_string(c.l.tp),
                                     std::to_string(c.l.cp), std::to_string(c.l.dp),
                                     std::to_string(c.l.pp)};
        if (moe)
            row.insert(row.end(), {std::to_string(etp_of(c.l)), std::to_string(c.l.ep),
                                   std::to_string(edp_of(c.l))});
        if (redundant)
            row.push_back(std::to_string(c.l.redundant_experts));
        row.insert(row.end(), {std::to_string(world_size(c.l)), std::to_string(c.w.batch),
                               pretty(c.memory), pretty(c.prefill), pretty(c.decode),
                               pretty(c.ttft), pretty(c.tpot), name_of(c.decode_bound)});
        t.add(std::move(row));
    }
    return t;
}

inline void print_text(const scenario& s, const result& r, double elapsed) {
    const model_spec& m = s.model.spec;
    const cluster_spec& c = s.cluster;
    emit("moecost search: {} on {}{}\n", m.name.view(), s.gpu_name,
         s.opt.ideal ? " (ideal bounds)" : "");
    auto line = [](std::string_view what, const std::string& text) {
        emit("  {:<13} {}\n", what, text);
    };
    line("model", model_text(s.model));
    for (const auto& n : s.model.notes)
        line("", "note: " + n);
    line("GPU", gpu_text(c, s.opt.ideal));
    line("space", space_text(s.space, c.gpus_per_node, "batch", s.batches));
    line("workload",
         fmt::format("{}, decode context {} tokens; micro-batches: prefill {}, "
                     "decode {}{}{}",
                     prompt_text(s.w), context_of(s.w),
                     s.w.prefill_micro_batches > 0 ? std::to_string(s.w.prefill_micro_batches)
                                                   : std::string("= pp"),
                     s.w.decode_micro_batches > 0 ? std::to_string(s.w.decode_micro_batches)
                                                  : std::string("= pp"),
                     drafts_text(s.model.spec, s.w), step_budget_text(s.w)));
    line("modelling", modelling_text(s.opt));
    const auto targets = requirement_phrases(s.req);
    line("requirements", targets.empty() ? std::string("none given: feasible = fits in memory")
                                         : join(targets, "; ") + "; and fits in memory");
    line("objective", fmt::format("{} ({})", name_of(s.obj.value), s.obj.order));
    line("searched", searched_text(r.evaluated, r.rejected, r.feasible, elapsed));

    if (r.evaluated == 0 && s.w.draft_tokens > 0 && s.model.spec.mtp_layers <= 0) {
        emit("\nNo layout to evaluate: {}.\n",
             describe({rule::draft_needs_mtp, "--draft-tokens", double(s.w.draft_tokens)}));
        return;
    }
    if (r.evaluated == 0) {
        emit("\nNo layout to evaluate: every factorisation of the GPU budget breaks a "
             "division or node rule.\n");
        const auto refused = refusals_of(r);
        for (std::size_t i = 0; i < refused.size() && i < 3; ++i)
            emit("  {} of the {} refused, e.g. {}\n", refused[i].first, r.rejected,
                 describe(refused[i].second));
        emit("Try more GPUs (--max-gpus), other batch sizes (--batch) or --max-cp.\n");
        return;
    }
    if (r.feasible == 0) {
        emit("\nNo layout meets the requirements: none of the {} layouts evaluated is "
             "feasible.\n",
             r.evaluated);
        const int n = std::min(r.n_misses, s.top);
        const std::vector<candidate> list(r.nearest_misses.begin(), r.nearest_misses.begin() + n);
        heading(fmt::format("Nearest misses ({} of {}, smallest worst relative miss first)", n,
                            r.evaluated));
        candidate_table(m, list).print();
        emit("\n  What each misses by:\n");
        int i = 0;
        for (const candidate& cd : list) {
            std::vector<std::string> parts;
            for (const miss& x : misses_of(s, cd))
                parts.push_back(miss_text(x));
            emit("  {:>3}. {}\n", ++i, join(parts, "; "));
        }
        return;
    }
    const int n = std::min(r.n_best, s.top);
    heading(fmt::format("Top {} of {} feasible layouts by {} ({})", n, r.feasible,
                        name_of(s.obj.value), s.obj.order));
    candidate_table(m, std::vector<candidate>(r.best.begin(), r.best.begin() + n)).print();

    const std::vector<candidate> front = front_of(r);
    heading("Pareto front: decode tokens/s per GPU against TPOT (feasible layouts, lowest TPOT "
            "first)");
    candidate_table(m, front).print();
    if (front.size() == front_capacity)
        emit("  (the front holds at most {} layouts; later ones were dropped)\n", front_capacity);
    emit("\n  memory/GPU: the most loaded stage; rates per GPU of the whole deployment; "
         "TTFT: one request\n  alone through every stage; TPOT: one decode round of the "
         "batch. `moecost evaluate --layout`\n  shows any of them in full.\n");
}

} // namespace search_cmd

inline command add_search(CLI::App& app) {
    using namespace search_cmd;
    auto o = std::make_shared<options>();
    CLI::App* sub = app.add_subcommand(
        "search", "Search every layout of a GPU budget: the best by an objective, the Pareto "
                  "front of decode tokens/s per GPU against TPOT, or the nearest misses");
    add_model_options(*sub, o->model);
    add_cluster_options(*sub, o->cluster);

    add_search_space_options(*sub, o->space,
                             "Search space (at most one of --gpus, --max-gpus; default: 1 to 8 "
                             "GPUs)",
                             true);

    sub->add_option("--batch", o->batches,
                    fmt::format("Batch sizes to try, comma-separated, at most {}: concurrent "
                                "sequences in the whole deployment",
                                max_batches))
        ->type_name("B[,B...]")
        ->check(integer_list(max_batches, 1, max_count))
        ->capture_default_str()
        ->group(workload_group);
    add_workload_options(*sub, o->workload, /*with_batch=*/false);
    // search tries every layout: --layout and --seed-layout, hidden here, say where they belong
    // and what restricts the layouts a search tries.
    for (const char* flag : {"--layout", "--seed-layout"})
        sub->add_option(flag, o->layout_given)->group("")->each([flag](const std::string&) {
            throw usage_error(std::string("search tries every layout; ") + flag +
                              " belongs to evaluate, train and dag (restrict the layouts "
                              "searched with --gpus, --min-gpus and --max-gpus, --max-cp, --pow2 "
                              "or --pad-experts; or evaluate one layout with `moecost evaluate " +
                              flag + " ...`)");
        });
    add_modelling_options(*sub, o->modelling);
    add_requirement_options(*sub, o->req,
                            "Requirements (each optional; a layout is feasible when it fits in "
                            "memory and meets every one)");

    const std::string out = "Output";
    add_ranking_options(*sub, o->objective, choice_names(objectives),
                        "Rank by: decode or prefill (tokens/s per GPU, highest first), ttft or "
                        "tpot (lowest first), gpus (fewest first)",
                        o->top, out);
    sub->add_flag("--json", o->json,
                  "Print JSON (numbers in base units: token/s, s, bytes; elapsed_s is the "
                  "search's own wall time)")
        ->group(out);
    sub->footer(
        "Layouts are every TP*CP*DP*PP and ETP*EP*EDP*PP factorisation of each world size that\n"
        "passes the division and node rules (TP and ETP within a node), crossed with the batch\n"
        "sizes. Feasible: fits in memory and meets every requirement given. With none "
        "feasible,\nthe nearest misses are listed with what each misses by.\n" +
        std::string(exit_status_text) +
        "\nExamples:\n"
        "  moecost search --preset seed-moe --gpu seed-gpu --max-gpus 32 --batch 64,128 "
        "--prompt 10240\n"
        "  moecost search --preset mixtral-8x7b --gpu h100-sxm --gpus 8 --batch 16,64,256 "
        "--max-tpot 0.05 --objective decode --json");
    return {sub, [o] {
                const scenario s = resolve(*o);
                const auto start = std::chrono::steady_clock::now();
                const long total = count_layouts(s.model.spec, s.cluster, s.space);
                const result r = search_with_progress<result>(total, [&s](auto&& progress) {
                    return search<std::size_t(max_top), front_capacity>(
                        s.model.spec, s.cluster, s.space, s.w, s.req, s.obj.value, s.opt, progress);
                });
                const double elapsed = seconds_since(start);
                if (o->json)
                    out_json(to_json(s, r, elapsed));
                else
                    print_text(s, r, elapsed);
                return exit_ok;
            }};
}

} // namespace moecost::cli
