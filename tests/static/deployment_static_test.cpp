// The type face of a deployment: deployment<M, C, L, W> evaluated by the compiler. Every
// STATIC_REQUIRE here is a compile-time fact (and, built with CATCH_CONFIG_RUNTIME_STATIC_REQUIRE,
// a run-time check of the same expression). Numbers are hand-derived in the comments.

#include <moecost/evaluate/deployment.hpp>
#include <moecost/evaluate/inference.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

#include <catch2/catch.hpp>

using namespace moecost;
using namespace moecost::literals;

namespace {
using seed_model = as_type<presets::seed_moe>;
using seed_cluster = as_type<presets::seed_gpu>;
using scenario = as_type<workload{.batch = 128, .prompt = 10240}>;

// Seed notation EP × PP × DP × TP.
using plan_128 = deployment<seed_model, seed_cluster, as_type<seed_layout(8, 2, 4, 2)>, scenario>;
using plan_256 = deployment<seed_model, seed_cluster, as_type<seed_layout(16, 4, 2, 2)>, scenario>;
// PP 3 does not divide 16 layers (and the 192 GPUs are otherwise fine).
using plan_pp3 = deployment<seed_model, seed_cluster, as_type<seed_layout(8, 3, 4, 2)>, scenario>;
// EP 3 does not divide 16 experts (DP 12 with batch 96 divides).
using plan_ep3 = deployment<seed_model, seed_cluster, as_type<seed_layout(3, 2, 4, 2)>,
                            as_type<workload{.batch = 96, .prompt = 10240}>>;
// DeepSeek-V3 (fp8, 671 B parameters ≈ 671 GB + MTP-less) cannot sit on one 80 GB H100.
using v3_one_h100 = deployment<as_type<presets::deepseek_v3>, as_type<presets::h100_sxm>,
                               as_type<layout{}>, as_type<workload{.batch = 1, .prompt = 4096}>>;

// Targets. The seed's: ≥ 100 tokens/ms per GPU in both phases, TTFT ≤ 10 s, ≤ 64 GB.
using seed_targets = as_type<requirements{.min_prefill_tokens_per_gpu = make<token_rate>(100'000.0),
                                          .min_decode_tokens_per_gpu = make<token_rate>(100'000.0),
                                          .max_ttft = 10_s,
                                          .max_memory_per_gpu = 64_GB}>;
// Only what the plans can do: TTFT ≤ 10 s and ≤ 1 GB per GPU (they use under 0.5 GB).
using modest_targets = as_type<requirements{.max_ttft = 10_s, .max_memory_per_gpu = 1_GB}>;
// ≤ 0.3 GB per GPU. The 128-GPU plan needs 25.3 MB weights + 335.5 MB KV (4 sequences ×
// 10,240 × 8 layers × 2,048 B / TP 2) + 126.2 MB activations (a prefill micro-batch of
// 128 / PP 2 / DP 32 = 2 sequences × 10,240 tokens × 12,320 B / TP 2) = 487.0 MB: it fails. The
// 256-GPU plan needs 8.5 + 167.8 + 63.1 = 239.3 MB: it passes.
using under_300mb = as_type<requirements{.max_memory_per_gpu = make<bytes>(0.3e9)}>;

// DeepSeek-V3 on one GB200 NVL72 rack, DP 72 × EP 72: 256 experts do not divide over 72 GPUs;
// with 32 redundant experts 288 slots do (4 a GPU, as SGLang and DeepSeek serve it).
using v3_rack = as_type<presets::gb200_nvl72>;
using v3_load = as_type<workload{.batch = 72 * 64, .prompt = 2000}>;
using v3_ep72 = deployment<as_type<presets::deepseek_v3>, v3_rack,
                           as_type<layout{.dp = 72, .ep = 72}>, v3_load>;
using v3_ep72_padded =
    deployment<as_type<presets::deepseek_v3>, v3_rack,
               as_type<layout{.dp = 72, .ep = 72, .redundant_experts = 32}>, v3_load>;
} // namespace

TEST_CASE("seed plans as types", "[static][deployment]") {
    STATIC_REQUIRE(plan_128::valid);
    STATIC_REQUIRE(plan_128::fits);
    STATIC_REQUIRE(plan_256::valid);
    STATIC_REQUIRE(plan_256::fits);
    STATIC_REQUIRE(plan_128::problems.ok());
    // KV per GPU: 128 / DP 32 = 4 sequences × 10,240 × 8 layers × 2·512 × 2 B / TP 2
    STATIC_REQUIRE(plan_128::result.memory.kv_cache.value() == 335'544'320.0);
    STATIC_REQUIRE(plan_256::result.memory.kv_cache.value() == 167'772'160.0); // 4 layers per stage
    // Decode cannot reach 100 tokens/ms per GPU (any layout: 4,291.5 tokens/s), so the seed's
    // targets are not met; the modest ones are.
    STATIC_REQUIRE_FALSE(plan_128::meets<seed_targets>);
    STATIC_REQUIRE_FALSE(plan_256::meets<seed_targets>);
    STATIC_REQUIRE(plan_128::meets<modest_targets>);
    STATIC_REQUIRE(plan_256::meets<modest_targets>);
    STATIC_REQUIRE_FALSE(plan_128::meets<under_300mb>);
    STATIC_REQUIRE(plan_256::meets<under_300mb>);
    STATIC_REQUIRE(plan_128::result.decode.tokens_per_gpu.value() < 4'291.534);
}

TEST_CASE("violating deployments as types", "[static][deployment]") {
    STATIC_REQUIRE_FALSE(plan_pp3::valid);
    STATIC_REQUIRE(plan_pp3::problems.has(rule::layers_vs_pp));
    STATIC_REQUIRE(plan_pp3::problems.count == 1);
    STATIC_REQUIRE(plan_pp3::problems.items[0].value == 16);
    STATIC_REQUIRE(plan_pp3::problems.items[0].limit == 3);
    STATIC_REQUIRE_FALSE(plan_pp3::result.evaluated);      // a layout that cannot run is not costed
    STATIC_REQUIRE_FALSE(plan_pp3::meets<modest_targets>); // an invalid deployment meets nothing

    STATIC_REQUIRE_FALSE(plan_ep3::valid);
    STATIC_REQUIRE(plan_ep3::problems.has(rule::experts_vs_ep));
    STATIC_REQUIRE(plan_ep3::problems.count == 1);
    STATIC_REQUIRE(plan_ep3::problems.items[0].value == 16);
    STATIC_REQUIRE(plan_ep3::problems.items[0].limit == 3);

    STATIC_REQUIRE_FALSE(v3_one_h100::fits);
    STATIC_REQUIRE_FALSE(v3_one_h100::valid);
    STATIC_REQUIRE(v3_one_h100::problems.has(rule::memory));
    // 0.9 · 80 GB usable; the fp8 weights alone are over 671 GB
    STATIC_REQUIRE(v3_one_h100::result.memory.usable.value() == 72e9);
    STATIC_REQUIRE(v3_one_h100::result.memory.weights.value() > 671e9);
}

TEST_CASE("DeepSeek-V3 on one GB200 NVL72 rack as types", "[static][deployment]") {
    STATIC_REQUIRE_FALSE(v3_ep72::valid);
    STATIC_REQUIRE(v3_ep72::problems.has(rule::experts_vs_ep));
    STATIC_REQUIRE(v3_ep72_padded::valid);
    STATIC_REQUIRE(v3_ep72_padded::fits);
    STATIC_REQUIRE(
        experts_per_gpu(presets::deepseek_v3, layout{.ep = 72, .redundant_experts = 32}) == 4);
    // the rack is one NVLink domain: the dispatch never reaches a NIC
    STATIC_REQUIRE(v3_ep72_padded::result.decode.slowest.comm.ep_inter_node.value() == 0.0);
    STATIC_REQUIRE(v3_ep72_padded::result.decode.slowest.comm.ep_intra_node.value() > 0.0);
}
