#pragma once
/**
 * @file
 * The queueing math of serving: utilisation, Little's law, the M/G/1 mean wait
 * (Pollaczek–Khinchine) and a documented approximation of its percentiles, for one server
 * fed by Poisson arrivals and serving first come, first served (a prefill instance).
 *
 * Every function is constexpr and allocation-free. A queue at or above saturation (ρ ≥ 1)
 * has no steady state: the estimates then say `stable = false` rather than return an
 * infinity. The derivations, their sources and the agreement with the event simulator of
 * tests/unit/queueing_test.cpp are in docs/model.md, "Serving: traffic and queueing".
 *
 * @code
 * using namespace moecost::literals;
 * constexpr auto w = moecost::mg1_mean_wait(moecost::requests_per_second(0.5), 1.0_s, 1.0);
 * static_assert(w.stable && w.time.value() == 1.0); // M/M/1 at ρ = 0.5: ρ·E[S]/(1 − ρ)
 * @endcode
 */

#include <moecost/detail/math.hpp>
#include <moecost/spec/traffic.hpp>
#include <moecost/units.hpp>

namespace moecost {

/**
 * A queueing estimate. `utilisation` is ρ = λ·E[S], reported either way; `time` holds the
 * estimate only when `stable`: ρ < 1 and every input in its domain (λ ≥ 0, E[S] ≥ 0,
 * c_v ≥ 0, a percentile above 0 and below 1, none NaN). Otherwise `time` is 0.
 */
struct queue_estimate {
    bool stable = false;    ///< ρ < 1 and the inputs in their domain: `time` holds the estimate
    double utilisation = 0; ///< ρ = λ·E[S]
    seconds time{};         ///< the estimate; 0 when not `stable`
    friend constexpr bool operator==(const queue_estimate&, const queue_estimate&) = default;
};

/// ρ = λ·E[S]: the share of time a single server is busy.
constexpr double utilisation(request_rate arrival, seconds mean_service) {
    return arrival.value() * mean_service.value();
}

/// Little's law, L = λ·W: the mean number of requests in a system each spends W in.
constexpr double little_count(request_rate arrival, seconds time_in_system) {
    return arrival.value() * time_in_system.value();
}

/// Little's law solved for the rate, λ = L / W: the throughput of L requests each held W.
constexpr request_rate little_rate(double count, seconds time_in_system) {
    return make<request_rate>(count / time_in_system.value());
}

namespace detail {

/// Whether the inputs of an M/G/1 estimate are in their domain (NaN is not).
constexpr bool queue_inputs_ok(double lambda, double mean, double cv) {
    constexpr double largest = 1.7976931348623157e308; // finite and not NaN, each of them
    return lambda >= 0 && mean >= 0 && cv >= 0 && lambda <= largest && mean <= largest &&
           cv <= largest;
}

/// The conditional mean wait of those who wait, W/ρ = E[S]·(1 + c_v²)/(2(1 − ρ)).
constexpr double queue_conditional_wait(double rho, double mean, double cv) {
    return mean * (1.0 + cv * cv) / (2.0 * (1.0 - rho));
}

/// P(X + Y > u) for independent exponentials with means b >= 0 (0: always zero) and m > 0.
constexpr double queue_hypoexp_tail(double u, double b, double m) {
    if (u <= 0)
        return 1.0;
    if (b <= 0)
        return natural_exp(-u / m);
    const double gap = m - b;
    if (gap * gap <= 1e-12 * m * m) // equal means: the Erlang-2 tail
        return (1.0 + u / m) * natural_exp(-u / m);
    return (m * natural_exp(-u / m) - b * natural_exp(-u / b)) / gap;
}

/// P(X > u) for an exponential with mean b >= 0 (0: always zero).
constexpr double queue_exp_tail(double u, double b) {
    if (u < 0)
        return 1.0;
    if (b <= 0)
        return 0.0;
    return natural_exp(-u / b);
}

} // namespace detail

/**
 * The M/G/1 mean wait in queue (Pollaczek–Khinchine):
 * W = λ·E[S²]/(2(1 − ρ)) = ρ·E[S]·(1 + c_v²)/(2(1 − ρ)).
 * @param arrival λ, Poisson arrivals
 * @param mean_service E[S]
 * @param service_cv c_v of the service time (0: deterministic, M/D/1; 1: M/M/1)
 */
constexpr queue_estimate mg1_mean_wait(request_rate arrival, seconds mean_service,
                                       double service_cv) {
    const double lambda = arrival.value(), mean = mean_service.value();
    const double rho = lambda * mean;
    if (!detail::queue_inputs_ok(lambda, mean, service_cv) || !(rho < 1.0))
        return {false, rho, make<seconds>(0)};
    return {true, rho, make<seconds>(rho * detail::queue_conditional_wait(rho, mean, service_cv))};
}

/// The M/D/1 mean wait, W = λD²/(2(1 − λD)): Pollaczek–Khinchine with c_v = 0 (DistServe §3.1).
constexpr queue_estimate md1_mean_wait(request_rate arrival, seconds service) {
    return mg1_mean_wait(arrival, service, 0.0);
}

/// The mean sojourn (wait + service; a prefill instance's mean TTFT): W + E[S].
constexpr queue_estimate mg1_mean_sojourn(request_rate arrival, seconds mean_service,
                                          double service_cv) {
    queue_estimate e = mg1_mean_wait(arrival, mean_service, service_cv);
    if (e.stable)
        e.time += mean_service;
    return e;
}

/**
 * The modelled P(W > t) for t >= 0: a request waits with chance ρ (the server is busy, PASTA),
 * and, if it waits, its wait is exponential with the Pollaczek–Khinchine conditional mean
 * W/ρ: P(W > t) = ρ·exp(−t·ρ/W). Exact for M/M/1; the heavy-traffic limit of every M/G/1
 * (Kingman). Returns 1 for an unstable queue or inputs out of domain.
 */
constexpr double mg1_wait_exceedance(request_rate arrival, seconds mean_service, double service_cv,
                                     seconds t) {
    const double lambda = arrival.value(), mean = mean_service.value();
    const double rho = lambda * mean;
    if (!detail::queue_inputs_ok(lambda, mean, service_cv) || !(rho < 1.0))
        return 1.0;
    if (!(t.value() >= 0)) // NaN too
        return 1.0;
    if (rho == 0.0)
        return 0.0;
    return rho *
           detail::natural_exp(-t.value() / detail::queue_conditional_wait(rho, mean, service_cv));
}

/**
 * The p-quantile of the wait under the model of `mg1_wait_exceedance`:
 * w_p = max(0, (W/ρ)·ln(ρ/(1 − p))); zero when ρ <= 1 − p (at least p of requests find the
 * server idle).
 */
constexpr queue_estimate mg1_wait_percentile(request_rate arrival, seconds mean_service,
                                             double service_cv, double p) {
    const double lambda = arrival.value(), mean = mean_service.value();
    const double rho = lambda * mean;
    if (!detail::queue_inputs_ok(lambda, mean, service_cv) || !(p > 0.0 && p < 1.0) || !(rho < 1.0))
        return {false, rho, make<seconds>(0)};
    if (rho <= 1.0 - p)
        return {true, rho, make<seconds>(0)};
    const double m = detail::queue_conditional_wait(rho, mean, service_cv);
    return {true, rho, make<seconds>(m * detail::natural_log(rho / (1.0 - p)))};
}

/**
 * The modelled P(W + S > t): the wait of `mg1_wait_exceedance`, independent of the request's
 * own service time S (FIFO: the wait is set by those ahead), and S drawn from the phase-type
 * law with the given mean and c_v: for c_v <= 1 a constant E[S]·(1 − c_v) plus an exponential
 * of mean E[S]·c_v (deterministic at 0, exponential at 1); for c_v > 1 a two-phase
 * hyperexponential with balanced means. Exact for M/M/1 (the sojourn is exponential with
 * mean E[S]/(1 − ρ)) and, given the wait model, for M/D/1.
 */
constexpr double mg1_sojourn_exceedance(request_rate arrival, seconds mean_service,
                                        double service_cv, seconds t) {
    const double lambda = arrival.value(), mean = mean_service.value(), c = service_cv;
    const double rho = lambda * mean;
    if (!detail::queue_inputs_ok(lambda, mean, c) || !(rho < 1.0))
        return 1.0;
    const double m = detail::queue_conditional_wait(rho, mean, c);
    const auto phase = [&](double shift, double b) {
        const double u = t.value() - shift;
        return (1.0 - rho) * detail::queue_exp_tail(u, b) +
               rho * detail::queue_hypoexp_tail(u, b, m);
    };
    if (c <= 1.0)
        return phase(mean * (1.0 - c), mean * c);
    const double q1 = 0.5 * (1.0 + detail::nonneg_sqrt((c * c - 1.0) / (c * c + 1.0)));
    const double q2 = 1.0 - q1;
    return q1 * phase(0.0, mean / (2.0 * q1)) + q2 * phase(0.0, mean / (2.0 * q2));
}

/**
 * The p-quantile of the sojourn W + S (a prefill instance's TTFT at percentile p): the t with
 * `mg1_sojourn_exceedance(t)` = 1 − p, found by bisection to a relative 1e-12. The service
 * time's spread enters through its law, not as a percentile added to the wait's (for M/M/1 at
 * ρ = 0.3, w_90 + s_90 is 18% above the exact p90 sojourn, and w_90 + E[S] 22% below).
 */
constexpr queue_estimate mg1_sojourn_percentile(request_rate arrival, seconds mean_service,
                                                double service_cv, double p) {
    const double lambda = arrival.value(), mean = mean_service.value();
    const double rho = lambda * mean;
    if (!detail::queue_inputs_ok(lambda, mean, service_cv) || !(p > 0.0 && p < 1.0) || !(rho < 1.0))
        return {false, rho, make<seconds>(0)};
    if (mean == 0.0)
        return {true, rho, make<seconds>(0)};
    const auto tail = [&](double t) {
        return mg1_sojourn_exceedance(arrival, mean_service, service_cv, make<seconds>(t));
    };
    double lo = 0.0, hi = mean;
    for (int i = 0; i < 1100 && tail(hi) > 1.0 - p; ++i) { // the tail is exponential: few steps
        lo = hi;
        hi *= 2.0;
    }
    for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        (tail(mid) > 1.0 - p ? lo : hi) = mid;
    }
    return {true, rho, make<seconds>(hi)};
}

/**
 * The stall of attention data parallelism (docs/serving.md §5): `ranks` DP ranks step together
 * (the MoE all-to-all joins every step), each admitting its own prefill work as it arrives, so
 * a step lasts as long as its busiest rank's prefill while the others wait. A rank's work a
 * step is min(cap, N), N Poisson of mean `mu` units (prompts, or chunks of one), independent
 * over the ranks, and at most `cap` units fit a step (0: no cap). Returns the prefill time of
 * the busiest rank over that of balanced ranks, E[max of `ranks` such] / E[min(cap, N)]:
 *
 *     g = Σ_{k<cap} (1 − F(k)^ranks) / Σ_{k<cap} (1 − F(k)),   F the Poisson CDF,
 *
 * from 1 (one rank, or every rank at its cap) to `ranks` (mu → 0: a step's work on one rank).
 * Without a cap past mu = 400, where the sum's first terms underflow, the Gaussian bound
 * 1 + √(2·ln(ranks)/mu) stands in.
 */
constexpr double adp_stall(int ranks, double mu, int cap = 0) {
    if (ranks <= 1)
        return 1.0;
    if (!(mu > 0))
        return static_cast<double>(ranks); // NaN too: the sparse limit, every unit alone
    if (mu > 400.0) {
        if (cap > 0 && cap < mu)
            return 1.0; // every rank at its cap
        return 1.0 + detail::nonneg_sqrt(2.0 * detail::natural_log(ranks) / mu);
    }
    double p = detail::natural_exp(-mu), cdf = p, busiest = 0.0, mean = 0.0;
    for (int k = 0; cap <= 0 || k < cap; ++k) {
        double power = 1.0, base = cdf; // cdf^ranks by squaring
        for (int e = ranks; e > 0; e >>= 1, base *= base)
            if ((e & 1) != 0)
                power *= base;
        const double tail = 1.0 - power;
        busiest += tail;
        mean += 1.0 - cdf;
        if ((double(k) > mu && tail < 1e-12) || k >= 4000)
            break;
        p *= mu / (k + 1);
        cdf = detail::dmin(cdf + p, 1.0);
    }
    return cap > 0 ? busiest / mean : busiest / mu;
}

} // namespace moecost
