#pragma once
/**
 * @file
 * The serving planner: for a model, a traffic, service-level objectives and a GPU budget, every
 * aggregated deployment (one layout × instances, chunked prefill at each token budget) and
 * every disaggregated one (prefill layout × decode layout × instance counts), ranked by
 * goodput per GPU, with the Pareto front of output tokens/s per GPU against tokens/s per user
 * (one point a band of tokens/s per user, `serve_ranking::add_to_front`).
 * A disaggregated pair is skipped only when an upper bound on its goodput per GPU is below the
 * best found and its best point could not enter the front; the counts say how many were
 * evaluated and how many skipped, so the answer is the best under the model.
 * docs/serving.md derives the formulas; <moecost/serve/pools.hpp> holds them.
 *
 * The per-layout work (the pools' tables) is stored once, in vectors sized before the pairs
 * are crossed; crossing allocates nothing. What one candidate costs:
 * <moecost/serve/candidates.hpp>.
 */

#include <moecost/detail/math.hpp>
#include <moecost/search/layouts.hpp>
#include <moecost/serve/candidates.hpp>

#include <algorithm>
#include <array>
#include <vector>

namespace moecost {

/// Why a mode found nothing, counted over its layouts.
struct mode_tally {
    long layouts = 0;    ///< factorisations of the budget tried
    long unfit = 0;      ///< broke a rule or did not fit in memory
    long too_slow = 0;   ///< fit, but no load meets the SLOs within the utilisation limit
    long candidates = 0; ///< aggregated: layouts × token budgets; disaggregated: pairs
    long evaluated = 0;
    long pruned = 0;  ///< skipped: bounds show it could neither beat the best nor enter the front
    long refused = 0; ///< pairs the connect rules refuse (among those not pruned)
    long over_budget =
        0; ///< evaluated, but no instance count fits the budget (or carries the rate)
};

template <std::size_t Front = 32>
struct serve_result {
    serve_plan best{};
    std::array<serve_plan, 2> by_mode{}; ///< [aggregated, disaggregated]
    std::array<mode_tally, 2> tally{};
    /// tokens/s per GPU ↑ against tokens/s per user ↑, one point a band of the latter (Front
    /// bands, `serve_ranking::front_band`)
    std::array<serve_plan, Front> pareto{};
    int n_pareto = 0;
    /// The rules the inputs break (`validate_serving`); none planned where any is broken.
    violations problems{};
    [[nodiscard]] constexpr long evaluated() const {
        return tally[0].evaluated + tally[1].evaluated;
    }
    [[nodiscard]] constexpr long pruned() const { return tally[0].pruned + tally[1].pruned; }
};

namespace serve_ranking {

constexpr bool better(const serve_plan& a, const serve_plan& b) {
    if (!b.feasible)
        return a.feasible;
    if (!a.feasible)
        return false;
    if (a.score != b.score)
        return a.score > b.score;
    return a.goodput > b.goodput;
}

/// The front's bands of tokens/s per user: N log-spaced from 1 to 10^4 (below and above go to
/// the first and the last), so that the front spans the interactivity range rather than
/// filling with near-equal points. Band b holds [edge b − 1, edge b); the last is open above.
inline constexpr double front_band_low = 1.0;
inline constexpr double front_band_high = 1e4;

template <std::size_t N>
inline constexpr std::array<double, N> front_band_edges = [] {
    std::array<double, N> e{};
    const double span = detail::natural_log(front_band_high / front_band_low);
    for (std::size_t i = 0; i + 1 < N; ++i)
        e[i] = front_band_low * detail::natural_exp(span * double(i + 1) / double(N));
    e[N - 1] = 1.7976931348623157e308;
    return e;
}();

/// The band of y tokens/s per user.
template <std::size_t N>
constexpr int front_band(double y) {
    std::size_t lo = 0, hi = N - 1; // the first edge above y
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (y < front_band_edges<N>[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return static_cast<int>(lo);
}

/// Whether (x, y) takes band b from its point o: more tokens/s per GPU, or as many and more per
/// user.
constexpr bool beats(double x, double y, const serve_plan& o) {
    return x > o.tokens_per_gpu || (x == o.tokens_per_gpu && y > o.tokens_per_user);
}

/**
 * Whether a plan (x, y) would enter the front (add_to_front's rule): no point of a higher band
 * has as many tokens/s per GPU (it would dominate it: its band's users are faster), and the
 * point of its own band, if any, is beaten. The front holds one point a band, the most
 * tokens/s per GPU among the plans of that band that nothing dominates.
 */
template <std::size_t N>
constexpr bool could_enter(const std::array<serve_plan, N>& f, int n, double x, double y) {
    const int b = front_band<N>(y);
    for (int i = 0; i < n; ++i) {
        const serve_plan& o = f[std::size_t(i)];
        const int bo = front_band<N>(o.tokens_per_user);
        if ((bo > b && o.tokens_per_gpu >= x) || (bo == b && !beats(x, y, o)))
            return false;
    }
    return true;
}

/// The front by band, for the search's bounds: each band's point (x < 0: none) and the most
/// tokens/s per GPU of the bands above it.
template <std::size_t N>
struct front_bands {
    std::array<double, N> x{}, y{}, above{};
};

template <std::size_t N>
constexpr front_bands<N> bands_of(const std::array<serve_plan, N>& f, int n) {
    front_bands<N> s;
    s.x.fill(-1.0);
    s.y.fill(0.0);
    for (int i = 0; i < n; ++i) {
        const serve_plan& o = f[std::size_t(i)];
        const auto b = static_cast<std::size_t>(front_band<N>(o.tokens_per_user));
        s.x[b] = o.tokens_per_gpu;
        s.y[b] = o.tokens_per_user;
    }
    double m = -1.0;
    for (std::size_t b = N; b-- > 0;) {
        s.above[b] = m;
        m = s.x[b] > m ? s.x[b] : m;
    }
    return s;
}

/**
 * Whether any plan at most (x, y) in both could enter the front. (x, y) itself is the one to
 * test: where a band's point beats it, or a higher band's point has at least x, that point
 * also dominates every plan of at most x in the lower bands (their users are slower).
 */
template <std::size_t N>
constexpr bool could_enter_below(const front_bands<N>& s, double x, double y) {
    const auto b = static_cast<std::size_t>(front_band<N>(y));
    return s.above[b] < x && (s.x[b] < 0 || x > s.x[b] || (x == s.x[b] && y > s.y[b]));
}

/// Keeps the front of (tokens/s per GPU ↑, tokens/s per user ↑), one point a band of tokens/s
/// per user (`front_band`); returns whether c entered.
template <std::size_t N>
constexpr bool add_to_front(std::array<serve_plan, N>& f, int& n, const serve_plan& c) {
    if (!c.feasible || !could_enter(f, n, c.tokens_per_gpu, c.tokens_per_user))
        return false;
    const int band = front_band<N>(c.tokens_per_user);
    int k = 0;
    for (int i = 0; i < n; ++i) {
        const serve_plan& o = f[std::size_t(i)];
        const bool dominated_by_c =
            c.tokens_per_gpu >= o.tokens_per_gpu && c.tokens_per_user >= o.tokens_per_user;
        if (!dominated_by_c && front_band<N>(o.tokens_per_user) != band)
            f[std::size_t(k++)] = o;
    }
    n = k;
    f[std::size_t(n++)] = c; // one point a band: n <= N
    return true;
}

/// 1 / (1/x + 1/y): requests/s per GPU of two pools matched exactly, x and y each pool's per GPU.
constexpr double harmonic(double x, double y) {
    return x > 0 && y > 0 ? 1.0 / (1.0 / x + 1.0 / y) : 0.0;
}

} // namespace serve_ranking

namespace planner_detail {

/// Offers a plan to the best, its mode's best and the front; returns whether the front changed.
template <class Result>
constexpr bool offer(Result& res, const serve_plan& p) {
    if (!p.feasible)
        return false;
    const auto mode = static_cast<std::size_t>(p.mode);
    if (serve_ranking::better(p, res.by_mode[mode]))
        res.by_mode[mode] = p;
    if (serve_ranking::better(p, res.best))
        res.best = p;
    return serve_ranking::add_to_front(res.pareto, res.n_pareto, p);
}

/// Every layout of a pool's budget, as the inference search enumerates them.
constexpr search_space pool_space(const serve_options& o) {
    return {.min_gpus = 1,
            .max_gpus = o.max_gpus,
            .max_cp = o.max_cp,
            .pow2_only = o.pow2_only,
            .pad_experts = o.pad_experts};
}

} // namespace planner_detail

/**
 * The layouts plan_serving enumerates for a pool on cluster `c` under `o` (count_layouts of its
 * space). Its disaggregated mode tries pairs of those that fit, pruned by a bound, so its time
 * grows about with this count's square.
 */
constexpr long count_pool_layouts(const model_spec& spec, const cluster_spec& c,
                                  const serve_options& o) {
    return count_layouts(with_resolved_heads(spec), c, planner_detail::pool_space(o));
}

/**
 * Plans the serving of model `spec` on `hw` under `o`: the best aggregated and disaggregated
 * deployments, the overall best, the Pareto front and the counts.
 */
template <std::size_t Front = 32>
serve_result<Front> plan_serving(const model_spec& spec, const serve_hardware& hw,
                                 const serve_options& o) {
    serve_result<Front> res;
    res.problems = validate_serving(spec, hw, o);
    if (!res.problems.ok())
        return res;
    const model_spec m = with_resolved_heads(spec);
    const sojourn_table q = make_sojourn_table(o.load.input_cv, o.target.percentile);
    const serve_context cx = make_serve_context(m, q, hw, o);
    const double hit = o.load.prefix_cache_hit;
    const bool shared = hw.aggregated == hw.decode;

    // Decode layouts (also the aggregated ones when they run on the same GPUs).
    std::vector<decode_entry> decodes;
    std::vector<decode_entry> aggs;
    if (o.disaggregated || (o.aggregated && shared)) {
        for_each_layout(m, hw.decode, planner_detail::pool_space(o),
                        [&](const layout& l, const engine::stage_set&) {
                            decode_entry d = make_decode_entry(cx, hw.decode, l);
                            if (o.aggregated && shared) {
                                ++res.tally[0].layouts;
                                if (d.table.n > 0)
                                    aggs.push_back(d);
                                else
                                    ++res.tally[0].unfit;
                            }
                            if (!o.disaggregated)
                                return;
                            ++res.tally[1].layouts;
                            if (d.table.n == 0) {
                                ++res.tally[1].unfit;
                                return;
                            }
                            d = with_best_point(d, cx);
                            if (d.point.rate > 0)
                                decodes.push_back(d);
                            else
                                ++res.tally[1].too_slow;
                        });
    }
    if (o.aggregated && !shared)
        for_each_layout(m, hw.aggregated, planner_detail::pool_space(o),
                        [&](const layout& l, const engine::stage_set&) {
                            ++res.tally[0].layouts;
                            const decode_entry d = make_decode_entry(cx, hw.aggregated, l);
                            if (d.table.n > 0)
                                aggs.push_back(d);
                            else
                                ++res.tally[0].unfit;
                        });

    // Aggregated: every layout × token budget.
    if (o.aggregated) {
        mode_tally& ta = res.tally[0];
        for (const decode_entry& d : aggs) {
            bool any = false;
            prefill_cost_memo tau;
            for (int b : o.token_budgets) {
                if (b <= 0)
                    continue;
                ++ta.candidates;
                const double limit = aggregated_limit(cx, hw.aggregated, d.l, b);
                if (limit < 0)
                    continue;
                const prefill_token_cost& pc = tau.at(m, hw.aggregated, d.l, cx.s, o.eval, hit, b);
                ++ta.evaluated;
                const serve_plan p = plan_aggregated(cx, d, pc, b, limit);
                if (p.feasible) {
                    any = true;
                    planner_detail::offer(res, p);
                } else if (best_mixed_point(d.table, cx.s, q, pc.tau, double(b) * d.l.dp, o.target,
                                            o.max_utilisation, cx.z,
                                            dp_ranks_of(o, d.l, pc.local_share))
                               .rate > 0)
                    ++ta.over_budget;
            }
            if (!any)
                ++ta.too_slow;
        }
    }
    if (!o.disaggregated)
        return res;

    // Prefill layouts, each at its best batch.
    std::vector<prefill_entry> prefills;
    mode_tally& td = res.tally[1];
    for_each_layout(m, hw.prefill, planner_detail::pool_space(o),
                    [&](const layout& l, const engine::stage_set&) {
                        bool fits = false;
                        const prefill_entry best = make_prefill_entry(cx, l, fits);
                        ++td.layouts;
                        if (!fits)
                            ++td.unfit;
                        else if (best.per_gpu_bound > 0)
                            prefills.push_back(best);
                        else
                            ++td.too_slow;
                    });

    std::sort(prefills.begin(), prefills.end(), [](const prefill_entry& a, const prefill_entry& b) {
        return a.per_gpu_bound > b.per_gpu_bound;
    });
    std::sort(decodes.begin(), decodes.end(),
              [](const decode_entry& a, const decode_entry& b) { return a.per_gpu > b.per_gpu; });
    const std::size_t np = prefills.size(), nd = decodes.size();
    td.candidates = static_cast<long>(np * nd);
    std::vector<std::size_t> visited(np, 0); // pass 1 tried decodes [0, visited[i]) with prefill i
    bool front_changed = true;               // since `bands` was drawn
    serve_ranking::front_bands<Front> bands{};
    const auto try_pair = [&](std::size_t i, std::size_t j) {
        if (!connectable(o.rules, prefills[i].l, decodes[j].l)) {
            ++td.refused;
            return;
        }
        ++td.evaluated;
        const serve_plan p = plan_pair(cx, prefills[i], decodes[j]);
        if (p.feasible)
            front_changed = planner_detail::offer(res, p) || front_changed;
        else
            ++td.over_budget;
    };
    const auto best_score = [&] { return res.best.feasible ? res.best.score : 0.0; };
    // Pass 1, the best: pairs in falling order of their bound; a pair whose bound is below the
    // best found is skipped, and so are those after it in the same row (smaller bounds).
    for (std::size_t i = 0; i < np && nd > 0; ++i) {
        const double x = prefills[i].per_gpu_bound;
        if (serve_ranking::harmonic(x, decodes[0].per_gpu) < best_score())
            break;
        std::size_t j = 0;
        for (; j < nd; ++j) {
            if (serve_ranking::harmonic(x, decodes[j].per_gpu) < best_score())
                break;
            try_pair(i, j);
        }
        visited[i] = j;
    }
    // Pass 2, the front: a pair's points lie under its decode layout's staircase, each corner's
    // rate matched with the prefill's bound (decode_corners_of); pairs none of whose points
    // below a corner could enter the front are skipped, and so are the rest of the row (smaller
    // prefill bounds).
    const double osl = cx.s.output;
    for (std::size_t j = 0; j < nd; ++j) {
        const decode_entry& d = decodes[j];
        for (std::size_t i = 0; i < np; ++i) {
            if (front_changed) {
                bands = serve_ranking::bands_of(res.pareto, res.n_pareto);
                front_changed = false;
            }
            const double x = prefills[i].per_gpu_bound;
            bool covered = true;
            for (int c = 0; c < d.corners && covered; ++c)
                covered = !serve_ranking::could_enter_below(
                    bands, osl * serve_ranking::harmonic(x, d.corner_rate[std::size_t(c)]),
                    d.corner_speed[std::size_t(c)]);
            if (covered)
                break;
            if (j < visited[i])
                continue;
            try_pair(i, j);
        }
    }
    td.pruned = td.candidates - td.evaluated - td.refused;
    return res;
}

} // namespace moecost
