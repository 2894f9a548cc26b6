#pragma once
/**
 * @file
 * The closed forms of a serving pool, built on `evaluate`: a decode instance's step time as a
 * function of its concurrency (a table of evaluations), the concurrency it can hold in memory,
 * the TPOT percentile of continuous batching; a prefill instance's service time and the TTFT
 * percentile of its M/G/1 queue (a table of the sojourn quantile over utilisation); the KV
 * transfer between the pools (the chunked-prefill model of an aggregated instance is in
 * <moecost/serve/aggregated.hpp>). docs/serving.md derives each formula and says where it
 * comes from.
 *
 * Every function is constexpr and allocation-free; tables are fixed-size arrays.
 */

#include <moecost/count/memory.hpp>
#include <moecost/count/shares.hpp>
#include <moecost/detail/math.hpp>
#include <moecost/evaluate/inference.hpp>
#include <moecost/serve/queueing.hpp>
#include <moecost/spec/hardware.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/traffic.hpp>
#include <moecost/spec/workload.hpp>

#include <array>
#include <cstddef>

namespace moecost {

/// The standard normal quantile z_p (P. J. Acklam's rational approximation, relative error
/// below 1.2e-9: plenty for a percentile of a count).
constexpr double standard_normal_quantile(double p) {
    if (!(p > 0.0 && p < 1.0))
        return 0.0;
    constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                            1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                            6.680131188771972e+01, -1.328068155288572e+01};
    constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                            -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                            3.754408661907416e+00};
    const double lo = 0.02425, hi = 1.0 - lo;
    if (p < lo) {
        const double q = detail::nonneg_sqrt(-2.0 * detail::natural_log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    if (p > hi)
        return -standard_normal_quantile(1.0 - p);
    const double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

// ---- the prefill queue's TTFT quantile, tabulated over utilisation ------------------------

/**
 * q(ρ) = the p-quantile of the M/G/1 sojourn in units of the mean service time, for service
 * times with coefficient of variation c_v (`mg1_sojourn_percentile` with E[S] = 1 s), on
 * ρ = 0, 0.001, ..., 0.99. The sojourn quantile scales with E[S] at a fixed ρ, so one table
 * serves every prefill instance of a plan; between grid points it is interpolated linearly.
 */
struct sojourn_table {
    static constexpr int points = 991;
    static constexpr double step = 0.001;
    double cv = 0;
    double p = 0.9;
    std::array<double, points> q{};

    /// q(ρ) for ρ in [0, 0.99]; above: no steady state within the table (a huge number).
    [[nodiscard]] constexpr double at(double rho) const {
        if (!(rho >= 0))
            return 0;
        const double x = rho / step;
        const int i = static_cast<int>(x);
        if (i >= points - 1)
            return i == points - 1 && x == points - 1 ? q[points - 1] : 1e300;
        const double f = x - i;
        return q[std::size_t(i)] + f * (q[std::size_t(i) + 1] - q[std::size_t(i)]);
    }

    /// The largest ρ <= `limit` with q(ρ) <= `target` (q is increasing); −1 when even ρ = 0
    /// is above the target.
    [[nodiscard]] constexpr double largest_rho(double target, double limit) const {
        if (!(target >= q[0]))
            return -1;
        if (at(limit) <= target)
            return limit;
        int lo = 0, hi = static_cast<int>(limit / step) + 1; // q[lo] <= target < q[hi]
        if (hi > points - 1)
            hi = points - 1;
        while (hi - lo > 1) {
            const int mid = (lo + hi) / 2;
            (q[std::size_t(mid)] <= target ? lo : hi) = mid;
        }
        const double a = q[std::size_t(lo)], b = q[std::size_t(hi)];
        const double f = b > a ? (target - a) / (b - a) : 0.0;
        const double rho = (lo + f) * step;
        return rho < limit ? rho : limit;
    }
};

/// The table of `sojourn_table` for a service c_v and percentile p (991 quantiles).
constexpr sojourn_table make_sojourn_table(double cv, double p) {
    sojourn_table t;
    t.cv = cv;
    t.p = p;
    for (int i = 0; i < sojourn_table::points; ++i) {
        const double rho = i * sojourn_table::step;
        t.q[std::size_t(i)] =
            mg1_sojourn_percentile(requests_per_second(rho), make<seconds>(1.0), cv, p)
                .time.value();
    }
    return t;
}

// ---- what both pools need of the traffic -------------------------------------------------

/// The lengths a plan works with: prompt and generated tokens, the tokens prefill computes.
struct serve_lengths {
    int prompt = 0;          ///< ISL, rounded to a whole token
    int output = 0;          ///< OSL, at least 1
    double computed = 0;     ///< prompt tokens prefill computes: ISL·(1 − prefix-cache hit)
    int mean_context = 0;    ///< a decoding sequence's mean context, ISL + OSL/2
    int final_context = 0;   ///< the longest context, ISL + OSL (memory)
    double decode_steps = 1; ///< decode steps per request, OSL − 1 (the first token is prefill's)
};

constexpr serve_lengths lengths_of(const traffic& t) {
    serve_lengths s;
    s.prompt = static_cast<int>(t.input_mean.value + 0.5);
    s.prompt = s.prompt < 1 ? 1 : s.prompt;
    s.output = static_cast<int>(t.output_mean.value + 0.5);
    s.output = s.output < 1 ? 1 : s.output;
    s.computed = s.prompt * (1.0 - t.prefix_cache_hit);
    s.mean_context = s.prompt + s.output / 2;
    s.final_context = s.prompt + s.output;
    s.decode_steps = s.output > 1 ? s.output - 1.0 : 1.0;
    return s;
}

// ---- decode: step time over concurrency ---------------------------------------------------

/**
 * A decode instance of one layout: its step time (TPOT) at concurrencies n_0 < n_1 < ... (whole
 * instance, at the mean context), and the largest concurrency whose KV cache at the final
 * context fits beside the weights and one step's activations.
 */
struct decode_table {
    static constexpr int capacity = 48;
    int n = 0;                                  ///< points held
    std::array<double, capacity> concurrency{}; ///< sequences in the instance
    std::array<double, capacity> step{};        ///< decode step (s) at that concurrency
    double max_concurrency = 0;                 ///< memory's limit (0: nothing fits)
    double memory_per_gpu = 0;                  ///< bytes at max_concurrency, most loaded GPU
    double weights_per_gpu = 0;                 ///< bytes of weights, most loaded GPU

    /// The step time at concurrency x: linear between points, the first point's below it
    /// (a smaller batch is not modelled faster than the smallest the layout can run), the last
    /// segment's slope above.
    [[nodiscard]] constexpr double at(double x) const {
        if (n == 0)
            return 0;
        if (x <= concurrency[0] || n == 1)
            return step[0];
        int i = 1;
        while (i < n - 1 && concurrency[std::size_t(i)] < x)
            ++i;
        const double x0 = concurrency[std::size_t(i - 1)], x1 = concurrency[std::size_t(i)];
        const double y0 = step[std::size_t(i - 1)], y1 = step[std::size_t(i)];
        return y0 + (x - x0) * (y1 - y0) / (x1 - x0);
    }

    /// dT/dn at concurrency x, as `at` draws it (0 below the first point).
    [[nodiscard]] constexpr double slope(double x) const {
        if (n < 2 || x <= concurrency[0])
            return 0;
        int i = 1;
        while (i < n - 1 && concurrency[std::size_t(i)] < x)
            ++i;
        return (step[std::size_t(i)] - step[std::size_t(i - 1)]) /
               (concurrency[std::size_t(i)] - concurrency[std::size_t(i - 1)]);
    }
};

/// The workload of a decode evaluation: `batch` sequences at context c after prompt s.
constexpr workload decode_workload(const serve_lengths& s, int batch, int context, int step_tokens,
                                   double cache_hit) {
    return {.batch = batch,
            .prompt = s.prompt,
            .context = context,
            .prefix_cache_hit = cache_hit,
            .step_tokens = step_tokens};
}

/**
 * Builds the decode table of layout l: the memory limit first (two evaluations: the KV of the
 * final context beside the activations of a one-token step, then of a step as wide as that
 * concurrency per DP rank), then the step time at n_0 = DP·PP (one sequence per DP rank per
 * micro-batch) times 1, 1.5, 2, 3, 4, 6, ... up to the memory limit, and at the limit. An
 * empty table (n = 0) when the layout breaks a rule or nothing fits.
 */
constexpr decode_table make_decode_table(const model_spec& m, const cluster_spec& c,
                                         const layout& l, const serve_lengths& s,
                                         const eval_options& opt, double cache_hit) {
    decode_table t;
    const int n0 = l.dp * l.pp;
    report r = evaluate(m, c, l, decode_workload(s, n0, s.final_context, 1, cache_hit), opt);
    if (!r.evaluated || !r.memory.fits || r.max_batch < n0)
        return t;
    const int per_rank = (r.max_batch + l.dp - 1) / l.dp;
    r = evaluate(m, c, l, decode_workload(s, n0, s.final_context, per_rank, cache_hit), opt);
    if (!r.evaluated || !r.memory.fits || r.max_batch < n0)
        return t;
    const int limit = r.max_batch;
    t.max_concurrency = limit;
    t.weights_per_gpu = r.memory.weights.value();
    const report at_limit =
        evaluate(m, c, l, decode_workload(s, limit, s.final_context, per_rank, cache_hit), opt);
    t.memory_per_gpu = at_limit.memory.total().value();
    double mult = 1;
    bool half = false;
    while (t.n < decode_table::capacity) {
        double b = n0 * mult;
        const bool last = b >= limit || t.n == decode_table::capacity - 1;
        if (last)
            b = limit;
        mult = half ? mult * 4.0 / 3.0 : mult * 1.5; // 1, 1.5, 2, 3, 4, 6, 8, ...
        half = !half;
        // whole sequences per DP rank (evaluate refuses a batch DP does not divide), each point
        // above the one before
        const int batch = static_cast<int>(b) / l.dp * l.dp;
        if (t.n > 0 && batch <= t.concurrency[std::size_t(t.n - 1)]) {
            if (last)
                break;
            continue;
        }
        const report d =
            evaluate(m, c, l, decode_workload(s, batch, s.mean_context, per_rank, cache_hit), opt);
        if (!d.evaluated)
            break;
        t.concurrency[std::size_t(t.n)] = batch;
        t.step[std::size_t(t.n)] = d.decode.latency.value();
        ++t.n;
        if (last)
            break;
    }
    return t;
}

/**
 * What a request sees of a decode instance's concurrency over its life, when the time-average
 * concurrency is n (docs/serving.md §3). On average: itself and the others, n + 1 (PASTA).
 * Its spread: without feedback the others form an M/G/∞ system, Poisson with variance n; but a
 * step slows as n grows, so sequences stay longer when there are more of them: linearised, the
 * drift back to n weakens by κ = 1 − e, e = n·T'(n)/T(n) the elasticity of the step, and the
 * variance grows to n/κ (an Ornstein–Uhlenbeck process); over a life of about one correlation
 * time the average keeps g(κ) = 2(κ − 1 + e^{−κ})/κ² of it. At percentile p (z_p) a request
 * sees n + 1 + z_p·√(g(κ)·n/κ).
 */
struct seen_concurrency {
    double kappa = 1; ///< κ, the weakening of the drift back to n (1: no feedback)
    double mean = 0;  ///< n + 1: the concurrency of the steps a request is in, on average
    double peak = 0;  ///< the same at the percentile
};

constexpr seen_concurrency concurrency_seen(const decode_table& t, double n, double z) {
    const double nn = n > 0 ? n : 0.0;
    const double step = t.at(nn);
    double kappa = step > 0 ? 1.0 - nn * t.slope(nn) / step : 1.0;
    kappa = kappa < 0.05 ? 0.05 : (kappa > 1.0 ? 1.0 : kappa);
    const double g = 2.0 * (kappa - 1.0 + detail::natural_exp(-kappa)) / (kappa * kappa);
    seen_concurrency c;
    c.kappa = kappa;
    c.mean = nn + 1.0;
    const double v = c.mean + z * detail::nonneg_sqrt(g * nn / kappa);
    c.peak = v > c.mean ? v : c.mean;
    return c;
}

/// A decode instance's steady state at one concurrency.
struct decode_point {
    double concurrency = 0; ///< time-average sequences decoding in the instance
    double rate = 0;        ///< requests/s the instance completes: n / ((OSL − 1)·TPOT), Little
    double tpot = 0;        ///< mean TPOT: the step at the concurrency a request sees
    double tpot_p = 0;      ///< TPOT at the percentile: the step at that concurrency's percentile
    double peak = 0;        ///< the concurrency at the percentile
};

constexpr decode_point decode_point_at(const decode_table& t, const serve_lengths& s, double n,
                                       double z) {
    decode_point d;
    d.concurrency = n;
    const seen_concurrency c = concurrency_seen(t, n, z);
    d.tpot = t.at(c.mean);
    d.peak = c.peak;
    d.tpot_p = t.at(c.peak);
    d.rate = d.tpot > 0 ? n / (s.decode_steps * d.tpot) : 0;
    return d;
}

/**
 * The largest steady state of a decode instance whose TPOT at the percentile is within
 * `tpot_limit` (0: none) and whose concurrency at the percentile fits in memory: the rate
 * n / ((OSL − 1)·T(n)) grows with n, so the largest feasible n, found on the table's points
 * and refined by bisection between the last feasible one and the next. rate 0: none.
 */
constexpr decode_point best_decode_point(const decode_table& t, const serve_lengths& s,
                                         double tpot_limit, double z) {
    const auto ok = [&](double n) {
        const decode_point d = decode_point_at(t, s, n, z);
        return d.peak <= t.max_concurrency && (tpot_limit <= 0 || d.tpot_p <= tpot_limit);
    };
    if (t.n == 0)
        return {};
    double lo = 0; // feasible (0: none yet)
    double hi = t.max_concurrency;
    for (int i = 0; i < t.n; ++i) {
        const double x = t.concurrency[std::size_t(i)];
        if (ok(x))
            lo = x;
        else {
            hi = x;
            break;
        }
    }
    if (lo == 0) { // below the first point: the step is the first point's
        hi = t.n > 0 ? t.concurrency[0] : 0;
        lo = 0;
    }
    for (int k = 0; k < 40 && hi - lo > 1e-3 * (hi > 1 ? hi : 1); ++k) {
        const double mid = 0.5 * (lo + hi);
        (ok(mid) ? lo : hi) = mid;
    }
    if (!(lo > 0) || !ok(lo))
        return {};
    return decode_point_at(t, s, lo, z);
}

/// The concurrency at which a decode instance carries `rate` requests/s: the fixed point of
/// Little's law n = rate·(OSL − 1)·TPOT(n), by bisection on [0, max] (the rate n / ((OSL −
/// 1)·TPOT(n)) grows with n).
constexpr double concurrency_for(const decode_table& t, const serve_lengths& s, double rate) {
    double lo = 0, hi = t.max_concurrency;
    for (int k = 0; k < 60; ++k) {
        const double mid = 0.5 * (lo + hi);
        (decode_point_at(t, s, mid, 0).rate < rate ? lo : hi) = mid;
    }
    return hi;
}

// ---- prefill: one instance's service and its queue ---------------------------------------

/// A prefill instance of one layout running `batch` prompts a pass.
struct prefill_profile {
    int batch = 0;             ///< prompts per pass (DP·PP·k)
    double pass = 0;           ///< seconds per pass of `batch` prompts
    double per_request = 0;    ///< E[S], the pass over its prompts: the instance's time per request
    double memory_per_gpu = 0; ///< bytes, most loaded GPU
    double weights_per_gpu = 0; ///< bytes of weights
    [[nodiscard]] constexpr bool ok() const { return batch > 0 && per_request > 0; }
};

/// Layout l as a prefill instance passing `batch` prompts at once (memory: their KV until
/// sent, and the working set of their whole prompts). Empty when it breaks a rule or does not
/// fit.
constexpr prefill_profile make_prefill_profile(const model_spec& m, const cluster_spec& c,
                                               const layout& l, const serve_lengths& s, int batch,
                                               const eval_options& opt, double cache_hit) {
    const report r =
        evaluate(m, c, l, {.batch = batch, .prompt = s.prompt, .prefix_cache_hit = cache_hit}, opt);
    if (!r.evaluated || !r.memory.fits)
        return {};
    prefill_profile p;
    p.batch = batch;
    p.pass = r.prefill.batch_time.value();
    p.per_request = p.pass / batch;
    p.memory_per_gpu = r.memory.total().value();
    p.weights_per_gpu = r.memory.weights.value();
    return p;
}

/**
 * The TTFT percentile of a prefill instance fed `rate` requests/s: the M/G/1 sojourn with
 * E[S] = the pass per request and the service c_v of the table, plus the rest of the request's
 * own pass (a pass of b prompts ends (b − 1)·E[S] after the request's share of it), plus the
 * KV transfer. Returns {utilisation ρ, TTFT}; TTFT 1e300 beyond the table's ρ.
 */
struct ttft_estimate {
    double utilisation = 0;
    double ttft = 0;
};

constexpr ttft_estimate prefill_ttft(const prefill_profile& p, const sojourn_table& q, double rate,
                                     double transfer) {
    const double rho = rate * p.per_request;
    return {rho, q.at(rho) * p.per_request + (p.pass - p.per_request) + transfer};
}

/// The highest rate a prefill instance takes with ρ <= `max_rho` and TTFT at the table's
/// percentile within `ttft_limit` (0: none) after a KV transfer of `transfer` seconds; 0: none.
constexpr double prefill_capacity(const prefill_profile& p, const sojourn_table& q,
                                  double ttft_limit, double transfer, double max_rho) {
    if (!p.ok())
        return 0;
    double rho = max_rho;
    if (ttft_limit > 0) {
        const double target = (ttft_limit - transfer - (p.pass - p.per_request)) / p.per_request;
        rho = q.largest_rho(target, max_rho);
    }
    return rho > 0 ? rho / p.per_request : 0;
}

// ---- the KV cache from prefill to decode ---------------------------------------------------

/// Distinct shards of one request's KV cache on a layout: split by PP (layers), CP (sequence)
/// and by TP over the KV heads (`kv_shards`: GQA at most its KV heads, MLA's latent one).
constexpr int kv_transfer_lanes(const model_spec& m, const layout& l) {
    return l.pp * l.cp * kv_shards(m, l);
}

/// One request's KV transfer: its bytes and the seconds they take.
struct kv_transfer {
    double bytes = 0;
    double seconds = 0;
};

/**
 * The KV cache of a prompt (its every token: the decode side holds none of it) sent shard to
 * shard from a prefill to a decode instance over the network between the pools: each side's
 * shards send or receive in parallel at a GPU's inter-node bandwidth (the slower side's, at its
 * efficiency), so the side with fewer shards bounds it, plus one link latency.
 */
constexpr kv_transfer kv_transfer_of(const model_spec& m, const serve_lengths& s,
                                     const cluster_spec& cp, const layout& lp,
                                     const cluster_spec& cd, const layout& ld) {
    kv_transfer x;
    x.bytes = kv_cache_bytes(m, s.prompt).value();
    const int a = kv_transfer_lanes(m, lp), b = kv_transfer_lanes(m, ld);
    const double lanes = a < b ? a : b;
    const double bw_p = cp.inter_node.bandwidth.value * cp.inter_node.efficiency;
    const double bw_d = cd.inter_node.bandwidth.value * cd.inter_node.efficiency;
    const double bw = bw_p < bw_d ? bw_p : bw_d;
    const double lat = cp.inter_node.latency.value > cd.inter_node.latency.value
                           ? cp.inter_node.latency.value
                           : cd.inter_node.latency.value;
    x.seconds = bw > 0 ? lat + x.bytes / (lanes * bw) : 0;
    return x;
}

} // namespace moecost
