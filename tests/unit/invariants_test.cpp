// Invariants of the evaluation over a few hundred random valid deployments: every preset
// model on every preset cluster, layouts built by picking divisors, random batches and
// prompts (seeded: the same cases every run). No timing: only relations that must hold
// whatever the numbers are.
//
//  1. Σ over all GPUs of the per-GPU FLOPs of a step = the model's FLOPs for the batch
//     (count/flops.hpp), plus exactly the work TP replicates: K/V projections when KV heads
//     < TP, MLA's down-projections (q_a, kv_a) on every TP rank.
//  2. Σ over all GPUs of the weight bytes ≥ the model's weight bytes; with no replication
//     (TP = EP = ETP = DP = CP = 1) it is equal.
//  3. More TP never raises a GPU's weight bytes.
//  4. The ideal evaluation is at least as fast as the expected one.
//  5. A layout's ideal throughput never beats the any-layout bound of evaluate/bounds.hpp.
//  6. Memory fits ⇔ total ≤ usable ⇔ no memory violation; max_batch fits, max_batch + dp not.
//  7. Speculative decoding (models with MTP modules) gains at most E = Σ α^i tokens per step
//     over plain decoding, since every term of the step grows with the tokens verified; with
//     α = 0 it only costs. Prefill, TTFT (the modules read the prompt) and the KV cache only
//     grow; the ideal rate stays under the any-layout bound of 5 (drafts counted there).
//  8. Prefix caching (half of each prompt cached) conserves FLOPs as in 1, over the uncached
//     tokens at their positions, plus MLA's up-projection of the cached latents; every prefill
//     term only shrinks (the cached entries read cost less than computing them), so prefill
//     and TTFT take no longer; the KV cache and decode are unchanged; the bound of 5 holds.

#include <moecost/count/flops.hpp>
#include <moecost/count/params.hpp>
#include <moecost/count/routing.hpp>
#include <moecost/count/shares.hpp>
#include <moecost/evaluate/bounds.hpp>
#include <moecost/evaluate/inference.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace moecost;

namespace {

struct config {
    const model_spec* m = nullptr;
    const cluster_spec* c = nullptr;
    layout l{};
    workload w{};
};

std::string show(const config& k) {
    std::ostringstream o;
    o << k.m->name.view() << " on " << k.c->gpu.name.view() << ": tp " << k.l.tp << " cp " << k.l.cp
      << " dp " << k.l.dp << " pp " << k.l.pp << " etp " << etp_of(k.l) << " ep " << k.l.ep
      << " | batch " << k.w.batch << " prompt " << k.w.prompt << " context " << context_of(k.w);
    return o.str();
}

template <class T>
T pick(std::mt19937& rng, const std::vector<T>& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}

bool tp_ok(const model_spec& m, int tp, int gpn) {
    if (tp > gpn || m.attention.heads % tp != 0)
        return false;
    const int k = kv_heads_of(m);
    if (!is_mla(m) && k % tp != 0 && tp % k != 0)
        return false;
    if (dense_layers(m) > 0 && m.ffn.hidden % tp != 0)
        return false;
    return true;
}
bool etp_ok(const model_spec& m, int etp, int gpn) {
    return etp <= gpn && (!is_moe(m) || m.moe.expert_hidden % etp == 0);
}

/// A random deployment that check_layout accepts (memory may or may not fit).
config random_config(std::mt19937& rng, const std::vector<const model_spec*>& models) {
    config k;
    k.m = pick(rng, models);
    k.c = pick(rng, std::vector<const cluster_spec*>{&presets::h100_sxm, &presets::h200,
                                                     &presets::h800, &presets::h20, &presets::b200,
                                                     &presets::gb200_nvl72, &presets::mi300x,
                                                     &presets::a100_sxm_80gb, &presets::seed_gpu});
    const model_spec& m = *k.m;
    const int gpn = k.c->gpus_per_node;
    std::vector<int> tps, etps{0}, eps{1}, pps;
    for (int t : {1, 2, 4, 8})
        if (tp_ok(m, t, gpn))
            tps.push_back(t);
    layout l;
    l.tp = pick(rng, tps);
    for (int e : {1, 2, 4, 8})
        if (etp_ok(m, e, gpn))
            etps.push_back(e);
    l.etp = pick(rng, etps);
    if (l.etp == 0 && !etp_ok(m, l.tp, gpn))
        l.etp = 1;
    if (is_moe(m))
        for (int e = 2; e <= 64 && e <= m.moe.experts; ++e)
            if (m.moe.experts % e == 0)
                eps.push_back(e);
    l.ep = pick(rng, eps);
    l.cp = pick(rng, std::vector<int>{1, 1, 1, 2});
    const int base = l.tp * l.cp, expert = etp_of(l) * l.ep;
    l.dp = std::lcm(base, expert) / base * pick(rng, std::vector<int>{1, 1, 2});
    for (int p = 1; p <= 16 && p <= m.layers; ++p)
        if (m.layers % p == 0)
            pps.push_back(p);
    l.pp = pick(rng, pps);
    k.l = l;
    k.w.prompt = pick(rng, std::vector<int>{64, 256, 1024, 4096});
    k.w.context = pick(rng, std::vector<int>{0, 0, 2 * k.w.prompt});
    k.w.batch = l.dp * l.pp * std::uniform_int_distribution<int>(1, 4)(rng);
    return k;
}

std::vector<const model_spec*> all_models() {
    std::vector<const model_spec*> v;
    for (const auto& p : presets::model_presets)
        v.push_back(p.spec);
    return v;
}

/// Σ over all GPUs of the weight parameters (stage by stage).
double summed_weight_params(const model_spec& m, const layout& l) {
    double sum = 0;
    for (int s = 0; s < l.pp; ++s)
        sum += stage_gpus(l) * weight_params_per_gpu(m, l, stage_of(m, l.pp, s));
    return sum;
}

/// Weight bytes one GPU of stage s holds, each part at its dtype (routed experts' matrices at
/// precision.experts, embedding and head tables at precision.embeddings).
double stage_weight_bytes(const model_spec& m, const layout& l, int s) {
    return weight_bytes_per_gpu(weight_terms_of(m, l), stage_of(m, l.pp, s),
                                bytes_of(m.precision.weights), bytes_of(experts_dtype(m.precision)),
                                bytes_of(embeddings_dtype(m.precision)));
}

double summed_weight_bytes(const model_spec& m, const layout& l) {
    double sum = 0;
    for (int s = 0; s < l.pp; ++s)
        sum += stage_gpus(l) * stage_weight_bytes(m, l, s);
    return sum;
}

/// Per-token, per-layer projection FLOPs that TP repeats on several ranks, counted once per
/// extra copy: GQA K/V when KV heads < TP (each KV head computed on TP/K ranks); MLA's
/// q_a and kv_a on all TP ranks.
double replicated_proj_flops_per_token_layer(const model_spec& m, const layout& l) {
    const auto& a = m.attention;
    const double h = m.hidden, tp = l.tp;
    if (is_mla(m)) {
        const double once = 2.0 * ((a.q_lora_rank > 0 ? h * a.q_lora_rank : 0.0) +
                                   h * (a.kv_lora_rank + a.qk_rope_head_dim));
        return (tp - 1.0) * once;
    }
    const double k = kv_heads_of(m);
    const double kv = 2.0 * 2.0 * h * k * head_dim_of(m); // K and V, 2 FLOPs per MAC
    return tp > k ? kv * (tp / k - 1.0) : 0.0;
}

constexpr int cases = 400;

/// The same `cases` random deployments on every call (fixed seed).
std::vector<config> random_configs() {
    std::mt19937 rng(20250611u);
    const auto models = all_models();
    std::vector<config> v;
    for (int i = 0; i < cases; ++i)
        v.push_back(random_config(rng, models));
    return v;
}

} // namespace

TEST_CASE("invariants over random valid deployments", "[invariants]") {
    const std::vector<config> configs = random_configs();
    int flop_checked = 0, mayfit = 0, tp_checked = 0, drafted = 0, mla_cached = 0;
    for (int i = 0; i < cases; ++i) {
        const config& k = configs[std::size_t(i)];
        const model_spec& m = *k.m;
        const cluster_spec& c = *k.c;
        const layout& l = k.l;
        const workload& w = k.w;
        INFO("case " << i << ": " << show(k));
        REQUIRE(check_layout(m, c, l, w).ok());
        const report r = evaluate(m, c, l, w);
        const report ideal = evaluate(m, c, l, w, {.ideal = true});
        const double world = world_size(l);

        // 1. FLOP conservation. pp = 1 (all stages of other presets differ: embedding, head,
        // dense-first layers) or the seed model (no vocabulary, all layers alike).
        if (l.pp == 1 || (m.vocab == 0 && dense_layers(m) == 0)) {
            ++flop_checked;
            const double B = w.batch, S = w.prompt, ctx = context_of(w), L = m.layers;
            const double rep = replicated_proj_flops_per_token_layer(m, l);
            // prefill: PP micro-batches (the default) of B / pp sequences, every GPU of a
            // stage busy with the same share
            const double pre_model = B * prefill_flops(m, S).matmul().value();
            const double pre_sum =
                world * prefill_micro_batches_of(w, l.pp) * r.prefill.slowest.work().value();
            CHECK(pre_sum == Approx(pre_model + B * S * L * rep).epsilon(1e-9));
            // decode: pp micro-batches in flight, each B / pp sequences
            const double dec_model = B * decode_flops(m, ctx).matmul().value();
            const double dec_sum = world * l.pp * r.decode.slowest.work().value();
            CHECK(dec_sum == Approx(dec_model + B * L * rep).epsilon(1e-9));
        }

        // 8. Prefix caching: half of each prompt cached.
        {
            workload wc = w;
            wc.prefix_cache_hit = 0.5;
            const report rc = evaluate(m, c, l, wc);
            REQUIRE(rc.evaluated);
            if (l.pp == 1 || (m.vocab == 0 && dense_layers(m) == 0)) {
                if (is_mla(m))
                    ++mla_cached; // the latents' up-projection term is exercised
                const double B = w.batch, S = w.prompt, P = 0.5 * S, L = m.layers;
                const auto& a = m.attention;
                const double latent_up = is_mla(m) ? 2.0 * a.kv_lora_rank * a.heads *
                                                         double(a.qk_nope_head_dim + a.v_head_dim)
                                                   : 0.0;
                const double model = B * (prefill_flops(m, S).matmul().value() -
                                          prefill_flops(m, P, {}, 0).matmul().value());
                const double summed =
                    world * prefill_micro_batches_of(w, l.pp) * rc.prefill.slowest.work().value();
                CHECK(summed ==
                      Approx(model + B * (S - P) * L * replicated_proj_flops_per_token_layer(m, l) +
                             B * P * L * latent_up)
                          .epsilon(1e-9));
            }
            CHECK(rc.prefill.batch_time <= r.prefill.batch_time);
            CHECK(rc.prefill.latency <= r.prefill.latency);
            CHECK(rc.memory.kv_cache == r.memory.kv_cache);
            CHECK(rc.memory.activations <= r.memory.activations);
            CHECK(rc.decode.batch_time == r.decode.batch_time);
            const report ideal_c = evaluate(m, c, l, wc, {.ideal = true});
            CHECK(ideal_c.prefill.tokens_per_gpu.value() <=
                  any_layout_bound(m, c.gpu, wc, phase::prefill).rate.value() * (1 + 1e-9));
        }

        // 2. Weights: Σ over GPUs covers the model (replication only adds). The presets
        // without a vocabulary or with MTP modules are in the case below.
        const double summed = summed_weight_bytes(m, l);
        double worst = 0;
        for (int s = 0; s < l.pp; ++s)
            worst = std::max(worst, stage_weight_bytes(m, l, s));
        if (m.vocab > 0 && m.mtp_layers == 0)
            CHECK(summed >= weight_bytes(m).value() * (1 - 1e-12));
        // the reported (most loaded) stage holds at most the heaviest stage's weights, and
        // every GPU holding that much covers the sum
        CHECK(r.memory.weights.value() <= worst * (1 + 1e-12));
        CHECK(world * worst >= summed * (1 - 1e-12));

        // 3. Doubling TP (when the doubled layout is still valid) never raises weights per GPU.
        layout l2 = l;
        l2.tp = 2 * l.tp;
        if (l.etp == 0 && !etp_ok(m, l2.tp, c.gpus_per_node))
            l2.etp = l.tp; // keep experts as they were
        if (tp_ok(m, l2.tp, c.gpus_per_node) && validate(l2).ok()) {
            ++tp_checked;
            for (int s = 0; s < l.pp; ++s) {
                const stage_shape st = stage_of(m, l.pp, s);
                CHECK(weight_params_per_gpu(m, l2, st) <= weight_params_per_gpu(m, l, st));
            }
            const report r2 = evaluate(m, c, l2, w);
            CHECK(r2.memory.weights <= r.memory.weights);
        }

        // 4. Ideal is an upper bound of the expected figures.
        CHECK(ideal.prefill.tokens_per_gpu.value() >=
              r.prefill.tokens_per_gpu.value() * (1 - 1e-12));
        CHECK(ideal.decode.tokens_per_gpu.value() >= r.decode.tokens_per_gpu.value() * (1 - 1e-12));
        CHECK(ideal.prefill.latency.value() <= r.prefill.latency.value() * (1 + 1e-12));
        CHECK(ideal.decode.latency.value() <= r.decode.latency.value() * (1 + 1e-12));

        // 5. No layout beats the bound for any layout (both at efficiency 1).
        for (const phase p : {phase::prefill, phase::decode}) {
            INFO(name_of(p));
            const double any = any_layout_bound(m, c.gpu, w, p).rate.value();
            const double lay =
                (p == phase::prefill ? ideal.prefill : ideal.decode).tokens_per_gpu.value();
            CHECK(lay <= any * (1 + 1e-9));
        }

        // 6. Memory verdicts agree with the numbers.
        CHECK(r.memory.usable.value() == Approx(0.9 * c.gpu.hbm.value).epsilon(1e-12));
        CHECK(r.memory.fits == (r.memory.total() <= r.memory.usable));
        CHECK(r.memory.fits == !r.problems.has(rule::memory));
        CHECK(r.valid() == r.memory.fits);
        if (r.memory.fits) {
            ++mayfit;
            CHECK(r.memory.total().value() <= r.memory.usable.value());
        }

        // 7. Drafts gain at most their expected tokens.
        if (m.mtp_layers > 0) {
            ++drafted;
            for (const int d : {1, 3}) {
                INFO("draft_tokens " << d);
                workload wd = w;
                wd.draft_tokens = d;
                wd.draft_acceptance = 0.8;
                const report sd = evaluate(m, c, l, wd);
                const double E = tokens_per_decode_step(wd);
                CHECK(sd.decode_tokens_per_step == E);
                CHECK(sd.decode.tokens_per_gpu.value() <=
                      E * r.decode.tokens_per_gpu.value() * (1 + 1e-12));
                CHECK(sd.decode.batch_time > r.decode.batch_time);
                CHECK(sd.prefill.batch_time > r.prefill.batch_time); // the prompt's MTP pass
                CHECK(sd.prefill.latency > r.prefill.latency);
                CHECK(sd.memory.kv_cache > r.memory.kv_cache);
                // nor does drafting beat the any-layout bound, which reads the cache once a step
                const report ideal_d = evaluate(m, c, l, wd, {.ideal = true});
                CHECK(ideal_d.decode.tokens_per_gpu.value() <=
                      any_layout_bound(m, c.gpu, wd, phase::decode).rate.value() * (1 + 1e-9));
                wd.draft_acceptance = 0;
                CHECK(evaluate(m, c, l, wd).decode.tokens_per_gpu < r.decode.tokens_per_gpu);
            }
        }
    }
    // the generator reaches each kind of check often enough to mean something
    CHECK(drafted > cases / 20);
    CHECK(flop_checked > cases / 5);
    CHECK(mla_cached > cases / 20);
    CHECK(tp_checked > cases / 10);
    CHECK(mayfit > cases / 10);
}

// Regression (fixed): evaluate.hpp's max_batch treats activations as linear in the batch ((KV +
// activations) / sequences per sequence), but the prefill micro-batch holds ceil(batch / (M · DP))
// sequences, M = PP by default; when max_batch is not a multiple of M · DP the rounded-up
// micro-batch overflows, and evaluate() at max_batch reports that it does not fit (a hand
// derivation on the seed model is in seed_audit_test.cpp, "max_batch honours micro-batch
// rounding"). Over these cases about a third fail this way (pp > 1).
TEST_CASE("max_batch fits and max_batch + dp does not, on random deployments",
          "[invariants][max_batch]") {
    for (const config& k : random_configs()) {
        const model_spec& m = *k.m;
        const layout& l = k.l;
        INFO(show(k));
        const report r = evaluate(m, *k.c, l, k.w);
        if (r.max_batch >= (1 << 30))
            continue; // unbounded (no per-sequence memory)
        const double usable = r.memory.usable.value();
        CHECK(r.max_batch % l.dp == 0);
        if (r.max_batch >= l.dp) {
            workload at = k.w;
            at.batch = r.max_batch;
            CHECK(evaluate(m, *k.c, l, at).memory.total().value() <= usable * (1 + 1e-12));
        }
        workload over = k.w;
        over.batch = r.max_batch + l.dp;
        CHECK(evaluate(m, *k.c, l, over).memory.total().value() > usable * (1 - 1e-12));
    }
}

TEST_CASE("max_batch on one-stage random deployments", "[invariants][max_batch]") {
    // With PP = 1 a prefill micro-batch is the whole batch: ceil(batch / DP) is exact at any
    // multiple of DP, so the rule holds without the rounding of the case above.
    int checked = 0;
    for (const config& k : random_configs()) {
        if (k.l.pp != 1)
            continue;
        const model_spec& m = *k.m;
        const layout& l = k.l;
        INFO(show(k));
        const report r = evaluate(m, *k.c, l, k.w);
        if (r.max_batch >= (1 << 30))
            continue;
        ++checked;
        const double usable = r.memory.usable.value();
        CHECK(r.max_batch % l.dp == 0);
        if (r.max_batch >= l.dp) {
            workload at = k.w;
            at.batch = r.max_batch;
            CHECK(evaluate(m, *k.c, l, at).memory.total().value() <= usable * (1 + 1e-12));
        }
        workload over = k.w;
        over.batch = r.max_batch + l.dp;
        CHECK(evaluate(m, *k.c, l, over).memory.total().value() > usable * (1 - 1e-12));
    }
    CHECK(checked > cases / 10);
}

TEST_CASE("FLOP conservation by hand on one replicated layout", "[invariants][flops]") {
    // Qwen3-30B-A3B (4 KV heads of 128) at TP 8: each KV head's K,V projections run on 2 ranks.
    // Per token and layer the K,V projections cost 2·2·h·K·d = 4·2,048·512 = 4,194,304 FLOPs;
    // summed over the 8 ranks: 8 · 4,194,304 / 4 = 8,388,608, one extra copy: 4,194,304.
    const auto& m = presets::qwen3_30b_a3b;
    const layout l{.tp = 8, .etp = 1, .ep = 8};
    const workload w{.batch = 2, .prompt = 256};
    const report r = evaluate(m, presets::h200, l, w);
    const double extra = 2.0 * 256 * 48 * 4'194'304.0; // B · S · layers · one copy
    CHECK(replicated_proj_flops_per_token_layer(m, l) == 4'194'304.0);
    CHECK(8 * r.prefill.slowest.work().value() ==
          Approx(2 * prefill_flops(m, 256).matmul().value() + extra).epsilon(1e-12));
}

TEST_CASE("weights with no replication sum to the model exactly", "[invariants][weights]") {
    // TP = CP = DP = EP = ETP = 1: one copy of everything, split only by pipeline stage.
    // Embedding on stage 0, head and final norm on the last stage (tied models keep a second
    // copy when pp > 1, Megatron-style: checked at pp = 1 only).
    for (const auto& p : presets::model_presets) {
        const model_spec& m = *p.spec;
        if (m.vocab == 0 || m.mtp_layers > 0)
            continue; // see the case below
        for (int pp = 1; pp <= m.layers; ++pp) {
            if (m.layers % pp != 0 || pp > 16 || (m.tied_embeddings && pp > 1))
                continue;
            INFO(p.name << " pp " << pp);
            CHECK(summed_weight_params(m, layout{.pp = pp}) ==
                  Approx(total_params(m).total()).epsilon(1e-12));
            // and in bytes, each part at its dtype (gpt-oss: MXFP4 routed experts), also with
            // int4 weights and 16-bit embedding and head tables (an AWQ checkpoint)
            CHECK(summed_weight_bytes(m, layout{.pp = pp}) ==
                  Approx(weight_bytes(m).value()).epsilon(1e-12));
            model_spec q = m;
            q.precision.weights = dtype::int4;
            q.precision.embeddings = dtype::fp16;
            CHECK(summed_weight_bytes(q, layout{.pp = pp}) ==
                  Approx(weight_bytes(q).value()).epsilon(1e-12));
            if (!m.precision.experts.set) { // the tables at 2 B, every other weight at int4
                const double tables = table_params(m);
                CHECK(weight_bytes(q).value() ==
                      Approx((total_params(m).total() - tables) * bytes_of(dtype::int4) +
                             2.0 * tables)
                          .epsilon(1e-12));
            }
        }
    }
}

// Regression (fixed): count/traffic.hpp weight_params_per_gpu adds the final norm only when vocab >
// 0 and never stores the MTP modules, while params.hpp total_params counts both (the final norm
// unconditionally, `p.norms = L·norm + norm_width(h)`; MTP in `p.mtp`). So one GPU holding all
// of presets::seed_moe stores 512 parameters fewer than the model has (285,360,128 vs
// 285,360,640), and deepseek_v3_mtp deploys exactly like deepseek_v3: its MTP module's
// weights are in weight_bytes(m) but on no GPU.
TEST_CASE("weights with no replication sum to the model: no vocabulary, MTP",
          "[invariants][weights]") {
    // seed: 16 × (4·512² + 16·2·512·1,024 + 512·16 + 2·512) + 512 = 285,360,640
    CHECK(total_params(presets::seed_moe).total() == 285'360'640.0);
    for (int pp : {1, 2, 4}) {
        INFO("seed pp " << pp);
        CHECK(summed_weight_params(presets::seed_moe, layout{.pp = pp}) == 285'360'640.0);
    }
    const auto& v3 = presets::deepseek_v3_mtp;
    CHECK(summed_weight_params(v3, layout{}) == Approx(total_params(v3).total()).epsilon(1e-12));
    // the MTP module's embedding and head copies at the tables' dtype, on the last stage
    model_spec q = v3;
    q.precision.embeddings = dtype::fp32; // the preset's are bf16; any dtype apart from fp8
    for (int pp : {1, 61})
        CHECK(summed_weight_bytes(q, layout{.pp = pp}) ==
              Approx(weight_bytes(q).value()).epsilon(1e-12));
}
