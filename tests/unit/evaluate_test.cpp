// Deployment evaluation: hand derivations of a tiny MoE on a made-up GPU, and regressions for
// the mistakes a cost model of MoE serving tends to make.
//
// Conventions checked here (DESIGN.md, REFERENCES.md): an (m×k)·(k×n) product is 2·m·n·k
// FLOPs; roofline time of an operator group is max(FLOPs / FLOP/s, HBM bytes / B/s); an
// all-reduce over n GPUs takes 2⌈log2 n⌉ steps of α and sends 2(n−1)/n of the message; the EP
// all-to-all sends top_k copies of a token's hidden state, (EP−1)/EP of them off the GPU;
// experts touched by B tokens choosing k of E uniformly: E·(1 − (1 − k/E)^B).

#include <moecost/evaluate/bounds.hpp>
#include <moecost/evaluate/inference.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

using namespace moecost;
using namespace moecost::literals;
using moecost::test::near;

namespace {

/// The tiny MoE of fixtures.hpp (parameters by hand there).
constexpr const model_spec& tiny = test::tiny_moe;

/// The made-up GPU of fixtures.hpp: 4 TFLOP/s, 1 TB/s, 1 MB; links 100 GB/s (α 10 ns), 10 GB/s (α
/// 100 ns).
constexpr const cluster_spec& toy = test::toy_cluster;

/// Attention TP = 2 × DP = 2; experts ETP = 1 × EP = 2 × EDP = 2; PP = 1: 4 GPUs.
constexpr layout tiny_layout{.tp = 2, .cp = 1, .dp = 2, .pp = 1, .etp = 1, .ep = 2};
/// 4 sequences of 8 tokens; decode at context 8; one micro-batch each phase.
constexpr workload tiny_load{.batch = 4, .prompt = 8};

const op_cost& op(const stage_step& s, op_group g) {
    return s.op(g);
}

} // namespace

TEST_CASE("tiny MoE: memory per GPU by hand", "[evaluate][memory]") {
    const report r = evaluate(tiny, toy, tiny_layout, tiny_load);
    REQUIRE(r.valid());
    // Weights on the single stage, per GPU:
    //   attention: K,V 4,096 / min(TP, KV heads) = 2 → 2,048; Q,O 8,192 / TP 2 → 4,096: 6,144
    //   norms 128, router 256 (replicated); experts 4/EP 2 = 2 whole experts, ETP 1: 8,192
    //   per layer 14,720; 2 layers 29,440
    //   embedding 6,400 / TP 2 = 3,200; head 3,200; final norm 64  → 35,904 params
    //   bf16: 71,808 B
    CHECK(r.memory.weights.value() == 71'808.0);
    // KV: ceil(4 / DP 2) = 2 sequences × 8 tokens × 2 layers × 2·2·16 elements × 2 B
    //     = 4,096 B, split over min(TP, KV heads) = 2: 2,048 B
    CHECK(r.memory.kv_cache.value() == 2'048.0);
    // Activations (the documented working-set estimate, count/memory.hpp): the prefill step of
    // 2 sequences × 8 = 16 tokens; per token 2h + widest intermediate, widest =
    //   max(attention (H + 2K)·d + H·d = 128 + 64 = 192,
    //       experts top_k·(h + 2f) + E = 2·128 + 4 = 260) = 260  → (128 + 260)·2 B = 776 B
    // plus fp32 logits of 2 rows: 2·100·4 = 800 B; (16·776 + 800) / TP 2 = 6,608 B.
    CHECK(r.memory.activations.value() == 6'608.0);
    CHECK(r.memory.total().value() == 80'464.0);
    CHECK(r.memory.capacity.value() == 1e6);
    CHECK(r.memory.usable.value() == near(900'000.0)); // 0.9 headroom
    CHECK(r.memory.fits);
    // Largest batch: each sequence at a DP rank costs (2,048 + 6,608) / 2 = 4,328 B; room
    // 900,000 − 71,808 = 828,192 B holds floor(191.36) = 191 sequences per DP rank: 382.
    CHECK(r.max_batch == 382);
}

TEST_CASE("tiny MoE: prefill step by hand", "[evaluate][prefill]") {
    const report r = evaluate(tiny, toy, tiny_layout, tiny_load);
    REQUIRE(r.valid());
    const stage_step& s = r.prefill.slowest;
    // One stage; a DP rank holds 2 sequences of 8: T = 16 tokens at each TP pair. The expert
    // mesh receives 4·8 / EDP 2 = 16 tokens per EP group, 32 copies; each GPU gets 16.
    SECTION("work and HBM bytes per operator group") {
        // Projections: per token 2·(h·64 + 2·h·32 + 64·h) = 24,576 FLOPs, half per TP rank
        // (K,V split over 2 KV heads, Q,O over TP): 12,288. 2 layers × 16 tokens: 393,216.
        CHECK(op(s, op_group::attention_proj).work.value() == 393'216.0);
        // Bytes: weights 6,144 · 2 B = 12,288 per layer; activations per token
        // (2h + (q 64 + kv 64 + ctx 64)/TP)·2 B = (128 + 96)·2 = 448 → 16·448 = 7,168:
        // 2 · 19,456 = 38,912.
        CHECK(op(s, op_group::attention_proj).traffic.value() == 38'912.0);
        // Core: causal keys per sequence 8·9/2 = 36; 2 seqs × 2 layers × 36 = 144 query-keys;
        // 4·H·d = 256 FLOPs each, half the heads per TP rank: 256·144/2 = 18,432.
        CHECK(op(s, op_group::attention_core).work.value() == 18'432.0);
        // Bytes per token and layer: its KV written (64 elements / 2 KV shards · 2 B = 64) and
        // q, k, v, ctx (192/TP · 2 B = 192): 2 · 16 · 256 = 8,192.
        CHECK(op(s, op_group::attention_core).traffic.value() == 8'192.0);
        // Router: 2·h·E = 512 FLOPs per token, T/TP = 8 tokens per rank, 2 layers: 8,192.
        CHECK(op(s, op_group::router).work.value() == 8'192.0);
        // Bytes: 256 weights · 2 B + 8 tokens · (h + E = 68) · 2 B = 512 + 1,088; ×2: 3,200.
        CHECK(op(s, op_group::router).traffic.value() == 3'200.0);
        // Routed experts: 16 copies per GPU × 2·2·h·f = 8,192 FLOPs × 2 layers = 262,144.
        CHECK(op(s, op_group::routed_experts).work.value() == 262'144.0);
        // Bytes: experts touched by 16 tokens per EP group: 4·(1 − (1/2)^16), half per GPU:
        // 2 − 2^-15 = 1.999969482421875 experts × 4,096 params × 2 B = 16,383.75; copies
        // 16 · (2h in/out + 2f intermediate = 192) · 2 B = 6,144; 2 layers: 45,055.5.
        CHECK(op(s, op_group::routed_experts).traffic.value() == near(45'055.5));
        // No shared experts, no dense layers.
        CHECK(op(s, op_group::shared_experts).work.value() == 0.0);
        CHECK(op(s, op_group::dense_ffn).work.value() == 0.0);
        // LM head: one row per sequence (2 at this DP rank), V/TP = 50 columns:
        // 2 · 2·64·50 = 12,800 FLOPs; bytes 3,200 weights · 2 B + 2·50 fp32 logits = 6,800.
        CHECK(op(s, op_group::lm_head).work.value() == 12'800.0);
        CHECK(op(s, op_group::lm_head).traffic.value() == 6'800.0);
        CHECK(s.work().value() == 393'216.0 + 18'432.0 + 8'192.0 + 262'144.0 + 12'800.0);
    }
    SECTION("roofline times: compute bound above 4 FLOP/B, memory bound below") {
        // projections 393,216 / 4e12 = 98.304 ns > 38,912 / 1e12 = 38.912 ns: compute
        CHECK(op(s, op_group::attention_proj).time().value() == near(98.304e-9));
        CHECK(op(s, op_group::attention_proj).bound() == resource::compute);
        // core 18,432 / 4e12 = 4.608 ns < 8,192 / 1e12 = 8.192 ns: memory
        CHECK(op(s, op_group::attention_core).time().value() == near(8.192e-9));
        CHECK(op(s, op_group::attention_core).bound() == resource::memory);
        // router 2.048 ns < 3.2 ns: memory; experts 65.536 ns > 45.0555 ns: compute;
        // head 3.2 ns < 6.8 ns: memory
        CHECK(op(s, op_group::router).time().value() == near(3.2e-9));
        CHECK(op(s, op_group::routed_experts).time().value() == near(65.536e-9));
        CHECK(op(s, op_group::routed_experts).bound() == resource::compute);
        CHECK(op(s, op_group::lm_head).time().value() == near(6.8e-9));
        CHECK(op(s, op_group::lm_head).bound() == resource::memory);
        // Σ = 98.304 + 8.192 + 3.2 + 65.536 + 6.8 = 182.032 ns
        CHECK(s.compute.value() == near(182.032e-9));
    }
    SECTION("communication") {
        // TP all-reduce of T·h·2 B = 2,048 B per layer, 2 GPUs: 2 steps × 10 ns + 2,048 B /
        // 100 GB/s = 40.48 ns; 2 layers (MoE layers have no TP reduction after the experts,
        // which return through the all-to-all): 80.96 ns.
        CHECK(s.comm.tp.value() == near(80.96e-9));
        // EP all-to-all: each TP rank sends its 8 tokens × 2 copies × 64 × 2 B = 2,048 B, of
        // which (EP − 1)/EP = 1/2 leaves the GPU: 1,024 B dispatch + 1,024 B combine, inside
        // the node. Time per layer 2 × (10 ns + 1,024 / 1e11 = 10.24 ns); 2 layers: 80.96 ns.
        CHECK(s.comm.ep_intra_node.value() == 2'048.0);
        CHECK(s.comm.ep_inter_node.value() == 0.0);
        CHECK(s.comm.ep.value() == near(80.96e-9));
        CHECK(s.comm.etp.value() == 0.0); // ETP = 1
        CHECK(s.comm.cp.value() == 0.0);
        CHECK(s.comm.pp.value() == 0.0); // one stage
        // Not overlapped: 182.032 + 161.92 = 343.952 ns; compute-bound ops (163.84 ns) outweigh
        // the network (161.92 ns) and the memory-bound ops (18.192 ns).
        CHECK(s.time.value() == near(343.952e-9));
        CHECK(s.bound == resource::compute);
    }
    SECTION("phase results") {
        CHECK(r.prefill.batch_time.value() == near(343.952e-9));
        // 32 prompt tokens over 4 GPUs in 343.952 ns: 2.3259e7 tokens/s per GPU
        CHECK(r.prefill.tokens_per_gpu.value() == near(8.0 / 343.952e-9));
        CHECK(r.prefill.bubble_fraction == 0.0);
        CHECK(r.prefill.bottleneck == resource::compute);
        // TTFT: one request alone (T = 8, 8 tokens at its EP group):
        //   projections 2·8·12,288 = 196,608 F → 49.152 ns (bytes 2·(12,288 + 8·448) = 31,744)
        //   core 256·72/2 = 9,216 F, 2·8·256 = 4,096 B → 4.096 ns
        //   router 4,096 F, 2·(512 + 4·68·2) = 2,112 B → 2.112 ns
        //   experts 131,072 F → 32.768 ns; touched 4(1 − 2^-8)/2 = 1.9921875:
        //     2·(1.9921875·8,192 + 8·192·2) = 38,784 B → 38.784 ns
        //   head 1 row: 6,400 F, 6,400 + 200 = 6,600 B → 6.6 ns        Σ 100.744 ns
        //   TP: 2·(20 ns + 1,024/1e11) = 60.48 ns; EP: 2·2·(10 ns + 512/1e11) = 60.48 ns
        // TTFT = 100.744 + 120.96 = 221.704 ns
        CHECK(r.prefill.latency.value() == near(221.704e-9));
    }
}

TEST_CASE("tiny MoE: prefill with half of each prompt cached, by hand",
          "[evaluate][prefill][prefix]") {
    // Positions 1–4 of each 8-token prompt are in the prefix cache: tokens 5–8 are computed
    // (T = 2 sequences × 4 = 8 at each TP pair), attend to 5 + 6 + 7 + 8 = 26 keys each
    // sequence, and read the 4 cached entries.
    workload w = tiny_load;
    w.prefix_cache_hit = 0.5;
    const report r = evaluate(tiny, toy, tiny_layout, w);
    REQUIRE(r.valid());
    const stage_step& s = r.prefill.slowest;
    // projections: 2 layers × 8 tokens × 12,288 = 196,608 F; 2·(12,288 + 8·448) = 31,744 B
    CHECK(op(s, op_group::attention_proj).work.value() == 196'608.0);
    CHECK(op(s, op_group::attention_proj).traffic.value() == 31'744.0);
    // core: 2 seqs × 2 layers × 26 keys × 256 / TP 2 = 13,312 F; the new tokens' 2·8·256 =
    // 4,096 B and the cached entries, 2 seqs × 2 layers × 4 × 64 B = 1,024: 5,120 B
    CHECK(op(s, op_group::attention_core).work.value() == 13'312.0);
    CHECK(op(s, op_group::attention_core).traffic.value() == 5'120.0);
    // router: 4 tokens per TP rank: 2·4·512 = 4,096 F, 2·(512 + 4·68·2) = 2,112 B
    CHECK(op(s, op_group::router).work.value() == 4'096.0);
    CHECK(op(s, op_group::router).traffic.value() == 2'112.0);
    // experts: 4·4/EDP 2 = 8 tokens at the EP group, 16 copies, 8 per GPU: 131,072 F; touched
    // 4(1 − 2^-8)/2 = 1.9921875 experts: 2·(1.9921875·8,192 + 8·192·2) = 38,784 B
    CHECK(op(s, op_group::routed_experts).work.value() == 131'072.0);
    CHECK(op(s, op_group::routed_experts).traffic.value() == near(38'784.0));
    // head: 2 rows as without the cache
    CHECK(op(s, op_group::lm_head).work.value() == 12'800.0);
    // 49.152 + 5.12 + 2.112 + 38.784 + 6.8 = 101.968 ns of compute
    CHECK(s.compute.value() == near(101.968e-9));
    // TP: 8·64·2 = 1,024 B, 2·(20 + 10.24) = 60.48 ns; EP: 4 tokens × 2 copies × 128 B =
    // 1,024 B per rank, half leaving: 2 layers × 2 × (10 + 5.12) = 60.48 ns
    CHECK(s.comm.tp.value() == near(60.48e-9));
    CHECK(s.comm.ep.value() == near(60.48e-9));
    CHECK(s.time.value() == near(222.928e-9));
    // the network (120.96 ns) outweighs the compute-bound (49.152) and memory-bound ops
    CHECK(s.bound == resource::network);
    // every prompt token counts, the cached ones too: 32 tokens over 4 GPUs
    CHECK(r.prefill.tokens_per_gpu.value() == near(8.0 / 222.928e-9));
    // TTFT, one request (T = 4, 4 tokens at its EP group):
    //   projections 98,304 F (24.576 ns), 2·(12,288 + 4·448) = 28,160 B → 28.16 ns
    //   core 52 keys·128 = 6,656 F, 2·4·256 + 2·4·64 = 2,560 B → 2.56 ns
    //   router 2,048 F, 2·(512 + 2·68·2) = 1,568 B → 1.568 ns
    //   experts 65,536 F (16.384 ns); touched 4(1 − 2^-4)/2 = 1.875:
    //     2·(1.875·8,192 + 4·192·2) = 33,792 B → 33.792 ns
    //   head 6.6 ns                                                   Σ 72.68 ns
    //   TP 2·(20 + 5.12) = 50.24 ns; EP 2·2·(10 + 2.56) = 50.24 ns
    CHECK(r.prefill.latency.value() == near(173.16e-9));
    // memory: the cache holds whole prompts (2,048 B as without hits); activations of the
    // computed tokens only: (8·776 + 800) / TP 2 = 3,504 B
    CHECK(r.memory.kv_cache.value() == 2'048.0);
    CHECK(r.memory.activations.value() == 3'504.0);
    // decode is untouched: its context is the whole prompt either way
    const report r0 = evaluate(tiny, toy, tiny_layout, tiny_load);
    CHECK(r.decode.batch_time.value() == r0.decode.batch_time.value());
}

TEST_CASE("prefix caching with context parallelism gathers the cached entries too",
          "[evaluate][prefill][prefix]") {
    // TP 2 × CP 2 × DP 1, EP 2 × EDP 2 (ETP 1): 4 sequences at the one DP rank, 4 uncached
    // tokens each, T = 4·4/CP 2 = 8; each CP rank holds half of the 4·4 cached entries.
    const layout l{.tp = 2, .cp = 2, .dp = 1, .pp = 1, .etp = 1, .ep = 2};
    workload w = tiny_load;
    w.prefix_cache_hit = 0.5;
    const report r = evaluate(tiny, toy, l, w);
    REQUIRE(r.valid());
    const stage_step& s = r.prefill.slowest;
    // all-gather over CP of (8 new + 16/2 cached) × 64 B = 1,024 B per rank: one step of
    // 10 ns + 10.24 ns a layer, 2 layers: 40.48 ns
    CHECK(s.comm.cp.value() == near(40.48e-9));
    // core: 4 seqs × 2 layers × 26 keys / CP 2 = 104 query-keys × 128 = 13,312 F; bytes
    // 2·8·256 = 4,096 new and 4·2·4·64/2 = 1,024 cached
    CHECK(op(s, op_group::attention_core).work.value() == 13'312.0);
    CHECK(op(s, op_group::attention_core).traffic.value() == 5'120.0);
}

TEST_CASE("MLA prefill up-projects the cached prefix's latents",
          "[evaluate][prefill][prefix][mla]") {
    // DeepSeek-V2-Lite (16 heads, latent 512, no-RoPE and value heads of 128), one prompt of
    // 1,000 tokens, a quarter cached. The naive form computes K and V of every key from its
    // latent: the 750 new tokens' as without the cache, and the 250 cached ones' again, at
    // 2·512·16·(128 + 128) = 4,194,304 FLOPs each per layer: 27·250·4,194,304 more, split
    // over TP with the heads.
    const workload cold{.batch = 1, .prompt = 1000};
    workload warm = cold;
    warm.prefix_cache_hit = 0.25;
    for (const int tp : {1, 2}) {
        INFO("tp " << tp);
        const report r_cold = evaluate(presets::deepseek_v2_lite, presets::h200, {.tp = tp}, cold);
        const report r_warm = evaluate(presets::deepseek_v2_lite, presets::h200, {.tp = tp}, warm);
        REQUIRE(r_cold.valid());
        REQUIRE(r_warm.valid());
        const double cold_proj = op(r_cold.prefill.slowest, op_group::attention_proj).work.value();
        const double warm_proj = op(r_warm.prefill.slowest, op_group::attention_proj).work.value();
        CHECK(warm_proj == near(cold_proj * 750.0 / 1000.0 + 27.0 * 250.0 * 4'194'304.0 / tp));
    }
}

TEST_CASE("prefix caching: the rule and the any-layout bound", "[evaluate][prefix][claims]") {
    for (double hit : {-0.1, 1.0, std::nan("")}) {
        INFO("hit " << hit);
        workload w = tiny_load;
        w.prefix_cache_hit = hit;
        const violations v = validate(w);
        REQUIRE(v.count == 1);
        CHECK(v.items[0].what == (hit >= 1.0 ? rule::below : rule::non_negative));
        CHECK(std::string(v.items[0].field) == "workload.prefix_cache_hit");
        CHECK_FALSE(evaluate(tiny, toy, tiny_layout, w).evaluated);
    }
    CHECK(describe({rule::below, "workload.prefix_cache_hit", 1.0, 1.0}) ==
          "workload.prefix_cache_hit = 1 must be below 1");
    // Any layout of the toy GPU, 8-token prompts with 4 cached: the new tokens' matmuls are
    // 4 × 82,944 (per token: projections 24,576 + router 512 + experts 16,384, 2 layers) +
    // 2 layers × 26 keys × 256 + one logit row 12,800 = 357,888 FLOPs per 8 prompt tokens.
    // Each prompt's KV is still written (4 new entries) or read (4 cached) once: 8 × 2 layers
    // × 128 B = 2,048 B, as without the cache.
    workload w = tiny_load;
    w.prefix_cache_hit = 0.5;
    const claim_verdict v = check_claim(make<token_rate>(1.0), phase::prefill, tiny, toy.gpu, w);
    CHECK(v.bound.compute_bound.value() == near(4e12 * 8.0 / 357'888.0));
    CHECK(v.bound.memory_bound.value() == near(1e12 * 8.0 / 2'048.0));
    CHECK(v.bound.binding == resource::compute);
}

TEST_CASE("tiny MoE: decode step by hand", "[evaluate][decode]") {
    const report r = evaluate(tiny, toy, tiny_layout, tiny_load);
    REQUIRE(r.valid());
    const stage_step& s = r.decode.slowest;
    // One micro-batch (PP = 1): 2 sequences per DP rank, T = 2 tokens, context 8; 4 / EDP 2
    // = 2 tokens reach each EP group, 4 copies, 2 per GPU.
    // projections 2·2·12,288 = 49,152 F; 2·(12,288 + 2·448) = 26,368 B → 26.368 ns (memory)
    CHECK(op(s, op_group::attention_proj).work.value() == 49'152.0);
    CHECK(op(s, op_group::attention_proj).traffic.value() == 26'368.0);
    // core: 2 seqs × 2 layers × 8 keys × 256 / TP 2 = 4,096 F; reads each sequence's cache
    // 2 seqs × (2 layers × 8 tokens) × 64 B = 2,048 and writes 2 layers × 2 tokens × 64 B = 256
    CHECK(op(s, op_group::attention_core).work.value() == 4'096.0);
    CHECK(op(s, op_group::attention_core).traffic.value() == 2'304.0);
    // router: T/TP = 1 token per rank × 2·h·E = 512 F × 2 layers = 1,024 F;
    //   bytes 2 · (256 weights · 2 B + 1 token · 68 · 2 B) = 1,296
    CHECK(op(s, op_group::router).work.value() == 1'024.0);
    CHECK(op(s, op_group::router).traffic.value() == 1'296.0);
    // experts: 2 copies × 8,192 × 2 layers = 32,768 F. Two tokens touch 4·(1 − (1/2)²) = 3
    // experts of the EP group, 1.5 per GPU: 2·(1.5·8,192 + 2·192·2) = 26,112 B
    CHECK(op(s, op_group::routed_experts).work.value() == 32'768.0);
    CHECK(op(s, op_group::routed_experts).traffic.value() == 26'112.0);
    CHECK(r.decode_experts_touched == 3.0);
    // head: 2 rows · 2·64·50 = 12,800 F; 6,400 + 400 = 6,800 B
    CHECK(op(s, op_group::lm_head).work.value() == 12'800.0);
    CHECK(op(s, op_group::lm_head).traffic.value() == 6'800.0);
    // every group is memory bound: 26.368 + 2.304 + 1.296 + 26.112 + 6.8 = 62.88 ns
    for (std::size_t g = 0; g < op_group_count; ++g)
        if (s.ops[g].work.value() > 0)
            CHECK(s.ops[g].bound() == resource::memory);
    CHECK(s.compute.value() == near(62.88e-9));
    // TP: 2 × (20 ns + 256 B / 1e11) = 45.12 ns; EP: one token per rank, 2 copies, half off
    // the GPU: 128 B each way, 2 layers × 2 × (10 ns + 1.28 ns) = 45.12 ns
    CHECK(s.comm.tp.value() == near(45.12e-9));
    CHECK(s.comm.ep_intra_node.value() == 256.0);
    CHECK(s.comm.ep.value() == near(45.12e-9));
    // 62.88 + 90.24 = 153.12 ns, and the network outweighs the memory-bound work
    CHECK(s.time.value() == near(153.12e-9));
    CHECK(s.bound == resource::network);
    CHECK(r.decode.latency.value() == near(153.12e-9));
    CHECK(r.decode.batch_time.value() == near(153.12e-9));
    CHECK(r.decode.tokens_per_gpu.value() == near(4.0 / (4.0 * 153.12e-9)));
    CHECK(r.decode.bottleneck == resource::network);
}

TEST_CASE("tiny MoE with MXFP4 experts: memory and decode by hand", "[evaluate][dtype]") {
    // The tiny MoE with its routed experts' matrices in MXFP4: 4 bits per element and one
    // 8-bit scale per block of 32, 4.25 bits = 0.53125 B; the rest stays bf16.
    model_spec m = tiny;
    m.precision.experts = dtype::mxfp4;
    const report r = evaluate(m, toy, tiny_layout, tiny_load);
    REQUIRE(r.valid());
    // Weights (the bf16 derivation above: 35,904 params): the two whole experts per layer,
    // 2·4,096 = 8,192 params × 2 layers = 16,384 at 0.53125 B = 8,704 B; the other 19,520 at
    // 2 B = 39,040 B → 47,744 B.
    CHECK(r.memory.weights.value() == 47'744.0);
    // Largest batch: (900,000 − 47,744) / 4,328 B per sequence = 196.9 → 196 per DP rank.
    CHECK(r.max_batch == 392);
    // Decode: 1.5 experts touched per GPU read 1.5·4,096·0.53125 = 3,264 B, the 2 copies'
    // activations 2·192·2 = 768 B, 2 layers: 8,064 B. The FLOPs are bf16's (weights
    // dequantised in the kernel): 32,768 F / 4 TFLOP/s = 8.192 ns > 8.064 ns: compute bound.
    const stage_step& s = r.decode.slowest;
    CHECK(op(s, op_group::routed_experts).work.value() == 32'768.0);
    CHECK(op(s, op_group::routed_experts).traffic.value() == 8'064.0);
    CHECK(op(s, op_group::routed_experts).bound() == resource::compute);
    // the other groups as in bf16: 26.368 + 2.304 + 1.296 + 8.192 + 6.8 = 44.96 ns, and the
    // same 90.24 ns of communication
    CHECK(s.compute.value() == near(44.96e-9));
    CHECK(s.time.value() == near(135.2e-9));

    // On a GPU with an 8 TFLOP/s fp8 rate, with the other weights in fp8: the experts still
    // multiply at bf16's 4 TFLOP/s, 8.192 ns (at fp8's rate they would take max(4.096,
    // 8.064) = 8.064 ns), while the router reads its weights at 1 B: 2·(256 + 68·2) = 784 B.
    cluster_spec fp8_gpu = toy;
    fp8_gpu.gpu.peak_fp8 = make<flop_rate>(8e12);
    m.precision.weights = dtype::fp8;
    const report r8 = evaluate(m, fp8_gpu, tiny_layout, tiny_load);
    const stage_step& f = r8.decode.slowest;
    CHECK(op(f, op_group::routed_experts).traffic.value() == 8'064.0);
    CHECK(op(f, op_group::routed_experts).time().value() == near(8.192e-9));
    CHECK(op(f, op_group::router).traffic.value() == 784.0);

    // With an MTP module (MoE, on the last stage) its experts are MXFP4 too: per GPU 2 layers
    // × 8,192 + 8,192 = 24,576 matrix elements, each 2 − 0.53125 = 1.46875 B lighter than in
    // bf16: 36,096 B.
    model_spec mtp = test::tiny_moe_mtp;
    const double bf16_weights = evaluate(mtp, toy, tiny_layout, tiny_load).memory.weights.value();
    mtp.precision.experts = dtype::mxfp4;
    CHECK(evaluate(mtp, toy, tiny_layout, tiny_load).memory.weights.value() ==
          bf16_weights - 36'096.0);
}

TEST_CASE("tiny MoE as an AWQ checkpoint: int4 weights, 16-bit embedding and LM head",
          "[evaluate][dtype]") {
    model_spec m = tiny;
    m.precision.weights = dtype::int4;
    m.precision.embeddings = dtype::bf16;
    const report r = evaluate(m, toy, tiny_layout, tiny_load);
    REQUIRE(r.valid());
    // per GPU (tiny MoE: memory per GPU by hand above): embedding 3,200 and head 3,200 at 2 B
    // = 12,800 B; the other 29,504 at 0.51953125 B = 15,328.25 B
    CHECK(r.memory.weights.value() == 28'128.25);
    // prefill: the head reads its 3,200 weights at 2 B and 2·50 fp32 logits, 6,800 B, as in
    // bf16; the projections read 2 layers × 6,144 weights at int4 = 6,384 B and 7,168 B of
    // activations each: 2·(3,192 + 7,168) = 20,720 B
    const stage_step& s = r.prefill.slowest;
    CHECK(op(s, op_group::lm_head).traffic.value() == 6'800.0);
    CHECK(op(s, op_group::attention_proj).traffic.value() == 20'720.0);
    // the head multiplies at its own dtype's rate: fp8 weights, a bf16 head, on a GPU with an
    // fp8 rate of 8 TFLOP/s: 12,800 F at the bf16 4 TFLOP/s, 3.2 ns; the projections at fp8
    cluster_spec c = toy;
    c.gpu.peak_fp8 = make<flop_rate>(8e12);
    m.precision.weights = dtype::fp8;
    const report rf = evaluate(m, c, tiny_layout, tiny_load);
    const stage_step& f = rf.prefill.slowest;
    CHECK(op(f, op_group::lm_head).compute_time.value() == near(3.2e-9));
    CHECK(op(f, op_group::attention_proj).compute_time.value() == near(393'216.0 / 8e12));
}

TEST_CASE("tiny MoE with NVFP4 experts: the FP4 rate where the GPU has one", "[evaluate][dtype]") {
    // NVFP4: E2M1 elements with one FP8 scale per 16, 4 + 8/16 = 4.5 bits = 0.5625 B.
    model_spec m = tiny;
    m.precision.experts = dtype::nvfp4;
    // Prefill (the prefill test above): 262,144 F of routed experts; bytes: 2 − 2^-15 experts
    // per GPU × 4,096 × 0.5625 B = 4,607.9296875 and the copies' 6,144 B, 2 layers:
    // 21,503.859375 B → 21.503859375 ns.
    // With a 16 TFLOP/s FP4 rate the FLOPs take 16.384 ns: the group turns memory bound.
    cluster_spec fp4_gpu = toy;
    fp4_gpu.gpu.peak_fp4 = make<flop_rate>(16e12);
    const report r = evaluate(m, fp4_gpu, tiny_layout, tiny_load);
    REQUIRE(r.valid());
    const op_cost& e = op(r.prefill.slowest, op_group::routed_experts);
    CHECK(e.work.value() == 262'144.0);
    CHECK(e.traffic.value() == near(21'503.859375));
    CHECK(e.time().value() == near(21.503859375e-9));
    CHECK(e.bound() == resource::memory);
    // Without an FP4 rate the weights are dequantised and multiplied at bf16's 4 TFLOP/s:
    // 65.536 ns, compute bound. The other groups keep the bf16 rate either way.
    const report no_fp4 = evaluate(m, toy, tiny_layout, tiny_load);
    CHECK(op(no_fp4.prefill.slowest, op_group::routed_experts).time().value() == near(65.536e-9));
    CHECK(op(r.prefill.slowest, op_group::attention_proj).time() ==
          op(no_fp4.prefill.slowest, op_group::attention_proj).time());
    // A negative FP4 rate is refused by name.
    fp4_gpu.gpu.peak_fp4 = make<flop_rate>(-1.0);
    const violations v = validate(fp4_gpu);
    REQUIRE(v.count == 1);
    CHECK(describe(v.items[0]) == "gpu.peak_fp4 must be >= 0 (got -1)");
}

TEST_CASE("tiny MoE with int8 experts: the INT8 rate where the GPU has one", "[evaluate][dtype]") {
    // int8 (W8A8): 1 B per element. Prefill as the NVFP4 case above: 262,144 F of routed
    // experts; bytes (2 − 2^-15) experts per GPU × 4,096 × 1 B = 8,191.875 and the copies'
    // 6,144 B, 2 layers: 28,671.75 B → 28.67175 ns. At a 16 TOP/s INT8 rate the products take
    // 16.384 ns: memory bound.
    model_spec m = tiny;
    m.precision.experts = dtype::int8;
    cluster_spec int8_gpu = toy;
    int8_gpu.gpu.peak_int8 = make<flop_rate>(16e12);
    const report r = evaluate(m, int8_gpu, tiny_layout, tiny_load);
    REQUIRE(r.valid());
    const op_cost& e = op(r.prefill.slowest, op_group::routed_experts);
    CHECK(e.work.value() == 262'144.0);
    CHECK(e.traffic.value() == near(28'671.75));
    CHECK(e.time().value() == near(28.67175e-9));
    CHECK(e.bound() == resource::memory);
    // without an INT8 rate, bf16's 4 TFLOP/s: 65.536 ns, compute bound
    const report no_int8 = evaluate(m, toy, tiny_layout, tiny_load);
    CHECK(op(no_int8.prefill.slowest, op_group::routed_experts).time().value() == near(65.536e-9));
    // int8 is not a weight-only format: an int8 KV cache is accepted
    m.precision.kv = dtype::int8;
    CHECK(validate(m).ok());
    // a negative INT8 rate is refused by name
    int8_gpu.gpu.peak_int8 = make<flop_rate>(-1.0);
    const violations v = validate(int8_gpu);
    REQUIRE(v.count == 1);
    CHECK(describe(v.items[0]) == "gpu.peak_int8 must be >= 0 (got -1)");
}

TEST_CASE("an fp8 attention core multiplies at the fp8 rate, its bytes unchanged",
          "[evaluate][dtype]") {
    // The prefill case by hand above: the core's 18,432 F take 4.608 ns at bf16's 4 TFLOP/s;
    // in fp8 on a GPU with an 8 TFLOP/s fp8 rate, 2.304 ns. Its 8,192 B (the cache and the
    // activations, bf16 both) and the projections (98.304 ns at the weights' bf16) stay.
    model_spec m = tiny;
    m.precision.attention = dtype::fp8;
    cluster_spec c = toy;
    c.gpu.peak_fp8 = make<flop_rate>(8e12);
    const report r = evaluate(m, c, tiny_layout, tiny_load);
    REQUIRE(r.valid());
    const stage_step& s = r.prefill.slowest;
    CHECK(op(s, op_group::attention_core).compute_time.value() == near(2.304e-9));
    CHECK(op(s, op_group::attention_core).traffic.value() == 8'192.0);
    CHECK(op(s, op_group::attention_proj).compute_time.value() == near(98.304e-9));
    // without an fp8 rate the core runs at bf16's
    const report no_fp8 = evaluate(m, toy, tiny_layout, tiny_load);
    CHECK(op(no_fp8.prefill.slowest, op_group::attention_core).compute_time.value() ==
          near(4.608e-9));
    // unset, it follows the activations
    CHECK(attention_dtype(tiny.precision) == dtype::bf16);
    CHECK(attention_dtype({.activations = dtype::fp8}) == dtype::fp8);
}

TEST_CASE("ideal mode: overlap and efficiencies 1", "[evaluate][ideal]") {
    const report base = evaluate(tiny, toy, tiny_layout, tiny_load);
    const report ideal = evaluate(tiny, toy, tiny_layout, tiny_load, {.ideal = true});
    REQUIRE(ideal.ideal);
    // Groups and communication overlapped. Prefill (the hand derivation above): Σ compute
    // (393,216 + 18,432 + 8,192 + 262,144 + 12,800 = 694,784 F) / 4e12 = 173.696 ns, Σ HBM
    // (38,912 + 8,192 + 3,200 + 45,055.5 + 6,800 = 102,159.5 B) / 1e12 = 102.1595 ns, network
    // 161.92 ns: 173.696 ns, below the groups' summed rooflines (182.032 ns). Decode: every
    // group is memory bound, Σ HBM = 62.88 ns, under the network's 90.24 ns: 90.24 ns.
    CHECK(ideal.prefill.batch_time.value() == near(173.696e-9));
    CHECK(ideal.prefill.slowest.compute.value() == near(173.696e-9));
    CHECK(ideal.prefill.slowest.bound == resource::compute);
    CHECK(ideal.decode.batch_time.value() == near(90.24e-9));
    CHECK(ideal.prefill.tokens_per_gpu >= base.prefill.tokens_per_gpu);
    CHECK(ideal.decode.tokens_per_gpu >= base.decode.tokens_per_gpu);
    CHECK(ideal.prefill.latency <= base.prefill.latency);

    // Halve every efficiency: the expected times grow, the ideal ones do not change.
    cluster_spec slow = toy;
    slow.gpu.perf = flat_profile(0.5, 0.5);
    slow.intra_node.efficiency = 0.5;
    const report slow_r = evaluate(tiny, slow, tiny_layout, tiny_load);
    const report slow_ideal = evaluate(tiny, slow, tiny_layout, tiny_load, {.ideal = true});
    // projections at 2 TFLOP/s: 196.608 ns; all-reduce 2·(20 ns + 2,048 / 5e10) = 121.92 ns
    CHECK(slow_r.prefill.slowest.op(op_group::attention_proj).time().value() == near(196.608e-9));
    CHECK(slow_r.prefill.slowest.comm.tp.value() == near(121.92e-9));
    CHECK(slow_ideal.prefill.batch_time.value() == near(173.696e-9));
    CHECK(slow_ideal.decode.batch_time.value() == near(90.24e-9));
    CHECK(slow_r.prefill.tokens_per_gpu < base.prefill.tokens_per_gpu);

    // Expert imbalance: the busiest EP rank gets 1.5× the copies; ideal ignores it.
    const report skew = evaluate(tiny, toy, tiny_layout, tiny_load, {.expert_imbalance = 1.5});
    // 1.5 · 262,144 = 393,216 expert FLOPs
    CHECK(skew.prefill.slowest.op(op_group::routed_experts).work.value() == 393'216.0);
    const report skew_ideal =
        evaluate(tiny, toy, tiny_layout, tiny_load, {.ideal = true, .expert_imbalance = 1.5});
    CHECK(skew_ideal.prefill.slowest.op(op_group::routed_experts).work.value() == 262'144.0);
    // The busiest of 2 EP ranks of 2 experts each (k = 2) holds at most every copy, 2× the
    // mean: an imbalance of 100 is that (2 · 262,144), and on one EP rank there is no busier
    // rank: the balanced figure.
    const report all_on_one =
        evaluate(tiny, toy, tiny_layout, tiny_load, {.expert_imbalance = 100});
    CHECK(all_on_one.prefill.slowest.op(op_group::routed_experts).work.value() == 524'288.0);
    constexpr layout one_ep{.tp = 2, .cp = 1, .dp = 2, .pp = 1, .etp = 2, .ep = 1};
    const report one = evaluate(tiny, toy, one_ep, tiny_load, {.expert_imbalance = 1.5});
    const report one_balanced = evaluate(tiny, toy, one_ep, tiny_load);
    REQUIRE(one.evaluated);
    CHECK(one.prefill.slowest.op(op_group::routed_experts).work.value() ==
          one_balanced.prefill.slowest.op(op_group::routed_experts).work.value());
    CHECK(one.decode.batch_time == one_balanced.decode.batch_time);
    // On 4 ranks of one expert each a token sends a rank at most 1 of its k = 2 copies: the
    // busiest rank holds at most every token once, 4 · 1/2 = 2× the mean, not 4×.
    constexpr layout four_ep{.tp = 1, .cp = 1, .dp = 4, .pp = 1, .etp = 1, .ep = 4};
    const report spread = evaluate(tiny, toy, four_ep, tiny_load);
    const report crowded = evaluate(tiny, toy, four_ep, tiny_load, {.expert_imbalance = 3});
    REQUIRE(spread.evaluated);
    CHECK(crowded.prefill.slowest.op(op_group::routed_experts).work.value() ==
          2.0 * spread.prefill.slowest.op(op_group::routed_experts).work.value());
    CHECK(evaluate(tiny, toy, four_ep, tiny_load, {.expert_imbalance = 1.5})
              .prefill.slowest.op(op_group::routed_experts)
              .work.value() ==
          1.5 * spread.prefill.slowest.op(op_group::routed_experts).work.value());

    // Overlap alone (efficiencies as they are, already 1 here) hides the communication but adds
    // the groups' rooflines: max(182.032, 161.92) = 182.032 ns, above the ideal 173.696 ns.
    const report ov = evaluate(tiny, toy, tiny_layout, tiny_load, {.overlap = true});
    CHECK(ov.prefill.batch_time.value() == near(182.032e-9));
    CHECK(ov.decode.batch_time.value() == near(90.24e-9));
}

TEST_CASE("ideal mode: a step overlaps its operator groups, max(Σ compute, Σ HBM)",
          "[evaluate][ideal]") {
    // dense4 (fixtures.hpp) alone on one toy GPU (4 TFLOP/s, 1 TB/s, every efficiency 1; HBM
    // raised so that the caches fit): no collective at all, so a step is its operator groups.
    // Decode of 16 sequences, T = 16 tokens a step, 4 layers, by hand:
    //   projections: 2·4h² = 32,768 F a token and layer → 4·16·32,768 = 2,097,152 F: 524.288 ns;
    //     bytes 4·(16,384 weights · 2 B + 16 tokens · (2h + q 64 + kv 128 + ctx 64 = 384) · 2 B)
    //     = 4·(32,768 + 12,288) = 180,224 B: 180.224 ns                          compute bound
    //   dense FFN: 2·2·h·256 = 65,536 F a token and layer → 4,194,304 F: 1,048.576 ns;
    //     bytes 4·(32,768 · 2 B + 16 · (2h + 256 + 256 = 640) · 2 B) = 4·86,016 = 344,064 B:
    //     344.064 ns                                                             compute bound
    //   LM head: 16 rows · 2·64·100 = 204,800 F: 51.2 ns; 6,400 · 2 B + 16 · 100 fp32
    //     = 19,200 B: 19.2 ns                                                     compute bound
    //   attention core at context c: 4·H·d = 256 F a query-key, 16 seqs · 4 layers · c keys;
    //     bytes: the cache read, 16 · 4 · c · 256 B (K and V, 128 elements of 2 B), and the new
    //     entries written, 4 · 16 · 256 = 16,384 B                                memory bound
    cluster_spec c = toy;
    c.gpu.hbm = make<bytes>(1e9);
    const layout one{};
    const double proj_c = 524.288e-9, proj_m = 180.224e-9, ffn_c = 1'048.576e-9, ffn_m = 344.064e-9,
                 head_c = 51.2e-9, head_m = 19.2e-9;

    SECTION("context 16: compute binds; the groups' rooflines sum to more") {
        // core: 16·4·16 = 1,024 query-keys · 256 = 262,144 F: 65.536 ns;
        //       262,144 + 16,384 = 278,528 B: 278.528 ns
        const double core_c = 65.536e-9, core_m = 278.528e-9;
        const workload w{.batch = 16, .prompt = 16};
        const report r = evaluate(test::dense4, c, one, w);
        const report ideal = evaluate(test::dense4, c, one, w, {.ideal = true});
        REQUIRE(r.valid());
        REQUIRE(ideal.valid());
        const stage_step& s = r.decode.slowest;
        CHECK(op(s, op_group::attention_proj).compute_time.value() == near(proj_c));
        CHECK(op(s, op_group::attention_proj).memory_time.value() == near(proj_m));
        CHECK(op(s, op_group::attention_core).compute_time.value() == near(core_c));
        CHECK(op(s, op_group::attention_core).memory_time.value() == near(core_m));
        CHECK(op(s, op_group::dense_ffn).compute_time.value() == near(ffn_c));
        CHECK(op(s, op_group::dense_ffn).memory_time.value() == near(ffn_m));
        CHECK(op(s, op_group::lm_head).compute_time.value() == near(head_c));
        CHECK(op(s, op_group::lm_head).memory_time.value() == near(head_m));
        // Default: each group's roofline, summed: 524.288 + 278.528 + 1,048.576 + 51.2
        // = 1,902.592 ns (and so with communication overlapped: there is none)
        CHECK(s.compute.value() == near(1'902.592e-9));
        CHECK(r.decode.batch_time.value() == near(1'902.592e-9));
        CHECK(evaluate(test::dense4, c, one, w, {.overlap = true}).decode.batch_time.value() ==
              near(1'902.592e-9));
        // Ideal: Σ compute 524.288 + 65.536 + 1,048.576 + 51.2 = 1,689.6 ns against Σ HBM
        // 180.224 + 278.528 + 344.064 + 19.2 = 822.016 ns: 1,689.6 ns, compute bound, while
        // the breakdown keeps each group's own roofline.
        const double sum_c = proj_c + core_c + ffn_c + head_c;
        const double sum_m = proj_m + core_m + ffn_m + head_m;
        CHECK(sum_c == near(1'689.6e-9));
        CHECK(sum_m == near(822.016e-9));
        const stage_step& i = ideal.decode.slowest;
        CHECK(i.compute.value() == near(std::max(sum_c, sum_m)));
        CHECK(i.time.value() == near(1'689.6e-9));
        CHECK(i.bound == resource::compute);
        CHECK(op(i, op_group::attention_core).time().value() == near(core_m));
        CHECK(op(i, op_group::attention_core).bound() == resource::memory);
        CHECK(ideal.decode.batch_time.value() == near(1'689.6e-9));
        CHECK(ideal.decode.latency.value() == near(1'689.6e-9));
        CHECK(ideal.decode.tokens_per_gpu.value() == near(16.0 / 1'689.6e-9));
        CHECK(ideal.decode.bottleneck == resource::compute);
    }
    SECTION("context 256: HBM binds") {
        // core: 16·4·256 = 16,384 query-keys · 256 = 4,194,304 F: 1,048.576 ns;
        //       4,194,304 + 16,384 = 4,210,688 B: 4,210.688 ns
        const double core_c = 1'048.576e-9, core_m = 4'210.688e-9;
        const workload w{.batch = 16, .prompt = 256};
        const report r = evaluate(test::dense4, c, one, w);
        const report ideal = evaluate(test::dense4, c, one, w, {.ideal = true});
        REQUIRE(r.valid());
        REQUIRE(ideal.valid());
        // Default: 524.288 + 4,210.688 + 1,048.576 + 51.2 = 5,834.752 ns
        CHECK(r.decode.slowest.time.value() == near(5'834.752e-9));
        CHECK(r.decode.slowest.bound == resource::memory); // memory-bound groups outweigh
        // Ideal: Σ compute 524.288 + 1,048.576 + 1,048.576 + 51.2 = 2,672.64 ns, Σ HBM
        // 180.224 + 4,210.688 + 344.064 + 19.2 = 4,754.176 ns: memory bound
        const double sum_c = proj_c + core_c + ffn_c + head_c;
        const double sum_m = proj_m + core_m + ffn_m + head_m;
        CHECK(sum_c == near(2'672.64e-9));
        CHECK(sum_m == near(4'754.176e-9));
        CHECK(ideal.decode.slowest.compute.value() == near(std::max(sum_c, sum_m)));
        CHECK(ideal.decode.slowest.time.value() == near(4'754.176e-9));
        CHECK(ideal.decode.slowest.bound == resource::memory);
        CHECK(ideal.decode.bottleneck == resource::memory);
    }
}

TEST_CASE("requirements pass and fail with their numbers", "[evaluate][requirements]") {
    // From the hand derivations: prefill 2.3259e7 tok/s per GPU, decode 6.5308e6, TTFT
    // 221.704 ns, TPOT 153.12 ns, memory 80,464 B.
    const requirements mixed{.min_prefill_tokens_per_gpu = make<token_rate>(2e7), // pass
                             .min_decode_tokens_per_gpu = make<token_rate>(1e7),  // fail
                             .max_ttft = 1_us,                                    // pass
                             .max_tpot = 100.0_ns,                                // fail
                             .max_memory_per_gpu = make<bytes>(80'000)};          // fail
    const report r = evaluate(tiny, toy, tiny_layout, tiny_load, {}, mixed);
    REQUIRE(r.valid());
    CHECK_FALSE(r.meets());
    const auto& q = r.requirements;
    CHECK((q[0].applies && q[0].pass));
    CHECK(q[0].value == near(8.0 / 343.952e-9));
    CHECK(q[0].target == 2e7);
    CHECK((q[1].applies && !q[1].pass));
    CHECK(q[1].value == near(1.0 / 153.12e-9));
    CHECK((q[2].applies && q[2].pass));
    CHECK((q[3].applies && !q[3].pass));
    CHECK(q[3].value == near(153.12e-9));
    CHECK((q[4].applies && !q[4].pass));
    CHECK(q[4].value == 80'464.0);

    const requirements loose{.min_prefill_tokens_per_gpu = make<token_rate>(2e7),
                             .min_decode_tokens_per_gpu = make<token_rate>(6e6),
                             .max_ttft = 1_us,
                             .max_tpot = 200.0_ns,
                             .max_memory_per_gpu = make<bytes>(81'000)};
    CHECK(evaluate(tiny, toy, tiny_layout, tiny_load, {}, loose).meets());

    // No targets: nothing applies, and an invalid deployment still does not "meet".
    const report none = evaluate(tiny, toy, tiny_layout, tiny_load);
    for (const auto& c : none.requirements)
        CHECK_FALSE(c.applies);
    CHECK(none.meets());
    const report bad = evaluate(tiny, toy, layout{.pp = 3}, tiny_load, {}, loose); // 2 layers, pp 3
    CHECK_FALSE(bad.meets());
}

TEST_CASE("max_batch fits and max_batch + dp does not", "[evaluate][memory][max_batch]") {
    // Tiny model: hand-derived 382 (see "memory per GPU by hand").
    const report at = evaluate(tiny, toy, tiny_layout, {.batch = 382, .prompt = 8});
    const report over = evaluate(tiny, toy, tiny_layout, {.batch = 384, .prompt = 8});
    // 191 sequences per rank: 71,808 + 191 · 4,328 = 898,456 ≤ 900,000
    CHECK(at.memory.total().value() == near(898'456.0));
    CHECK(at.memory.fits);
    // 192: 71,808 + 192 · 4,328 = 902,784 > 900,000, a named memory violation with its numbers
    CHECK(over.memory.total().value() == near(902'784.0));
    CHECK_FALSE(over.memory.fits);
    REQUIRE(over.problems.has(rule::memory));
    for (const auto& v : over.problems)
        if (v.what == rule::memory) {
            CHECK(v.value == near(902'784.0));
            CHECK(v.limit == near(900'000.0));
        }
    CHECK_FALSE(over.valid());
    // The figure does not depend on the batch it is computed at (per-sequence costs are linear).
    CHECK(at.max_batch == 382);
    CHECK(over.max_batch == 382);

    // DeepSeek-V3 (fp8) on 8 H200s with TP 8: check the rule on a real preset.
    const layout l8{.tp = 8, .etp = 1, .ep = 8};
    const report v3 =
        evaluate(presets::deepseek_v3, presets::h200, l8, {.batch = 8, .prompt = 4096});
    REQUIRE(v3.max_batch > 0);
    const int dp = l8.dp;
    CHECK(evaluate(presets::deepseek_v3, presets::h200, l8, {.batch = v3.max_batch, .prompt = 4096})
              .memory.fits);
    CHECK_FALSE(evaluate(presets::deepseek_v3, presets::h200, l8,
                         {.batch = v3.max_batch + dp, .prompt = 4096})
                    .memory.fits);
}

TEST_CASE("EP = 1 has no all-to-all", "[evaluate][comm][regression]") {
    const workload w{.batch = 8, .prompt = 128};
    // seed model: TP 2 × DP 4 attention; experts ETP 2 × EP 1 × EDP 4
    const report r = evaluate(presets::seed_moe, presets::seed_gpu, {.tp = 2, .dp = 4, .ep = 1}, w);
    REQUIRE(r.valid());
    for (const phase_result* p : {&r.prefill, &r.decode}) {
        CHECK(p->slowest.comm.ep.value() == 0.0);
        CHECK(p->slowest.comm.ep_intra_node.value() == 0.0);
        CHECK(p->slowest.comm.ep_inter_node.value() == 0.0);
        CHECK(p->slowest.comm.tp.value() > 0.0); // TP 2 still reduces
    }
    // The same GPUs with EP 4 (ETP 2 × EP 4 × EDP 1) do exchange tokens.
    const report e4 =
        evaluate(presets::seed_moe, presets::seed_gpu, {.tp = 2, .dp = 4, .ep = 4}, w);
    REQUIRE(e4.valid());
    CHECK(e4.decode.slowest.comm.ep.value() > 0.0);
}

TEST_CASE("a batch-1 decode step reads the top-k experts, a large batch reads all",
          "[evaluate][experts][regression]") {
    const auto& m = presets::seed_moe;
    // One GPU. Expert weights: 2·h·f = 1,048,576 params = 2,097,152 B each.
    // Batch 1: E·(1 − (1 − k/E)^1) = 16·(2/16) = 2 experts per layer are read.
    //   16 layers × (2 × 2,097,152 B + 2 copies × (2h + 2f = 3,072) × 2 B) = 67,305,472 B
    const report one = evaluate(m, presets::seed_gpu, layout{}, {.batch = 1, .prompt = 64});
    REQUIRE(one.valid());
    const auto& ex1 = one.decode.slowest.op(op_group::routed_experts);
    CHECK(one.decode_experts_touched == near(2.0));
    CHECK(ex1.traffic.value() == near(67'305'472.0));
    CHECK(ex1.traffic.value() < 1.01 * 16 * 2 * 2'097'152.0); // ≈ top-2 experts' weights
    // Batch 4,096: 16·(1 − (7/8)^4096) = 16 to double precision: all 16 experts are read;
    // 8,192 copies move (2h + 2f)·2 B = 6,144 B each.
    //   16 × (16 × 2,097,152 + 8,192 × 6,144) = 1,342,177,280 B
    const report many = evaluate(m, presets::seed_gpu, layout{}, {.batch = 4096, .prompt = 64});
    REQUIRE(many.valid());
    CHECK(many.decode_experts_touched == near(16.0));
    CHECK(many.decode.slowest.op(op_group::routed_experts).traffic.value() ==
          near(1'342'177'280.0));
    // Intermediate batch 8: 0.875² = 0.765625, ^4 = 0.586182, ^8 = 0.343609;
    // 16·(1 − 0.343609) = 10.50226 experts
    const report eight = evaluate(m, presets::seed_gpu, layout{}, {.batch = 8, .prompt = 64});
    CHECK(eight.decode_experts_touched == Approx(10.50226).epsilon(1e-6));
    // experts_touched itself: one token picks k, many pick all
    CHECK(experts_touched(256, 8, 1) == near(8.0));
    CHECK(experts_touched(256, 8, 1e6) == near(256.0));
}

TEST_CASE("GB200 NVL72: an EP group of 64 stays inside its NVLink domain", "[evaluate][comm]") {
    // DeepSeek-V3 on DP 64 × EP 64, decode at batch 256: 4 sequences per GPU, each token sends
    // 8 copies of 7,168 bf16 values, 63/64 of them off the GPU, dispatch and combine:
    // 4·8·7,168·2 B·2·63/64 = 903,168 B a layer. The 72 GPUs of an NVL72 rack are one NVLink
    // domain, so none of it crosses a NIC; on 8-GPU B200 nodes the same layout spans 8 nodes.
    const layout l{.dp = 64, .ep = 64};
    const workload w{.batch = 256, .prompt = 1024};
    const report nvl = evaluate(presets::deepseek_v3, presets::gb200_nvl72, l, w);
    REQUIRE(nvl.valid());
    CHECK(nvl.decode.slowest.comm.ep_intra_node.value() == near(903'168.0));
    CHECK(nvl.decode.slowest.comm.ep_inter_node.value() == 0.0);
    const report hgx = evaluate(presets::deepseek_v3, presets::b200, l, w);
    REQUIRE(hgx.valid());
    CHECK(hgx.decode.slowest.comm.ep_inter_node.value() > 0.0);
}

TEST_CASE("redundant experts: every replica of a touched expert is read", "[evaluate][experts]") {
    // seed-moe on DP 8 × EP 8, decode at batch 4,096: every one of the 16 experts is touched
    // (the batch-1 case above). Bare, a GPU holds and reads 16/8 = 2 experts a layer; with 8
    // redundant experts it holds 24/8 = 3 and reads all 3: one more expert's 2,097,152 B a
    // layer, 16 layers: 33,554,432 B more, the token copies unchanged.
    const workload w{.batch = 4096, .prompt = 64};
    const report bare = evaluate(presets::seed_moe, presets::seed_gpu, {.dp = 8, .ep = 8}, w);
    const report padded = evaluate(presets::seed_moe, presets::seed_gpu,
                                   {.dp = 8, .ep = 8, .redundant_experts = 8}, w);
    REQUIRE(bare.valid());
    REQUIRE(padded.valid());
    CHECK(padded.decode.slowest.op(op_group::routed_experts).traffic.value() -
              bare.decode.slowest.op(op_group::routed_experts).traffic.value() ==
          near(33'554'432.0));
}

TEST_CASE("all-to-all volume scales with (EP - 1)/EP inside a node",
          "[evaluate][comm][regression]") {
    // Seed model, one node of 8: attention DP 8 (TP 1); experts ETP 1 × EP × EDP = 8.
    // Decode, batch 64: 8 sequences per GPU, each token sends 2 copies of 512 bf16 values;
    // (EP − 1)/EP of them leave the GPU, dispatch and combine: 8·2·512·2 B·2 ·(EP − 1)/EP
    // = 32,768·(EP − 1)/EP: 16,384 (EP 2), 24,576 (EP 4), 28,672 (EP 8).
    const workload w{.batch = 64, .prompt = 128};
    double decode_bytes[3]{}, prefill_bytes[3]{};
    const int eps[3]{2, 4, 8};
    for (int i = 0; i < 3; ++i) {
        const report r = evaluate(presets::seed_moe, presets::seed_gpu, {.dp = 8, .ep = eps[i]}, w);
        REQUIRE(r.valid());
        decode_bytes[i] = r.decode.slowest.comm.ep_intra_node.value();
        prefill_bytes[i] = r.prefill.slowest.comm.ep_intra_node.value();
        CHECK(r.decode.slowest.comm.ep_inter_node.value() == 0.0);
    }
    CHECK(decode_bytes[0] == near(16'384.0));
    CHECK(decode_bytes[1] == near(24'576.0));
    CHECK(decode_bytes[2] == near(28'672.0));
    // prefill: 8 × 128 = 1,024 tokens per GPU, 128× the decode volume
    CHECK(prefill_bytes[0] == near(2'097'152.0));
    CHECK(prefill_bytes[2] == near(3'670'016.0));
    CHECK(decode_bytes[1] / decode_bytes[0] == near(1.5));
    CHECK(decode_bytes[2] / decode_bytes[0] == near(1.75));
    // Time, EP 8, decode: dispatch and combine each move 28,672 / 2 = 14,336 B:
    // 16 layers × 2 × (3 µs + 14,336 B / 300 GB/s) = 97.529 µs
    const report r8 = evaluate(presets::seed_moe, presets::seed_gpu, {.dp = 8, .ep = 8}, w);
    CHECK(r8.decode.slowest.comm.ep.value() == near(16 * 2 * (3e-6 + 14'336.0 / 300e9)));

    // EP 16 spans 2 nodes: a token's 2 copies reach the other node with probability
    // 1 − (1/2)² = 0.75, crossing the NIC once: decode batch 128, 8 tokens per GPU:
    // inter 8·512·0.75·2 B·2 = 12,288 B; intra 8·2·512·(15/16)·2 B·2 = 30,720 B.
    const report r16 = evaluate(presets::seed_moe, presets::seed_gpu, {.dp = 16, .ep = 16},
                                {.batch = 128, .prompt = 128});
    REQUIRE(r16.valid());
    CHECK(r16.decode.slowest.comm.ep_inter_node.value() == near(12'288.0));
    CHECK(r16.decode.slowest.comm.ep_intra_node.value() == near(30'720.0));
}

TEST_CASE("group-limited routing caps the nodes a token's copies reach", "[evaluate][comm]") {
    // The seed model (16 experts, top-2, h 512, bf16) on EP 16 with attention DP 16, decode at
    // batch 128: 8 tokens per GPU, each sending its copies to the distinct remote nodes it
    // reaches, once per node, in dispatch and combine: inter = 8·512·2 B·2·R = 16,384·R B for
    // R expected remote nodes. Uniform routing over 2 nodes of 8: R = 1 − (1/2)² = 0.75.
    const workload w{.batch = 128, .prompt = 128};
    const layout l{.dp = 16, .ep = 16};
    auto inter = [&](const model_spec& m, const cluster_spec& c, const layout& lay) {
        const report r = evaluate(m, c, lay, w);
        REQUIRE(r.valid());
        return r.decode.slowest.comm.ep_inter_node.value();
    };
    model_spec m = presets::seed_moe;
    CHECK(inter(m, presets::seed_gpu, l) == near(16'384.0 * 0.75));
    SECTION("2 groups of 8 (one per node), 1 per token: the other node half the time") {
        m.moe.groups = 2;
        m.moe.group_top_k = 1;
        CHECK(inter(m, presets::seed_gpu, l) == near(16'384.0 * 0.5));
    }
    SECTION("4 groups of 4 (two per node), 2 per token") {
        // The remote node is missed when both chosen groups are local (1 of the C(4,2) = 6
        // pairs) or one is and both copies land in it (4 of 6 pairs, then 1/2 · 1/2):
        // R = 1 − (1/6 + 4/6 · 1/4) = 2/3.
        m.moe.groups = 4;
        m.moe.group_top_k = 2;
        CHECK(inter(m, presets::seed_gpu, l) == near(16'384.0 * 2.0 / 3.0));
        // redundant experts break the contiguous placement: uniform again (EP 16 over 32 slots)
        CHECK(inter(m, presets::seed_gpu, layout{.dp = 16, .ep = 16, .redundant_experts = 16}) ==
              near(16'384.0 * 0.75));
    }
    SECTION("2 groups over 4 nodes of 4: a group spans 2 nodes") {
        // Each remote node is reached when its group is the chosen one (1/2) and one of the 2
        // copies lands on it among the group's 8 experts (1 − (1/2)²): R = 3 · 0.375 = 1.125;
        // uniform over 4 nodes: 3 · (1 − (3/4)²) = 1.3125.
        cluster_spec c = presets::seed_gpu;
        c.gpus_per_node = 4;
        CHECK(inter(m, c, l) == near(16'384.0 * 1.3125));
        m.moe.groups = 2;
        m.moe.group_top_k = 1;
        CHECK(inter(m, c, l) == near(16'384.0 * 1.125));
    }
}

TEST_CASE("group-limited routing: the spec's rules", "[evaluate][spec]") {
    model_spec m = presets::seed_moe; // 16 experts, top-2
    auto first = [](const model_spec& s) {
        const violations v = validate(s);
        return v.count > 0 ? v.items[0] : violation{};
    };
    m.moe.groups = 3; // 16 experts do not split into 3 groups
    CHECK(first(m).what == rule::divides);
    CHECK(std::string(first(m).field) == "moe.groups");
    m.moe.groups = 0;
    CHECK(first(m).what == rule::positive);
    m.moe.groups = 4;
    m.moe.group_top_k = 5; // more groups than exist
    CHECK(first(m).what == rule::at_most);
    m.moe.groups = 16;
    m.moe.group_top_k = 1; // 1 group of 1 expert cannot hold a token's 2
    CHECK(first(m).what == rule::at_least);
    CHECK(first(m).value == 1.0);
    CHECK(first(m).limit == 2.0);
    m.moe.group_top_k = 2;
    CHECK(validate(m).ok());
}

TEST_CASE("KV heads fewer than TP replicate the KV cache", "[evaluate][kv][regression]") {
    // Qwen3-30B-A3B: 48 layers, 4 KV heads of 128, bf16: 2·4·128·2 B = 2,048 B per token and
    // layer. Batch 8 × 1,024 tokens on one DP rank: 8·1,024·48·2,048 = 805,306,368 B, split
    // over min(TP, 4) KV heads.
    const auto& m = presets::qwen3_30b_a3b;
    const workload w{.batch = 8, .prompt = 1024};
    auto kv = [&](int tp) {
        const report r = evaluate(m, presets::h200, {.tp = tp}, w);
        REQUIRE(r.valid());
        return r.memory.kv_cache.value();
    };
    CHECK(kv(2) == 402'653'184.0);
    CHECK(kv(4) == 201'326'592.0);
    CHECK(kv(8) == 201'326'592.0); // TP 8: each KV head on 2 GPUs, not split further
    // Weights follow: at TP 8 the K,V projections (2·2,048·512 = 2,097,152 per layer) are held
    // in quarters, the Q and O projections (2·2,048·4,096 = 16,777,216) in eighths.
    CHECK(attention_params_per_gpu(m, {.tp = 8}) == 2'097'152.0 / 4 + 16'777'216.0 / 8);
    CHECK(attention_params_per_gpu(m, {.tp = 4}) == 2'097'152.0 / 4 + 16'777'216.0 / 4);
}

TEST_CASE("MLA's latent cache is not divided by TP", "[evaluate][kv][mla][regression]") {
    // DeepSeek-V2-Lite: 27 layers, latent 512 + rope key 64, bf16: 1,152 B per token and
    // layer. 4 sequences × 1,000 tokens: 4·1,000·27·1,152 = 124,416,000 B on every TP rank.
    const workload w{.batch = 4, .prompt = 1000};
    for (int tp : {1, 2, 4}) {
        INFO("tp " << tp);
        const report r = evaluate(presets::deepseek_v2_lite, presets::h200, {.tp = tp}, w);
        REQUIRE(r.valid());
        CHECK(r.memory.kv_cache.value() == 124'416'000.0);
    }
}

namespace {
/// A model for the division rules: 4 layers (first dense), 12 heads of 16 with 4 KV heads,
/// dense FFN 96, 8 experts of 48. TP ∈ {1, 2, 4} and EP ∈ {1, 2, 4, 8} divide everything.
constexpr model_spec div_model{
    .name = "div",
    .layers = 4,
    .hidden = 192,
    .vocab = 0,
    .attention = {.heads = 12, .kv_heads = 4, .head_dim = 16},
    .ffn = {.hidden = 96, .gated = false},
    .moe = {.experts = 8, .top_k = 2, .expert_hidden = 48, .first_dense = 1},
};

/// check_layout must find exactly one violation, of rule r, with these numbers.
void expect_only(const violations& v, rule r, const char* field, double value, double limit) {
    INFO("violations found: " << v.count);
    for (const auto& x : v)
        INFO(describe(x));
    REQUIRE(v.count == 1);
    const violation& x = *v.begin();
    CHECK(x.what == r);
    CHECK(std::string(x.field) == field);
    CHECK(x.value == value);
    CHECK(x.limit == limit);
}
} // namespace

TEST_CASE("division rules, each with its numbers", "[evaluate][violations]") {
    const workload w1{.batch = 12, .prompt = 12};
    REQUIRE(validate(div_model).ok());
    CHECK(check_layout(div_model, toy, {.tp = 4, .dp = 2, .ep = 2}, w1).ok()); // ETP 4 · EP 2 = 8

    SECTION("layers vs pp: 4 layers, pp 3") {
        expect_only(check_layout(div_model, toy, {.pp = 3}, w1), rule::layers_vs_pp, "layers", 4,
                    3);
    }
    SECTION("experts vs ep: 8 experts, ep 3") {
        expect_only(check_layout(div_model, toy, {.dp = 3, .ep = 3}, w1), rule::experts_vs_ep,
                    "moe.experts", 8, 3);
        // redundant replicas count: 8 + 1 = 9 slots over EP 3 divide
        CHECK(check_layout(div_model, toy, {.dp = 3, .ep = 3, .redundant_experts = 1}, w1).ok());
    }
    SECTION("heads vs tp: 12 heads, tp 8 (KV heads 4 divide 8, FFN 96 and experts 48 divide 8)") {
        expect_only(check_layout(div_model, toy, {.tp = 8}, w1), rule::heads_vs_tp,
                    "attention.heads", 12, 8);
    }
    SECTION("kv heads vs tp: 4 KV heads, tp 6 (neither divides the other)") {
        expect_only(check_layout(div_model, toy, {.tp = 6}, w1), rule::kv_heads_vs_tp,
                    "attention.kv_heads", 4, 6);
        // TP 8 > 4 KV heads is fine (replication), as is TP 2 < 4
        CHECK_FALSE(check_layout(div_model, toy, {.tp = 2}, w1).has(rule::kv_heads_vs_tp));
    }
    SECTION("ffn vs tp: dense FFN 90, tp 4") {
        model_spec m = div_model;
        m.ffn.hidden = 90;
        expect_only(check_layout(m, toy, {.tp = 4}, w1), rule::ffn_vs_tp, "ffn.hidden", 90, 4);
        // without dense layers the dense FFN width is irrelevant
        m.moe.first_dense = 0;
        CHECK(check_layout(m, toy, {.tp = 4}, w1).ok());
    }
    SECTION("expert hidden vs etp: 50, etp = tp = 4") {
        model_spec m = div_model;
        m.moe.expert_hidden = 50;
        expect_only(check_layout(m, toy, {.tp = 4}, w1), rule::expert_ffn_vs_etp,
                    "moe.expert_hidden", 50, 4);
        CHECK(check_layout(m, toy, {.tp = 4, .etp = 1}, w1).ok()); // whole experts: fine
    }
    SECTION("batch vs dp: 6 sequences over dp 4") {
        expect_only(check_layout(div_model, toy, {.dp = 4}, {.batch = 6, .prompt = 12}),
                    rule::batch_vs_dp, "dp", 6, 4);
    }
    SECTION("prompt vs cp: 10 tokens over cp 3") {
        expect_only(check_layout(div_model, toy, {.cp = 3}, {.batch = 12, .prompt = 10}),
                    rule::prompt_vs_cp, "workload.prompt", 10, 3);
    }
    SECTION("world vs cluster: 16 GPUs on a cluster of 8") {
        cluster_spec c = toy;
        c.max_gpus = 8;
        expect_only(check_layout(div_model, c, {.tp = 2, .dp = 8}, {.batch = 16, .prompt = 12}),
                    rule::world_vs_cluster, "world", 16, 8);
        CHECK(check_layout(div_model, c, {.tp = 2, .dp = 4}, {.batch = 16, .prompt = 12}).ok());
    }
    SECTION("tp and etp groups crossing a node of 2") {
        cluster_spec c = toy;
        c.gpus_per_node = 2;
        expect_only(check_layout(div_model, c, {.tp = 4, .etp = 1}, w1), rule::group_crosses_node,
                    "tp", 4, 2);
        expect_only(check_layout(div_model, c, {.dp = 4, .etp = 4}, w1), rule::group_crosses_node,
                    "etp", 4, 2);
    }
    SECTION("world mismatch: tp 2 but etp 1 × ep 4") {
        expect_only(check_layout(div_model, toy, {.tp = 2, .etp = 1, .ep = 4}, w1),
                    rule::world_mismatch, "layout", 2, 4);
    }
    SECTION("evaluate reports them and is not valid") {
        const report r = evaluate(div_model, toy, {.tp = 8}, w1);
        CHECK(r.problems.has(rule::heads_vs_tp));
        CHECK_FALSE(r.valid());
        CHECK_FALSE(r.meets());
        CHECK(describe(*r.problems.begin()) == "attention heads (12) do not divide over tp = 8");
    }
}

TEST_CASE("claims: the any-layout bound and a layout's bound", "[evaluate][claims]") {
    // Tiny model, context 8, decode. Matmul FLOPs per token (count/flops.hpp convention):
    //   per layer projections 24,576 + core 256·8 = 2,048 + router 512 + experts 16,384 = 43,520
    //   2 layers 87,040 + head 2·64·100 = 12,800 → 99,840 FLOP/token
    // compute bound 4e12 / 99,840 = 40,064,102.6 tok/s; the KV read per token 8·2·128 B =
    // 2,048 B at 1 TB/s: 488,281,250 tok/s. Compute binds.
    const throughput_bound any = any_layout_bound(tiny, toy.gpu, tiny_load, phase::decode);
    CHECK(any.compute_bound.value() == near(4e12 / 99'840.0));
    CHECK(any.memory_bound.value() == near(1e12 / 2'048.0));
    CHECK(any.rate.value() == near(4e12 / 99'840.0));
    CHECK(any.binding == resource::compute);
    // This layout's bound is its ideal evaluation: 1 token per GPU per 90.24 ns = 1.108e7.
    const throughput_bound lay = layout_bound(tiny, toy, tiny_layout, tiny_load, phase::decode);
    CHECK(lay.rate.value() == near(1.0 / 90.24e-9));
    CHECK(lay.binding == resource::network);
    // 2e7 tok/s per GPU: possible on some layout, not on this one.
    const auto claim = make<token_rate>(2e7);
    CHECK(check_claim(claim, phase::decode, tiny, toy.gpu, tiny_load).possible);
    const claim_verdict v = check_claim(claim, phase::decode, tiny, toy, tiny_layout, tiny_load);
    CHECK_FALSE(v.possible);
    CHECK(v.claimed_over_bound() == near(2e7 * 90.24e-9));

    // Prefill, s = 8: per layer 8·(24,576 + 512 + 16,384) = 331,776 + core 256·36 = 9,216;
    // 2 layers + one head row: 681,984 + 12,800 = 694,784 FLOPs for 8 tokens = 86,848 per token
    // → 4e12 / 86,848 = 46,057,249.6 tok/s; KV writes 2·128 B = 256 B per token: 3.906e9.
    const throughput_bound pre = any_layout_bound(tiny, toy.gpu, tiny_load, phase::prefill);
    CHECK(pre.compute_bound.value() == near(4e12 / 86'848.0));
    CHECK(pre.memory_bound.value() == near(1e12 / 256.0));
    CHECK(pre.binding == resource::compute);
    // The layout's ideal prefill, 8 tokens per GPU in 173.696 ns (its groups overlapped: the
    // 694,784 F at 4 TFLOP/s, the evaluation above), reaches it: this layout replicates no work
    // (GQA's 2 KV heads over TP 2) and compute binds both.
    const throughput_bound pre_l = layout_bound(tiny, toy, tiny_layout, tiny_load, phase::prefill);
    CHECK(pre_l.rate.value() == near(8.0 / 173.696e-9));
    CHECK(pre_l.rate.value() == near(4e12 / 86'848.0));
    CHECK(pre_l.rate.value() <= pre.rate.value() * (1 + 1e-12));

    // fp8 activations run the attention core at the fp8 rate: the bound takes the fastest
    // rate any matmul runs at. Long prompts, where the core dominates: with an fp8 peak of
    // 16 TFLOP/s a layout's ideal prefill may not beat the bound of any layout.
    model_spec fa = presets::llama_3_8b;
    fa.precision.activations = dtype::fp8;
    const workload longer{.batch = 1, .prompt = 32768};
    const throughput_bound any8 =
        any_layout_bound(fa, presets::h100_sxm.gpu, longer, phase::prefill);
    const throughput_bound lay8 = layout_bound(fa, presets::h100_sxm, {}, longer, phase::prefill);
    CHECK(lay8.rate <= any8.rate);
    // the bound is that of the fp8 peak: matmul FLOPs per prompt token at it
    CHECK(any8.compute_bound.value() ==
          near(presets::h100_sxm.gpu.peak_fp8.value /
               (prefill_flops(fa, 32768).matmul().value() / 32768.0)));
    // likewise an fp8 attention core beside bf16 activations
    model_spec fc = presets::llama_3_8b;
    fc.precision.attention = dtype::fp8;
    CHECK(
        any_layout_bound(fc, presets::h100_sxm.gpu, longer, phase::prefill).compute_bound.value() ==
        near(any8.compute_bound.value()));
    CHECK(layout_bound(fc, presets::h100_sxm, {}, longer, phase::prefill).rate <=
          any_layout_bound(fc, presets::h100_sxm.gpu, longer, phase::prefill).rate);
}

TEST_CASE("more stage shapes than the set holds: every stage is costed", "[evaluate][stages]") {
    // fixtures.hpp's seven shapes on PP 8. Stage 7 is stage 4 plus the LM head and less the
    // send: the slowest in decode (one sequence a micro-batch: the head reads 12,800 B, 12.8 ns,
    // where the send takes 10 ns + 128 B / 100 GB/s = 11.28 ns), and with the head's weights
    // and the fp32 logits the fullest in memory (stage 0 holds the embedding alone). Folding it
    // into another shape would lose both.
    const model_spec& m = test::tiny_seven_shapes;
    const engine::stage_set ss = engine::stages_of(m, 8);
    REQUIRE(ss.every_stage);
    const layout l{.tp = 1, .cp = 1, .dp = 1, .pp = 8, .etp = 1, .ep = 1};
    const workload w{.batch = 8, .prompt = 8};
    const report r = evaluate(m, toy, l, w);
    REQUIRE(r.valid());

    // Each stage costed alone, from its own shape.
    const eval_options o{};
    const auto stage = [&](int i, bool decode) {
        return engine::step_cost(with_resolved_heads(m), toy, l, stage_of(m, 8, i),
                                 engine::phase_load(m, l, w, decode), o);
    };
    for (const bool decode : {false, true}) {
        double sum = 0, slowest = 0;
        int at = -1;
        for (int i = 0; i < 8; ++i) {
            const double t = stage(i, decode).time.value();
            sum += t;
            if (t > slowest) {
                slowest = t;
                at = i;
            }
        }
        const phase_result& ph = decode ? r.decode : r.prefill;
        CHECK(ph.slowest_stage == at);
        CHECK(ph.slowest.time.value() == near(slowest));
        // M micro-batches: prefill (M − 1)·slowest + Σ, decode max(M·slowest, Σ)
        const double M = decode ? decode_micro_batches_of(w, 8) : prefill_micro_batches_of(w, 8);
        CHECK(ph.batch_time.value() ==
              near(decode ? std::max(M * slowest, sum) : (M - 1) * slowest + sum));
    }
    // TTFT: one request (8 tokens, all at its EP group) through every stage
    engine::step_load one = engine::phase_load(m, l, w, false);
    one.seqs = 1;
    one.expert_tokens = one.tokens_per_seq;
    double ttft = 0;
    for (int i = 0; i < 8; ++i)
        ttft += engine::step_cost(with_resolved_heads(m), toy, l, stage_of(m, 8, i), one, o)
                    .time.value();
    CHECK(r.prefill.latency.value() == near(ttft));
    CHECK(r.decode.slowest_stage == 7);
    CHECK(r.decode.slowest.op(op_group::lm_head).time().value() > 0);
    CHECK(r.memory.stage == 7);
}

TEST_CASE("report.evaluated says whether the phases were costed", "[evaluate]") {
    using namespace moecost;
    const workload w{.batch = 128, .prompt = 10240};
    // A valid plan is costed; tp 2 with etp 1 × ep 4 on a stage of 2 GPUs cannot form the
    // expert mesh (4 does not divide 2), so evaluate stops before the phases.
    CHECK(evaluate(presets::seed_moe, presets::seed_gpu, seed_layout(8, 2, 4, 2), w).evaluated);
    const report r =
        evaluate(presets::seed_moe, presets::seed_gpu, {.tp = 2, .etp = 1, .ep = 4}, w);
    CHECK_FALSE(r.evaluated);
    CHECK(r.problems.has(rule::world_mismatch));
    CHECK(r.decode.tokens_per_gpu.value() == 0.0);
}

TEST_CASE("experts_touched: cut-off squaring gives the full product's result exactly",
          "[evaluate][experts]") {
    // The reference is the textbook algorithm written out here: every squaring of 1 − k/E up to
    // the highest bit of n (no cut-off), the selected ones multiplied lowest first, then the
    // fraction. experts_touched stops squaring below 2^-54 and must agree to the last bit.
    auto full_product = [](double E, double k, double n) {
        const double miss = 1.0 - k / E;
        const double whole = static_cast<double>(static_cast<long long>(n));
        double r = 1.0, base = miss;
        for (auto e = static_cast<unsigned long long>(whole); e != 0; e >>= 1) {
            if (e & 1U)
                r *= base;
            base *= base;
        }
        r *= 1.0 - (n - whole) * (1.0 - miss);
        return E * (1.0 - r);
    };
    const double experts[] = {2, 8, 16, 64, 128, 256, 384, 1000};
    const double picks[] = {1, 2, 4, 6, 8};
    const double tokens[] = {1, 2, 3, 7.5, 16, 100, 511, 512, 1e3, 4097.25, 65536, 163840, 1e7};
    int checked = 0;
    for (double E : experts)
        for (double k : picks) {
            if (k > E)
                continue;
            for (double n : tokens) {
                INFO("E " << E << " k " << k << " n " << n);
                CHECK(experts_touched(E, k, n) == full_product(E, k, n));
                ++checked;
            }
        }
    CHECK(checked == 37 * 13); // 37 (E, k) pairs with k <= E, 13 token counts each
    // the three loads of an evaluation at once, as evaluate takes them
    const auto three = experts_touched_each<3>(16, 2, {163840.0, 10240.0, 16.0});
    CHECK(three[0] == 16.0); // 0.875^163840 is far below 2^-54: exactly all 16
    CHECK(three[1] == 16.0);
    CHECK(three[2] == full_product(16, 2, 16));
    CHECK(three[2] == Approx(14.110927).epsilon(1e-7)); // 16·(1 − 0.875^16), 0.875^16 = 0.1180671
}

TEST_CASE("validate_all: one list, each spec's problems in order, layout checks staged",
          "[evaluate][violations]") {
    model_spec m = tiny;
    m.layers = 0;                              // one problem of the model
    const workload w{.batch = 0, .prompt = 8}; // one of the workload
    // A layout with a degree over 2^20 and one <= 0: alone, validate stops at the first stage
    // (the non-positive degree) and never reports the huge one.
    const layout l{.tp = 1 << 21, .dp = 0};
    const violations alone = validate(l);
    REQUIRE(alone.count == 1);
    CHECK(alone.items[0].what == rule::positive);
    // Appended after other specs' problems, the layout's stages must behave the same.
    const violations all = validate_all(m, toy, w, l);
    REQUIRE(all.count == 3);
    CHECK(std::string(all.items[0].field) == "layers");
    CHECK(std::string(all.items[1].field) == "workload.batch");
    CHECK(std::string(all.items[2].field) == "layout.dp");
    // evaluate reports the same list
    const report r = evaluate(m, toy, l, w);
    REQUIRE(r.problems.count == 3);
    CHECK(std::string(r.problems.items[2].field) == "layout.dp");
    CHECK_FALSE(r.evaluated);
}

TEST_CASE("with_resolved_heads changes no count", "[evaluate][counts]") {
    // head_dim 0 means hidden / heads and kv_heads 0 means heads: writing them out is the same
    // model, so every count and every evaluation must agree exactly.
    for (const auto& p : presets::model_presets) {
        const model_spec& m = *p.spec;
        const model_spec r = with_resolved_heads(m);
        INFO(p.name);
        CHECK(head_dim_of(r) == head_dim_of(m));
        CHECK(kv_heads_of(r) == kv_heads_of(m));
        CHECK(total_params(r).total() == total_params(m).total());
        CHECK(kv_bytes_per_token(r).value() == kv_bytes_per_token(m).value());
        CHECK(attention_params_per_gpu(r, {.tp = 8}) == attention_params_per_gpu(m, {.tp = 8}));
    }
}

TEST_CASE("roofline from reciprocal rates: the same times as from the rates",
          "[evaluate][roofline]") {
    // 8 TFLOP at 4 TFLOP/s is 2 s; 3 TB at 1 TB/s is 3 s: memory-bound.
    const op_cost a = roofline(8_TFLOP, 3_TB, 4_TFLOP_per_s, 1_TB_per_s);
    const op_cost b = roofline(8_TFLOP, 3_TB, 1.0 / (4_TFLOP_per_s), 1.0 / (1_TB_per_s));
    CHECK(a.compute_time.value() == near(2.0));
    CHECK(b.compute_time.value() == near(2.0));
    CHECK(b.memory_time.value() == near(3.0));
    CHECK(b.bound() == resource::memory);
    // and a collective on a link as specified equals the same on its link_cost
    const link_spec nv{.bandwidth = 100_GB_per_s, .latency = 1_us, .efficiency = 0.5};
    // all-reduce of 1 GB over 4 GPUs: 2·2 steps of 1 µs + 1.5 GB at 50 GB/s = 30.004 ms (a
    // ring's 6 steps would take 30.006); over 5 GPUs 2·3 steps + 1.6 GB = 32.006 ms
    CHECK(all_reduce_time(1_GB, 4, nv).value() == near(0.030004));
    CHECK(all_reduce_time(1_GB, 5, nv).value() == near(0.032006));
    // all-gather of 1 GB shards over 8 GPUs: 3 steps + 7 GB at 50 GB/s = 140.003 ms
    CHECK(all_gather_time(1_GB, 8, nv).value() == near(0.140003));
    CHECK(all_reduce_time(1_GB, 4, cost_of(nv)).value() == all_reduce_time(1_GB, 4, nv).value());
}

TEST_CASE("routing skew: Zipf popularity touches fewer experts", "[evaluate][experts][skew]") {
    // E = 4, k = 1, s = 1: weights 1, 1/2, 1/3, 1/4 (sum 25/12), none capped, so
    // π = 12/25, 6/25, 4/25, 3/25. Two tokens touch Σ 1 − (1 − π)² = 2 − Σ π² = 2 − 205/625
    // = 1.672 experts; uniform routing 4·(1 − (3/4)²) = 1.75.
    CHECK(experts_touched(4, 1, 2, 1.0) == near(1.672));
    CHECK(experts_touched(4, 1, 2) == near(1.75));
    // E = 4, k = 2, s = 2: weights 1, 1/4, 1/9, 1/16. The first is capped (2·1 >= 205/144),
    // the rest share 1: c = 1/(61/144), π = 1, 36/61, 16/61, 9/61. One token touches k = 2;
    // three touch 1 + Σ 1 − (1 − π)³ = 2.910 (uniform: 4·(1 − 1/8) = 3.5).
    CHECK(experts_touched(4, 2, 1, 2.0) == near(2.0));
    const double three = 1.0 + (1.0 - std::pow(25.0 / 61, 3)) + (1.0 - std::pow(45.0 / 61, 3)) +
                         (1.0 - std::pow(52.0 / 61, 3));
    CHECK(experts_touched(4, 2, 3, 2.0) == near(three));
    // all experts are touched by enough tokens, whatever the skew
    CHECK(experts_touched(256, 8, 1e6, 1.0) == near(256.0));
    // more skew, fewer experts (256 of top-8 at 64 tokens)
    const double s0 = experts_touched(256, 8, 64), s05 = experts_touched(256, 8, 64, 0.5),
                 s1 = experts_touched(256, 8, 64, 1.0);
    CHECK(s0 > s05);
    CHECK(s05 > s1);
    CHECK(s1 > 8.0);
    // constant-evaluable like the rest
    static_assert(experts_touched(4, 1, 2, 1.0) > 1.6719 && experts_touched(4, 1, 2, 1.0) < 1.6721);
}

TEST_CASE("routing skew: many experts priced in blocks, to a part in a million",
          "[evaluate][experts][skew]") {
    // Beyond 4,096 experts the sums run over blocks of ranks. Checked against the sums term by
    // term (std::pow, the capping as the definition: the most popular while (k − j)·w_j is at
    // least the weights from j on).
    auto term_by_term = [](int E, double k, double n, double s) {
        std::vector<double> from(static_cast<std::size_t>(E) + 1, 0.0);
        for (int e = E - 1; e >= 0; --e)
            from[std::size_t(e)] = from[std::size_t(e) + 1] + std::pow(e + 1.0, -s);
        int capped = 0;
        while (capped < k && (k - capped) * std::pow(capped + 1.0, -s) >= from[std::size_t(capped)])
            ++capped;
        const double c = (k - capped) / from[std::size_t(capped)];
        double t = capped;
        for (int e = capped; e < E; ++e)
            t += 1.0 - std::pow(1.0 - c * std::pow(e + 1.0, -s), n);
        return t;
    };
    for (const double s : {0.5, 1.0, 2.0})
        for (const double n : {37.0, 1000.0, 1e5}) {
            const double exact = term_by_term(60000, 8, n, s);
            CHECK(experts_touched(60000, 8, n, s) == Approx(exact).epsilon(1e-6));
        }
    // 2^31 − 1 experts (a bound no model comes near; one pass over them would take minutes):
    // one token touches k = 8, and two touch 2k − Σπ², with π_e = c/(e + 1), c = k/H_E (none
    // capped: c < 1), H_E = ln E + γ + 1/(2E) and Σ 1/(e + 1)² = π²/6 − 1/E to 1e-18. A block's
    // midpoint misses its sum by about (1/256)²·s(s + 1)/24 of it (1.3e-6 for s = 1), c with it:
    // 2e-8 of the two tokens' figure.
    const double E = 2147483647.0;
    const double c = 8.0 / (std::log(E) + 0.5772156649015329 + 0.5 / E);
    CHECK(experts_touched(E, 8, 1, 1.0) == Approx(8.0).epsilon(1e-9));
    CHECK(experts_touched(E, 8, 2, 1.0) ==
          Approx(16.0 - c * c * (std::numbers::pi * std::numbers::pi / 6 - 1.0 / E)).epsilon(1e-7));
}

TEST_CASE("routing skew in an evaluation: fewer expert weights read in decode",
          "[evaluate][experts][skew]") {
    // seed-moe on one GPU, batch 8: uniform routing touches 10.50 of 16 experts per decode step
    // (a case above); with skew 1 fewer, and the routed experts' traffic falls with them.
    const workload w{.batch = 8, .prompt = 64};
    const report uniform = evaluate(presets::seed_moe, presets::seed_gpu, layout{}, w);
    const report skewed =
        evaluate(presets::seed_moe, presets::seed_gpu, layout{}, w, {.routing_skew = 1.0});
    REQUIRE(skewed.valid());
    CHECK(skewed.decode_experts_touched == near(experts_touched(16, 2, 8, 1.0)));
    CHECK(skewed.decode_experts_touched < uniform.decode_experts_touched);
    CHECK(skewed.decode.slowest.op(op_group::routed_experts).traffic <
          uniform.decode.slowest.op(op_group::routed_experts).traffic);
    CHECK(skewed.decode.latency < uniform.decode.latency);
}

TEST_CASE("evaluation options are checked and name their field", "[evaluate][violations]") {
    const workload w{.batch = 8, .prompt = 64};
    const report r = evaluate(presets::seed_moe, presets::seed_gpu, layout{}, w,
                              {.expert_imbalance = 0.5, .memory_headroom = 0, .routing_skew = -1});
    CHECK_FALSE(r.evaluated);
    REQUIRE(r.problems.count == 3);
    CHECK(describe(r.problems.items[0]) == "options.expert_imbalance = 0.5 is below 1");
    CHECK(describe(r.problems.items[1]) == "options.memory_headroom must be > 0 (got 0)");
    CHECK(describe(r.problems.items[2]) == "options.routing_skew must be >= 0 (got -1)");
    CHECK(validate(eval_options{.memory_headroom = 1.5}).has(rule::at_most));
    CHECK(validate(eval_options{}).ok());
}

TEST_CASE("speculative decoding with MTP drafts, by hand", "[evaluate][decode][mtp]") {
    // The tiny MoE with one MTP module; one draft per step, accepted half the time.
    const model_spec& m = test::tiny_moe_mtp;
    const workload& w = test::tiny_drafting;
    const report r = evaluate(m, toy, tiny_layout, w);
    REQUIRE(r.valid());
    const stage_step& s = r.decode.slowest;
    // The step verifies q = 2 tokens per sequence: T = 2 seqs × 2 = 4 tokens at each TP pair,
    // 4·2 / EDP 2 = 4 tokens at each EP group (8 copies, 4 per GPU).
    // projections 4·2·12,288 = 98,304 F; 2·(12,288 + 4·448) = 28,160 B → 28.16 ns (memory)
    CHECK(op(s, op_group::attention_proj).work.value() == 98'304.0);
    CHECK(op(s, op_group::attention_proj).traffic.value() == 28'160.0);
    // core: the tokens at positions 8 and 9 attend to 8 and 9 keys, 17 a sequence:
    // 2 seqs × 2 layers × 17 × 256 / TP 2 = 8,704 F; the cache is read once,
    // 2 seqs × 2 layers × 8 × 64 B = 2,048, and 2 layers × 4 tokens × 64 B = 512 written
    CHECK(op(s, op_group::attention_core).work.value() == 8'704.0);
    CHECK(op(s, op_group::attention_core).traffic.value() == 2'560.0);
    // router: 2 tokens per TP rank × 512 × 2 layers = 2,048 F; 2·(512 + 2·68·2) = 1,568 B
    CHECK(op(s, op_group::router).work.value() == 2'048.0);
    CHECK(op(s, op_group::router).traffic.value() == 1'568.0);
    // experts: 4 copies × 8,192 × 2 layers = 65,536 F; 4 tokens touch 4·(1 − 2^-4) = 3.75,
    // 1.875 per GPU: 2·(1.875·8,192 + 4·192·2) = 33,792 B
    CHECK(op(s, op_group::routed_experts).work.value() == 65'536.0);
    CHECK(op(s, op_group::routed_experts).traffic.value() == 33'792.0);
    CHECK(r.decode_experts_touched == 3.75);
    // head: logits for both tokens of each sequence, 4 rows: 25,600 F; 6,400 + 4·50·4 = 7,200 B
    CHECK(op(s, op_group::lm_head).work.value() == 25'600.0);
    CHECK(op(s, op_group::lm_head).traffic.value() == 7'200.0);
    // all memory bound: 28.16 + 2.56 + 1.568 + 33.792 + 7.2 = 73.28 ns
    CHECK(s.compute.value() == near(73.28e-9));
    // TP: 2 layers × (20 ns + 512 B / 1e11) = 50.24 ns; EP: 2 tokens per rank, 2 copies, half
    // off the GPU: 256 B each way, 2 layers × 2 × (10 ns + 2.56 ns) = 50.24 ns
    CHECK(s.comm.tp.value() == near(50.24e-9));
    CHECK(s.comm.ep.value() == near(50.24e-9));
    // The draft: the MTP module once over the tokens the step kept: the first always, the
    // second (the draft) with chance 0.5, E = 1.5 a sequence on average (Leviathan et al.
    // 2023, Eq. 1): T = 2 seqs × 1.5 = 3 tokens at each TP pair, 4 × 1.5 / EDP 2 = 3 at each
    // EP group (6 copies, 3 per GPU). One MoE layer as in the verification, plus the
    // projection and the shared head:
    //   projections 3 · 12,288 = 36,864 F, 12,288 + 3·448 = 13,632 B → 13.632 ns
    //   core: 8 keys for the first token, 9 for the second half the time, 12.5 a sequence:
    //     2 · 12.5 · 128 = 3,200 F; 2·8·64 read + 3·64 written = 1,216 B → 1.216 ns
    //   router 1.5 tokens per rank · 512 = 768 F, 512 + 1.5·68·2 = 716 B → 0.716 ns
    //   experts 3 copies · 8,192 = 24,576 F; 3 tokens touch 4·(1 − 2^-3) = 3.5, 1.75 per GPU:
    //     1.75·8,192 + 3·192·2 = 15,488 B → 15.488 ns
    //   eh_proj 2h→h over TP: 3 tokens · 2·128·64 / 2 = 24,576 F;
    //     2·64·64 / 2 · 2 B + 3·(128 + 32)·2 B = 8,192 + 960 = 9,152 B → 9.152 ns
    //   head: the draft is sampled at the last accepted token, 2 rows: 6,800 B → 6.8 ns
    //                                                                    Σ 47.004 ns
    //   TP 20 ns + 384 B / 1e11 = 23.84 ns; EP 1.5 tokens per rank, 2 copies, half off the GPU:
    //   192 B each way, 2 × (10 ns + 1.92 ns) = 23.84 ns: 47.68 ns      draft 94.684 ns
    CHECK(s.draft.value() == near(94.684e-9));
    // verify 73.28 + 100.48 = 173.76 ns, then the draft: 268.444 ns a step
    CHECK(s.time.value() == near(268.444e-9));
    CHECK(r.decode.batch_time.value() == near(268.444e-9));
    // 1 + 0.5 tokens per sequence per step
    CHECK(r.decode_tokens_per_step == 1.5);
    CHECK(r.decode.latency.value() == near(268.444e-9 / 1.5));
    CHECK(r.decode.tokens_per_gpu.value() == near(4.0 * 1.5 / (4.0 * 268.444e-9)));
    // KV: room for the draft, 9 tokens; the module keeps its own layer of cache on the last
    // stage: 2 seqs × 9 × (2 + 1) layers × 64 B = 3,456 B
    CHECK(r.memory.kv_cache.value() == 3'456.0);
    // Prefill: the drafting module also reads the prompt once, on the last stage, after the
    // layers (one MoE layer at the prefill load, as in the prefill test, halved):
    //   projections 196,608 F → 49.152 ns; core 9,216 F, 4,096 B → 4.096 ns;
    //   router 4,096 F, 1,600 B → 1.6 ns; experts 131,072 F → 32.768 ns;
    //   eh_proj 16 tokens · 2·128·64 / 2 = 131,072 F → 32.768 ns (8,192 + 16·160·2 B);
    //   head 2 rows 6.8 ns: Σ 127.184 ns; TP 40.48 ns + EP 40.48 ns     pass 208.144 ns
    // prefill step 343.952 + 208.144 = 552.096 ns
    CHECK(r.prefill.slowest.draft.value() == near(208.144e-9));
    CHECK(r.prefill.batch_time.value() == near(552.096e-9));
    // TTFT, one request of 8 tokens: projections 98,304 F → 24.576 ns; core 4,608 F, 2,048 B
    //   → 2.048 ns; router 2,048 F, 1,056 B → 1.056 ns; experts 65,536 F → 16.384 ns, bytes
    //   1.9921875·8,192 + 8·192·2 = 19,392 → 19.392 ns; eh_proj 65,536 F → 16.384 ns; head
    //   1 row 6.6 ns: Σ 70.056 ns; TP 30.24 ns + EP 30.24 ns            pass 130.536 ns
    // TTFT 221.704 + 130.536 = 352.24 ns
    CHECK(r.prefill.latency.value() == near(352.24e-9));
    const report plain = evaluate(m, toy, tiny_layout, tiny_load);
    CHECK(plain.prefill.slowest.draft.value() == 0.0);
    CHECK(plain.decode_tokens_per_step == 1.0);
    CHECK(plain.decode.slowest.draft.value() == 0.0);

    SECTION("drafts never accepted: every pass over one token a sequence") {
        // α = 0: E = 1, so the first pass reads one token a sequence too: the plain decode
        // load, an MoE layer as in the decode test, halved, plus the projection and the head:
        //   projections 24,576 F, 12,288 + 2·448 = 13,184 B → 13.184 ns
        //   core 2·8·128 = 2,048 F, 2·8·64 + 2·64 = 1,152 B → 1.152 ns
        //   router 512 F, 512 + 136 = 648 B → 0.648 ns
        //   experts 16,384 F, 2 tokens touch 3, 1.5 per GPU: 12,288 + 768 = 13,056 B → 13.056 ns
        //   eh_proj 2 tokens · 2·128·64 / 2 = 16,384 F; 8,192 + 2·160·2 = 8,832 B → 8.832 ns
        //   head 2 rows: 6,800 B → 6.8 ns                                  Σ 43.672 ns
        //   TP 20 ns + 2.56 ns, EP 2 × 11.28 ns: 45.12 ns                 a pass 88.792 ns
        workload never = w;
        never.draft_acceptance = 0;
        CHECK(evaluate(m, toy, tiny_layout, never).decode.slowest.draft.value() == near(88.792e-9));
        // two drafts: the module twice (taken in turn), each over one token: 177.584 ns (the
        // second pass's token sees 9 keys, its core still memory bound)
        never.draft_tokens = 2;
        CHECK(evaluate(m, toy, tiny_layout, never).decode.slowest.draft.value() ==
              near(177.584e-9));
    }
    SECTION("two drafts: every drafting module reads the kept tokens") {
        // d = 2 at α = 0.5: E = 1 + 0.5 + 0.25 = 1.75 kept a sequence, T = 3.5, 3.5 tokens at
        // each EP group, 3.5 copies per GPU. A pass over them:
        //   projections 12,288 + 3.5·448 = 13,856 B → 13.856 ns
        //   core 8 + 0.5·9 + 0.25·10 = 15 keys a sequence, 3,840 F; 1,024 + 3.5·64 = 1,248 B
        //     → 1.248 ns
        //   router 1.75 · 512 = 896 F, 512 + 1.75·68·2 = 750 B → 0.75 ns
        //   experts 3.5 · 8,192 = 28,672 F; touched 4·(1 − 0.5³·(1 − 0.5·0.5)) = 3.625 (a
        //     fractional token count enters linearly), 1.8125 per GPU:
        //     1.8125·8,192 + 3.5·192·2 = 16,192 B → 16.192 ns
        //   eh_proj 28,672 F, 8,192 + 3.5·160·2 = 9,312 B → 9.312 ns; head 6.8 ns  Σ 48.158 ns
        //   TP 20 + 4.48 ns, EP 2 × (10 + 2.24) ns: 48.96 ns                 a pass 97.118 ns
        workload two = w;
        two.draft_tokens = 2;
        // one module: that pass, then one over a single token (88.792 ns): 185.91 ns
        CHECK(evaluate(m, toy, tiny_layout, two).decode.slowest.draft.value() == near(185.91e-9));
        // two modules: each reads the kept tokens, its cache takes their entries: 194.236 ns
        model_spec m2 = m;
        m2.mtp_layers = 2;
        CHECK(evaluate(m2, toy, tiny_layout, two).decode.slowest.draft.value() == near(194.236e-9));
    }
    SECTION("overlapped: each pass takes the longer of its compute and communication") {
        const report o = evaluate(m, toy, tiny_layout, w, {.overlap = true});
        // verify max(73.28, 100.48) + draft max(47.004, 47.68) = 148.16 ns
        CHECK(o.decode.slowest.draft.value() == near(47.68e-9));
        CHECK(o.decode.batch_time.value() == near(148.16e-9));
    }
}

TEST_CASE("speculative decoding: the any-layout bound reads the cache once a step",
          "[evaluate][claims][mtp]") {
    // At context 65,536 a tiny-MoE token reads 65,536 × 2 layers × 128 B = 16,777,216 B of KV:
    // 1e12 / 16,777,216 = 59,604.6 tok/s. One draft always accepted gains 2 tokens a step for
    // the same read: twice that.
    const model_spec& m = test::tiny_moe_mtp;
    const workload plain{.batch = 4, .prompt = 8, .context = 65'536};
    workload w = plain;
    w.draft_tokens = 1;
    w.draft_acceptance = 1.0;
    const double kv_per_token = 65'536.0 * 2 * 128;
    CHECK(any_layout_bound(m, toy.gpu, plain, phase::decode).memory_bound.value() ==
          near(1e12 / kv_per_token));
    const throughput_bound any = any_layout_bound(m, toy.gpu, w, phase::decode);
    CHECK(any.memory_bound.value() == near(2.0 * 1e12 / kv_per_token));
    // tiny_layout's ideal decode with the draft beats the plain figure, not the bound
    const double rate = layout_bound(m, toy, tiny_layout, w, phase::decode).rate.value();
    CHECK(rate > 1e12 / kv_per_token);
    CHECK(rate <= any.rate.value());
    // a model without MTP modules gains nothing from the workload's drafts
    CHECK(any_layout_bound(tiny, toy.gpu, w, phase::decode).memory_bound.value() ==
          near(1e12 / kv_per_token));
}

TEST_CASE("speculative decoding: tokens per step and the rules", "[evaluate][mtp][violations]") {
    // Σ α^i over i = 0..d = (1 − α^(d+1)) / (1 − α)
    CHECK(tokens_per_decode_step({.draft_tokens = 3, .draft_acceptance = 0.5}) == 1.875);
    CHECK(tokens_per_decode_step({.draft_tokens = 2, .draft_acceptance = 1.0}) == 3.0);
    CHECK(tokens_per_decode_step({.draft_tokens = 2, .draft_acceptance = 0.0}) == 1.0);
    CHECK(tokens_per_decode_step({.draft_acceptance = 0.9}) == 1.0);
    // an invalid count does not run away: the 16 drafts validate allows, then no more
    CHECK(tokens_per_decode_step({.draft_tokens = 1'000'000'000, .draft_acceptance = 1.0}) == 17.0);

    // The acceptance from a reported mean acceptance length L: one draft gains 1 + α, so
    // α = L − 1; two drafts at α = 0.5 gain 1.75; three at α = 0.5 gain 1.875 (above).
    CHECK(draft_acceptance_for(1, 1.85) == Approx(0.85).epsilon(1e-12));
    CHECK(draft_acceptance_for(2, 1.75) == Approx(0.5).epsilon(1e-12));
    CHECK(draft_acceptance_for(3, 1.875) == Approx(0.5).epsilon(1e-12));
    // TensorRT-LLM's MTP-3 on DeepSeek-R1, 2.82 tokens a step: α solves
    // 1 + α + α² + α³ = 2.82; α = 0.7701 gives 2.819865, 0.7702 gives 2.820297
    const double a3 = draft_acceptance_for(3, 2.82);
    CHECK(a3 > 0.7701);
    CHECK(a3 < 0.7702);
    // the round trip, every draft count: E(α(L)) = L to rounding, α rising with L
    for (int d = 1; d <= 16; ++d) {
        double last = 0;
        for (int k = 1; k < 20; ++k) {
            const double len = 1.0 + d * k / 20.0;
            const double a = draft_acceptance_for(d, len);
            CHECK(tokens_per_decode_step({.draft_tokens = d, .draft_acceptance = a}) ==
                  Approx(len).epsilon(1e-14));
            CHECK(a > last);
            last = a;
        }
    }
    CHECK(draft_acceptance_for(4, 1.0) == 0.0);
    CHECK(draft_acceptance_for(4, 5.0) == 1.0);
    // outside 1 ≤ L ≤ d + 1, or without drafts: NaN, which validate refuses
    for (const auto& [d, len] : {std::pair{3, 0.99}, std::pair{3, 4.01}, std::pair{0, 1.5},
                                 std::pair{17, 2.0}, std::pair{2, std::nan("")}}) {
        const double a = draft_acceptance_for(d, len);
        CHECK(std::isnan(a));
        CHECK(validate(workload{.draft_tokens = 1, .draft_acceptance = a}).count == 1);
    }
    static_assert(draft_acceptance_for(1, 1.5) > 0.5 - 1e-12 &&
                  draft_acceptance_for(1, 1.5) < 0.5 + 1e-12);

    // Drafts need MTP modules: tiny has none.
    const report r =
        evaluate(tiny, toy, tiny_layout,
                 {.batch = 4, .prompt = 8, .draft_tokens = 1, .draft_acceptance = 0.8});
    CHECK_FALSE(r.valid());
    REQUIRE(r.problems.count == 1);
    CHECK(r.problems.items[0].what == rule::draft_needs_mtp);
    CHECK(describe(r.problems.items[0]) ==
          "workload.draft_tokens = 1 drafts with the model's MTP modules, and it has none "
          "(mtp_layers = 0): use a model with them (deepseek-v3-mtp; a config read with its MTP "
          "modules) or draft no tokens");
    // ... and, a deployment that cannot run as asked, is not costed: no gain claimed
    CHECK_FALSE(r.evaluated);
    CHECK(r.decode_tokens_per_step == 1.0);
    CHECK(r.decode.tokens_per_gpu.value() == 0.0);

    const violations v = validate(workload{.draft_tokens = -1, .draft_acceptance = 1.5});
    REQUIRE(v.count == 2);
    CHECK(describe(v.items[0]) == "workload.draft_tokens must be >= 0 (got -1)");
    CHECK(describe(v.items[1]) == "workload.draft_acceptance = 1.5 exceeds 1");
    CHECK(validate(workload{.draft_tokens = 17}).has(rule::at_most));
    CHECK(validate(workload{.draft_acceptance = std::nan("")}).has(rule::non_negative));
}

TEST_CASE("a deployment that cannot run is named and not costed", "[evaluate][rules]") {
    // tiny has 2 layers: 3 stages would leave one empty, even with uneven stages allowed
    for (const bool uneven : {false, true}) {
        layout l = tiny_layout;
        l.pp = 3;
        l.uneven_stages = uneven;
        const report r = evaluate(tiny, toy, l, tiny_load);
        REQUIRE(r.problems.count >= 1);
        CHECK(r.problems.items[0].what == rule::stages_vs_layers);
        CHECK(r.problems.items[0].value == 3);
        CHECK(r.problems.items[0].limit == 2);
        CHECK_FALSE(r.problems.has(rule::layers_vs_pp)); // one rule for one fault
        CHECK(describe(r.problems.items[0]) ==
              "pp = 3 stages exceed the model's 2 layers: a stage would hold none");
        CHECK_FALSE(r.evaluated);
        CHECK(r.decode.tokens_per_gpu.value() == 0.0);
        CHECK(r.prefill.latency.value() == 0.0);
    }
    // batch 4 over DP 2 is 2 sequences per DP rank: 3 micro-batches set by the user would leave
    // one empty, in either phase; 2 are fine
    workload w = tiny_load;
    w.decode_micro_batches = 3;
    report r = evaluate(tiny, toy, tiny_layout, w);
    REQUIRE(r.problems.count == 1);
    CHECK(r.problems.items[0].what == rule::micro_batches_vs_batch);
    CHECK(std::string(r.problems.items[0].field) == "workload.decode_micro_batches");
    CHECK(r.problems.items[0].value == 3);
    CHECK(r.problems.items[0].limit == 2);
    CHECK_FALSE(r.evaluated);
    w.decode_micro_batches = 0;
    w.prefill_micro_batches = 3;
    r = evaluate(tiny, toy, tiny_layout, w);
    REQUIRE(r.problems.count == 1);
    CHECK(std::string(r.problems.items[0].field) == "workload.prefill_micro_batches");
    w.prefill_micro_batches = 2;
    CHECK(evaluate(tiny, toy, tiny_layout, w).evaluated);
    // a claim on what cannot run is not possible, and has no ratio
    layout bad = tiny_layout;
    bad.tp = 3; // tiny's heads do not divide over 3
    const claim_verdict v =
        check_claim(make<token_rate>(0.0), phase::decode, tiny, toy, bad, tiny_load);
    CHECK_FALSE(v.bound.runs);
    CHECK_FALSE(v.possible);
    CHECK(v.claimed_over_bound() == 0.0);
}

TEST_CASE("violations say what the user set, with whole numbers in full", "[evaluate][rules]") {
    CHECK(describe({rule::heads_vs_tp, "attention.heads", 32, 1048576}) ==
          "attention heads (32) do not divide over tp = 1048576");
    // 443.62 TB at three significant digits, as the tables print bytes
    CHECK(describe({rule::memory, "memory", 443.62e12, 57.6e9}) ==
          "memory per GPU 444 TB exceeds usable 57.6 GB");
    CHECK(describe({rule::layers_vs_pp, "layers", 36, 2, 3}) ==
          "layers (36) do not divide into pp = 2 × 3 virtual stages = 6 chunks");
    CHECK(number_text(1e300) == "1e+300"); // beyond a 64-bit integer: no conversion
    CHECK(std::string(key_of(rule::micro_batches_vs_batch)) == "micro_batches_vs_batch");
}
