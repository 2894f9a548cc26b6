#pragma once
/**
 * @file
 * Is a claimed throughput physically possible? (docs/model.md §Bounds)
 *
 * Two bounds, both with every efficiency at 1:
 * - for a given layout: the ideal evaluation of that deployment (`evaluate` with `ideal`);
 * - for any layout of a GPU: per GPU, prefill needs its matmul FLOPs per prompt token at
 *   peak (the uncached tokens' with prefix caching), and decode needs its matmul FLOPs at
 *   peak and must read each sequence's whole KV cache once per token (weights can be
 *   amortised over an unbounded batch, the KV cache cannot: every decoded token reads its own
 *   context; with speculative decoding, once per step for the tokens the step gains). A claim
 *   above the bound is impossible on any layout.
 */

#include <moecost/count/flops.hpp>
#include <moecost/count/memory.hpp>
#include <moecost/evaluate/inference.hpp>
#include <moecost/spec/hardware.hpp>
#include <moecost/spec/workload.hpp>
#include <moecost/time/roofline.hpp>

namespace moecost {

/// An upper bound on tokens/s per GPU and the resource that sets it.
struct throughput_bound {
    token_rate rate{};
    resource binding = resource::compute;
    token_rate compute_bound{};
    token_rate memory_bound{};
    bool runs = true; ///< false: the deployment breaks a rule or does not fit, so it cannot run
                      ///< and has no bound
};

/// The bound for any layout of GPU g (every efficiency 1).
constexpr throughput_bound any_layout_bound(const model_spec& m, const gpu_spec& g,
                                            const workload& w, phase p) {
    throughput_bound b;
    // the fastest rate any matmul runs at (the attention core at its own): an upper bound for
    // every one
    flop_rate peak = peak_for(g, m.precision.weights);
    for (const dtype t :
         {experts_dtype(m.precision), embeddings_dtype(m.precision), attention_dtype(m.precision)})
        if (peak_for(g, t) > peak)
            peak = peak_for(g, t);
    const byte_rate bw = g.hbm_bandwidth;
    if (p == phase::prefill) {
        // per prompt token, cached ones included: the uncached tokens' work (P = hit·s cached:
        // positions P + 1 … s, no logits for the cached part); each entry of the prompt's KV is
        // written (computed tokens) or read (cached ones) once
        const double S = w.prompt;
        flops work = prefill_flops(m, S).matmul();
        if (w.prefix_cache_hit > 0)
            work -= prefill_flops(m, S * w.prefix_cache_hit, {}, 0).matmul();
        b.compute_bound = peak / (work / make<tokens>(S));
        b.memory_bound = bw / (kv_cache_bytes(m, S) / make<tokens>(S));
    } else {
        // Speculative decoding reads the cache once for the E tokens a step gains on
        // average (docs/model.md §12.1); each still costs its FLOPs at least.
        const double c = context_of(w);
        const double gained = engine::drafts_of(m, w) > 0 ? tokens_per_decode_step(w) : 1.0;
        b.compute_bound = peak / (decode_flops(m, c).matmul() / make<tokens>(1));
        b.memory_bound = gained * bw / (kv_cache_bytes(m, c) / make<tokens>(1));
    }
    if (b.memory_bound < b.compute_bound) {
        b.rate = b.memory_bound;
        b.binding = resource::memory;
    } else {
        b.rate = b.compute_bound;
        b.binding = resource::compute;
    }
    return b;
}

/// The bound of one deployment: its ideal evaluation.
constexpr throughput_bound layout_bound(const model_spec& m, const cluster_spec& c, const layout& l,
                                        const workload& w, phase p) {
    const report r = evaluate(m, c, l, w, {.ideal = true});
    const phase_result& ph = p == phase::prefill ? r.prefill : r.decode;
    throughput_bound b;
    b.rate = ph.tokens_per_gpu;
    b.binding = ph.bottleneck;
    b.runs = r.evaluated && r.memory.fits;
    return b;
}

/// A claim and its verdict.
struct claim_verdict {
    token_rate claimed{};
    throughput_bound bound{};
    bool possible = false;
    /// The claim over the bound; 0 where the deployment cannot run (no bound to compare with).
    [[nodiscard]] constexpr double claimed_over_bound() const {
        return bound.runs ? ratio(claimed, bound.rate) : 0.0;
    }
};

/// Is `claimed` tokens/s per GPU possible in phase p on any layout of GPU g?
constexpr claim_verdict check_claim(token_rate claimed, phase p, const model_spec& m,
                                    const gpu_spec& g, const workload& w) {
    claim_verdict v{claimed, any_layout_bound(m, g, w, p), false};
    v.possible = claimed <= v.bound.rate;
    return v;
}

/// Is `claimed` tokens/s per GPU possible in phase p on this deployment?
constexpr claim_verdict check_claim(token_rate claimed, phase p, const model_spec& m,
                                    const cluster_spec& c, const layout& l, const workload& w) {
    claim_verdict v{claimed, layout_bound(m, c, l, w, p), false};
    v.possible = v.bound.runs && claimed <= v.bound.rate; // nothing is possible on what cannot run
    return v;
}

} // namespace moecost
