// plan_deployment: one given serving deployment costed by the planner's own per-candidate code.
// It must agree with the planner wherever the planner's space holds that one candidate, and its
// rate matching and pool capacities are checked against the closed forms of docs/serving.md
// (§2, §3, §6) worked out here from `evaluate` and the decode table.

#include "fixtures.hpp"

#include <moecost/evaluate/inference.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>
#include <moecost/serve/plan_type.hpp>
#include <moecost/serve/planner.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <algorithm>

using namespace moecost;
using moecost::test::near;

namespace {

// Llama 3 8B on H100s: one GPU holds it, and the only layout of one GPU is TP1.
const model_spec& llama = presets::llama_3_8b;
const cluster_spec& h100 = presets::h100_sxm;
const serve_hardware hw{h100, h100, h100};
constexpr int isl = 1024, osl = 256;

serve_options options(double ttft, double tpot, double percentile) {
    serve_options o;
    o.load = {.input_mean = make<tokens>(isl), .output_mean = make<tokens>(osl)};
    o.target = {.ttft = make<seconds>(ttft), .tpot = make<seconds>(tpot), .percentile = percentile};
    return o;
}

} // namespace

TEST_CASE("plan_deployment is the planner's answer when the space holds only that deployment",
          "[serve][deployment]") {
    serve_options o = options(2.0, 0.05, 0.9);
    o.exact_gpus = true;
    SECTION("aggregated: one GPU, one instance of TP1, every token budget") {
        o.max_gpus = 1;
        o.disaggregated = false;
        const auto r = plan_serving(llama, hw, o);
        REQUIRE(r.by_mode[0].feasible);
        const serve_plan p = plan_deployment(llama, h100, o, {.l = layout{}, .instances = 1});
        REQUIRE(p.feasible);
        CHECK(p.mode == serve_mode::aggregated);
        CHECK(p.gpus == 1);
        CHECK(p.prefill.batch == r.by_mode[0].prefill.batch); // the same token budget won
        CHECK(p.goodput == near(r.by_mode[0].goodput));
        CHECK(p.ttft_p == near(r.by_mode[0].ttft_p));
        CHECK(p.tpot_p == near(r.by_mode[0].tpot_p));
    }
    SECTION("disaggregated: two GPUs, one TP1 prefill and one TP1 decode instance") {
        o.max_gpus = 2;
        o.aggregated = false;
        const auto r = plan_serving(llama, hw, o);
        REQUIRE(r.by_mode[1].feasible);
        const serve_plan p =
            plan_deployment(llama, hw, o, {.l = layout{}, .instances = 1}, {.l = layout{}});
        REQUIRE(p.feasible);
        CHECK(p.mode == serve_mode::disaggregated);
        CHECK(p.gpus == 2);
        CHECK(p.prefill.batch == r.by_mode[1].prefill.batch);
        CHECK(p.goodput == near(r.by_mode[1].goodput));
        CHECK(p.prefill.capacity == near(r.by_mode[1].prefill.capacity));
        CHECK(p.decode.capacity == near(r.by_mode[1].decode.capacity));
        CHECK(p.ttft_p == near(r.by_mode[1].ttft_p));
        CHECK(p.tpot_p == near(r.by_mode[1].tpot_p));
    }
}

TEST_CASE("plan_deployment: a pair's capacities and rate matching by hand", "[serve][deployment]") {
    // No SLO limits, the median (z = 0): a prefill instance is capped by ρ <= 0.9 alone, a decode
    // instance by its memory alone.
    const serve_options o = options(0, 0, 0.5);
    const pool_spec one{.l = layout{}, .instances = 1};
    const serve_plan unit = plan_deployment(llama, hw, o, one, one);
    REQUIRE(unit.feasible);

    // Prefill (§3): μ_P = 0.9·b / S_b at the best of b = 1, 2, 4 prompts a pass.
    double mu_p = 0;
    int best_b = 0;
    for (int b : {1, 2, 4}) {
        const report r = evaluate(llama, h100, layout{}, {.batch = b, .prompt = isl});
        if (!r.evaluated || !r.memory.fits)
            continue;
        const double mu = 0.9 * b / r.prefill.batch_time.value();
        if (mu > mu_p) {
            mu_p = mu;
            best_b = b;
        }
    }
    REQUIRE(mu_p > 0);
    CHECK(unit.prefill.batch == best_b);
    CHECK(unit.prefill.capacity == near(mu_p));

    // Decode (§2): with no TPOT limit the largest n whose concurrency seen, n + 1, fits the
    // memory limit N: n = N − 1, and Little's law gives μ_D = (N − 1) / ((OSL − 1)·T(N)).
    const decode_table t = make_decode_table(llama, h100, layout{}, lengths_of(o.load), {}, 0);
    REQUIRE(t.n > 0);
    const double n_max = t.max_concurrency;
    const double mu_d = (n_max - 1) / ((osl - 1) * t.at(n_max));
    CHECK(unit.decode.capacity == Approx(mu_d).epsilon(2e-3)); // bisection to 0.1% of N

    // Rate matching (§6): 2 prefill and 3 decode instances carry min(2·μ_P, 3·μ_D) on 5 GPUs.
    const serve_plan two_three = plan_deployment(llama, hw, o, {.l = layout{}, .instances = 2},
                                                 {.l = layout{}, .instances = 3});
    REQUIRE(two_three.feasible);
    const double goodput = std::min(2 * unit.prefill.capacity, 3 * unit.decode.capacity);
    CHECK(two_three.gpus == 5);
    CHECK(two_three.goodput == near(goodput));
    CHECK(two_three.rate == near(goodput));
    CHECK(two_three.tokens_per_gpu == near(goodput * osl / 5));

    // At a given rate: served as given, each prefill instance at ρ = (R/2)·S_b/b.
    serve_options at = o;
    at.load.arrival_rate = requests_per_second(0.5 * goodput);
    const serve_plan half = plan_deployment(llama, hw, at, {.l = layout{}, .instances = 2},
                                            {.l = layout{}, .instances = 3});
    REQUIRE(half.feasible);
    CHECK(half.rate == near(0.5 * goodput));
    CHECK(half.output_tokens == near(0.5 * goodput * osl));
    CHECK(half.prefill.utilisation == near(0.5 * goodput / 2 * 0.9 / mu_p));
    // A rate above what either pool carries is refused.
    at.load.arrival_rate = requests_per_second(1.01 * goodput);
    CHECK_FALSE(plan_deployment(llama, hw, at, {.l = layout{}, .instances = 2},
                                {.l = layout{}, .instances = 3})
                    .feasible);
}

TEST_CASE("plan_deployment: aggregated instances scale the goodput", "[serve][deployment]") {
    const serve_options o = options(0, 0, 0.5);
    const serve_plan one = plan_deployment(llama, h100, o, {.l = layout{}, .instances = 1});
    const serve_plan three = plan_deployment(llama, h100, o, {.l = layout{}, .instances = 3});
    REQUIRE(one.feasible);
    REQUIRE(three.feasible);
    CHECK(three.gpus == 3);
    CHECK(three.prefill.batch == one.prefill.batch);
    CHECK(three.goodput == near(3 * one.goodput));
    CHECK(three.tokens_per_gpu == near(one.tokens_per_gpu));
    CHECK(one.tokens_per_gpu == near(one.goodput * osl));
    // Its rate at the concurrency n it runs (§5, z = 0): prefill takes ISL·τ of each request's
    // time, decode (OSL − 1) steps at the concurrency a request sees, n + 1; Little's law gives
    // λ = n / ((OSL − 1)·T(n + 1) + n·ISL·τ).
    const serve_lengths s = lengths_of(o.load);
    const double tau =
        prefill_cost_per_token(llama, h100, layout{}, s, {}, 0, one.prefill.batch).tau;
    const decode_table t = make_decode_table(llama, h100, layout{}, s, {}, 0);
    const double n = one.prefill.concurrency;
    REQUIRE(n > 0);
    CHECK(one.goodput == near(n / ((osl - 1) * t.at(n + 1) + n * isl * tau)));
    // No instances, nothing.
    CHECK_FALSE(plan_deployment(llama, h100, o, {.l = layout{}, .instances = 0}).feasible);
}

// An aggregated step's prefill token costs the slope between two prefill passes, taken at the
// step's budget: Mixtral 8x7B in fp8 on one H100, prompts of 128 tokens. At a budget of 4096
// the passes hold 2048 and 4096 tokens (512 and 1024 rows an expert, top-2 of 8), both
// compute-bound, and the slope is the GEMMs' FLOPs a token at the fp8 plateau: 12.9B active
// parameters (Mistral AI, "Mixtral of experts") less the 32000 × 4096 embedding and head, two
// FLOPs each, at 0.65 × 1979 TFLOP/s: 19.65 µs, plus the elementwise kernels' bytes (at most
// 40% more here). A budget of two prompts (256) keeps the passes at 128 and 256 tokens, whose
// experts' weight read binds (below the GEMM curve's 64-row floor): their slope is below the
// FLOPs' cost, which a chunk riding on a step of thousands of tokens does pay.
TEST_CASE("an aggregated step's prefill token cost is the slope at the step's budget",
          "[serve][deployment]") {
    model_spec m = presets::mixtral_8x7b;
    m.precision.weights = dtype::fp8;
    m.precision.kv = dtype::fp8;
    const serve_lengths s =
        lengths_of({.input_mean = make<tokens>(128), .output_mean = make<tokens>(128)});
    const auto tau = [&](int budget) {
        return prefill_cost_per_token(m, h100, layout{}, s, {}, 0, budget).tau;
    };
    const double flops = 2.0 * (12.9e9 - 2.0 * 32000.0 * 4096.0) / (0.65 * 1979e12);
    CHECK(tau(4096) >= flops);
    CHECK(tau(4096) <= 1.4 * flops);
    CHECK(tau(16384) == Approx(tau(4096)).epsilon(0.05)); // past the floor: the plateau's slope
    CHECK(tau(256) < flops);
}

// The passes τ is measured with: k prompts a DP rank and micro-batch, the most whose 2k fill a
// micro-batch's share of the budget, B/PP, at least one, and bounded so that 2·DP·PP·k stays
// an int whatever the prompt's computed tokens.
TEST_CASE("the prefill passes fill a micro-batch's share of the step budget",
          "[serve][deployment]") {
    const serve_lengths s128 =
        lengths_of({.input_mean = make<tokens>(128), .output_mean = make<tokens>(128)});
    CHECK(prefill_probe_prompts(layout{}, s128, 4096) == 16);       // 2·16·128 = 4096
    CHECK(prefill_probe_prompts(layout{.pp = 2}, s128, 4096) == 8); // 2·8·128 = 2048 = B/2
    CHECK(prefill_probe_prompts(layout{.pp = 4}, s128, 1000) == 1); // 1000/4 < 2·2·128
    CHECK(prefill_probe_prompts(layout{}, s128, 256) == 1);         // one prompt at least
    serve_lengths cached = s128;
    cached.computed = 1e-9; // a prompt almost all cached: a token a prompt at least
    CHECK(prefill_probe_prompts(layout{}, cached, 16384) == 8192);
    const int k = prefill_probe_prompts(layout{.dp = 4096, .pp = 64}, cached, 1 << 30);
    CHECK(2.0 * 4096 * 64 * k <= std::numeric_limits<int>::max());
}

// The decode table samples n0·{1, 1.5, 2, 3, ...} sequences, n0 = DP·PP, each rounded down to
// whole sequences per DP rank: with DP 2, n0·1.5 = 3 sequences would be refused by `evaluate`,
// and a table that stopped there would hold a step flat in the concurrency (a wide-EP decode
// pool's capacity was overstated 4.3× so). Every point is a multiple of DP, above the one
// before, and a step of more sequences is no shorter.
TEST_CASE("a DP > 1 decode table holds every point, in whole sequences per DP rank",
          "[serve][deployment]") {
    const decode_table t =
        make_decode_table(llama, h100, layout{.dp = 2}, lengths_of(options(0, 0, 0.5).load), {}, 0);
    REQUIRE(t.max_concurrency > 4); // room for 2, 4, 6, ... sequences
    REQUIRE(t.n > 2);
    CHECK(t.concurrency[0] == 2);
    CHECK(t.concurrency[1] == 4); // 2·1.5 = 3 rounds down to 2, already sampled: 2·2 next
    for (int i = 0; i < t.n; ++i) {
        CHECK(std::fmod(t.concurrency[std::size_t(i)], 2.0) == 0.0);
        if (i > 0) {
            CHECK(t.concurrency[std::size_t(i)] > t.concurrency[std::size_t(i - 1)]);
            CHECK(t.step[std::size_t(i)] >= t.step[std::size_t(i - 1)]);
        }
    }
}

TEST_CASE("serving inputs that break a rule are named and planned nothing", "[serve][validate]") {
    const serve_options good = options(2.0, 0.05, 0.9);
    REQUIRE(validate(good).ok());
    REQUIRE(validate_serving(llama, hw, good).ok());
    const auto broken = [](const serve_options& o, rule r, const char* field) {
        const violations v = validate(o);
        REQUIRE(v.count == 1);
        CHECK(v.items[0].what == r);
        CHECK(std::string(v.items[0].field) == field);
    };
    SECTION("the utilisation limit is a share: above 0, at most 1 (beyond, the queue grows)") {
        for (double u : {1.0 + 1e-9, 1.5}) {
            serve_options o = good;
            o.max_utilisation = u;
            broken(o, rule::at_most, "serve.max_utilisation");
        }
        serve_options offline = good; // every request queued: throughput, no bound on the wait
        offline.max_utilisation = 1.0;
        CHECK(validate(offline).ok());
        for (double u : {0.0, -0.5, std::numeric_limits<double>::quiet_NaN()}) {
            serve_options o = good;
            o.max_utilisation = u;
            broken(o, rule::positive, "serve.max_utilisation");
        }
    }
    SECTION("the GPU budget and the CP degree: at least 1, within a layout's caps") {
        serve_options o = good;
        o.max_gpus = 0;
        broken(o, rule::positive, "serve.max_gpus");
        o.max_gpus = (1 << 24) + 1;
        broken(o, rule::at_most, "serve.max_gpus");
        o = good;
        o.max_cp = 0;
        broken(o, rule::positive, "serve.max_cp");
    }
    SECTION("token budgets and prefill batches: none negative, one used by each mode planned") {
        serve_options o = good;
        o.token_budgets = {1024, -512, 0, 0, 0, 0};
        broken(o, rule::non_negative, "serve.token_budgets");
        o.token_budgets = {};
        const violations none = validate(o);
        REQUIRE(none.count == 1);
        CHECK(none.items[0].what == rule::positive);
        o.aggregated = false; // no aggregated plan: its budgets are not needed
        CHECK(validate(o).ok());
        o = good;
        o.prefill_batches = {0, 0, 0};
        broken(o, rule::positive, "serve.prefill_batches");
        o.disaggregated = false;
        CHECK(validate(o).ok());
    }
    SECTION("the traffic, the SLOs and the evaluation options are the options' too") {
        serve_options o = good;
        o.target.percentile = 1.0;
        broken(o, rule::below, "slo.percentile");
        o = good;
        o.eval.memory_headroom = 0;
        broken(o, rule::positive, "options.memory_headroom");
    }
    SECTION("the planner and plan_deployment plan nothing for them") {
        serve_options o = good;
        o.exact_gpus = true;
        o.max_gpus = 1;
        o.disaggregated = false;
        REQUIRE(plan_serving(llama, hw, o).by_mode[0].feasible);
        REQUIRE(plan_deployment(llama, h100, o, {.l = layout{}, .instances = 1}).feasible);
        o.max_utilisation = 1.5;
        const auto r = plan_serving(llama, hw, o);
        CHECK_FALSE(r.problems.ok());
        CHECK(r.problems.has(rule::at_most));
        CHECK_FALSE(r.best.feasible);
        CHECK(r.evaluated() == 0);
        CHECK_FALSE(plan_deployment(llama, h100, o, {.l = layout{}, .instances = 1}).feasible);
        model_spec zero = llama;
        zero.layers = 0;
        CHECK(plan_serving(zero, hw, good).problems.has(rule::positive));
    }
    SECTION("plan_deployment checks what it applies: the pools and the options, not the budget") {
        serve_options o = good;
        const pool_spec one{.l = layout{}, .instances = 1};
        REQUIRE(plan_deployment(llama, hw, o, one, one).feasible);
        o.max_gpus = 0; // not applied to a given deployment
        o.max_cp = 0;
        CHECK(plan_deployment(llama, hw, o, one, one).feasible);
        CHECK(plan_deployment(llama, h100, o, one).feasible);
        o.max_utilisation = 1.5;
        CHECK_FALSE(plan_deployment(llama, hw, o, one, one).feasible);
        o = good;
        CHECK_FALSE(
            plan_deployment(llama, hw, o, {.l = layout{.tp = 0}, .instances = 1}, one).feasible);
        CHECK_FALSE(
            plan_deployment(llama, h100, o, {.l = layout{}, .instances = (1 << 24) + 1}).feasible);
    }
    SECTION("one cluster shared by the pools is checked once") {
        cluster_spec broken = h100;
        broken.gpu.hbm_bandwidth = make<byte_rate>(0);
        const violations v = validate_serving(llama, {broken, broken, broken}, good);
        REQUIRE(v.count == 1);
        CHECK(v.items[0].what == rule::positive);
    }
}
