// Serving plans at compile time: the planner's closed forms in constant expressions, and the
// type face serving_deployment<M, C, P, D, T>::meets<S>. Every STATIC_REQUIRE is a compile-time fact (and,
// built with CATCH_CONFIG_RUNTIME_STATIC_REQUIRE, a run-time check of the same expression).
// Numbers are hand-derived in the comments.

#include "../unit/fixtures.hpp"

#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>
#include <moecost/serve/aggregated.hpp>
#include <moecost/serve/plan_type.hpp>
#include <moecost/serve/pools.hpp>

#include <catch2/catch.hpp>

using namespace moecost;
using namespace moecost::literals;

namespace {

constexpr bool close(double a, double b, double rel = 1e-9) {
    const double d = a > b ? a - b : b - a;
    return d <= rel * (a > b ? a : b);
}

constexpr serve_lengths lengths(int isl, int osl) {
    return lengths_of(traffic{.input_mean = make<tokens>(isl), .output_mean = make<tokens>(osl)});
}

/// A made-up sojourn table: q(ρ) = 1 + ρ (so its values are easy to follow by hand).
constexpr sojourn_table linear_q = [] {
    sojourn_table q;
    for (int i = 0; i < sojourn_table::points; ++i)
        q.q[std::size_t(i)] = 1.0 + i * sojourn_table::step;
    return q;
}();

/// A flat decode step of 20 ms at every concurrency up to 4,096.
constexpr decode_table flat_20ms = [] {
    decode_table t;
    t.n = 2;
    t.concurrency[0] = 1;
    t.step[0] = 0.02;
    t.concurrency[1] = 4096;
    t.step[1] = 0.02;
    t.max_concurrency = 4096;
    return t;
}();

} // namespace

TEST_CASE("the serving closed forms are constant expressions", "[serve][static]") {
    // ISL 4096, OSL 1024: mean context 4608, 1023 decode steps.
    STATIC_REQUIRE(lengths(4096, 1024).mean_context == 4608);
    STATIC_REQUIRE(lengths(4096, 1024).decode_steps == 1023);
    // tiny_moe: 256 bytes of KV a token; 100 tokens over one 10 GB/s lane + 100 ns.
    STATIC_REQUIRE(close(kv_transfer_of(test::tiny_moe, lengths(100, 10), test::toy_cluster,
                                        layout{.tp = 2}, test::toy_cluster, layout{})
                             .seconds,
                         100e-9 + 25600 / 10e9));
    // A flat step: a request sees n + 1; Little's law at n = 99, OSL 101: 99 / (100 · 0.02)
    // = 49.5 requests/s.
    STATIC_REQUIRE(close(decode_point_at(flat_20ms, lengths(10, 101), 99, 0).rate, 49.5));
    // The aggregated instance of serve_pools_test by hand, with q(ρ) = 1 + ρ: ρ = 0.387097,
    // work 0.02 s, one mixed step of 0.04 s and half a 0.0248 s step:
    // TTFT = 1.387097·0.02 − 0.02 + 0.04 + 0.0124 = 0.0401419 (the wandering pace stretches the
    // wait by 1.6e-5 of itself here: serve_pools_test).
    constexpr mixed_point x =
        mixed_point_at(flat_20ms, lengths(1000, 101), linear_q, 1e-5, 2048, 48, 0.0);
    STATIC_REQUIRE(close(x.rate, 48.0 / 2.48));
    STATIC_REQUIRE(close(x.ttft_p, (1.0 + 0.02 * 48.0 / 2.48) * 0.02 - 0.02 + 0.04 + 0.0124, 1e-5));
    STATIC_REQUIRE(connectable(connect_rules::vllm, layout{.tp = 2}, layout{.tp = 4}));
    STATIC_REQUIRE(!connectable(connect_rules::sglang, layout{.tp = 2}, layout{.tp = 4}));
}

namespace {
// The seed's model on its GPUs: prompts of 10,240 tokens, answers of 1,024, 5 prefill instances
// of one GPU and three decode instances of DP 32 with EP 8 (101 GPUs,
// examples/serve_seed_plan.cpp).
using seed_model = as_type<presets::seed_moe>;
using seed_gpus = as_type<presets::seed_gpu>;
using prefill_pool = as_type<pool_spec{layout{}, 5}>;
using decode_pool = as_type<pool_spec{layout{.dp = 32, .etp = 1, .ep = 8}, 3}>;
template <int Rate>
using seed_plan = serving_deployment<seed_model, seed_gpus, prefill_pool, decode_pool,
                                     as_type<traffic{.input_mean = make<tokens>(10240),
                                                     .output_mean = make<tokens>(1024),
                                                     .arrival_rate = requests_per_second(Rate)}>>;
using loose = as_type<slo{.ttft = 10_s, .tpot = 50_ms}>;
using tight_ttft = as_type<slo{.ttft = 1_ms}>;
} // namespace

TEST_CASE("a serving plan as a type", "[serve][static]") {
    STATIC_REQUIRE(seed_plan<300>::gpus == 5 * 1 + 3 * 32);
    STATIC_REQUIRE(seed_plan<300>::meets<loose>);
    // 300 requests/s of 1,024 tokens on 101 GPUs: 3,041.6 tokens/s per GPU.
    STATIC_REQUIRE(close(seed_plan<300>::verdict<loose>.plan.tokens_per_gpu, 300.0 * 1024 / 101));
    // A prefill pass of prompts of 10,240 tokens takes more than a millisecond: no TTFT of 1 ms.
    STATIC_REQUIRE(!seed_plan<300>::meets<tight_ttft>);
    STATIC_REQUIRE(!seed_plan<300>::verdict<tight_ttft>.meets_ttft);
    // The decode pools' step grows with their concurrency: Little's law has no fixed point
    // within memory at 400 requests/s (docs/serving.md §2).
    STATIC_REQUIRE(!seed_plan<400>::meets<loose>);
    // Far beyond the prefill pool: its queue has no steady state.
    STATIC_REQUIRE(!seed_plan<1000000>::verdict<loose>.stable);
    // A utilisation limit above 1 admits a queue that grows without end: no plan meets under it
    // (the check comes before any costing), and the options' rules say why at compile time.
    constexpr traffic at_300{.input_mean = make<tokens>(10240),
                             .output_mean = make<tokens>(1024),
                             .arrival_rate = requests_per_second(300)};
    STATIC_REQUIRE(!evaluate_serving(presets::seed_moe, presets::seed_gpu, prefill_pool::spec,
                                     presets::seed_gpu, decode_pool::spec, at_300, loose::spec, {},
                                     1.5)
                        .meets());
    STATIC_REQUIRE(!evaluate_serving(presets::seed_moe, presets::seed_gpu, prefill_pool::spec,
                                     presets::seed_gpu, decode_pool::spec, at_300, loose::spec, {},
                                     0.0)
                        .meets());
    STATIC_REQUIRE(validate(serve_options{}).ok());
    STATIC_REQUIRE(validate(serve_options{.max_utilisation = 1.5}).has(rule::at_most));
}
