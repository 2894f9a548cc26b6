// The serving planner: a disaggregated pair's instance counts worked out by hand, the connect
// rules, and the pruned search against an unpruned one over the same pools (the bound may
// skip only what cannot win), on the tiny fixtures.

#include "fixtures.hpp"

#include <moecost/search/layouts.hpp>
#include <moecost/serve/planner.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace moecost;
using moecost::test::near;

namespace {

serve_lengths lengths(int isl, int osl) {
    return lengths_of(traffic{.input_mean = make<tokens>(isl), .output_mean = make<tokens>(osl)});
}

/// The toy plan of the pruning tests: 8 GPUs, limits that bind on the toy GPU (aggregated
/// plans meet TPOT with no margin to spare), every pair connectable.
serve_options toy_plan() {
    serve_options o;
    o.max_gpus = 8;
    o.load = {.input_mean = make<tokens>(64), .output_mean = make<tokens>(16)};
    o.target = {.ttft = make<seconds>(1.5e-5), .tpot = make<seconds>(1e-6), .percentile = 0.9};
    o.rules = connect_rules::any;
    return o;
}

const serve_hardware toy_hw{test::toy_cluster, test::toy_cluster, test::toy_cluster};

} // namespace

TEST_CASE("a disaggregated pair's instance counts, by hand", "[serve][planner]") {
    const sojourn_table q = make_sojourn_table(0.0, 0.9);
    serve_options o;
    o.max_gpus = 12;
    serve_context cx{.m = &test::tiny_moe,
                     .hw = {test::toy_cluster, test::toy_cluster, test::toy_cluster},
                     .o = o,
                     .s = lengths(100, 10),
                     .z = 0,
                     .q = &q};
    // Prefill: 2 GPUs, one prompt a 1 s pass; no TTFT limit, so ρ <= 0.9 caps it at 0.9/s.
    // Decode: 4 GPUs taking 2 requests/s (set by hand).
    prefill_entry pe{.l = layout{.dp = 2}, .gpus = 2};
    pe.profile = {.batch = 1, .pass = 1.0, .per_request = 1.0};
    decode_entry de{.l = layout{.dp = 4}, .gpus = 4};
    de.table.n = 1;
    de.table.concurrency[0] = 4;
    de.table.step[0] = 0.01;
    de.table.max_concurrency = 1000;
    de.point.rate = 2.0;
    // Requests/s per GPU of n_P prefill and n_D decode instances, min(0.9·n_P, 2·n_D) /
    // (2·n_P + 4·n_D), within 12 GPUs: (1, 1) 0.9/6 = 0.15; (2, 1) 1.8/8 = 0.225;
    // (3, 1) 2/10 = 0.2; (4, 1) 2/12 = 0.167; (2, 2) 1.8/12 = 0.15. Best (2, 1): 8 GPUs, and a
    // second copy would need 16, so it is not replicated.
    const serve_plan p = plan_pair(cx, pe, de);
    REQUIRE(p.feasible);
    CHECK(p.prefill.instances == 2);
    CHECK(p.decode.instances == 1);
    CHECK(p.gpus == 8);
    CHECK(p.goodput == near(1.8));
    CHECK(p.score == near(0.225));
    CHECK(p.prefill.utilisation == near(0.9)); // 0.9/s on each prefill instance of 1 s
    CHECK(p.output_tokens == near(1.8 * 10));
    // The bound the search prunes by, 1/(2/0.9 + 4/2) = 0.236842, is above it.
    CHECK(serve_ranking::harmonic(0.9 / 2, 2.0 / 4) == Approx(1.0 / (2 / 0.9 + 4 / 2.0)));
    CHECK(serve_ranking::harmonic(0.9 / 2, 2.0 / 4) >= p.score);
    // A budget of 16 replicates (2, 1) twice.
    cx.o.max_gpus = 16;
    const serve_plan twice = plan_pair(cx, pe, de);
    CHECK(twice.gpus == 16);
    CHECK(twice.goodput == near(3.6));
    // A rate of 3/s needs ⌈3/0.9⌉ = 4 prefill and ⌈3/2⌉ = 2 decode instances: 16 GPUs, 3/16
    // served per GPU; 12 GPUs are too few.
    cx.o.load.arrival_rate = requests_per_second(3);
    const serve_plan at_rate = plan_pair(cx, pe, de);
    REQUIRE(at_rate.feasible);
    CHECK(at_rate.prefill.instances == 4);
    CHECK(at_rate.decode.instances == 2);
    CHECK(at_rate.score == near(3.0 / 16));
    CHECK(at_rate.prefill.utilisation == near(0.75)); // 3/4 per instance, 1 s each
    cx.o.max_gpus = 12;
    CHECK_FALSE(plan_pair(cx, pe, de).feasible);
}

TEST_CASE("the connect rules", "[serve][planner]") {
    const layout tp2{.tp = 2}, tp4{.tp = 4}, wide{.tp = 1, .dp = 8, .ep = 8};
    CHECK(connectable(connect_rules::any, tp4, tp2));
    CHECK(connectable(connect_rules::sglang, tp2, tp2));
    CHECK_FALSE(connectable(connect_rules::sglang, tp2, tp4));
    CHECK(connectable(connect_rules::sglang, tp2, wide)); // DP attention with EP on one side
    CHECK(connectable(connect_rules::vllm, tp2, tp4));
    CHECK_FALSE(connectable(connect_rules::vllm, tp4, tp2));
    CHECK_FALSE(connectable(connect_rules::vllm, layout{.pp = 2}, tp2)); // no prefill pipeline
}

TEST_CASE("the pruned plan is the best of every pair", "[serve][planner]") {
    const serve_options o = toy_plan();
    const serve_hardware& hw = toy_hw;
    const auto r = plan_serving(test::tiny_moe, hw, o);
    REQUIRE(r.best.feasible);
    const mode_tally& t = r.tally[1];
    CHECK(t.evaluated + t.pruned + t.refused == t.candidates);
    CHECK(t.pruned > 0); // the bound skips most pairs (6,622 of 7,569 when written)

    // Every pair, no pruning, from the same pools.
    const model_spec m = with_resolved_heads(test::tiny_moe);
    const sojourn_table q = make_sojourn_table(0, 0.9);
    const serve_context cx{.m = &m,
                           .hw = hw,
                           .o = o,
                           .s = lengths_of(o.load),
                           .z = standard_normal_quantile(0.9),
                           .q = &q};
    std::vector<prefill_entry> pre;
    std::vector<decode_entry> dec;
    const search_space space{.min_gpus = 1, .max_gpus = 8};
    for_each_layout(m, test::toy_cluster, space, [&](const layout& l, const engine::stage_set&) {
        decode_entry d{.l = l, .gpus = world_size(l)};
        d.table = make_decode_table(m, test::toy_cluster, l, cx.s, {}, 0);
        if (d.table.n > 0) {
            d.point = best_decode_point(d.table, cx.s, o.target.tpot.value, cx.z);
            if (d.point.rate > 0)
                dec.push_back(d);
        }
        for (int k : o.prefill_batches) {
            prefill_entry p{.l = l, .gpus = world_size(l)};
            p.profile = make_prefill_profile(m, test::toy_cluster, l, cx.s, l.dp * l.pp * k, {}, 0);
            if (p.profile.ok())
                pre.push_back(p);
        }
    });
    REQUIRE(!pre.empty());
    REQUIRE(!dec.empty());
    double best = 0;
    long feasible = 0;
    for (const auto& p : pre)
        for (const auto& d : dec) {
            const serve_plan x = plan_pair(cx, p, d);
            if (x.feasible) {
                ++feasible;
                best = x.score > best ? x.score : best;
            }
        }
    REQUIRE(feasible > 0);
    // The planner keeps each prefill layout's best batch only; the best pair is still found.
    CHECK(r.by_mode[1].score == near(best));
    // Both SLO percentiles and the utilisation limit hold for the best of each mode.
    for (const serve_plan& p : r.by_mode) {
        if (!p.feasible)
            continue;
        CHECK(p.ttft_p <= o.target.ttft.value * (1 + 1e-9));
        CHECK(p.tpot_p <= o.target.tpot.value * (1 + 1e-9));
        CHECK(p.prefill.utilisation <= 0.9 + 1e-9);
        CHECK(p.gpus <= 8);
    }
    // The front: no point dominates another.
    for (int i = 0; i < r.n_pareto; ++i)
        for (int j = 0; j < r.n_pareto; ++j)
            if (i != j) {
                const serve_plan& a = r.pareto[std::size_t(i)];
                const serve_plan& b = r.pareto[std::size_t(j)];
                CHECK_FALSE((a.tokens_per_gpu >= b.tokens_per_gpu &&
                             a.tokens_per_user >= b.tokens_per_user));
            }
}

TEST_CASE("the front's pruning skips no pair that would enter it", "[serve][planner]") {
    // The same toy plan; the front's pass skips pairs under their decode layout's staircase
    // (decode_corners_of). Every pair of the planner's own pools, evaluated, must be unable to
    // enter the front it returns: dominated, or beaten in its band of tokens/s per user.
    const serve_options o = toy_plan();
    const serve_hardware& hw = toy_hw;
    const auto r = plan_serving(test::tiny_moe, hw, o);
    REQUIRE(r.best.feasible);
    REQUIRE(r.tally[1].pruned > 0);

    const model_spec m = with_resolved_heads(test::tiny_moe);
    const sojourn_table q = make_sojourn_table(o.load.input_cv, o.target.percentile);
    const serve_context cx = make_serve_context(m, q, hw, o);
    std::vector<prefill_entry> pre;
    std::vector<decode_entry> dec;
    const search_space space{.min_gpus = 1, .max_gpus = 8};
    for_each_layout(m, test::toy_cluster, space, [&](const layout& l, const engine::stage_set&) {
        const decode_entry d = with_best_point(make_decode_entry(cx, test::toy_cluster, l), cx);
        if (d.table.n > 0 && d.per_gpu > 0)
            dec.push_back(d);
        bool fits = false;
        const prefill_entry p = make_prefill_entry(cx, l, fits);
        if (fits && p.per_gpu_bound > 0)
            pre.push_back(p);
    });
    REQUIRE(!pre.empty());
    REQUIRE(!dec.empty());
    long checked = 0;
    for (const auto& p : pre)
        for (const auto& d : dec) {
            const serve_plan x = plan_pair(cx, p, d);
            if (!x.feasible)
                continue;
            ++checked;
            CHECK_FALSE(serve_ranking::could_enter(r.pareto, r.n_pareto, x.tokens_per_gpu,
                                                   x.tokens_per_user));
        }
    CHECK(checked > 0);
}

namespace {
serve_plan front_point(double per_gpu, double per_user) {
    serve_plan p;
    p.feasible = true;
    p.tokens_per_gpu = per_gpu;
    p.tokens_per_user = per_user;
    return p;
}
} // namespace

TEST_CASE("the front keeps one point a band of tokens/s per user", "[serve][planner][front]") {
    // 32 bands, log-spaced from 1 to 10^4 tokens/s per user: each 10^(4/32) = 1.334 wide.
    // log10(2)·8 = 2.41: band 2; log10(120)·8 = 16.6: band 16; below 1 the first, above 10^4 the
    // last.
    CHECK(serve_ranking::front_band<32>(2.0) == 2);
    CHECK(serve_ranking::front_band<32>(120.0) == 16);
    CHECK(serve_ranking::front_band<32>(0.5) == 0);
    CHECK(serve_ranking::front_band<32>(2e4) == 31);

    std::array<serve_plan, 32> f{};
    int n = 0;
    CHECK(serve_ranking::add_to_front(f, n, front_point(100, 20.0))); // band 10
    CHECK(serve_ranking::add_to_front(f, n, front_point(200, 10.0))); // band 8
    // Band 10 again, fewer tokens/s per GPU and more per user: not dominated, but the band's
    // point beats it.
    CHECK_FALSE(serve_ranking::add_to_front(f, n, front_point(90, 21.0)));
    // Band 10 again with more per GPU: it takes the band.
    CHECK(serve_ranking::add_to_front(f, n, front_point(120, 19.0)));
    CHECK(n == 2);
    // Dominated by (120, 19): refused.
    CHECK_FALSE(serve_ranking::add_to_front(f, n, front_point(110, 15.0)));
    // A faster point with more per GPU than both removes them.
    CHECK(serve_ranking::add_to_front(f, n, front_point(250, 30.0)));
    REQUIRE(n == 1);
    CHECK(f[0].tokens_per_gpu == 250);
}

TEST_CASE("the front's box bound answers as every point below it would",
          "[serve][planner][front]") {
    // could_enter_below(x, y) is false only if no plan (x, y') with y' <= y could enter: checked
    // on random fronts against the point rule at y' on a fine grid below y.
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> lx(0.0, 3.0), ly(-0.5, 4.5); // log10 of x and y
    long refused = 0, admitted = 0, wrong = 0;
    for (int trial = 0; trial < 300; ++trial) {
        std::array<serve_plan, 32> f{};
        int n = 0;
        for (int k = 0; k < 40; ++k)
            serve_ranking::add_to_front(f, n,
                                        front_point(std::pow(10, lx(rng)), std::pow(10, ly(rng))));
        const auto bands = serve_ranking::bands_of(f, n);
        for (int q = 0; q < 20; ++q) {
            const double x = std::pow(10, lx(rng)), y = std::pow(10, ly(rng));
            const bool box = serve_ranking::could_enter_below(bands, x, y);
            if (box) {
                ++admitted;
                continue;
            }
            ++refused;
            for (int g = 1; g <= 400; ++g)
                wrong += serve_ranking::could_enter(f, n, x, y * g / 400.0) ? 1 : 0;
        }
    }
    CHECK(wrong == 0);
    CHECK(refused > 100);
    CHECK(admitted > 100);
}
