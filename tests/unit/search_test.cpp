// The inference layout search: what it enumerates (counted by hand), that its best is the best
// of a hand-listed brute force, that its Pareto front is non-dominated, and that it reports
// nearest misses when no layout meets the targets.

#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>
#include <moecost/search/inference.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace moecost;
using namespace moecost::literals;

namespace {
constexpr workload seed_load{.batch = 128, .prompt = 10240};
} // namespace

TEST_CASE("search enumerates every dense layout of 8 GPUs", "[search]") {
    // Dense: ETP = TP and EP = 1. On one node of 8 with CP 1: pp 1 → tp ∈ {1,2,4,8};
    // pp 2 → {1,2,4}; pp 4 → {1,2}; pp 8 → {1}: 10 layouts, all dividing Llama-3-8B (32 heads,
    // 8 KV heads, FFN 14,336, 32 layers) and batch 64 (dp divides 8).
    const auto r = search(presets::llama_3_8b, presets::h100_sxm, {.min_gpus = 8, .max_gpus = 8},
                          {.batch = 64, .prompt = 2048});
    CHECK(r.evaluated == 10);
    CHECK(r.rejected == 0);
}

TEST_CASE("search enumerates both meshes of an MoE model", "[search]") {
    // seed-moe on 1 or 2 GPUs. World 1: one layout. World 2, pp 1 (stage of 2): tp ∈ {1,2},
    // and for each the expert mesh etp·ep dividing 2: (1,1), (1,2), (2,1): 6; pp 2 (stage of
    // 1): 1. All divide (8 heads, 16 experts, expert hidden 1,024, 16 layers, batch 128): 8.
    const auto r =
        search(presets::seed_moe, presets::seed_gpu, {.min_gpus = 1, .max_gpus = 2}, seed_load);
    CHECK(r.evaluated == 8);
    CHECK(r.rejected == 0);
}

TEST_CASE("pad_experts gives each EP degree the fewest redundant experts that divide", "[search]") {
    // DeepSeek-V3's 256 routed experts: EP 72 needs 288 slots (4 a GPU, 32 redundant: SGLang's
    // and DeepSeek's 288), EP 24 needs 264 (11 a GPU, 8), EP 18 needs 270 (15 a GPU, 14), EP 8
    // divides (0). Without padding those degrees are enumerated bare and refused.
    const model_spec& m = presets::deepseek_v3;
    const search_space padded{.min_gpus = 72, .max_gpus = 72, .pad_experts = true};
    int checked = 0;
    for_each_layout(m, presets::gb200_nvl72, padded, [&](const layout& l, const auto&) {
        const int want = l.ep == 72 ? 32 : l.ep == 24 ? 8 : l.ep == 18 ? 14 : l.ep == 8 ? 0 : -1;
        if (want >= 0) {
            CHECK(l.redundant_experts == want);
            CHECK(expert_slots(m, l) % l.ep == 0);
            ++checked;
        }
    });
    CHECK(checked > 0);
    // the search then evaluates EP 72 at batch 4,608 (64 sequences a DP rank); bare, it cannot
    const workload w{.batch = 4608, .prompt = 2000};
    const auto bare = search(m, presets::gb200_nvl72, {.min_gpus = 72, .max_gpus = 72}, w);
    const auto pad = search(m, presets::gb200_nvl72, padded, w);
    CHECK(pad.evaluated > bare.evaluated);
    CHECK(bare.evaluated + bare.rejected == pad.evaluated + pad.rejected);
    bool ep72 = false;
    for (int i = 0; i < pad.n_best; ++i)
        ep72 = ep72 || (pad.best[std::size_t(i)].l.ep == 72 &&
                        pad.best[std::size_t(i)].l.redundant_experts == 32);
    CHECK(ep72);
}

TEST_CASE("search counts the refused factorisations by the rule they break", "[search]") {
    // seed-moe (8 heads, 16 experts of width 1,024, 16 layers) on 3 GPUs at batch 128: pp 3
    // (layers 16 % 3), or pp 1 with tp 1 (dp 3: batch 128 % 3) or tp 3 (heads and KV heads 8
    // against 3), each with the expert meshes (etp, ep) = (1, 1), (1, 3) (experts 16 % 3) and
    // (3, 1) (width 1,024 % 3): 7 factorisations, none valid.
    const auto r = search(presets::seed_moe, presets::seed_gpu, {.min_gpus = 3, .max_gpus = 3},
                          {.batch = 128, .prompt = 1024});
    CHECK(r.evaluated == 0);
    CHECK(r.rejected == 7);
    const auto by = [&](rule x) { return r.refused_by[static_cast<std::size_t>(x)]; };
    CHECK(by(rule::layers_vs_pp) == 1);
    CHECK(by(rule::batch_vs_dp) == 3);
    CHECK(by(rule::heads_vs_tp) == 3);
    CHECK(by(rule::kv_heads_vs_tp) == 3);
    CHECK(by(rule::experts_vs_ep) == 2);
    CHECK(by(rule::expert_ffn_vs_etp) == 2);
    CHECK(by(rule::memory) == 0);
    // the first of each, to say what to change
    const violation& first = r.refused_example[static_cast<std::size_t>(rule::batch_vs_dp)];
    CHECK(first.value == 128);
    CHECK(first.limit == 3);
}

TEST_CASE("search's best is the best of the layouts listed by hand", "[search]") {
    const auto r = search<4, 16>(presets::seed_moe, presets::seed_gpu,
                                 {.min_gpus = 2, .max_gpus = 2}, seed_load);
    REQUIRE(r.n_best > 0);
    const layout by_hand[] = {
        {.tp = 1, .dp = 2, .etp = 1, .ep = 1},         {.tp = 1, .dp = 2, .etp = 1, .ep = 2},
        {.tp = 1, .dp = 2, .etp = 2, .ep = 1},         {.tp = 2, .dp = 1, .etp = 1, .ep = 1},
        {.tp = 2, .dp = 1, .etp = 1, .ep = 2},         {.tp = 2, .dp = 1, .etp = 2, .ep = 1},
        {.tp = 1, .dp = 1, .pp = 2, .etp = 1, .ep = 1}};
    double fastest = 0;
    for (const layout& l : by_hand) {
        const report e = evaluate(presets::seed_moe, presets::seed_gpu, l, seed_load);
        REQUIRE(e.valid());
        if (e.decode.tokens_per_gpu.value() > fastest)
            fastest = e.decode.tokens_per_gpu.value();
    }
    CHECK(r.evaluated == 7);
    CHECK(r.best[0].decode.value() == fastest);
    // The front: no member is dominated (more decode tokens/s and less TPOT) by another.
    for (int i = 0; i < r.n_pareto; ++i)
        for (int j = 0; j < r.n_pareto; ++j) {
            if (i == j)
                continue;
            const candidate& a = r.pareto[std::size_t(i)];
            const candidate& b = r.pareto[std::size_t(j)];
            CHECK_FALSE((b.decode >= a.decode && b.tpot <= a.tpot &&
                         (b.decode > a.decode || b.tpot < a.tpot)));
        }
}

TEST_CASE("search reports nearest misses when no layout meets the targets", "[search]") {
    // 100 tokens/ms per GPU in decode at context 10,240 cannot hold on the seed's GPU: each
    // token reads its KV cache, 10,240 · 16 layers · 2·512 · 2 B = 335.5 MB, at 1.44 TB/s at
    // most 4,291.5 tokens/s per GPU.
    const auto r = search(presets::seed_moe, presets::seed_gpu, {.min_gpus = 1, .max_gpus = 8},
                          seed_load, {.min_decode_tokens_per_gpu = make<token_rate>(1e5)});
    CHECK(r.feasible == 0);
    CHECK(r.n_best == 0);
    REQUIRE(r.n_misses > 0);
    CHECK(r.nearest_misses[0].decode.value() <= 1.44e12 / (10240.0 * 16 * 2 * 512 * 2));
    // short by 1e5 / decode − 1 ≥ 1e5 / 4,291.5 − 1 ≈ 22.3
    CHECK(r.nearest_misses[0].shortfall >= 1e5 / 4291.5 - 1.0);
}

TEST_CASE("a search space that breaks a rule is named, and nothing is searched", "[search]") {
    CHECK(validate(search_space{}).ok());
    const auto only = [](const search_space& s, rule r, const char* field) {
        const violations v = validate(s);
        REQUIRE(v.count == 1);
        CHECK(v.items[0].what == r);
        CHECK(std::string(v.items[0].field) == field);
    };
    only({.min_gpus = 0}, rule::positive, "search.min_gpus");
    only({.min_gpus = 1, .max_gpus = 0}, rule::positive, "search.max_gpus");
    // an int loop over world sizes up to INT_MAX would overflow: capped as a layout's world is
    only({.min_gpus = 1, .max_gpus = (1 << 24) + 1}, rule::at_most, "search.max_gpus");
    only({.min_gpus = 16, .max_gpus = 8}, rule::at_most, "search.min_gpus");
    only({.max_cp = 0}, rule::positive, "search.max_cp");
    only({.batches = {64, -1}}, rule::non_negative, "search.batches");
    CHECK(search(presets::llama_3_8b, presets::h100_sxm, {.min_gpus = 16, .max_gpus = 8}, seed_load)
              .problems.has(rule::at_most));
    // a space the search would otherwise have searched: 1 to 2 GPUs at batch 64
    const auto r = search(presets::llama_3_8b, presets::h100_sxm,
                          {.min_gpus = 1, .max_gpus = 2, .batches = {64, -1}}, seed_load);
    CHECK(r.problems.has(rule::non_negative));
    CHECK(r.evaluated == 0);
    CHECK(r.rejected == 0);
    CHECK(count_layouts(presets::llama_3_8b, presets::h100_sxm,
                        {.min_gpus = 1, .max_gpus = (1 << 24) + 1}) == 0);
    // a valid space leaves the list empty
    CHECK(search(presets::llama_3_8b, presets::h100_sxm, {.min_gpus = 1, .max_gpus = 2}, seed_load)
              .problems.ok());
}
