// The training layout search: what it enumerates, that it ranks by its objective, and that it
// reports the nearest misses when nothing fits.

#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>
#include <moecost/search/training.hpp>

#include <catch2/catch.hpp>

using namespace moecost;
using namespace moecost::literals;

namespace {
constexpr training_workload llama_base{
    .global_batch = 64, .micro_batch = 1, .seq = 4096, .zero = 1, .rc = recompute::selective};
} // namespace

TEST_CASE("training search enumerates every dense layout of 8 GPUs", "[train][search]") {
    // Llama-3-8B is dense, so ETP = TP and EP = 1; on 8 GPUs of one node with CP 1:
    // pp 1 → tp ∈ {1,2,4,8}; pp 2 → tp ∈ {1,2,4}; pp 4 → tp ∈ {1,2}; pp 8 → tp 1: 10 layouts.
    // Every rule holds for all of them: 32 heads and 8 KV heads over tp ≤ 8, FFN 14,336 over
    // tp, 32 layers over pp, and global batch 64 over micro-batch 1 × dp (dp divides 8).
    const auto r = search_training(presets::llama_3_8b, presets::h100_sxm,
                                   {.min_gpus = 8, .max_gpus = 8}, llama_base);
    CHECK(r.evaluated == 10);
    CHECK(r.rejected == 0);
    REQUIRE(r.n_best > 0);

    // The best is the fastest of the ten, found here by listing them by hand.
    double fastest = 0;
    for (int pp : {1, 2, 4, 8})
        for (int tp : {1, 2, 4, 8}) {
            if (pp * tp > 8)
                continue;
            const layout l{.tp = tp, .dp = 8 / (pp * tp), .pp = pp};
            const auto t = evaluate_training(presets::llama_3_8b, presets::h100_sxm, l, llama_base);
            if (t.memory.fits && t.tokens_per_gpu.value() > fastest)
                fastest = t.tokens_per_gpu.value();
        }
    CHECK(r.best[0].tokens_per_gpu.value() == fastest);
    for (int i = 1; i < r.n_best; ++i)
        CHECK(r.best[std::size_t(i)].score <= r.best[std::size_t(i - 1)].score);
}

TEST_CASE("training search crosses global batches and refuses what does not divide",
          "[train][search]") {
    // Global batch 4 over micro-batch 1 × dp: dp 8 (pp·tp = 1) does not divide 4, the other
    // nine layouts do; global batch 64 divides over all ten: 19 evaluated, 1 refused.
    search_space s{.min_gpus = 8, .max_gpus = 8};
    s.batches = {4, 64};
    const auto r = search_training(presets::llama_3_8b, presets::h100_sxm, s, llama_base);
    CHECK(r.evaluated == 19);
    CHECK(r.rejected == 1);
}

TEST_CASE("training search reports the nearest misses when nothing fits", "[train][search]") {
    // 1 GB per GPU cannot hold Llama-3-8B on 8 GPUs: 8.03e9 parameters need at least
    // 6 B each with ZeRO-1 (2 + 4 + 12/dp ≥ 6 B/param when sharded 8 ways over tp·pp), i.e.
    // ≥ 8.03e9 · 6 / 8 ≈ 6 GB per GPU.
    const auto r =
        search_training(presets::llama_3_8b, presets::h100_sxm, {.min_gpus = 8, .max_gpus = 8},
                        llama_base, training_objective::tokens_per_gpu, {}, 1.0_GB);
    CHECK(r.feasible == 0);
    CHECK(r.n_best == 0);
    REQUIRE(r.n_misses > 0);
    CHECK(r.nearest_misses[0].memory.value() >= 8.03e9 * 6.0 / 8.0);
    CHECK(r.nearest_misses[0].shortfall > 0);
    for (int i = 1; i < r.n_misses; ++i)
        CHECK(r.nearest_misses[std::size_t(i)].shortfall >=
              r.nearest_misses[std::size_t(i - 1)].shortfall);
}

TEST_CASE("training search works in a constant expression", "[train][search][static]") {
    constexpr auto r =
        search_training<2>(presets::llama_3_8b, presets::h100_sxm, {.min_gpus = 8, .max_gpus = 8},
                           llama_base, training_objective::fewest_gpus);
    STATIC_REQUIRE(r.evaluated == 10);
    STATIC_REQUIRE(world_size(r.best[0].l) == 8);
}

TEST_CASE("a training search over a space that breaks a rule names it and searches nothing",
          "[search][train]") {
    // the space of the first test case, but for a negative batch beside its own
    const auto r = search_training(presets::llama_3_8b, presets::h100_sxm,
                                   {.min_gpus = 8, .max_gpus = 8, .batches = {64, -1}}, llama_base);
    REQUIRE(r.problems.count == 1);
    CHECK(r.problems.items[0].what == rule::non_negative);
    CHECK(r.evaluated == 0);
    CHECK(r.n_best == 0);
}
