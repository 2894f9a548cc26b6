#pragma once
/**
 * @file
 * Exhaustive layout search: every factorisation of a GPU budget into TP·CP·DP·PP and
 * ETP·EP·EDP that passes the division and node rules, crossed with the batch sizes asked
 * for; filtered by memory and requirements, ranked by an objective, with the Pareto front of
 * throughput per GPU against latency and, when nothing is feasible, the nearest misses.
 *
 * Allocation-free and constexpr: small spaces can be searched inside a constant expression.
 */

#include <moecost/evaluate/inference.hpp>
#include <moecost/search/layouts.hpp>

#include <array>
#include <cstddef>

namespace moecost {

/// What to rank by. Throughputs higher is better; latencies lower; GPUs fewer.
enum class objective : std::uint8_t {
    decode_tokens_per_gpu,
    prefill_tokens_per_gpu,
    ttft,
    tpot,
    fewest_gpus,
};

constexpr const char* name_of(objective o) {
    switch (o) {
    case objective::decode_tokens_per_gpu:
        return "decode tokens/s per GPU";
    case objective::prefill_tokens_per_gpu:
        return "prefill tokens/s per GPU";
    case objective::ttft:
        return "TTFT";
    case objective::tpot:
        return "TPOT";
    case objective::fewest_gpus:
        return "fewest GPUs";
    }
    return "?";
}

/// One evaluated layout, summarised.
struct candidate {
    layout l{};
    workload w{};
    bytes memory{};
    token_rate prefill{};
    token_rate decode{};
    seconds ttft{};
    seconds tpot{};
    resource decode_bound = resource::compute;
    bool fits = false;
    bool meets = false;
    double score = 0;     ///< objective, larger is better
    double shortfall = 0; ///< worst relative miss of a requirement or of memory (0 when feasible)
};

template <std::size_t Top = 10, std::size_t Front = 16>
struct search_result {
    std::array<candidate, Top> best{};
    int n_best = 0;
    std::array<candidate, Front> pareto{}; ///< decode tokens/s per GPU vs TPOT, feasible only
    int n_pareto = 0;
    std::array<candidate, Top>
        nearest_misses{}; ///< valid layouts that fail, smallest shortfall first
    int n_misses = 0;
    long evaluated = 0; ///< layouts evaluated (passed the division checks)
    long feasible = 0;
    long rejected = 0; ///< factorisations refused by the division checks
    /// Refused factorisations by the rule they break (a factorisation under each of its rules)
    /// and the first one's violation of each rule, to say what to change.
    std::array<long, rule_count> refused_by{};
    std::array<violation, rule_count> refused_example{};
    /// The rules the model, cluster, workload, options or space break; nothing is searched then.
    violations problems{};
};

namespace ranking {

/// Counts a refused factorisation under each rule it breaks, once a rule, keeping the first
/// example of each.
template <class Result>
constexpr void tally_refusal(Result& res, const violations& v) {
    for (int i = 0; i < v.count; ++i) {
        const violation& x = v.items[std::size_t(i)];
        bool seen = false;
        for (int j = 0; j < i; ++j)
            seen = seen || v.items[std::size_t(j)].what == x.what;
        const auto at = static_cast<std::size_t>(x.what);
        if (!seen && res.refused_by[at]++ == 0)
            res.refused_example[at] = x;
    }
}

constexpr double score_of(const candidate& c, objective o) {
    switch (o) {
    case objective::decode_tokens_per_gpu:
        return c.decode.value();
    case objective::prefill_tokens_per_gpu:
        return c.prefill.value();
    case objective::ttft:
        return -c.ttft.value();
    case objective::tpot:
        return -c.tpot.value();
    case objective::fewest_gpus:
        return -static_cast<double>(world_size(c.l)) + 1e-12 * c.decode.value();
    }
    return 0;
}

/// Keeps the front of (decode tokens/s per GPU ↑, TPOT ↓).
template <std::size_t N>
constexpr void add_to_front(std::array<candidate, N>& f, int& n, const candidate& c) {
    for (int i = 0; i < n; ++i) {
        const candidate& o = f[std::size_t(i)];
        if (o.decode >= c.decode && o.tpot <= c.tpot)
            return; // dominated
    }
    int k = 0;
    for (int i = 0; i < n; ++i) {
        const candidate& o = f[std::size_t(i)];
        if (!(c.decode >= o.decode && c.tpot <= o.tpot))
            f[std::size_t(k++)] = o;
    }
    n = k;
    if (n < static_cast<int>(N))
        f[std::size_t(n++)] = c;
}

constexpr double shortfall_of(const report& r) {
    double worst = 0;
    if (!r.memory.fits)
        worst = r.memory.total().value() / r.memory.usable.value() - 1.0;
    for (const auto& q : r.requirements) {
        if (!q.applies || q.pass)
            continue;
        const double miss =
            q.value > q.target ? q.value / q.target - 1.0 : q.target / q.value - 1.0;
        if (miss > worst)
            worst = miss;
    }
    return worst;
}

} // namespace ranking

/**
 * Evaluates every valid layout in `space` for model `spec` on cluster c. The workload gives the
 * prompt, context and micro-batching; its batch is replaced by each of `space.batches`
 * (all zero: the workload's own batch). `progress(layouts_done)` is called after each layout
 * (`count_layouts` in all): a long search can show how far it is.
 */
template <std::size_t Top = 10, std::size_t Front = 16, class Progress = no_progress>
constexpr search_result<Top, Front> search(const model_spec& spec, const cluster_spec& c,
                                           const search_space& space, const workload& base,
                                           const requirements& req = {},
                                           objective obj = objective::decode_tokens_per_gpu,
                                           const eval_options& opt = {}, Progress&& progress = {}) {
    search_result<Top, Front> res;
    std::array<int, 8> batches = space.batches;
    int nb = 0;
    for (int b : batches)
        nb += b > 0 ? 1 : 0;
    if (nb == 0)
        batches[0] = base.batch;
    res.problems = validate_all(spec, c, base, opt, space);
    if (!res.problems.ok())
        return res;
    const model_spec m = with_resolved_heads(spec);
    long layouts_done = 0;
    for_each_layout(m, c, space, [&](const layout& l, const engine::stage_set& ss) {
        engine::prepared p{}; // the layout's batch-independent work, done at its first valid batch
        bool prepared_yet = false;
        for (int b : batches) {
            if (b <= 0)
                continue;
            workload w = base;
            w.batch = b;
            report r;
            check_layout_into(r.problems, m, c, l, w);
            if (!r.problems.ok()) {
                ++res.rejected;
                ranking::tally_refusal(res, r.problems);
                continue;
            }
            if (!prepared_yet) {
                p = engine::prepare(m, c, l, opt, &ss);
                prepared_yet = true;
            }
            engine::evaluate_into(r, p, w, req);
            ++res.evaluated;
            candidate cd{l,
                         w,
                         r.memory.total(),
                         r.prefill.tokens_per_gpu,
                         r.decode.tokens_per_gpu,
                         r.prefill.latency,
                         r.decode.latency,
                         r.decode.bottleneck,
                         r.memory.fits,
                         r.meets(),
                         0,
                         0};
            cd.score = ranking::score_of(cd, obj);
            if (cd.meets) {
                ++res.feasible;
                ranking::insert_sorted(
                    res.best, res.n_best, cd,
                    [](const candidate& a, const candidate& b2) { return a.score > b2.score; });
                ranking::add_to_front(res.pareto, res.n_pareto, cd);
            } else {
                cd.shortfall = ranking::shortfall_of(r);
                ranking::insert_sorted(res.nearest_misses, res.n_misses, cd,
                                       [](const candidate& a, const candidate& b2) {
                                           return a.shortfall < b2.shortfall ||
                                                  (a.shortfall == b2.shortfall &&
                                                   a.score > b2.score);
                                       });
            }
        }
        progress(++layouts_done);
    });
    return res;
}

} // namespace moecost
