#pragma once
/**
 * @file
 * What a serving deployment is asked to carry and how fast: the request traffic (lengths as
 * means with their spread, the arrival rate, the prefix-cache hit rate) and the service-level
 * objectives a chosen percentile of requests must meet. The queueing math that turns them
 * into waits is in <moecost/serve/queueing.hpp>.
 */

#include <moecost/spec/violation.hpp>
#include <moecost/units.hpp>

namespace moecost {

/// Requests per second: the unit of an arrival rate (requests have no base dimension).
using request_rate = quantity<units::divide_t<units::dimensionless_unit, units::second_unit>>;

/// Makes a request rate from a number of requests per second.
constexpr request_rate requests_per_second(double v) {
    return make<request_rate>(v);
}

/**
 * The requests a deployment serves. Lengths are means over requests, each with its
 * coefficient of variation c_v = standard deviation / mean (0: every request alike; 1: the
 * spread of an exponential). The spread of the prompt length enters the prefill service
 * time's c_v, and through it the queueing wait (docs/model.md, "Serving: traffic and
 * queueing").
 */
struct traffic {
    stored<tokens> input_mean{make<tokens>(2048)}; ///< mean prompt length (ISL)
    double input_cv = 0;                           ///< c_v of the prompt length
    stored<tokens> output_mean{make<tokens>(256)}; ///< mean generated length (OSL)
    double output_cv = 0;                          ///< c_v of the generated length
    stored<request_rate> arrival_rate{};           ///< λ, requests/s; 0: unspecified
    /// The share of each prompt's tokens whose KV a prefix cache already holds, 0 to below 1
    /// (as `workload::prefix_cache_hit`).
    double prefix_cache_hit = 0;
    friend constexpr bool operator==(const traffic&, const traffic&) = default;
};

/**
 * Service-level objectives: the chosen percentile of requests must see a time to first token
 * of at most `ttft` and a time per output token of at most `tpot`. A zero limit is no limit.
 */
struct slo {
    stored<seconds> ttft{};  ///< TTFT limit; 0: none
    stored<seconds> tpot{};  ///< TPOT limit; 0: none
    double percentile = 0.9; ///< the share of requests that must meet both, above 0, below 1
    friend constexpr bool operator==(const slo&, const slo&) = default;
};

/// Adds the rules t breaks to `out`.
constexpr void validate_into(violations& out, const traffic& t) {
    // bounds that keep every product finite; NaN fails each test
    const auto length = [&](const char* field, double v) {
        if (!(v > 0))
            out.add(rule::positive, field, v);
        else if (!(v <= 1e9))
            out.add(rule::at_most, field, v, 1e9);
    };
    const auto spread = [&](const char* field, double v) {
        if (!(v >= 0))
            out.add(rule::non_negative, field, v);
        else if (!(v <= 100))
            out.add(rule::at_most, field, v, 100);
    };
    length("traffic.input_mean", t.input_mean.value);
    spread("traffic.input_cv", t.input_cv);
    length("traffic.output_mean", t.output_mean.value);
    spread("traffic.output_cv", t.output_cv);
    if (!(t.arrival_rate.value >= 0))
        out.add(rule::non_negative, "traffic.arrival_rate", t.arrival_rate.value);
    else if (!(t.arrival_rate.value <= 1e12))
        out.add(rule::at_most, "traffic.arrival_rate", t.arrival_rate.value, 1e12);
    validate_cache_hit_into(out, "traffic.prefix_cache_hit", t.prefix_cache_hit);
}

/// Every rule a traffic description must satisfy.
constexpr violations validate(const traffic& t) {
    violations out;
    validate_into(out, t);
    return out;
}

/// Adds the rules s breaks to `out`.
constexpr void validate_into(violations& out, const slo& s) {
    if (!(s.ttft.value >= 0))
        out.add(rule::non_negative, "slo.ttft", s.ttft.value);
    if (!(s.tpot.value >= 0))
        out.add(rule::non_negative, "slo.tpot", s.tpot.value);
    if (!(s.percentile > 0.0 && s.percentile < 1.0)) {
        if (s.percentile >= 1.0) // the 100th percentile of an unbounded wait is unbounded
            out.add(rule::below, "slo.percentile", s.percentile, 1);
        else
            out.add(rule::positive, "slo.percentile", s.percentile);
    }
}

/// Every rule a set of service-level objectives must satisfy.
constexpr violations validate(const slo& s) {
    violations out;
    validate_into(out, s);
    return out;
}

} // namespace moecost
