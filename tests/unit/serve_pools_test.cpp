// Serving pools: the closed forms of <moecost/serve/pools.hpp> against values worked out by
// hand in the comment beside each check, and a serving step's activations following its token
// budget (verdict/memory_fit.hpp).

#include "fixtures.hpp"

#include <moecost/evaluate/inference.hpp>
#include <moecost/serve/aggregated.hpp>
#include <moecost/serve/pools.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using namespace moecost;
using moecost::test::near;

namespace {

/// A decode table by hand: step(n) = a + b·n at the given points, memory's limit `limit`.
decode_table linear_table(double a, double b, double limit) {
    decode_table t;
    for (double n = 1; n <= limit && t.n < decode_table::capacity; n *= 2) {
        t.concurrency[std::size_t(t.n)] = n;
        t.step[std::size_t(t.n)] = a + b * n;
        ++t.n;
    }
    t.concurrency[std::size_t(t.n)] = limit;
    t.step[std::size_t(t.n)] = a + b * limit;
    ++t.n;
    t.max_concurrency = limit;
    return t;
}

serve_lengths lengths(int isl, int osl) {
    return lengths_of(traffic{.input_mean = make<tokens>(isl), .output_mean = make<tokens>(osl)});
}

} // namespace

TEST_CASE("the standard normal quantile matches the published table", "[serve][pools]") {
    // Abramowitz & Stegun, Table 26.5: z_0.9 = 1.281551566, z_0.975 = 1.959963985,
    // z_0.99 = 2.326347874; z_0.5 = 0 by symmetry.
    CHECK(standard_normal_quantile(0.9) == Approx(1.281551566).epsilon(1e-8));
    CHECK(standard_normal_quantile(0.975) == Approx(1.959963985).epsilon(1e-8));
    CHECK(standard_normal_quantile(0.99) == Approx(2.326347874).epsilon(1e-8));
    CHECK(standard_normal_quantile(0.01) == Approx(-2.326347874).epsilon(1e-8));
    CHECK(standard_normal_quantile(0.5) == Approx(0).margin(1e-12));
    static_assert(standard_normal_quantile(0.9) > 1.28 && standard_normal_quantile(0.9) < 1.29);
}

TEST_CASE("the lengths of a traffic", "[serve][pools]") {
    // ISL 4096, OSL 1024, a quarter of the prompt cached: prefill computes 3072 tokens; the mean
    // context is 4096 + 512, the final 5120; 1023 decode steps (the first token is prefill's).
    const serve_lengths s = lengths_of(traffic{.input_mean = make<tokens>(4096),
                                               .output_mean = make<tokens>(1024),
                                               .prefix_cache_hit = 0.25});
    CHECK(s.prompt == 4096);
    CHECK(s.output == 1024);
    CHECK(s.computed == near(3072));
    CHECK(s.mean_context == 4608);
    CHECK(s.final_context == 5120);
    CHECK(s.decode_steps == near(1023));
    CHECK(lengths(10, 1).decode_steps == near(1)); // one output token: still one step
}

TEST_CASE("a decode table interpolates its step times", "[serve][pools]") {
    decode_table t;
    t.n = 2;
    t.concurrency[0] = 10;
    t.step[0] = 1.0;
    t.concurrency[1] = 20;
    t.step[1] = 2.0;
    CHECK(t.at(15) == near(1.5)); // halfway
    CHECK(t.at(5) == near(1.0));  // below the first point: the first point's step
    CHECK(t.at(30) == near(3.0)); // the last segment's slope, 0.1 a sequence
}

TEST_CASE("the concurrency a request sees at a percentile", "[serve][pools]") {
    // A flat step (no feedback, κ = 1): the others are Poisson; over a life a request keeps
    // g(1) = 2·e⁻¹ = 0.735759 of their variance n. n = 6, z = 1.5: on average 6 + 1 = 7, at
    // the percentile 7 + 1.5·√(0.735759·6) = 7 + 1.5·2.101084 = 10.151626.
    const decode_table flat = linear_table(0.01, 0.0, 1000);
    const seen_concurrency a = concurrency_seen(flat, 6, 1.5);
    CHECK(a.mean == near(7));
    CHECK(a.peak == Approx(10.151626).epsilon(1e-6));
    // step(n) = 5 ms + 0.2 ms·n at n = 40 (the table's points 32 and 64 bracket it): elasticity
    // e = 40·0.0002/0.013 = 0.615385, κ = 0.384615, e^{−κ} = 0.680712, g(κ) = 2(κ − 1 +
    // e^{−κ})/κ² = 2·0.065327/0.147929 = 0.883213,
    // variance g·n/κ = 91.8542, so z = 1 sees 41 + 9.584164.
    const decode_table sloped = linear_table(0.005, 0.0002, 1000);
    const seen_concurrency b = concurrency_seen(sloped, 40, 1.0);
    CHECK(b.mean == near(41));
    CHECK(b.peak == Approx(41 + 9.584164).epsilon(1e-6));
}

TEST_CASE("the best decode point under a TPOT limit", "[serve][pools]") {
    // step(n) = 10 ms + 1 ms·n; OSL 101 (100 decode steps); z = 0, so a request sees n + 1
    // both on average and at the percentile, and step(n + 1) <= 50 ms gives n + 1 = 40, n = 39:
    // TPOT 50 ms, and Little's law a rate of 39 / (100 · 0.05) = 7.8 requests/s.
    const decode_table t = linear_table(0.010, 0.001, 1000);
    const decode_point d = best_decode_point(t, lengths(100, 101), 0.050, 0.0);
    CHECK(d.concurrency == Approx(39).epsilon(2e-3));
    CHECK(d.tpot == Approx(0.050).epsilon(2e-3));
    CHECK(d.rate == Approx(7.8).epsilon(2e-3));
    // No TPOT limit: memory binds, n + 1 <= 1000, n = 999.
    const decode_point m = best_decode_point(t, lengths(100, 101), 0, 0.0);
    CHECK(m.concurrency == Approx(999).epsilon(2e-3));
    // Little's law back: the concurrency that carries 7.8 requests/s is 39.
    CHECK(concurrency_for(t, lengths(100, 101), 7.8) == Approx(39).epsilon(1e-6));
}

TEST_CASE("the sojourn table is the M/M/1 sojourn quantile", "[serve][pools]") {
    // M/M/1 (c_v = 1): the sojourn is exponential with mean E[S]/(1 − ρ), so its p90 in units of
    // E[S] is ln 10 / (1 − ρ): 4.60517 at ρ = 0.5 and 7.67528 at ρ = 0.7.
    const sojourn_table q = make_sojourn_table(1.0, 0.9);
    const double ln10 = 2.302585092994046;
    CHECK(q.at(0.5) == Approx(ln10 / 0.5).epsilon(1e-6));
    CHECK(q.at(0.7) == Approx(ln10 / 0.3).epsilon(1e-6));
    CHECK(q.at(0.7005) == Approx(ln10 / 0.2995).epsilon(1e-5)); // between grid points
    CHECK(q.largest_rho(ln10 / 0.3, 0.9) == Approx(0.7).epsilon(1e-5));
    CHECK(q.largest_rho(ln10 / 0.3, 0.6) == near(0.6)); // the utilisation limit binds
    CHECK(q.largest_rho(1.0, 0.9) == -1);               // below even an idle server's p90
}

TEST_CASE("a prefill instance's TTFT and capacity", "[serve][pools]") {
    const sojourn_table q = make_sojourn_table(1.0, 0.9);
    const double ln10 = 2.302585092994046;
    // Passes of 2 prompts taking 2 s: E[S] = 1 s; at 0.5 requests/s, ρ = 0.5, and the TTFT is
    // the M/M/1 p90 sojourn 2·ln 10 plus the rest of the request's pass (1 s) plus a 0.5 s
    // transfer.
    const prefill_profile p{.batch = 2, .pass = 2.0, .per_request = 1.0};
    const ttft_estimate t = prefill_ttft(p, q, 0.5, 0.5);
    CHECK(t.utilisation == near(0.5));
    CHECK(t.ttft == Approx(2 * ln10 + 1.5).epsilon(1e-6));
    // Inversely: that TTFT as the limit allows exactly 0.5 requests/s ...
    CHECK(prefill_capacity(p, q, 2 * ln10 + 1.5, 0.5, 0.9) == Approx(0.5).epsilon(1e-5));
    // ... a utilisation limit of 0.4 caps it at 0.4, and with no TTFT limit the utilisation
    // limit alone sets it: 0.9 / 1 s.
    CHECK(prefill_capacity(p, q, 2 * ln10 + 1.5, 0.5, 0.4) == near(0.4));
    CHECK(prefill_capacity(p, q, 0, 0.5, 0.9) == near(0.9));
    // A limit below an idle instance's p90 (ln 10 + 1 + 0.5 s) cannot be met.
    CHECK(prefill_capacity(p, q, ln10 + 1.4, 0.5, 0.9) == 0);
}

TEST_CASE("the KV transfer between a prefill and a decode instance", "[serve][pools]") {
    // tiny_moe keeps 2 layers × 2·(2 KV heads × 16) elements × 2 bytes = 256 bytes a token: a
    // prompt of 100 tokens sends 25,600 bytes. Prefill on TP 2 holds 2 shards (2 KV heads),
    // decode on TP 1 one: one lane of 10 GB/s between nodes, plus 100 ns: 2.66 µs.
    const auto s = lengths(100, 10);
    const kv_transfer x = kv_transfer_of(test::tiny_moe, s, test::toy_cluster, layout{.tp = 2},
                                         test::toy_cluster, layout{.tp = 1});
    CHECK(x.bytes == near(25600));
    CHECK(x.seconds == near(100e-9 + 25600 / 10e9));
    // Both on TP 2 and PP 2: 2·2 = 4 lanes each.
    const kv_transfer y =
        kv_transfer_of(test::tiny_moe, s, test::toy_cluster, layout{.tp = 2, .pp = 2},
                       test::toy_cluster, layout{.tp = 2, .pp = 2});
    CHECK(y.seconds == near(100e-9 + 25600 / 40e9));
}

TEST_CASE("an aggregated instance with chunked prefill, by hand", "[serve][pools]") {
    // A flat decode step of 20 ms, ISL 1000 computed, OSL 101 (100 steps), τ = 10 µs a prefill
    // token, a budget of 2048 tokens a step, n = 48 decoding:
    //   chunk C = 2048 − 48 = 2000; λ = 48 / (100·0.02 + 48·1000·1e-5) = 48 / 2.48 = 19.3548/s
    //   u = λ·1000·1e-5 = 0.193548; TPOT = 0.02 / (1 − u) = 0.0248 s (Little: 19.3548·100·0.0248
    //   = 48); one chunk a prompt; T_mix = 0.02 + 2000·1e-5 = 0.04 s; the queue's work a prompt
    //   (1000/2000)·0.04 = 0.02 s, so ρ = λ·0.02 = 0.387097; mixed share f = λ·1000·0.0248/2000
    //   = 0.24.
    decode_table t = linear_table(0.02, 0.0, 4096);
    const sojourn_table q = make_sojourn_table(0.0, 0.9);
    const mixed_point x = mixed_point_at(t, lengths(1000, 101), q, 1e-5, 2048, 48, 0.0);
    CHECK(x.chunk == near(2000));
    CHECK(x.rate == near(48.0 / 2.48));
    CHECK(x.tpot == near(0.0248));
    CHECK(x.chunks == near(1));
    CHECK(x.mixed_step == near(0.04));
    CHECK(x.utilisation == near(0.02 * 48.0 / 2.48));
    CHECK(x.mixed_share == near(0.24));
    // TTFT: the M/D/1 p90 sojourn of the work (0.02 s) at that ρ, the work replaced by the one
    // mixed step the prompt's chunk takes (0.04 s), and half a mean step (0.0124 s).
    const double sojourn =
        mg1_sojourn_percentile(requests_per_second(48.0 / 2.48), make<seconds>(0.02), 0, 0.9)
            .time.value();
    CHECK(x.ttft_p == Approx(sojourn - 0.02 + 0.04 + 0.0124).epsilon(1e-4));
    // With z = 0 the TPOT percentile is the flat step plus the mixed share of a chunk:
    // 0.02 + 0.24·0.02 = 0.0248.
    CHECK(x.tpot_p == near(0.0248));
    // A budget no larger than the decode tokens leaves no chunk: no steady state.
    CHECK(mixed_point_at(t, lengths(1000, 101), q, 1e-5, 48, 48, 0.0).rate == 0);
    // The same on 4 DP ranks that one expert group joins: a rank's share of the chunk is 500
    // tokens, so a prompt of 1000 is K = 2 chunks, one a step, and 48/(100·4) = 0.12 prompts
    // arrive a rank a step, 0.24 chunks. A step waits for the busiest rank: the chance that any
    // of the 4 holds a chunk over the chance that one does, (1 − e^(−4·0.24))/(1 − e^(−0.24))
    // = 2.892, and every prefill token costs τ·g: λ = 48 / (100·0.02 + 48·1000·1e-5·g).
    const double g = (1 - std::exp(-0.96)) / (1 - std::exp(-0.24));
    const mixed_point joined =
        mixed_point_at(t, lengths(1000, 101), q, 1e-5, 2048, 48, 0.0, {.ranks = 4, .joined = 4});
    CHECK(g == Approx(2.892).epsilon(1e-3));
    CHECK(joined.chunks == near(2));
    CHECK(joined.rate == near(48.0 / (2.0 + 0.48 * g)));
    CHECK(joined.mixed_step == near(0.02 + 2000 * 1e-5 * g));
    // A budget whose rank share holds two whole prompts (8048 tokens: 2000 a rank): prompts, at
    // most 2 a step, 0.12 a rank a step.
    const mixed_point wide =
        mixed_point_at(t, lengths(1000, 101), q, 1e-5, 8048, 48, 0.0, {.ranks = 4, .joined = 4});
    CHECK(wide.rate == near(48.0 / (2.0 + 0.48 * adp_stall(4, 0.12, 2))));
    // Only the rank's own share waits: with half of a token's time in routed experts (spread
    // over the group by EP), τ·(0.5·g + 0.5).
    const mixed_point half = mixed_point_at(t, lengths(1000, 101), q, 1e-5, 2048, 48, 0.0,
                                            {.ranks = 4, .joined = 4, .local_share = 0.5});
    CHECK(half.rate == near(48.0 / (2.0 + 0.48 * (0.5 * g + 0.5))));
    // Ranks side by side but not joined (no expert parallelism) step on their own: as one rank.
    CHECK(mixed_point_at(t, lengths(1000, 101), q, 1e-5, 2048, 48, 0.0, {.ranks = 4, .joined = 1})
              .rate == near(48.0 / 2.48));
}

TEST_CASE("the share of a step on the rank that holds its tokens", "[serve][pools][adp]") {
    // A step of 10 s whose routed experts take 4 s (compute-bound; their tokens spread over the
    // expert group): 6 s stay with the rank, 0.6. No routed experts: all of it.
    stage_step s;
    s.time = make<seconds>(10.0);
    s.ops[static_cast<std::size_t>(op_group::routed_experts)].compute_time = make<seconds>(4.0);
    s.ops[static_cast<std::size_t>(op_group::routed_experts)].memory_time = make<seconds>(1.0);
    CHECK(dp_local_share(s) == near(0.6));
    stage_step dense;
    dense.time = make<seconds>(10.0);
    CHECK(dp_local_share(dense) == 1.0);
    CHECK(dp_local_share(stage_step{}) == 1.0);
}

TEST_CASE("the DP ranks one expert group joins", "[serve][pools][adp]") {
    CHECK(joined_dp_ranks(layout{.dp = 8, .ep = 8}) == 8);
    CHECK(joined_dp_ranks(layout{.dp = 32, .etp = 1, .ep = 8}) == 8); // four groups of 8
    CHECK(joined_dp_ranks(layout{.tp = 2, .dp = 64, .pp = 8, .etp = 1, .ep = 64}) == 32);
    CHECK(joined_dp_ranks(layout{.dp = 128}) == 1);                  // no EP: ranks on their own
    CHECK(joined_dp_ranks(layout{.tp = 8, .etp = 2, .ep = 4}) == 1); // one DP rank
    CHECK(joined_dp_ranks(layout{.tp = 2, .dp = 4, .etp = 4, .ep = 2}) == 4);
}

TEST_CASE("a serving step's activations follow its token budget", "[serve][memory]") {
    // tiny_moe, one GPU of the toy cluster, 4 prompts of 64 tokens. A token's working set:
    // residual 2·64 plus the widest intermediate, MoE's 2·(64 + 2·32) + 4 = 260 (attention's
    // (4 + 2·2)·16 + 4·16 = 192 is narrower): 388 elements × 2 bytes = 776 bytes; a logit row
    // 100 × 4 = 400 bytes.
    //   whole prompts: 4·64 tokens · 776 + 4 rows · 400 = 198,656 + 1,600 = 200,256 bytes
    //   a budget of 16 tokens: 16 · 776 + 4 rows · 400 = 12,416 + 1,600 = 14,016 bytes
    const workload whole{.batch = 4, .prompt = 64};
    workload budget = whole;
    budget.step_tokens = 16;
    const report a = evaluate(test::tiny_moe, test::toy_cluster, layout{}, whole);
    const report b = evaluate(test::tiny_moe, test::toy_cluster, layout{}, budget);
    REQUIRE(a.evaluated);
    REQUIRE(b.evaluated);
    CHECK(a.memory.activations.value() == near(200256));
    CHECK(b.memory.activations.value() == near(14016));
    CHECK(b.memory.weights == a.memory.weights);
    CHECK(b.memory.kv_cache == a.memory.kv_cache);
    // The largest batch: the KV of a sequence of 64 tokens is 64·256 = 16,384 bytes, beside the
    // budget's fixed 16·776 + 16 rows · 400 = 18,816 bytes; every byte the weights leave of the
    // usable 900,000 holds (900,000 − weights − 18,816) / 16,384 sequences.
    const double weights = b.memory.weights.value();
    CHECK(b.max_batch == static_cast<int>((900000.0 - weights - 18816.0) / 16384.0));
    // A negative budget is refused.
    workload bad = whole;
    bad.step_tokens = -1;
    CHECK_FALSE(validate(bad).ok());
}
