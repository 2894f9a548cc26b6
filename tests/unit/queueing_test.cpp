// Queueing: the traffic and SLO specs' rules, the M/G/1 closed forms against values worked out
// by hand, and the closed forms and the tail approximation against a seeded discrete-event
// simulation of one FIFO server with Poisson arrivals.
//
// Every expected number below is worked out by hand in the comment beside it, or measured by
// the simulator in this file (whose sampling is written out here rather than taken from the
// std distributions, which differ between standard libraries, so the same seed gives the same
// draws with libstdc++ and libc++).

#include <moecost/serve/queueing.hpp>
#include <moecost/spec/traffic.hpp>
#include <moecost/units.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

using namespace moecost;
using namespace moecost::literals;

namespace {

request_rate per_s(double v) {
    return requests_per_second(v);
}

// --- the simulator --------------------------------------------------------------------------

/// Uniform, exponential and normal draws from std::mt19937_64, whose output sequence the
/// standard fixes; the std distributions are not portable, so none is used.
struct draws {
    std::mt19937_64 bits;
    explicit draws(std::uint64_t seed) : bits(seed) {}
    /// The top 53 bits as a double in (0, 1): never 0, so its log is finite.
    double uniform() { return (static_cast<double>(bits() >> 11U) + 0.5) * 0x1.0p-53; }
    /// Inverse transform: −mean·ln U is exponential with that mean.
    double exponential(double mean) { return -mean * std::log(uniform()); }
    /// Box–Muller: √(−2 ln U₁)·cos(2πU₂) is standard normal (the sine twin is not used).
    double normal() {
        const double r = std::sqrt(-2.0 * std::log(uniform()));
        return r * std::cos(6.283185307179586 * uniform());
    }
};

enum class law { deterministic, erlang4, exponential, hyperexponential, lognormal };

/// A service-time law with mean 1 and the c_v its name gives; the two laws with c_v > 1 share
/// their c_v, `heavy_cv`, so that they differ in shape alone.
constexpr double heavy_cv = 2.0;
constexpr double cv_of(law l) {
    switch (l) {
    case law::deterministic:
        return 0.0;
    case law::erlang4: // gamma with shape 4: c_v = 1/√4
        return 0.5;
    case law::exponential:
        return 1.0;
    case law::hyperexponential:
    case law::lognormal:
        return heavy_cv;
    }
    return 0.0;
}

/// One service time of mean 1.
double service(draws& d, law l) {
    switch (l) {
    case law::deterministic:
        return 1.0;
    case law::erlang4: // a gamma of integer shape k is a sum of k exponentials of mean 1/k
        return d.exponential(0.25) + d.exponential(0.25) + d.exponential(0.25) +
               d.exponential(0.25);
    case law::exponential:
        return d.exponential(1.0);
    case law::hyperexponential: { // balanced means: phase i with chance q_i has mean 1/(2q_i)
        const double r = std::sqrt((heavy_cv * heavy_cv - 1.0) / (heavy_cv * heavy_cv + 1.0));
        const double q1 = 0.5 * (1.0 + r);
        return d.uniform() < q1 ? d.exponential(0.5 / q1) : d.exponential(0.5 / (1.0 - q1));
    }
    case law::lognormal: { // exp(μ + σZ): σ² = ln(1 + c_v²), μ = −σ²/2 for mean 1
        const double s2 = std::log(1.0 + heavy_cv * heavy_cv);
        return std::exp(-0.5 * s2 + std::sqrt(s2) * d.normal());
    }
    }
    return 1.0;
}

struct measured {
    double mean_wait = 0;
    double p90_sojourn = 0;
};

/**
 * One FIFO server, Poisson arrivals at rate ρ (service mean 1), by Lindley's recursion:
 * the next request waits max(0, w + s − a), with w and s the wait and service of the one
 * before and a the gap between their arrivals. The first `warm_up` requests are dropped so
 * that the queue starts near its steady state.
 */
measured simulate(double rho, law l, std::uint64_t seed, int requests, int warm_up) {
    draws d(seed);
    std::vector<double> sojourn;
    sojourn.reserve(static_cast<std::size_t>(requests));
    double wait = 0, wait_sum = 0;
    for (int i = 0; i < warm_up + requests; ++i) {
        const double s = service(d, l);
        if (i >= warm_up) {
            wait_sum += wait;
            sojourn.push_back(wait + s);
        }
        wait = std::max(0.0, wait + s - d.exponential(1.0 / rho));
    }
    const auto k = static_cast<std::size_t>(0.9 * requests);
    std::nth_element(sojourn.begin(), sojourn.begin() + static_cast<std::ptrdiff_t>(k),
                     sojourn.end());
    return {wait_sum / requests, sojourn[k]};
}

} // namespace

// --- the specs ------------------------------------------------------------------------------

TEST_CASE("traffic and slo defaults are valid, and each rule names its field", "[queueing][spec]") {
    STATIC_REQUIRE(validate(traffic{}).ok());
    STATIC_REQUIRE(validate(slo{}).ok());
    STATIC_REQUIRE(slo{}.percentile == 0.9);

    traffic t;
    t.input_mean = make<tokens>(0);
    t.input_cv = -0.1;
    t.output_mean = make<tokens>(-5);
    t.output_cv = std::nan("");
    t.arrival_rate = per_s(-1);
    t.prefix_cache_hit = 1.0;
    const violations v = validate(t);
    REQUIRE(v.count == 6);
    CHECK(v.items[0].what == rule::positive);
    CHECK(std::string(v.items[0].field) == "traffic.input_mean");
    CHECK(v.items[1].what == rule::non_negative);
    CHECK(std::string(v.items[1].field) == "traffic.input_cv");
    CHECK(v.items[2].what == rule::positive);
    CHECK(v.items[2].value == -5);
    CHECK(std::string(v.items[3].field) == "traffic.output_cv"); // NaN is refused
    CHECK(std::string(v.items[4].field) == "traffic.arrival_rate");
    CHECK(v.items[5].what == rule::below);
    CHECK(v.items[5].limit == 1);

    traffic ok;
    ok.arrival_rate = per_s(0); // unspecified
    ok.prefix_cache_hit = 0.5;
    CHECK(validate(ok).ok());

    slo s;
    s.ttft = make<seconds>(-1);
    s.percentile = 1.0;
    const violations w = validate(s);
    REQUIRE(w.count == 2);
    CHECK(w.items[0].what == rule::non_negative);
    CHECK(std::string(w.items[0].field) == "slo.ttft");
    CHECK(w.items[1].what == rule::below);
    s = {};
    s.percentile = 0.0;
    REQUIRE(validate(s).count == 1);
    CHECK(validate(s).items[0].what == rule::positive);
    s = {2.0_s, 50.0_ms, 0.99};
    CHECK(validate(s).ok());
    CHECK(validate_all(traffic{}, slo{}).ok());
}

// --- closed forms against hand-worked values -------------------------------------------------

TEST_CASE("utilisation and Little's law", "[queueing]") {
    // ρ = λ·E[S] = 4/s · 0.2 s = 0.8
    STATIC_REQUIRE(utilisation(requests_per_second(4), 0.2_s) == 0.8);
    // L = λ·W = 10/s · 0.25 s = 2.5 requests; and back, λ = 2.5 / 0.25 s = 10/s
    STATIC_REQUIRE(little_count(requests_per_second(10), 0.25_s) == 2.5);
    STATIC_REQUIRE(little_rate(2.5, 0.25_s).value() == 10.0);
}

TEST_CASE("Pollaczek-Khinchine mean wait, hand-worked", "[queueing]") {
    // ρ = 0.5, E[S] = 1 s: W = ρ·E[S]·(1 + c²)/(2(1 − ρ)) = 0.5·(1 + c²)/1
    constexpr auto d = mg1_mean_wait(requests_per_second(0.5), 1.0_s, 0.0);
    STATIC_REQUIRE(d.stable);
    STATIC_REQUIRE(d.utilisation == 0.5);
    STATIC_REQUIRE(d.time.value() == 0.5);                                    // c = 0: 0.5 s
    CHECK(mg1_mean_wait(per_s(0.5), 1.0_s, 1.0).time.value() == Approx(1.0)); // c = 1: 1 s
    // M/M/1 by its own formula, W = ρ/(μ − λ) = 0.5/(1 − 0.5) = 1 s: the same
    // λ = 4/s, E[S] = 0.2 s, c = 0.5: 0.8·0.2·1.25/(2·0.2) = 0.2/0.4 = 0.5 s
    CHECK(mg1_mean_wait(per_s(4), 0.2_s, 0.5).time.value() == Approx(0.5));
    // no arrivals, no wait
    CHECK(mg1_mean_wait(per_s(0), 1.0_s, 1.0).time.value() == 0.0);
    CHECK(mg1_mean_wait(per_s(0), 1.0_s, 1.0).stable);
}

TEST_CASE("M/D/1 is Pollaczek-Khinchine with c_v = 0, and DistServe's mean TTFT", "[queueing]") {
    for (const double lambda : {0.1, 0.3, 0.5, 0.7, 0.9, 0.99}) {
        const auto a = md1_mean_wait(per_s(lambda), 1.0_s);
        const auto b = mg1_mean_wait(per_s(lambda), 1.0_s, 0.0);
        CHECK(a == b);
        // DistServe §3.1: mean TTFT = D + λD²/(2(1 − λD)), D = 1 s
        CHECK(mg1_mean_sojourn(per_s(lambda), 1.0_s, 0.0).time.value() ==
              Approx(1.0 + lambda / (2.0 * (1.0 - lambda))));
    }
    // D = 0.4 s, λ = 2/s (ρ = 0.8): 0.4 + 2·0.16/(2·0.2) = 0.4 + 0.8 = 1.2 s
    CHECK(mg1_mean_sojourn(per_s(2), 0.4_s, 0.0).time.value() == Approx(1.2));
}

TEST_CASE("saturated queues are refused, not infinite", "[queueing]") {
    for (const double lambda : {1.0, 1.2, 100.0}) {
        const auto w = mg1_mean_wait(per_s(lambda), 1.0_s, 1.0);
        CHECK_FALSE(w.stable);
        CHECK(w.utilisation == lambda);
        CHECK(w.time.value() == 0.0);
        CHECK_FALSE(mg1_wait_percentile(per_s(lambda), 1.0_s, 1.0, 0.9).stable);
        CHECK_FALSE(mg1_sojourn_percentile(per_s(lambda), 1.0_s, 1.0, 0.9).stable);
        CHECK_FALSE(mg1_mean_sojourn(per_s(lambda), 1.0_s, 1.0).stable);
        CHECK(mg1_wait_exceedance(per_s(lambda), 1.0_s, 1.0, 5.0_s) == 1.0);
    }
    // inputs out of their domain
    CHECK_FALSE(mg1_mean_wait(per_s(-1), 1.0_s, 1.0).stable);
    CHECK_FALSE(mg1_mean_wait(per_s(0.5), 1.0_s, -0.5).stable);
    CHECK_FALSE(mg1_mean_wait(per_s(0.5), 1.0_s, std::nan("")).stable);
    CHECK_FALSE(mg1_wait_percentile(per_s(0.5), 1.0_s, 1.0, 1.0).stable);
    CHECK_FALSE(mg1_sojourn_percentile(per_s(0.5), 1.0_s, 1.0, 0.0).stable);
    // infinities are out of the domain too: no infinite wait is reported as stable
    const double inf = std::numeric_limits<double>::infinity();
    CHECK_FALSE(mg1_mean_wait(per_s(0.5), 1.0_s, inf).stable);
    CHECK_FALSE(mg1_mean_wait(per_s(0.5), make<seconds>(inf), 1.0).stable);
    CHECK(mg1_wait_exceedance(per_s(0.5), 1.0_s, 1.0, make<seconds>(std::nan(""))) == 1.0);
    // and the traffic spec refuses them, naming the bound
    traffic t;
    t.input_mean = make<tokens>(inf);
    t.output_cv = inf;
    t.arrival_rate = per_s(inf);
    const violations v = validate(t);
    REQUIRE(v.count == 3);
    CHECK(v.items[0].what == rule::at_most);
    CHECK(v.items[0].limit == 1e9);
    CHECK(std::string(v.items[1].field) == "traffic.output_cv");
    CHECK(v.items[1].limit == 100);
    CHECK(std::string(v.items[2].field) == "traffic.arrival_rate");
}

TEST_CASE("percentiles where the model is exact", "[queueing]") {
    // M/M/1, ρ = 0.5, E[S] = 1 s: P(W > t) = ρ·e^{−t(1 − ρ)/E[S]} = 0.5·e^{−t/2}.
    // p90: 0.5·e^{−t/2} = 0.1, t = 2·ln 5 = 3.218876 s
    CHECK(mg1_wait_percentile(per_s(0.5), 1.0_s, 1.0, 0.9).time.value() ==
          Approx(3.2188758).epsilon(1e-7));
    // The M/M/1 sojourn is exponential with mean E[S]/(1 − ρ) = 2 s: p90 = 2·ln 10 = 4.605170 s
    CHECK(mg1_sojourn_percentile(per_s(0.5), 1.0_s, 1.0, 0.9).time.value() ==
          Approx(4.605170186).epsilon(1e-9));
    // and at ρ = 0.85, p99: ln(100)/0.15 = 30.70113 s
    CHECK(mg1_sojourn_percentile(per_s(0.85), 1.0_s, 1.0, 0.99).time.value() ==
          Approx(30.70113457).epsilon(1e-9));
    // M/D/1, ρ = 0.5, D = 1 s: conditional mean wait D/(2(1 − ρ)) = 1 s, and the sojourn is the
    // wait plus D: P(T > t) = 0.5·e^{−(t − 1)} for t >= 1; p90 at t = 1 + ln 5 = 2.609438 s
    constexpr auto md1 = mg1_sojourn_percentile(requests_per_second(0.5), 1.0_s, 0.0, 0.9);
    STATIC_REQUIRE(md1.stable);
    STATIC_REQUIRE(md1.time.value() > 2.6094379 && md1.time.value() < 2.6094380);
    CHECK(mg1_wait_percentile(per_s(0.5), 1.0_s, 0.0, 0.9).time.value() ==
          Approx(1.6094379).epsilon(1e-7));
    // ρ = 0.05 <= 1 − p: at least 90% find the server idle, so w90 = 0 and the sojourn p90 is D
    CHECK(mg1_wait_percentile(per_s(0.05), 1.0_s, 0.0, 0.9).time.value() == 0.0);
    CHECK(mg1_sojourn_percentile(per_s(0.05), 1.0_s, 0.0, 0.9).time.value() ==
          Approx(1.0).epsilon(1e-11));
    // no arrivals, exponential service: p90 = ln 10 = 2.302585 s
    CHECK(mg1_sojourn_percentile(per_s(0), 1.0_s, 1.0, 0.9).time.value() ==
          Approx(2.3025851).epsilon(1e-8));
    // The exceedance is a probability that falls with t, 1 below the shortest service.
    CHECK(mg1_sojourn_exceedance(per_s(0.7), 1.0_s, 0.5, 0.4_s) == 1.0);
    double last = 1.0;
    for (const double t : {0.5, 1.0, 2.0, 4.0, 8.0, 16.0}) {
        const double now = mg1_sojourn_exceedance(per_s(0.7), 1.0_s, 2.0, make<seconds>(t));
        CHECK(now < last);
        CHECK(now > 0.0);
        last = now;
    }
}

// --- closed forms against the simulator ------------------------------------------------------

TEST_CASE("mean wait and p90 sojourn agree with a FIFO event simulation", "[queueing][sim]") {
    // The measured relative errors (closed form against the simulation) are tabled in
    // docs/model.md, "Serving: traffic and queueing". 200k requests left a seed-to-seed spread
    // of the mean wait of about 3% at ρ = 0.85 (10% for the lognormal, whose wait has a heavy
    // tail), measured over 8 seeds; 1M requests (2M for the lognormal) bring it under 1% (3%).
    const auto l = GENERATE(law::deterministic, law::erlang4, law::exponential,
                            law::hyperexponential, law::lognormal);
    const double rho = GENERATE(0.3, 0.5, 0.7, 0.85);
    const int requests = cv_of(l) > 1.0 ? 2'000'000 : 1'000'000;
    const double cv = cv_of(l);
    const auto seed = static_cast<std::uint64_t>(1000 * rho) * 10 + static_cast<std::uint64_t>(l);
    const measured m = simulate(rho, l, seed, requests, requests / 20);
    const double w = mg1_mean_wait(per_s(rho), 1.0_s, cv).time.value();
    const double t90 = mg1_sojourn_percentile(per_s(rho), 1.0_s, cv, 0.9).time.value();
    INFO("law " << static_cast<int>(l) << " c_v " << cv << " rho " << rho << ": mean wait sim "
                << m.mean_wait << " model " << w << ", p90 sojourn sim " << m.p90_sojourn
                << " model " << t90);
    CHECK(w == Approx(m.mean_wait).epsilon(0.05));
    if (l == law::lognormal && rho <= 0.5) {
        // Widened, measured: with lognormal service of c_v = 2 at light load the model
        // overstates the p90 sojourn by 20% at ρ = 0.3 (19–22% over 8 seeds) and 10% at
        // ρ = 0.5 (9.7% with 20M requests). The model knows the service law by its mean and
        // c_v alone, and the hyperexponential case above, with the same two moments, has a
        // simulated p90 of 5.91 s at ρ = 0.3 against the lognormal's 4.91 s: no two-moment
        // model can meet both. It errs on the safe side here; docs/model.md says so.
        CHECK(t90 > m.p90_sojourn);
        CHECK(t90 == Approx(m.p90_sojourn).epsilon(0.25));
    } else {
        CHECK(t90 == Approx(m.p90_sojourn).epsilon(0.10));
    }
}

TEST_CASE("the stall of attention DP ranks that step together", "[queueing][adp]") {
    // One rank, or none joined: no stall.
    CHECK(adp_stall(1, 0.3) == 1.0);
    CHECK(adp_stall(0, 0.3) == 1.0);
    // Two ranks, one prompt a rank a step on average: E[max(X, Y)] for X, Y iid Poisson(1), summed
    // over the joint pmf (not the CDF form the code uses), over the mean 1.
    double expected = 0, p_i = std::exp(-1.0);
    for (int i = 0; i < 40; ++i, p_i *= 1.0 / i) {
        double p_j = std::exp(-1.0);
        for (int j = 0; j < 40; ++j, p_j *= 1.0 / j)
            expected += std::max(i, j) * p_i * p_j;
    }
    CHECK(expected ==
          Approx(1.5238).epsilon(1e-4)); // Σ_k (1 − F(k)²), by hand: 0.8647 + 0.4586 + …
    CHECK(adp_stall(2, 1.0) == Approx(expected).epsilon(1e-9));
    // Sparse prompts: a step holds at most one, on one rank, and every other rank waits for it:
    // E[max] = 1 − e^(−d·μ) + O(μ²), so the stall tends to d.
    CHECK(adp_stall(8, 1e-6) == Approx(8.0).epsilon(1e-4));
    CHECK(adp_stall(8, 0.0) == 8.0);
    // Dense prompts: the busiest rank is within √(2·ln d·μ) of the mean (the Gaussian bound), and
    // the stall falls toward 1.
    CHECK(adp_stall(8, 100.0) > 1.0);
    CHECK(adp_stall(8, 100.0) < 1.0 + std::sqrt(2.0 * std::log(8.0) / 100.0));
    CHECK(adp_stall(8, 100.0) < adp_stall(8, 10.0));
    // Against a simulation: 8 ranks, 1/16 of a prompt each a step (DeepSeek-R1 on 8 H200 at
    // concurrency 1,024 and OSL 2,048), 200,000 steps.
    std::mt19937_64 rng(7);
    std::poisson_distribution<int> arrivals(1.0 / 16);
    double sum_max = 0;
    const int steps = 200000;
    for (int s = 0; s < steps; ++s) {
        int most = 0;
        for (int r = 0; r < 8; ++r)
            most = std::max(most, arrivals(rng));
        sum_max += most;
    }
    CHECK(adp_stall(8, 1.0 / 16) == Approx(sum_max / steps * 16).epsilon(0.02));
    // At most one unit a step (chunks): any of d ranks busy over one busy, (1 − e^(−dμ))/(1 − e^(−μ)).
    CHECK(adp_stall(4, 0.24, 1) == Approx((1 - std::exp(-0.96)) / (1 - std::exp(-0.24))));
    // Capped at 2: E[max of min(2, X_m)] / E[min(2, X)], X ~ Poisson(0.5), by the pmf: P(X = 0) =
    // e^−0.5, P(X = 1) = 0.5·e^−0.5, so P(min ≥ 1) = 1 − e^−0.5, P(min ≥ 2) = 1 − 1.5·e^−0.5.
    {
        const double p0 = std::exp(-0.5), f1 = p0 + 0.5 * p0;
        const double busiest = (1 - std::pow(p0, 3)) + (1 - std::pow(f1, 3));
        CHECK(adp_stall(3, 0.5, 2) == Approx(busiest / ((1 - p0) + (1 - f1))));
    }
    // Every rank at its cap: balanced.
    CHECK(adp_stall(8, 500.0, 3) == 1.0);
    CHECK(adp_stall(8, 50.0, 3) == Approx(1.0).epsilon(1e-9));
    static_assert(adp_stall(2, 1.0) > 1.52 && adp_stall(2, 1.0) < 1.53);
}
