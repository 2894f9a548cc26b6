// Serving dynamics against a seeded discrete-event simulation: continuous batching of a decode
// instance (the TPOT's mean and percentile from Little's law and the fluctuation of the
// concurrency) and an aggregated instance with chunked prefill (TTFT and TPOT percentiles),
// each within 10% of the closed forms of <moecost/serve/pools.hpp>. docs/serving.md §7 keeps
// the measured table.
//
// The draws are written out from std::mt19937_64 (whose output the standard fixes), as in
// queueing_test.cpp, so the same seed gives the same numbers with every standard library.

#include <moecost/serve/aggregated.hpp>
#include <moecost/serve/pools.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

using namespace moecost;

namespace {

struct draws {
    std::mt19937_64 bits;
    explicit draws(std::uint64_t seed) : bits(seed) {}
    double uniform() { return (static_cast<double>(bits() >> 11U) + 0.5) * 0x1.0p-53; }
    double exponential(double mean) { return -mean * std::log(uniform()); }
};

double quantile(std::vector<double> v, double p) {
    const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size()));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

double mean_of(const std::vector<double>& v) {
    double s = 0;
    for (double x : v)
        s += x;
    return s / static_cast<double>(v.size());
}

/// A step time a + b·n (the decode step's shape: weights read once, KV per sequence).
struct linear_step {
    double a = 0, b = 0;
    [[nodiscard]] double at(double n) const { return a + b * n; }
};

decode_table table_of(linear_step f, double limit) {
    decode_table t;
    for (double n = 1; n < limit && t.n < decode_table::capacity - 1; n *= 1.5) {
        t.concurrency[std::size_t(t.n)] = n;
        t.step[std::size_t(t.n)] = f.at(n);
        ++t.n;
    }
    t.concurrency[std::size_t(t.n)] = limit;
    t.step[std::size_t(t.n)] = f.at(limit);
    ++t.n;
    t.max_concurrency = limit;
    return t;
}

struct sim_out {
    double tpot_mean = 0, tpot_p90 = 0, ttft_p90 = 0;
};

/**
 * A decode instance with continuous batching: Poisson arrivals at `rate` (their prefill
 * done), admitted at the next step's start; every step gives each running sequence a token
 * and takes step(n) for the n running; a request leaves after `steps` tokens (with
 * `spread`, a number of steps 1 + ⌊X⌋, X exponential of mean steps − 0.5: mean `steps`, c_v
 * about 1). TPOT of a request: from its admission to its last token, over its steps.
 */
sim_out simulate_decode(linear_step f, double rate, int steps, int requests, std::uint64_t seed,
                        bool spread = false) {
    draws d(seed);
    std::vector<double> tpot;
    tpot.reserve(std::size_t(requests));
    struct running {
        double admitted;
        int left;
        int total;
    };
    std::vector<running> run;
    double t = 0, next = d.exponential(1.0 / rate);
    const int warm = requests / 10;
    int arrived = 0;
    while (static_cast<int>(tpot.size()) < requests) {
        if (run.empty() && next > t)
            t = next;
        while (next <= t) {
            const int k = spread ? 1 + static_cast<int>(d.exponential(steps - 0.5)) : steps;
            run.push_back({t, k, k});
            ++arrived;
            next += d.exponential(1.0 / rate);
        }
        t += f.at(static_cast<double>(run.size()));
        for (std::size_t i = 0; i < run.size();) {
            if (--run[i].left == 0) {
                if (arrived > warm)
                    tpot.push_back((t - run[i].admitted) / run[i].total);
                run[i] = run.back();
                run.pop_back();
            } else
                ++i;
        }
    }
    return {mean_of(tpot), quantile(tpot, 0.9), 0};
}

/**
 * An aggregated instance with chunked prefill: each step carries every decoding sequence's token
 * and up to `budget − n` prompt tokens of the prompts queued first come, first served; a step
 * takes step(n) + τ·(chunk tokens). A prompt's first token comes at the end of the step that
 * finishes its prompt (TTFT from its arrival); it then decodes `steps` tokens.
 */
sim_out simulate_mixed(linear_step f, double tau, double budget, int prompt, double rate, int steps,
                       int requests, std::uint64_t seed) {
    draws d(seed);
    std::vector<double> tpot, ttft;
    struct waiting {
        double arrived;
        double left;
    };
    struct running {
        double first;
        int left;
    };
    std::deque<waiting> queue;
    std::vector<running> run;
    double t = 0, next = d.exponential(1.0 / rate);
    const int warm = requests / 10;
    int done = 0;
    while (static_cast<int>(tpot.size()) < requests) {
        if (run.empty() && queue.empty() && next > t)
            t = next;
        while (next <= t) {
            queue.push_back({next, double(prompt)});
            next += d.exponential(1.0 / rate);
        }
        const double n = static_cast<double>(run.size());
        double room = budget - n, chunk = 0;
        std::vector<double> finished_first;
        while (room > 0 && !queue.empty()) {
            const double take = std::min(room, queue.front().left);
            queue.front().left -= take;
            room -= take;
            chunk += take;
            if (queue.front().left <= 0) {
                finished_first.push_back(queue.front().arrived);
                queue.pop_front();
            }
        }
        t += f.at(n) + tau * chunk;
        for (std::size_t i = 0; i < run.size();) {
            if (--run[i].left == 0) {
                if (done++ > warm)
                    tpot.push_back((t - run[i].first) / steps);
                run[i] = run.back();
                run.pop_back();
            } else
                ++i;
        }
        for (double a : finished_first) {
            if (done > warm)
                ttft.push_back(t - a);
            run.push_back({t, steps});
        }
    }
    return {mean_of(tpot), quantile(tpot, 0.9), quantile(ttft, 0.9)};
}

} // namespace

TEST_CASE("continuous batching: TPOT mean and p90 against the simulator", "[serve][sim]") {
    // step(n) = 5 ms + 0.2 ms·n, 100 decode steps a request; rates that hold about 10, 40 and
    // 100 sequences on average (n = λ·100·step(n)).
    const linear_step f{0.005, 0.0002};
    const serve_lengths s =
        lengths_of(traffic{.input_mean = make<tokens>(1000), .output_mean = make<tokens>(101)});
    const decode_table t = table_of(f, 4096);
    const double z = standard_normal_quantile(0.9);
    // Each with every request 100 steps long, and with lengths spread (c_v about 1).
    for (const bool spread : {false, true})
        for (const double n_target : {10.0, 40.0, 100.0}) {
            const double rate = n_target / (100 * f.at(n_target));
            const sim_out sim = simulate_decode(f, rate, 100, 100000, 17, spread);
            const double n = concurrency_for(t, s, rate);
            const decode_point p = decode_point_at(t, s, n, z);
            INFO((spread ? "spread " : "fixed ")
                 << "n " << n << " rate " << rate << ": TPOT mean sim " << sim.tpot_mean
                 << " model " << p.tpot << ", p90 sim " << sim.tpot_p90 << " model " << p.tpot_p);
            CHECK(p.tpot == Approx(sim.tpot_mean).epsilon(0.10));
            CHECK(p.tpot_p == Approx(sim.tpot_p90).epsilon(0.10));
        }
}

TEST_CASE("chunked prefill: TTFT and TPOT p90 against the simulator", "[serve][sim]") {
    // step(n) = 5 ms + 0.2 ms·n, τ = 5 µs a prompt token, prompts of 1000 tokens, a budget of
    // 512 tokens a step (two chunks a prompt), 100 decode steps a request; the prefill queue at
    // utilisation ρ of about 0.3, 0.5, 0.7 and 0.85.
    const linear_step f{0.005, 0.0002};
    const double tau = 5e-6, budget = 512;
    const serve_lengths s =
        lengths_of(traffic{.input_mean = make<tokens>(1000), .output_mean = make<tokens>(101)});
    const decode_table t = table_of(f, 4096);
    const sojourn_table q = make_sojourn_table(0.0, 0.9);
    const double z = standard_normal_quantile(0.9);
    for (const double rho : {0.3, 0.5, 0.7, 0.85}) {
        // the concurrency whose steady state has that utilisation, by bisection
        double lo = 1, hi = budget - 1;
        for (int i = 0; i < 60; ++i) {
            const double mid = 0.5 * (lo + hi);
            (mixed_point_at(t, s, q, tau, budget, mid, z).utilisation < rho ? lo : hi) = mid;
        }
        const mixed_point m = mixed_point_at(t, s, q, tau, budget, lo, z);
        const sim_out sim = simulate_mixed(f, tau, budget, 1000, m.rate, 100, 100000, 29);
        INFO("rho " << m.utilisation << " n " << m.concurrency << " rate " << m.rate
                    << ": TTFT p90 sim " << sim.ttft_p90 << " model " << m.ttft_p
                    << "; TPOT mean sim " << sim.tpot_mean << " model " << m.tpot << ", p90 sim "
                    << sim.tpot_p90 << " model " << m.tpot_p);
        CHECK(m.tpot == Approx(sim.tpot_mean).epsilon(0.10));
        CHECK(m.tpot_p == Approx(sim.tpot_p90).epsilon(0.10));
        if (rho <= 0.7) {
            CHECK(m.ttft_p == Approx(sim.ttft_p90).epsilon(0.10));
        } else {
            // Known disagreement (docs/serving.md §7): near saturation the correction for the
            // queue's wandering pace overshoots; the closed form overstates the TTFT p90 by 15%
            // at ρ = 0.85, the safe side for an SLO.
            CHECK(m.ttft_p > sim.ttft_p90);
            CHECK(m.ttft_p < 1.25 * sim.ttft_p90);
        }
    }
}
