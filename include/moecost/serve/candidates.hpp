#pragma once
/**
 * @file
 * What the serving planner prices (docs/serving.md): the options of a plan, a plan and its
 * pools, the connect rules, and one candidate costed: a decode or prefill layout's entry (its
 * table, its best point or batch), a prefill × decode pair at its instance counts
 * (`plan_pair`), an aggregated layout at a token budget (`plan_aggregated`). The search over
 * them is <moecost/serve/planner.hpp>; one given deployment, <moecost/serve/plan_type.hpp>.
 */

#include <moecost/serve/aggregated.hpp>
#include <moecost/serve/pools.hpp>

#include <array>
#include <cstdint>

namespace moecost {

/// How prefill and decode share GPUs.
enum class serve_mode : std::uint8_t { aggregated, disaggregated };

constexpr const char* name_of(serve_mode m) {
    return m == serve_mode::aggregated ? "aggregated" : "disaggregated";
}

/**
 * Which prefill and decode layouts a runtime can connect (the KV cache moves shard to shard):
 * `sglang`: equal TP, unless either side runs data-parallel attention with expert parallelism
 * (DP > 1 and EP > 1: SGLang's DP-attention transfer); `vllm`: prefill TP at most decode TP and
 * no prefill pipeline (vLLM's NIXL connector, pull mode); `any`: no rule.
 */
enum class connect_rules : std::uint8_t { any, sglang, vllm };

constexpr const char* name_of(connect_rules r) {
    switch (r) {
    case connect_rules::any:
        return "any";
    case connect_rules::sglang:
        return "sglang";
    case connect_rules::vllm:
        return "vllm";
    }
    return "?";
}

constexpr bool connectable(connect_rules r, const layout& p, const layout& d) {
    switch (r) {
    case connect_rules::any:
        return true;
    case connect_rules::sglang:
        return p.tp == d.tp || (p.dp > 1 && p.ep > 1) || (d.dp > 1 && d.ep > 1);
    case connect_rules::vllm:
        return p.tp <= d.tp && p.pp == 1;
    }
    return false;
}

/// The GPUs of each pool (aggregated instances use `aggregated`).
struct serve_hardware {
    cluster_spec prefill{};
    cluster_spec decode{};
    cluster_spec aggregated{};
};

/// What to plan.
struct serve_options {
    traffic load{};
    slo target{};
    int max_gpus = 8;             ///< the GPU budget
    bool exact_gpus = false;      ///< plans use exactly max_gpus GPUs (else at most)
    bool aggregated = true;       ///< plan aggregated deployments
    bool disaggregated = true;    ///< plan disaggregated deployments
    double max_utilisation = 0.9; ///< a plan whose prefill queue is busier is refused
    /// The runtime balances prompts over the attention DP ranks an expert group joins (TensorRT-
    /// LLM's `attention_dp_config.enable_balance`): they no longer wait for the busiest rank's
    /// prompts (`adp_stall`); off, each rank admits its prompts as they arrive.
    bool balanced_dp = false;
    connect_rules rules = connect_rules::sglang;
    int max_cp = 1;
    bool pow2_only = false;
    bool pad_experts = false;
    eval_options eval{};
    /// Token budgets per DP rank an aggregated step is tried at (zeros unused).
    std::array<int, 6> token_budgets{512, 1024, 2048, 4096, 8192, 16384};
    /// Prompts per pass of a prefill instance, as multiples of DP·PP (zeros unused).
    std::array<int, 3> prefill_batches{1, 2, 4};
};

/**
 * Adds the rules o breaks to `out`: its traffic, SLOs and evaluation options, and the
 * planner's own settings. Above a utilisation of 1 a queue grows without end; at 1 (an offline
 * run, every request queued) throughput is defined but the wait is not (a plan's `ttft_p` above
 * ρ = 0.99 is 1e300, no bound). A mode with no positive token budget or prefill batch would
 * plan nothing.
 */
constexpr void validate_into(violations& out, const serve_options& o) {
    validate_into(out, o.load);
    validate_into(out, o.target);
    validate_into(out, o.eval);
    validate_budget_into(out, "serve.max_gpus", o.max_gpus);
    validate_degree_limit_into(out, "serve.max_cp", o.max_cp);
    if (!(o.max_utilisation > 0))
        out.add(rule::positive, "serve.max_utilisation", o.max_utilisation);
    else if (!(o.max_utilisation <= 1))
        out.add(rule::at_most, "serve.max_utilisation", o.max_utilisation, 1);
    // zeros are unused entries; a negative one is a slip, and some entry must be used
    const auto entries = [&](const char* field, const auto& values, bool needed) {
        int most = 0;
        for (int v : values) {
            if (v < 0)
                out.add(rule::non_negative, field, v);
            else if (v > layout_degree_cap) // multiples of a layout's degrees: int products
                out.add(rule::at_most, field, v, layout_degree_cap);
            most = v > most ? v : most;
        }
        if (needed && most == 0)
            out.add(rule::positive, field, most);
    };
    entries("serve.token_budgets", o.token_budgets, o.aggregated);
    entries("serve.prefill_batches", o.prefill_batches, o.disaggregated);
}

/// Every rule serving options must satisfy.
constexpr violations validate(const serve_options& o) {
    violations out;
    validate_into(out, o);
    return out;
}

/// Every rule a planning problem breaks: the model's, the clusters' the modes of `o` use (each
/// distinct cluster once), and the options'.
constexpr violations validate_serving(const model_spec& m, const serve_hardware& hw,
                                      const serve_options& o) {
    violations out;
    validate_into(out, m);
    if (o.aggregated)
        validate_into(out, hw.aggregated);
    if (o.disaggregated) {
        if (!(o.aggregated && hw.prefill == hw.aggregated))
            validate_into(out, hw.prefill);
        if (!(hw.decode == hw.prefill) && !(o.aggregated && hw.decode == hw.aggregated))
            validate_into(out, hw.decode);
    }
    validate_into(out, o);
    return out;
}

/// Layout l's DP ranks as an aggregated instance: those that step together and wait for the
/// busiest one's prompts are the ones an expert group joins (`joined_dp_ranks`), or 1 where the
/// runtime balances them; `local_share` of a prefill token's time is on its own rank.
constexpr dp_ranks dp_ranks_of(const serve_options& o, const layout& l, double local_share) {
    return {.ranks = l.dp,
            .joined = o.balanced_dp ? 1 : joined_dp_ranks(l),
            .local_share = local_share};
}

/// One pool of a plan.
struct pool_plan {
    layout l{};
    int instances = 0;
    int gpus = 0;              ///< instances × GPUs per instance
    double utilisation = 0;    ///< prefill: the queue's ρ; decode: concurrency / memory's limit
    double capacity = 0;       ///< requests/s one instance takes within the SLOs
    double concurrency = 0;    ///< decode: sequences per instance (time average)
    int batch = 0;             ///< prefill: prompts per pass; aggregated: token budget per rank
    double memory_per_gpu = 0; ///< bytes on the most loaded GPU
};

/// A deployment and what it achieves.
struct serve_plan {
    serve_mode mode = serve_mode::aggregated;
    bool feasible = false;
    int gpus = 0;
    double goodput = 0;       ///< requests/s the deployment takes within both SLO percentiles
    double rate = 0;          ///< requests/s it is evaluated at (the traffic's, else goodput)
    double output_tokens = 0; ///< output tokens/s at `rate`
    double tokens_per_gpu = 0;
    double tokens_per_user = 0; ///< 1 / mean TPOT
    double ttft_p = 0;          ///< TTFT at the SLO percentile
    double tpot_p = 0;          ///< TPOT at the SLO percentile
    double tpot_mean = 0;
    double kv_transfer_s = 0;
    double kv_bytes = 0;
    double score = 0; ///< requests/s served per GPU within the SLOs: what plans are ranked by
    pool_plan prefill{};
    pool_plan decode{}; ///< aggregated: the same instances as `prefill`
};
/// What the planner keeps of a decode layout.
struct decode_entry {
    layout l{};
    int gpus = 0;
    decode_table table{};
    decode_point point{}; ///< the highest-rate point within the TPOT SLO
    double per_gpu = 0;   ///< point.rate / gpus
    /// Corners of a staircase above every (requests/s per GPU, tokens/s per user) the layout
    /// can reach within the TPOT SLO (decode_corners_of), for the planner's pass 2.
    std::array<double, decode_table::capacity + 1> corner_rate{}, corner_speed{};
    int corners = 0;
};

/// What the planner keeps of a prefill layout (its best batch).
struct prefill_entry {
    layout l{};
    int gpus = 0;
    prefill_profile profile{};
    double per_gpu_bound = 0; ///< capacity per GPU with the least KV transfer any pair can have
};

/// The plan's shared constants.
struct serve_context {
    const model_spec* m = nullptr;
    serve_hardware hw{};
    serve_options o{};
    serve_lengths s{};
    double z = 0; ///< the normal quantile of the SLO percentile
    const sojourn_table* q = nullptr;
};

/// The context of a plan of model `m` (heads resolved) with the sojourn table `q` of the
/// options' c_v and percentile; both must outlive it.
constexpr serve_context make_serve_context(const model_spec& m, const sojourn_table& q,
                                           const serve_hardware& hw, const serve_options& o) {
    return {.m = &m,
            .hw = hw,
            .o = o,
            .s = lengths_of(o.load),
            .z = standard_normal_quantile(o.target.percentile),
            .q = &q};
}

/// Layout l as a decode (or aggregated) instance on `c`: its table; empty when it breaks a
/// rule or nothing fits.
constexpr decode_entry make_decode_entry(const serve_context& cx, const cluster_spec& c,
                                         const layout& l) {
    decode_entry d{.l = l, .gpus = world_size(l)};
    d.table = make_decode_table(*cx.m, c, l, cx.s, cx.o.eval, cx.o.load.prefix_cache_hit);
    return d;
}

/**
 * The staircase above what a decode layout can reach (docs/serving.md §10). At concurrency m
 * between two table points n_i ≤ m ≤ n_(i+1) (memory's limit the last) a request's TPOT is at
 * least T_i = min over k ≥ i of T(n_k) (the step is linear between points, and a request sees
 * m + 1 ≥ n_i), so its speed is at most 1/T_i and the rate at most n_(i+1)/(steps·T_i), never
 * above the best point within the SLO; segments slower than the TPOT limit are left out
 * (for a percentile of at least the median).
 */
constexpr void decode_corners_of(decode_entry& d, const serve_context& cx) {
    const decode_table& t = d.table;
    d.corners = 0;
    if (t.n == 0 || d.per_gpu <= 0)
        return;
    std::array<double, decode_table::capacity + 1> n{}, T{};
    int P = t.n;
    for (int k = 0; k < P; ++k) {
        n[std::size_t(k)] = t.concurrency[std::size_t(k)];
        T[std::size_t(k)] = t.step[std::size_t(k)];
    }
    if (t.max_concurrency > n[std::size_t(P - 1)]) {
        n[std::size_t(P)] = t.max_concurrency;
        T[std::size_t(P)] = t.at(t.max_concurrency);
        ++P;
    }
    for (int k = P - 2; k >= 0; --k)
        T[std::size_t(k)] = detail::dmin(T[std::size_t(k)], T[std::size_t(k + 1)]);
    // A segment slower than the TPOT limit is out of reach when the SLO's percentile is at
    // least the median: a request then sees at least the mean concurrency (z ≥ 0).
    const double limit = cx.z >= 0 ? cx.o.target.tpot.value : 0.0;
    for (int i = 0; i < P; ++i) {
        const double step = T[std::size_t(i)];
        if (!(step > 0) || (limit > 0 && step > limit))
            continue;
        const double next = n[std::size_t(i + 1 < P ? i + 1 : i)];
        d.corner_rate[std::size_t(d.corners)] =
            detail::dmin(next / (cx.s.decode_steps * step) / d.gpus, d.per_gpu);
        d.corner_speed[std::size_t(d.corners)] = 1.0 / step;
        ++d.corners;
    }
}

/// A decode entry's highest-rate point within the TPOT SLO, that rate per GPU, and the
/// staircase above its reach.
constexpr decode_entry with_best_point(decode_entry d, const serve_context& cx) {
    d.point = best_decode_point(d.table, cx.s, cx.o.target.tpot.value, cx.z);
    d.per_gpu = d.point.rate / d.gpus;
    decode_corners_of(d, cx);
    return d;
}

/**
 * Layout l as a prefill instance: of DP·PP·k prompts a pass (k of `prefill_batches`), the batch
 * with the highest capacity per GPU at the least KV transfer any pair can have (its own shard
 * count, toward a decode instance of the same layout). `fits`: some batch fits in memory.
 * per_gpu_bound 0: none meets the TTFT SLO within the utilisation limit.
 */
constexpr prefill_entry make_prefill_entry(const serve_context& cx, const layout& l, bool& fits) {
    const serve_options& o = cx.o;
    prefill_entry best{.l = l, .gpus = world_size(l)};
    const kv_transfer least = kv_transfer_of(*cx.m, cx.s, cx.hw.prefill, l, cx.hw.decode, l);
    fits = false;
    for (int k : o.prefill_batches) {
        if (k <= 0 || 1LL * l.dp * l.pp * k > 1LL << 30) // an int batch, exact in every product
            continue;
        const prefill_profile pf = make_prefill_profile(
            *cx.m, cx.hw.prefill, l, cx.s, l.dp * l.pp * k, o.eval, o.load.prefix_cache_hit);
        fits = fits || pf.ok();
        const double cap =
            prefill_capacity(pf, *cx.q, o.target.ttft.value, least.seconds, o.max_utilisation) /
            best.gpus;
        if (cap > best.per_gpu_bound) {
            best.per_gpu_bound = cap;
            best.profile = pf;
        }
    }
    return best;
}

/// The largest batch an aggregated instance of layout l on `c` holds at a step budget of
/// `budget_per_rank` tokens per DP rank (the memory limit of its steady state); −1 when it
/// breaks a rule or does not fit.
constexpr double aggregated_limit(const serve_context& cx, const cluster_spec& c, const layout& l,
                                  int budget_per_rank) {
    const report r = evaluate(*cx.m, c, l,
                              decode_workload(cx.s, l.dp * l.pp, cx.s.final_context,
                                              budget_per_rank, cx.o.load.prefix_cache_hit),
                              cx.o.eval);
    return r.evaluated && r.memory.fits ? static_cast<double>(r.max_batch) : -1.0;
}

/// Fills the decode side of a plan at the traffic's rate per instance.
constexpr void finish_decode(serve_plan& p, const serve_context& cx, const decode_entry& d,
                             double per_instance) {
    const double n = concurrency_for(d.table, cx.s, per_instance);
    const decode_point at = decode_point_at(d.table, cx.s, n, cx.z);
    p.tpot_mean = at.tpot;
    p.tpot_p = at.tpot_p;
    p.tokens_per_user = at.tpot > 0 ? 1.0 / at.tpot : 0;
    p.decode.concurrency = n;
    p.decode.utilisation = d.table.max_concurrency > 0 ? at.peak / d.table.max_concurrency : 0;
    const double kv_share = d.table.max_concurrency > 0 ? at.peak / d.table.max_concurrency : 0;
    p.decode.memory_per_gpu =
        d.table.weights_per_gpu + kv_share * (d.table.memory_per_gpu - d.table.weights_per_gpu);
}

/// What one instance of each pool of a pair takes within the SLOs, and the KV transfer between
/// them.
struct pair_capacity {
    kv_transfer kv{};
    double prefill = 0; ///< μ_P, requests/s a prefill instance takes within the TTFT SLO
    double decode = 0;  ///< μ_D, requests/s a decode instance takes within the TPOT SLO
    [[nodiscard]] constexpr bool ok() const { return prefill > 0 && decode > 0; }
};

/// μ_P of the prefill entry at the pair's own KV transfer and μ_D of the decode entry's best
/// point.
constexpr pair_capacity pair_capacity_of(const serve_context& cx, const prefill_entry& pe,
                                         const decode_entry& de) {
    pair_capacity c;
    c.kv = kv_transfer_of(*cx.m, cx.s, cx.hw.prefill, pe.l, cx.hw.decode, de.l);
    c.prefill = prefill_capacity(pe.profile, *cx.q, cx.o.target.ttft.value, c.kv.seconds,
                                 cx.o.max_utilisation);
    c.decode = de.point.rate;
    return c;
}

/// The plan of np prefill and nd decode instances of a pair of capacities `c` (`c.ok()`), at the
/// traffic's rate, or at their goodput min(np·μ_P, nd·μ_D) when none is given.
constexpr serve_plan pair_plan_at(const serve_context& cx, const prefill_entry& pe,
                                  const decode_entry& de, const pair_capacity& c, int np, int nd) {
    serve_plan p;
    p.mode = serve_mode::disaggregated;
    const int gp = pe.gpus, gd = de.gpus;
    const double R = cx.o.load.arrival_rate.value;
    const double mu_p = c.prefill, mu_d = c.decode;
    const kv_transfer& kv = c.kv;
    p.feasible = true;
    p.gpus = np * gp + nd * gd;
    p.goodput = detail::dmin(np * mu_p, nd * mu_d);
    p.rate = R > 0 ? R : p.goodput;
    p.output_tokens = p.rate * cx.s.output;
    p.tokens_per_gpu = p.output_tokens / p.gpus;
    p.kv_transfer_s = kv.seconds;
    p.kv_bytes = kv.bytes;
    p.score = p.rate / p.gpus;
    const ttft_estimate t = prefill_ttft(pe.profile, *cx.q, p.rate / np, kv.seconds);
    p.ttft_p = t.ttft;
    p.prefill = {.l = pe.l,
                 .instances = np,
                 .gpus = np * gp,
                 .utilisation = t.utilisation,
                 .capacity = mu_p,
                 .concurrency = 0,
                 .batch = pe.profile.batch,
                 .memory_per_gpu = pe.profile.memory_per_gpu};
    p.decode = {.l = de.l, .instances = nd, .gpus = nd * gd, .capacity = mu_d};
    finish_decode(p, cx, de, p.rate / nd);
    return p;
}

/**
 * A disaggregated pair's best plan: the instance counts that maximise requests/s per GPU within
 * the budget (with a traffic rate: the fewest that carry it), the unit replicated to fill the
 * budget when no rate is given. infeasible when no count fits.
 */
constexpr serve_plan plan_pair(const serve_context& cx, const prefill_entry& pe,
                               const decode_entry& de) {
    serve_plan p;
    p.mode = serve_mode::disaggregated;
    const pair_capacity c = pair_capacity_of(cx, pe, de);
    if (!c.ok())
        return p;
    const double mu_p = c.prefill, mu_d = c.decode;
    const int gp = pe.gpus, gd = de.gpus, budget = cx.o.max_gpus;
    const double R = cx.o.load.arrival_rate.value;
    int np = 0, nd = 0, reps = 1;
    if (R > 0) {
        const double a = R / mu_p, b = R / mu_d;
        np = static_cast<int>(a);
        np += np < a ? 1 : 0;
        nd = static_cast<int>(b);
        nd += nd < b ? 1 : 0;
        const long g = long(np) * gp + long(nd) * gd;
        if (g > budget || (cx.o.exact_gpus && g != budget))
            return p;
    } else {
        double best = 0;
        for (int i = 1; long(i) * gp + gd <= budget; ++i) {
            const int room = (budget - i * gp) / gd;
            int lo = static_cast<int>(i * mu_p / mu_d);
            const std::array<int, 2> tries{lo < 1 ? 1 : lo, lo + 1};
            for (int j : tries) {
                if (cx.o.exact_gpus)
                    j = (budget - i * gp) % gd == 0 ? room : 0;
                if (j < 1 || j > room)
                    continue;
                const double cap = detail::dmin(i * mu_p, j * mu_d);
                const double per = cap / (i * gp + j * gd);
                if (per > best) {
                    best = per;
                    np = i;
                    nd = j;
                }
            }
        }
        if (np == 0)
            return p;
        if (!cx.o.exact_gpus)
            reps = budget / (np * gp + nd * gd);
        np *= reps;
        nd *= reps;
    }
    return pair_plan_at(cx, pe, de, c, np, nd);
}

/// An aggregated instance of one layout at one token budget: its decode table with the memory
/// limit of that budget, and its highest-rate point within the SLOs (rate 0: none).
struct aggregated_unit {
    decode_table table{};
    double budget = 0; ///< tokens a step, the DP ranks together
    mixed_point best{};
};

constexpr aggregated_unit aggregated_unit_of(const serve_context& cx, const decode_entry& de,
                                             const prefill_token_cost& pc, int budget_per_rank,
                                             double limit) {
    aggregated_unit u;
    u.table = de.table;
    u.table.max_concurrency = limit;
    u.budget = double(budget_per_rank) * de.l.dp;
    u.best = best_mixed_point(u.table, cx.s, *cx.q, pc.tau, u.budget, cx.o.target,
                              cx.o.max_utilisation, cx.z, dp_ranks_of(cx.o, de.l, pc.local_share));
    return u;
}

/// The plan of k aggregated instances of unit `u` (u.best.rate > 0), at the traffic's rate (each
/// instance at the concurrency that carries R/k) or at their goodput k·λ* when none is given.
constexpr serve_plan aggregated_plan_at(const serve_context& cx, const decode_entry& de,
                                        const prefill_token_cost& pc, int budget_per_rank,
                                        const aggregated_unit& u, int k) {
    serve_plan p;
    p.mode = serve_mode::aggregated;
    const decode_table& t = u.table;
    const double limit = t.max_concurrency;
    const double budget = u.budget;
    const mixed_point& best = u.best;
    const int g = de.gpus;
    const double R = cx.o.load.arrival_rate.value;
    mixed_point op = best;
    const dp_ranks dp = dp_ranks_of(cx.o, de.l, pc.local_share);
    if (R > 0) { // the concurrency at which one instance takes R/k: λ(n) grows with n
        double lo = 0, hi = best.concurrency;
        for (int i = 0; i < 60; ++i) {
            const double mid = 0.5 * (lo + hi);
            (mixed_point_at(t, cx.s, *cx.q, pc.tau, budget, mid, cx.z, dp).rate < R / k ? lo : hi) =
                mid;
        }
        op = mixed_point_at(t, cx.s, *cx.q, pc.tau, budget, hi, cx.z, dp);
    }
    p.feasible = true;
    p.gpus = k * g;
    p.goodput = k * best.rate;
    p.rate = R > 0 ? R : p.goodput;
    p.output_tokens = p.rate * cx.s.output;
    p.tokens_per_gpu = p.output_tokens / p.gpus;
    p.ttft_p = op.ttft_p;
    p.tpot_p = op.tpot_p;
    p.tpot_mean = op.tpot;
    p.tokens_per_user = op.tpot > 0 ? 1.0 / op.tpot : 0;
    p.score = p.rate / p.gpus;
    const double share = limit > 0 ? op.peak / limit : 0;
    const double mem =
        de.table.weights_per_gpu + share * (de.table.memory_per_gpu - de.table.weights_per_gpu);
    p.prefill = {.l = de.l,
                 .instances = k,
                 .gpus = k * g,
                 .utilisation = op.utilisation,
                 .capacity = best.rate,
                 .concurrency = op.concurrency,
                 .batch = budget_per_rank,
                 .memory_per_gpu = mem};
    p.decode = p.prefill;
    p.decode.utilisation = share;
    return p;
}

/// An aggregated layout at one token budget: its best plan within the budget, or infeasible.
constexpr serve_plan plan_aggregated(const serve_context& cx, const decode_entry& de,
                                     const prefill_token_cost& pc, int budget_per_rank,
                                     double limit) {
    const aggregated_unit u = aggregated_unit_of(cx, de, pc, budget_per_rank, limit);
    if (!(u.best.rate > 0))
        return {};
    const int g = de.gpus, N = cx.o.max_gpus;
    const double R = cx.o.load.arrival_rate.value;
    int k = 0;
    if (R > 0) {
        const double a = R / u.best.rate;
        k = static_cast<int>(a);
        k += k < a ? 1 : 0;
        if (long(k) * g > N || (cx.o.exact_gpus && k * g != N))
            return {};
    } else {
        if (cx.o.exact_gpus && N % g != 0)
            return {};
        k = N / g;
    }
    if (k < 1)
        return {};
    return aggregated_plan_at(cx, de, pc, budget_per_rank, u, k);
}

} // namespace moecost
