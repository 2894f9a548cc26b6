#pragma once
/**
 * @file
 * A serving plan as a value you can check at compile time, and as a type: one disaggregated
 * deployment (a prefill pool and a decode pool, each a layout × instances) under a traffic with
 * its arrival rate, evaluated by the planner's own closed forms (<moecost/serve/pools.hpp>):
 * `evaluate_serving` gives TTFT and TPOT at an SLO's percentile, the utilisation of the prefill
 * queue and the memory of each pool; `serving_deployment<M, C, P, D, T>::meets<S>` is a compile-time
 * constant. `plan_deployment` costs one given deployment (a prefill and a decode pool, or
 * aggregated instances of one layout) with the planner's own per-candidate code: its goodput
 * within the SLOs, or its latencies at the traffic's rate.
 *
 * @code
 * using namespace moecost;
 * using plan = serving_deployment<as_type<presets::seed_moe>, as_type<presets::seed_gpu>,
 *                      as_type<pool_spec{seed_layout(8, 2, 4, 2), 1}>,
 *                      as_type<pool_spec{seed_layout(8, 1, 8, 1), 1}>,
 *                      as_type<traffic{.input_mean = make<tokens>(10240),
 *                                      .output_mean = make<tokens>(1024),
 *                                      .arrival_rate = requests_per_second(1)}>>;
 * static_assert(plan::meets<as_type<slo{.ttft = make<seconds>(10)}>>);
 * @endcode
 */

#include <moecost/evaluate/deployment.hpp>
#include <moecost/serve/planner.hpp>

namespace moecost {

/// One pool of a serving plan: a layout and how many instances of it.
struct pool_spec {
    layout l{};
    int instances = 1;
    friend constexpr bool operator==(const pool_spec&, const pool_spec&) = default;
};

/// Whether a pool can be costed: a valid layout, and at least one instance, their GPUs within a
/// layout's cap on the world (every int product exact).
constexpr bool valid_pool(const pool_spec& p) {
    return p.instances >= 1 && validate(p.l).ok() &&
           1LL * p.instances * world_size(p.l) <= layout_world_cap;
}

/// The options `validate_serving` checks for one given deployment of mode `m`: that mode alone,
/// and the GPU budget and CP limit, which a given deployment does not apply, left unchecked.
constexpr serve_options deployment_rules(serve_options o, serve_mode m) {
    o.aggregated = m == serve_mode::aggregated;
    o.disaggregated = !o.aggregated;
    o.max_gpus = o.max_cp = 1;
    return o;
}

/// A serving plan's verdict: the plan and whether it meets the SLO it was evaluated for.
struct serving_verdict {
    serve_plan plan{};
    bool fits = false;       ///< both pools fit in memory at the traffic's concurrency
    bool stable = false;     ///< the prefill queue's utilisation is within the limit
    bool meets_ttft = false; ///< TTFT at the percentile within the limit (or none)
    bool meets_tpot = false; ///< TPOT at the percentile within the limit (or none)
    [[nodiscard]] constexpr bool meets() const {
        return fits && stable && meets_ttft && meets_tpot;
    }
};

namespace detail {
/// The percentile's normal quantile, a constant expression (the planner's own function).
constexpr double plan_z(double p) {
    return standard_normal_quantile(p);
}
} // namespace detail

/**
 * Evaluates prefill pool `p` on cluster `cp` and decode pool `d` on cluster `cd` under traffic
 * `t` (whose arrival rate must be given) at the percentile of `s`: TTFT of the prefill queue
 * (M/G/1 sojourn, the service c_v that of the prompt length) plus the KV transfer, and TPOT of
 * continuous batching at the concurrency Little's law gives; each pool's memory checked on its
 * own; a prefill queue busier than `max_utilisation` is not stable. A pool that is not
 * `valid_pool`, a traffic or SLO that breaks a rule, or a limit outside (0, 1] meets nothing.
 */
constexpr serving_verdict evaluate_serving(const model_spec& spec, const cluster_spec& cp,
                                           const pool_spec& p, const cluster_spec& cd,
                                           const pool_spec& d, const traffic& t, const slo& s,
                                           const eval_options& opt = {},
                                           double max_utilisation = 0.9) {
    serving_verdict v;
    const double rate = t.arrival_rate.value;
    if (!(rate > 0) || !valid_pool(p) || !valid_pool(d) || !validate(t).ok() || !validate(s).ok() ||
        !(max_utilisation > 0 && max_utilisation <= 1))
        return v;
    const model_spec m = with_resolved_heads(spec);
    const serve_lengths len = lengths_of(t);
    const prefill_profile pf =
        make_prefill_profile(m, cp, p.l, len, p.l.dp * p.l.pp, opt, t.prefix_cache_hit);
    const decode_table dt = make_decode_table(m, cd, d.l, len, opt, t.prefix_cache_hit);
    if (!pf.ok() || dt.n == 0)
        return v;
    const kv_transfer kv = kv_transfer_of(m, len, cp, p.l, cd, d.l);
    const double per_prefill = rate / p.instances, per_decode = rate / d.instances;
    const queue_estimate sojourn = mg1_sojourn_percentile(
        requests_per_second(per_prefill), make<seconds>(pf.per_request), t.input_cv, s.percentile);
    const double n = concurrency_for(dt, len, per_decode);
    const decode_point at = decode_point_at(dt, len, n, detail::plan_z(s.percentile));
    serve_plan& r = v.plan;
    r.mode = serve_mode::disaggregated;
    r.gpus = p.instances * world_size(p.l) + d.instances * world_size(d.l);
    r.rate = rate;
    r.output_tokens = rate * len.output;
    r.tokens_per_gpu = r.output_tokens / r.gpus;
    r.score = rate / r.gpus;
    r.kv_transfer_s = kv.seconds;
    r.kv_bytes = kv.bytes;
    r.ttft_p = sojourn.time.value() + (pf.pass - pf.per_request) + kv.seconds;
    r.tpot_p = at.tpot_p;
    r.tpot_mean = at.tpot;
    r.tokens_per_user = at.tpot > 0 ? 1.0 / at.tpot : 0;
    r.prefill = {.l = p.l,
                 .instances = p.instances,
                 .gpus = p.instances * world_size(p.l),
                 .utilisation = sojourn.utilisation,
                 .batch = pf.batch,
                 .memory_per_gpu = pf.memory_per_gpu};
    r.decode = {.l = d.l,
                .instances = d.instances,
                .gpus = d.instances * world_size(d.l),
                .utilisation = at.peak / dt.max_concurrency,
                .concurrency = n};
    v.fits = at.peak <= dt.max_concurrency;
    v.stable = sojourn.stable && sojourn.utilisation <= max_utilisation;
    v.meets_ttft = v.stable && (s.ttft.value <= 0 || r.ttft_p <= s.ttft.value);
    v.meets_tpot = s.tpot.value <= 0 || r.tpot_p <= s.tpot.value;
    r.feasible = v.meets();
    r.goodput = r.feasible ? rate : 0;
    return v;
}

/// A disaggregated serving plan as a type: model M, cluster C (both pools), prefill pool P and
/// decode pool D (`pool_spec`), traffic T with its rate; `meets<S>` for SLOs S is a constant.
template <SpecOf<model_spec> M, SpecOf<cluster_spec> C, SpecOf<pool_spec> P, SpecOf<pool_spec> D,
          SpecOf<traffic> T, eval_options O = eval_options{}>
struct serving_deployment {
    template <SpecOf<slo> S>
    static constexpr serving_verdict verdict = evaluate_serving(M::spec, C::spec, P::spec, C::spec,
                                                                D::spec, T::spec, S::spec, O);
    template <SpecOf<slo> S>
    static constexpr bool meets = verdict<S>.meets();
    static constexpr int gpus =
        P::spec.instances * world_size(P::spec.l) + D::spec.instances * world_size(D::spec.l);
};

/**
 * The plan of one given disaggregated deployment, `prefill` instances of a prefill layout and
 * `decode` instances of a decode layout on `hw`, as `plan_serving` costs that candidate
 * (the same prefill batch choice, decode point, rate matching and latencies: `plan_pair` with
 * the instance counts given): with no arrival rate in `o.load`, at its goodput
 * min(n_P·μ_P, n_D·μ_D) within the SLOs; with a rate, at that rate, infeasible when either pool
 * cannot carry it. `o.max_gpus`, `exact_gpus` and the connect rules are not applied: the
 * deployment is the caller's. Each pool's `capacity` is what one instance takes within the SLOs.
 * Inputs that break a rule give an infeasible plan: a pool that is not `valid_pool`, or what
 * `validate_serving` names with the options' modes set to disaggregated alone (the GPU budget and
 * CP limit, not applied, are not checked).
 */
constexpr serve_plan plan_deployment(const model_spec& spec, const serve_hardware& hw,
                                     const serve_options& o, const pool_spec& prefill,
                                     const pool_spec& decode) {
    serve_plan none;
    none.mode = serve_mode::disaggregated;
    if (!valid_pool(prefill) || !valid_pool(decode) ||
        !validate_serving(spec, hw, deployment_rules(o, serve_mode::disaggregated)).ok())
        return none;
    const model_spec m = with_resolved_heads(spec);
    const sojourn_table q = make_sojourn_table(o.load.input_cv, o.target.percentile);
    const serve_context cx = make_serve_context(m, q, hw, o);
    bool fits = false;
    const prefill_entry pe = make_prefill_entry(cx, prefill.l, fits);
    const decode_entry de = with_best_point(make_decode_entry(cx, hw.decode, decode.l), cx);
    if (!fits || de.table.n == 0)
        return none;
    const pair_capacity c = pair_capacity_of(cx, pe, de);
    const double rate = o.load.arrival_rate.value;
    if (!c.ok() ||
        (rate > 0 && (rate > prefill.instances * c.prefill || rate > decode.instances * c.decode)))
        return none;
    return pair_plan_at(cx, pe, de, c, prefill.instances, decode.instances);
}

/**
 * The plan of one given aggregated deployment, `instances` of one layout on `c` running prefill
 * and decode with chunked prefill, as `plan_serving` costs that layout: each token budget of
 * `o.token_budgets` tried (`plan_aggregated` with the instance count given), the best kept by
 * the planner's ranking. With no arrival rate, at its goodput within the SLOs; with a rate, at
 * that rate (a budget whose instances cannot carry it is skipped). `o.max_gpus` and `exact_gpus`
 * are not applied. Inputs that break a rule give an infeasible plan: a pool that is not
 * `valid_pool`, or what `validate_serving` names with the options' modes set to aggregated alone
 * (the GPU budget and CP limit, not applied, are not checked).
 */
constexpr serve_plan plan_deployment(const model_spec& spec, const cluster_spec& c,
                                     const serve_options& o, const pool_spec& instances) {
    serve_plan best;
    if (!valid_pool(instances) ||
        !validate_serving(spec, {c, c, c}, deployment_rules(o, serve_mode::aggregated)).ok())
        return best;
    const model_spec m = with_resolved_heads(spec);
    const sojourn_table q = make_sojourn_table(o.load.input_cv, o.target.percentile);
    const serve_context cx = make_serve_context(m, q, {c, c, c}, o);
    const decode_entry de = make_decode_entry(cx, c, instances.l);
    if (de.table.n == 0)
        return best;
    const double rate = o.load.arrival_rate.value;
    prefill_cost_memo tau;
    for (int b : o.token_budgets) {
        if (b <= 0)
            continue;
        const double limit = aggregated_limit(cx, c, instances.l, b);
        if (limit < 0)
            continue;
        const prefill_token_cost& pc =
            tau.at(m, c, instances.l, cx.s, o.eval, o.load.prefix_cache_hit, b);
        const aggregated_unit u = aggregated_unit_of(cx, de, pc, b, limit);
        if (!(u.best.rate > 0) || (rate > 0 && rate > instances.instances * u.best.rate))
            continue;
        const serve_plan p = aggregated_plan_at(cx, de, pc, b, u, instances.instances);
        if (serve_ranking::better(p, best))
            best = p;
    }
    return best;
}

} // namespace moecost
