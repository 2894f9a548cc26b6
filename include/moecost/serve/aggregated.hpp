#pragma once
/**
 * @file
 * The chunked-prefill model of an aggregated serving instance, built on the decode table of
 * <moecost/serve/pools.hpp>: its steady state at a concurrency and token budget (rate, TPOT,
 * the prefill queue's utilisation and TTFT percentile), the stall of attention DP ranks that
 * an expert group joins, and the instance's best point within the SLOs. docs/serving.md §5
 * derives each formula.
 *
 * Every function is constexpr and allocation-free.
 */

#include <moecost/detail/math.hpp>
#include <moecost/evaluate/inference.hpp>
#include <moecost/serve/pools.hpp>
#include <moecost/serve/queueing.hpp>
#include <moecost/spec/hardware.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>

#include <limits>

namespace moecost {

/// The share of a step's time spent on the DP rank that holds its tokens: all but the routed
/// experts' GEMMs, whose tokens expert parallelism spreads over the group (attention, dense and
/// shared FFN, router, LM head and the all-to-all that sends the tokens stay with the rank).
constexpr double dp_local_share(const stage_step& s) {
    const double total = s.time.value();
    if (!(total > 0))
        return 1.0;
    const double spread = s.op(op_group::routed_experts).time().value() / total;
    return spread > 0 ? (spread < 1 ? 1.0 - spread : 0.0) : 1.0;
}

/// A prefill token's cost over its balanced cost where its `local_share` waits on the busiest of
/// the joined ranks, `stall` (adp_stall) times the mean: share·stall + 1 − share.
constexpr double stalled_prefill(double local_share, double stall) {
    return local_share * stall + (1.0 - local_share);
}

/// An aggregated instance's prefill cost: seconds per prompt token it computes, and the share of
/// that time on the prompt's DP rank (`dp_local_share`).
struct prefill_token_cost {
    double tau = 0;           ///< seconds per computed prompt token (0: the passes did not run)
    double local_share = 1.0; ///< of tau, on the prompt's DP rank
};

/**
 * The prompts a DP rank and micro-batch of the passes `prefill_cost_per_token` measures at a
 * step budget of `budget_per_rank` tokens: the most, k, whose 2k fill a micro-batch's share of
 * the budget (B/PP: a step's budget spans its micro-batches), at least one; bounded so that
 * the passes' batches stay ints.
 */
constexpr int prefill_probe_prompts(const layout& l, const serve_lengths& s, int budget_per_rank) {
    const double per_prompt = s.computed > 1.0 ? s.computed : 1.0; // at least one token
    const double fill = budget_per_rank / (2.0 * l.pp * per_prompt);
    const double most = 0.25 * std::numeric_limits<int>::max() / (double(l.dp) * l.pp);
    const double k = fill < most ? fill : most;
    return k >= 2.0 ? static_cast<int>(k) : 1;
}

/**
 * τ is the marginal cost of a prefill pass (the slope between passes of b and 2b prompts: a
 * chunk rides on a step that reads the weights anyway), taken where the chunks ride: b is
 * `prompts` a DP rank and micro-batch (prefill_probe_prompts of the step's budget). A pass of
 * a few short prompts has GEMMs of fewer rows than a step of the budget, and the slope there
 * is not a chunk's cost in that step (its weight read binds, or below the GEMM curve's floor
 * it is the floor's cost per row, up to 1 + half/64 times the plateau's). The share is the 2b
 * pass's.
 */
constexpr prefill_token_cost prefill_cost_of_passes(const model_spec& m, const cluster_spec& c,
                                                    const layout& l, const serve_lengths& s,
                                                    const eval_options& opt, double cache_hit,
                                                    int prompts) {
    const int b = l.dp * l.pp * prompts;
    const report one =
        evaluate(m, c, l, {.batch = b, .prompt = s.prompt, .prefix_cache_hit = cache_hit}, opt);
    const report two =
        evaluate(m, c, l, {.batch = 2 * b, .prompt = s.prompt, .prefix_cache_hit = cache_hit}, opt);
    if (!one.evaluated || !two.evaluated)
        return {};
    const double tokens = b * s.computed;
    const double slope = (two.prefill.batch_time.value() - one.prefill.batch_time.value()) / tokens;
    const double average = two.prefill.batch_time.value() / (2.0 * tokens);
    return {.tau = slope > 0 ? slope : average, .local_share = dp_local_share(two.prefill.slowest)};
}

/// τ at a step budget of `budget_per_rank` tokens a DP rank (prefill_cost_of_passes).
constexpr prefill_token_cost prefill_cost_per_token(const model_spec& m, const cluster_spec& c,
                                                    const layout& l, const serve_lengths& s,
                                                    const eval_options& opt, double cache_hit,
                                                    int budget_per_rank) {
    return prefill_cost_of_passes(m, c, l, s, opt, cache_hit,
                                  prefill_probe_prompts(l, s, budget_per_rank));
}

/// τ for the budgets of one layout, tried in turn: measured again only when a budget's passes
/// (prefill_probe_prompts) differ from the last one's.
struct prefill_cost_memo {
    int prompts = 0; ///< the passes `cost` is from (0: none yet)
    prefill_token_cost cost{};
    constexpr const prefill_token_cost& at(const model_spec& m, const cluster_spec& c,
                                           const layout& l, const serve_lengths& s,
                                           const eval_options& opt, double cache_hit,
                                           int budget_per_rank) {
        if (const int k = prefill_probe_prompts(l, s, budget_per_rank); k != prompts) {
            cost = prefill_cost_of_passes(m, c, l, s, opt, cache_hit, k);
            prompts = k;
        }
        return cost;
    }
};

/**
 * An aggregated instance's attention DP ranks: how many hold prompts, how many of them step
 * together (an expert group joins them, `joined_dp_ranks`; 1 where the runtime balances them)
 * and the share of a prefill token's time spent on its own rank (`dp_local_share`).
 */
struct dp_ranks {
    int ranks = 1;
    int joined = 1;
    double local_share = 1.0;
};

/// An aggregated instance's steady state at decode concurrency n and step budget B tokens.
struct mixed_point {
    double concurrency = 0; ///< n, sequences decoding (time average)
    double rate = 0;        ///< λ = n / ((OSL − 1)·T_seen(n) + n·ISL_c·τ)
    double chunk = 0;       ///< C = B − n prefill tokens a mixed step carries
    double chunks = 0;      ///< ⌈ISL_c / (C/DP)⌉ mixed steps a prompt spans on its DP rank
    double mixed_step = 0;  ///< T_D(n) + C·τ (τ with the DP ranks' stall)
    double mixed_share = 0; ///< f, the share of steps that carry a chunk
    double utilisation = 0; ///< ρ = λ·(ISL_c/C)·T_mix: the share of time prefill work is in
    double tpot = 0;        ///< mean TPOT: T_seen(n) / (1 − λ·ISL_c·τ)
    double tpot_p = 0;      ///< TPOT at the percentile
    double ttft_p = 0;      ///< TTFT at the percentile
    double peak = 0;        ///< concurrency at the percentile
};

/**
 * The steady state of an aggregated instance at concurrency n with `budget` tokens a step and
 * τ seconds per prefill token (docs/serving.md §5). Prefill occupies u = λ·ISL_c·τ of the
 * time, so a request's mean step is T̄ = T_seen(n)/(1 − u) (T_seen: the decode step at the
 * concurrency a request sees, `concurrency_seen`); Little gives n = λ·(OSL − 1)·T̄; solving
 * both, λ = n / ((OSL − 1)·T_seen(n) + n·ISL_c·τ). Prompts queue first come, first served
 * for the C = B − n tokens of each step: an M/G/1 queue of work ISL_c·T_mix/C a prompt (the
 * DP ranks' chunks pooled), whose wait a prompt adds to the ⌈ISL_c/(C/DP)⌉ mixed steps its own
 * chunks span on its DP rank and half a step (the step in progress when it arrives).
 * Where `dp.joined` > 1 DP ranks step together (an expert group spans them), a step waits for
 * the rank with the most prefill: the share of a token's time spent on its own rank costs g
 * times as much, τ·(share·g + 1 − share), g = adp_stall(joined, μ, cap) (docs/serving.md §5).
 * n/(OSL − 1) prompts arrive a step in all (Little), μ = n/((OSL − 1)·DP) a rank: whole
 * prompts, ⌊(C/DP)/ISL_c⌋ of them a step at most, where a prompt fits a rank's share of the
 * chunk; otherwise chunks, K a prompt, one a step.
 */
constexpr mixed_point mixed_point_at(const decode_table& t, const serve_lengths& s,
                                     const sojourn_table& q, double tau_balanced, double budget,
                                     double n, double z, const dp_ranks& dp = {}) {
    mixed_point x;
    x.concurrency = n;
    x.chunk = budget - n;
    if (!(x.chunk >= 1.0) || !(tau_balanced > 0))
        return x;
    const int ranks = dp.ranks > 1 ? dp.ranks : 1;
    const double own = x.chunk / ranks; // a prompt lives on one DP rank
    const double whole = static_cast<double>(static_cast<long long>(s.computed / own));
    x.chunks = whole * own < s.computed ? whole + 1 : whole;
    x.chunks = x.chunks < 1 ? 1 : x.chunks;
    double tau = tau_balanced;
    if (dp.joined > 1) {
        const double prompts = n / (s.decode_steps * ranks);
        const double fit = s.computed > 0 ? own / s.computed : 0;
        const double g =
            fit >= 1 ? adp_stall(dp.joined, prompts, static_cast<int>(detail::dmin(fit, 1e6)))
                     : adp_stall(dp.joined, prompts * x.chunks, 1);
        tau *= stalled_prefill(dp.local_share, g);
    }
    const seen_concurrency c = concurrency_seen(t, n, z);
    const double td = t.at(c.mean);
    x.rate = n / (s.decode_steps * td + n * s.computed * tau);
    const double u = x.rate * s.computed * tau;
    x.tpot = td / (1.0 - u);
    x.mixed_step = t.at(n) + x.chunk * tau;
    x.mixed_share = x.rate * s.computed * x.tpot / x.chunk;
    const double work = s.computed / x.chunk * x.mixed_step; // E[S] of the prefill queue
    x.utilisation = x.rate * work;
    // The queue drains at the pace c = C/T_mix tokens/s, which moves with the decode
    // concurrency (an OU process of variance n/κ and correlation time τ_c = (OSL − 1)·TPOT/κ):
    // in the diffusion limit its variance rate 2·Var(c)·τ_c adds to the arrivals' λ·E[ISL_c²],
    // filtered by the queue's relaxation time τ_q (docs/serving.md §5), and the wait grows with
    // the sum.
    const double pace = x.chunk / x.mixed_step;
    const double gap = pace - x.rate * s.computed; // c(1 − ρ): the drift of the work
    const double arrivals = x.rate * s.computed * s.computed * (1.0 + q.cv * q.cv);
    double stretch = 1.0;
    if (gap > 0 && arrivals > 0) {
        const double dpace =
            (-x.mixed_step - x.chunk * (t.slope(n) - tau)) / (x.mixed_step * x.mixed_step);
        const double var_pace = dpace * dpace * n / c.kappa;
        const double tau_c = s.decode_steps * x.tpot / c.kappa;
        const double tau_q = arrivals / (gap * gap);
        stretch += 2.0 * var_pace * tau_c * (tau_q / (tau_q + tau_c)) / arrivals;
    }
    x.ttft_p =
        (q.at(x.utilisation) - 1.0) * work * stretch + x.chunks * x.mixed_step + 0.5 * x.tpot;
    x.peak = c.peak;
    const double f = x.mixed_share < 1 ? x.mixed_share : 1.0;
    double fp = f + z * detail::nonneg_sqrt(f * (1.0 - f) * x.chunks / s.decode_steps);
    fp = fp < 1.0 ? fp : 1.0;
    x.tpot_p = t.at(c.peak) + fp * x.chunk * tau;
    return x;
}

/**
 * The highest-rate steady state of an aggregated instance within the SLOs (0: none), ρ and the
 * memory at the percentile concurrency: the largest feasible concurrency on the table's
 * points, refined by bisection toward the next. rate 0: none.
 */
constexpr mixed_point best_mixed_point(const decode_table& t, const serve_lengths& s,
                                       const sojourn_table& q, double tau, double budget,
                                       const slo& target, double max_rho, double z,
                                       const dp_ranks& dp = {}) {
    const auto at = [&](double n) { return mixed_point_at(t, s, q, tau, budget, n, z, dp); };
    const auto ok = [&](const mixed_point& x) {
        return x.rate > 0 && x.utilisation <= max_rho && x.peak <= t.max_concurrency &&
               (target.ttft.value <= 0 || x.ttft_p <= target.ttft.value) &&
               (target.tpot.value <= 0 || x.tpot_p <= target.tpot.value);
    };
    if (t.n == 0)
        return {};
    double lo = 0, hi = t.max_concurrency < budget - 1 ? t.max_concurrency : budget - 1;
    for (int i = 0; i < t.n; ++i) {
        const double x = t.concurrency[std::size_t(i)];
        if (x > hi)
            break;
        if (ok(at(x)))
            lo = x;
        else {
            hi = x;
            break;
        }
    }
    if (lo == 0)
        hi = t.concurrency[0] < hi ? t.concurrency[0] : hi;
    for (int k = 0; k < 40 && hi - lo > 1e-3 * (hi > 1 ? hi : 1); ++k) {
        const double mid = 0.5 * (lo + hi);
        (ok(at(mid)) ? lo : hi) = mid;
    }
    if (!(lo > 0))
        return {};
    const mixed_point best = at(lo);
    return ok(best) ? best : mixed_point{};
}

} // namespace moecost
