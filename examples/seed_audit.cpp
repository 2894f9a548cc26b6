// The seed audit: the deployment plan moecost grew from, checked by the compiler and by
// physics. Rebuilds the seed's scenario (its MoE model on its GPU, batch 128, sequence
// 10240, targets ≥ 100 tokens/ms per GPU, TTFT ≤ 10 s, ≤ 64 GB per GPU), shows each of the
// seed's figures beside the correct one, and evaluates both of its plans.

#include <moecost.hpp>

#include <fmt/core.h>

#include <string>

using namespace moecost;
using namespace moecost::literals;

namespace {

constexpr const model_spec& seed_model = presets::seed_moe;
constexpr const cluster_spec& seed_cluster = presets::seed_gpu;
constexpr workload scenario{.batch = 128, .prompt = 10240};
constexpr token_rate target_rate = make<token_rate>(100.0 * 1000); // 100 tokens/ms per GPU
constexpr requirements targets{.min_prefill_tokens_per_gpu = target_rate,
                               .min_decode_tokens_per_gpu = target_rate,
                               .max_ttft = 10_s,
                               .max_memory_per_gpu = 64_GB};

struct plan {
    const char* name;
    layout l;
    int gpus;
    double claimed_tokens_per_ms; // the seed's throughput claim per GPU
};
constexpr plan plan_256{"EP16·PP4·DP2·TP2 (256 GPUs)", seed_layout(16, 4, 2, 2), 256, 39.0};
constexpr plan plan_128{"EP8·PP2·DP4·TP2 (128 GPUs)", seed_layout(8, 2, 4, 2), 128, 150.0};

// The seed's own arithmetic, as it wrote it.
constexpr double seed_flops_per_token = 7'372'800;  // "Total FLOPs per token"
constexpr double seed_compute_bound_per_ms = 32.55; // "32,550 tokens/second = 32.5 tokens/ms"
constexpr double seed_memory_bound_per_ms = 1'406;  // "1,406 tokens/ms"

// The same sums with units: the result is a token_rate, whatever it is printed in.
constexpr token_rate compute_bound_seed_sum = 240.0_TFLOP_per_s / (7'372'800_FLOP / 1_tok);
constexpr token_rate memory_bound_seed_sum = 1.44_TB_per_s / (1024_B / 1_tok);

double per_ms(token_rate r) {
    return r.value() / 1000.0;
}

std::string verdict(bool ok) {
    return ok ? "holds" : "WRONG";
}

void heading(const char* title) {
    fmt::print("\n{}\n{}\n", title, std::string(96, '-'));
}

void row(const std::string& what, const std::string& seed, const std::string& correct,
         const std::string& v) {
    fmt::print("  {:<36} {:>16}  {:>22}  {}\n", what, seed, correct, v);
}

std::string tok_ms(double v) {
    return fmt::format("{:.4g} tok/ms", v);
}

void audit_plan(const plan& p) {
    const report r = evaluate(seed_model, seed_cluster, p.l, scenario, {}, targets);
    const report ideal =
        evaluate(seed_model, seed_cluster, p.l, scenario, {.ideal = true}, targets);
    heading(fmt::format("Plan {}: attention tp={} dp={} pp={}, experts etp={} ep={} edp={}", p.name,
                        p.l.tp, p.l.dp, p.l.pp, etp_of(p.l), p.l.ep, edp_of(p.l))
                .c_str());
    fmt::print("  module division: {}\n", r.problems.ok() ? "every module divides evenly" : "");
    for (const auto& v : r.problems)
        fmt::print("    - {}\n", describe(v));
    fmt::print("  GPUs: {} = world size {}\n", p.gpus, world_size(p.l));
    row("", "seed says", "moecost", "verdict");
    row("weights per GPU", p.gpus == 128 ? "0.58 GB" : "-", pretty(r.memory.weights),
        p.gpus == 128 ? "seed never divides by EP·TP·PP" : "");
    row("KV cache per GPU", p.gpus == 128 ? "2.5 GB" : "-", pretty(r.memory.kv_cache), "");
    row("activations per GPU", p.gpus == 128 ? "0.16 GB" : "-", pretty(r.memory.activations),
        "working set of one prefill step");
    row("memory per GPU", p.gpus == 128 ? "3.24 GB" : "-", pretty(r.memory.total()),
        r.memory.total() <= 64_GB ? "fits 64 GB" : "over 64 GB");
    row("largest batch that fits", "-", fmt::format("{}", r.max_batch), "");
    const auto claim = make<token_rate>(p.claimed_tokens_per_ms * 1000);
    const auto pre = check_claim(claim, phase::prefill, seed_model, seed_cluster, p.l, scenario);
    const auto dec = check_claim(claim, phase::decode, seed_model, seed_cluster, p.l, scenario);
    row("prefill per GPU (expected)", tok_ms(p.claimed_tokens_per_ms),
        tok_ms(per_ms(r.prefill.tokens_per_gpu)),
        fmt::format("bound by {}", name_of(r.prefill.bottleneck)));
    row("prefill per GPU (ideal bound)", "", tok_ms(per_ms(ideal.prefill.tokens_per_gpu)),
        pre.possible ? "claim possible in prefill" : "claim IMPOSSIBLE in prefill");
    row("decode per GPU (expected)", tok_ms(p.claimed_tokens_per_ms),
        tok_ms(per_ms(r.decode.tokens_per_gpu)),
        fmt::format("bound by {}", name_of(r.decode.bottleneck)));
    row("decode per GPU (ideal bound)", "", tok_ms(per_ms(ideal.decode.tokens_per_gpu)),
        dec.possible ? "claim possible in decode" : "claim IMPOSSIBLE in decode");
    row("TTFT, one 10240-token prompt", p.gpus == 128 ? "0.068 s" : "-", pretty(r.prefill.latency),
        r.prefill.latency <= 10_s ? "meets 10 s" : "misses 10 s");
    row("prefill of the whole batch", "", pretty(r.prefill.batch_time),
        fmt::format("pipeline bubble {:.0f}%", 100 * r.prefill.bubble_fraction));
    row("TPOT at batch 128, context 10240", "-", pretty(r.decode.latency), "");
    row("experts touched per decode step", "-",
        fmt::format("{:.1f} of {}", r.decode_experts_touched, seed_model.moe.experts),
        "per layer, per EP group");
    // report::requirements holds, in order: prefill and decode tokens/s per GPU, TTFT, TPOT,
    // memory per GPU; each is printed in its unit.
    auto with_unit = [](std::size_t i, double v) {
        if (i < 2)
            return tok_ms(v / 1000.0);
        if (i < 4)
            return pretty(make<seconds>(v));
        return pretty(make<bytes>(v));
    };
    fmt::print("  targets:\n");
    for (std::size_t i = 0; i < r.requirements.size(); ++i) {
        const auto& q = r.requirements[i];
        if (q.applies)
            fmt::print("    {:<28} {:>16}  target {:>16}  {}\n", q.name, with_unit(i, q.value),
                       with_unit(i, q.target), q.pass ? "pass" : "FAIL");
    }
}

} // namespace

int main() {
    fmt::print("moecost audit of the seed deployment plan\n");
    fmt::print("model: {} ({} layers, hidden {}, {} experts top-{}, expert hidden {}, {}); "
               "total {:.4g} M parameters, active {:.4g} M\n",
               seed_model.name.view(), seed_model.layers, seed_model.hidden, seed_model.moe.experts,
               seed_model.moe.top_k, seed_model.moe.expert_hidden,
               name_of(seed_model.precision.weights), total_params(seed_model).total() / 1e6,
               active_params(seed_model).total() / 1e6);
    fmt::print("GPU: {} effective, {} effective, {} HBM; interconnect {}\n",
               pretty(seed_cluster.gpu.peak_bf16.get()),
               pretty(seed_cluster.gpu.hbm_bandwidth.get()), pretty(seed_cluster.gpu.hbm.get()),
               seed_cluster.interconnect_assumed ? "ASSUMED (the seed names none): 8 GPUs/node, "
                                                   "300 GB/s NVLink, 25 GB/s NIC per GPU"
                                                 : "from the preset");
    fmt::print(
        "workload: batch {}, prompt {} tokens, decode context {}; targets >= 100 tok/ms per GPU, "
        "TTFT <= 10 s, <= 64 GB per GPU\n",
        scenario.batch, scenario.prompt, context_of(scenario));

    heading("1. The seed's unit slips");
    row("", "seed says", "correct", "verdict");
    row("240 TFLOP/s / 7,372,800 FLOP/token", tok_ms(seed_compute_bound_per_ms),
        tok_ms(per_ms(compute_bound_seed_sum)),
        fmt::format("{} (off by {:.0f}x)", verdict(false),
                    per_ms(compute_bound_seed_sum) / seed_compute_bound_per_ms));
    row("1.44 TB/s / 1,024 B/token", tok_ms(seed_memory_bound_per_ms),
        tok_ms(per_ms(memory_bound_seed_sum)),
        fmt::format("{} (off by {:.0f}x)", verdict(false),
                    per_ms(memory_bound_seed_sum) / seed_memory_bound_per_ms));
    fmt::print(
        "  With moecost's units the quotient is a token_rate: `240.0_TFLOP_per_s / (7'372'800_FLOP "
        "/ 1_tok)`\n"
        "  prints as {}; dividing FLOP/s by FLOP/token cannot yield tokens/ms by accident, and\n"
        "  adding FLOPs to bytes does not compile (tests/compile_fail/units_flop_plus_byte.cpp).\n",
        pretty(compute_bound_seed_sum));

    heading("2. FLOPs per token: all 16 layers and the attention context");
    const flop_breakdown dec = decode_flops(seed_model, context_of(scenario));
    const flops pre = prefill_flops(seed_model, scenario.prompt).total();
    row("", "seed says", "moecost", "");
    row("per token (seed: one layer, no context)",
        fmt::format("{:.4g} MFLOP", seed_flops_per_token / 1e6),
        pretty(decode_flops(seed_model, 1).matmul()), "weights only, context 1, 16 layers");
    row("  of which attention projections", "", pretty(dec.attention_proj),
        "4·h² per layer, x2 FLOP");
    row("  of which routed experts", "", pretty(dec.routed_experts), "top-2 x 2 matrices");
    row("  of which router", "", pretty(dec.router), "");
    row("  attention core at context 10240", "not counted", pretty(dec.attention_core),
        "4·h·c per layer");
    row("decode token at context 10240", "", pretty(dec.total()), "incl. non-matmul");
    row("prefill, mean over the 10240 prompt", "",
        pretty(pre / static_cast<double>(scenario.prompt)), "exact causal sum");

    heading(
        "3. Can >= 100 tokens/ms per GPU hold? Bounds for ANY layout of this GPU (efficiency 1)");
    row("", "", "bound per GPU", "binds / verdict");
    for (const phase ph : {phase::prefill, phase::decode}) {
        const claim_verdict v =
            check_claim(target_rate, ph, seed_model, seed_cluster.gpu, scenario);
        row(fmt::format("{} compute bound", name_of(ph)), "", tok_ms(per_ms(v.bound.compute_bound)),
            "");
        row(fmt::format("{} memory bound", name_of(ph)), "", tok_ms(per_ms(v.bound.memory_bound)),
            ph == phase::decode ? "each token reads its 10240-token KV cache" : "KV writes");
        row(fmt::format("100 tok/ms in {}", name_of(ph)), "claimed", tok_ms(per_ms(v.bound.rate)),
            fmt::format("{}: {}", name_of(v.bound.binding),
                        v.possible ? "possible" : "IMPOSSIBLE on any layout"));
    }

    heading("4. The seed's plans (expected: seed GPU figures as given; ideal: perfect overlap and "
            "balance)");
    audit_plan(plan_256);
    audit_plan(plan_128);
    heading("5. The best layouts moecost finds (every layout of 1 to 256 GPUs, batch 128)");
    constexpr search_space space{.min_gpus = 1, .max_gpus = 256, .batches = {128}};
    for (const phase ph : {phase::prefill, phase::decode}) {
        requirements req = targets;
        (ph == phase::prefill ? req.min_decode_tokens_per_gpu
                              : req.min_prefill_tokens_per_gpu) = {};
        const auto found = search(seed_model, seed_cluster, space, scenario, req,
                                  ph == phase::prefill ? objective::prefill_tokens_per_gpu
                                                       : objective::decode_tokens_per_gpu);
        fmt::print("  {}: {} layouts evaluated, {} meet the targets (>= 100 tok/ms per GPU in {}, "
                   "TTFT, memory)\n",
                   name_of(ph), found.evaluated, found.feasible, name_of(ph));
        const auto& list = found.n_best > 0 ? found.best : found.nearest_misses;
        const int n = found.n_best > 0 ? found.n_best : found.n_misses;
        if (found.n_best == 0)
            fmt::print("  none does; the nearest misses:\n");
        for (int i = 0; i < n && i < 3; ++i) {
            const candidate& cd = list[static_cast<std::size_t>(i)];
            fmt::print(
                "    tp={} dp={} pp={} etp={} ep={} ({} GPUs): prefill {}, decode {}, TTFT {}, "
                "TPOT {}{}\n",
                cd.l.tp, cd.l.dp, cd.l.pp, etp_of(cd.l), cd.l.ep, world_size(cd.l),
                tok_ms(per_ms(cd.prefill)), tok_ms(per_ms(cd.decode)), pretty(cd.ttft),
                pretty(cd.tpot),
                found.n_best > 0
                    ? ""
                    : fmt::format("; short by {:.0f}%", 100 * cd.shortfall / (1 + cd.shortfall)));
        }
    }

    fmt::print("\nThe seed's 150 tok/ms has no derivation; its TTFT of 0.068 s is (128 x 10240) / "
               "(128 x 150 x 1000),\n"
               "the batch's prefill time at that unfounded rate, not the time to a first token.\n");
    return 0;
}

// What the audit prints, proven at compile time.
static_assert(compute_bound_seed_sum.value() > 3.25e7 && compute_bound_seed_sum.value() < 3.26e7,
              "240 TFLOP/s / 7.3728 MFLOP per token is 32.6 million tokens/s");
static_assert(memory_bound_seed_sum.value() == 1.40625e9, "1.44 TB/s / 1024 B per token");
static_assert(
    !check_claim(target_rate, phase::decode, seed_model, seed_cluster.gpu, scenario).possible,
    "100 tokens/ms per GPU in decode at context 10240 is impossible on this GPU");
static_assert(
    check_claim(target_rate, phase::prefill, seed_model, seed_cluster.gpu, scenario).possible);
static_assert(evaluate(seed_model, seed_cluster, plan_128.l, scenario).valid());
static_assert(evaluate(seed_model, seed_cluster, plan_256.l, scenario).memory.fits);
