#pragma once
/**
 * @file
 * Memory fit: the bytes one GPU of each stage holds in inference (weights, the KV cache of its
 * sequences, one prefill micro-batch's working set, or a serving step's within its token
 * budget), the most loaded stage, whether it fits in the usable share of HBM, and the largest
 * batch that would (docs/model.md §Memory; the budget: docs/serving.md §9).
 */

#include <moecost/count/memory.hpp>
#include <moecost/count/shares.hpp>
#include <moecost/detail/math.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/workload.hpp>
#include <moecost/time/load.hpp>
#include <moecost/time/stages.hpp>
#include <moecost/time/step.hpp>

namespace moecost {

/// Memory of one GPU on the most loaded stage.
struct memory_breakdown {
    bytes weights{};
    bytes kv_cache{};
    bytes activations{};
    bytes capacity{};
    bytes usable{}; ///< capacity × headroom
    int stage = 0;
    bool fits = false;
    [[nodiscard]] constexpr bytes total() const { return weights + kv_cache + activations; }
};

namespace engine {

/// What fit_stages asks of each stage beyond its weights and KV cache: its working set, and
/// how many sequences per DP rank fit.
struct stage_room {
    double activations = 0; ///< bytes of the working set at the workload's batch
    double fit = 0;         ///< sequences per DP rank that fit in the usable memory (whole)
};

/**
 * The walk over the stage shapes both fits share. Per stage: the weights, the KV cache of the
 * sequences per DP rank (each with room for its context and its drafts, and, on the stage with
 * the LM head, the cache of the MTP modules that draft: one layer each), and what
 * `room_of(shape, KV bytes per sequence, usable bytes less the weights)` returns: the
 * activations and the sequences that fit. Keeps the most loaded stage in `out`; returns the
 * largest batch (a multiple of DP) that fits, the smallest over stages.
 */
template <class RoomOf>
constexpr int fit_stages(memory_breakdown& out, const model_spec& m, const layout& l,
                         const workload& w, const step_constants& k, const stage_set& ss,
                         const stored<bytes>& hbm, double headroom, RoomOf&& room_of) {
    const double B = w.batch, S = w.prompt, ctx = context_of(w), dp = l.dp;
    const double seqs = ceil_div(B, dp);
    const int drafts = drafts_of(m, w);
    const double n = (ctx > S ? ctx : S) + drafts; // room for the drafts
    // the MTP modules that draft keep a cache too, on the last stage: one layer each
    double mtp_kv_seq = 0;
    if (drafts > 0) {
        const int used = drafting_modules_of(m, w);
        const stage_shape blocks{.layers = used,
                                 .sliding = is_sliding_layer(m, mtp_block_layer(m)) ? used : 0};
        mtp_kv_seq = kv_bytes_per_gpu(m, l, blocks, 1, n).value();
    }
    out.capacity = hbm;
    out.usable = headroom * hbm.get();
    double max_seqs = 1e18;
    bool first = true;
    for_each_shape(m, ss, [&](const stage_shape& st, int, int index) {
        const bytes wts = make<bytes>(weight_bytes_per_gpu(k.weights, st, k.wb, k.ewb, k.tb));
        const double kv_seq =
            kv_bytes_per_gpu(m, l, st, 1, n).value() + (st.head ? mtp_kv_seq : 0.0);
        const stage_room r = room_of(st, kv_seq, out.usable.value() - wts.value());
        const bytes kv = make<bytes>(seqs * kv_seq);
        const bytes act = make<bytes>(r.activations);
        const bytes tot = wts + kv + act;
        if (first || tot > out.total()) {
            out.weights = wts;
            out.kv_cache = kv;
            out.activations = act;
            out.stage = index;
        }
        first = false;
        max_seqs = dmin(max_seqs, r.fit);
    });
    out.fits = out.total() <= out.usable;
    const double mb = static_cast<double>(static_cast<long long>(dmin(max_seqs, 1e9))) * l.dp;
    return mb > double(1 << 30) ? 1 << 30 : static_cast<int>(mb);
}

/**
 * fit_memory for a serving step capped at `w.step_tokens` tokens per DP rank (> 0): the
 * working set is that of at most so many tokens and logit rows, whatever the batch, so the
 * largest batch is what the KV cache leaves beside a full budget's working set.
 */
// Kept out of line: the evaluation path (no budget) stays as it was.
[[gnu::noinline]] constexpr int
fit_memory_budgeted(memory_breakdown& out, const model_spec& m, const layout& l, const workload& w,
                    const step_constants& k, const stage_set& ss, const step_load& ld_prefill,
                    const activation_rates& activation, const stored<bytes>& hbm, double headroom) {
    const double B = w.batch, dp = l.dp;
    const double pf_seqs = ceil_div(B / prefill_micro_batches_of(w, l.pp), dp);
    const double budget = w.step_tokens;
    const double step_tok = dmin(budget, pf_seqs * ld_prefill.tokens_per_seq) * k.inv_cp;
    const double step_rows = dmin(budget, pf_seqs);
    const double row = inference_activation_bytes(activation, 0, 1).value() * k.inv_tp;
    const double body = inference_activation_bytes(activation, step_tok, 0).value() * k.inv_tp;
    const double body_cap =
        inference_activation_bytes(activation, budget * k.inv_cp, 0).value() * k.inv_tp;
    return fit_stages(
        out, m, l, w, k, ss, hbm, headroom, [&](const stage_shape& st, double kv_seq, double room) {
            const double cap = body_cap + (st.head ? budget * row : 0.0);
            double fit = 0;
            if (room > cap)
                fit = kv_seq > 0 ? dmin((room - cap) / kv_seq, 1e9) : 1e9;
            return stage_room{.activations = body + (st.head ? step_rows * row : 0.0),
                              .fit = static_cast<double>(static_cast<long long>(fit))};
        });
}

/**
 * The memory fit of model m on layout l (constants k, stage shapes ss) under workload w, whose
 * prefill micro-batch load is `ld_prefill`; `activation` is the model's inference working set
 * and `headroom` the usable share of `hbm`, into `out` (the most loaded stage); returns the
 * largest batch (a multiple of DP) that fits, the smallest over stages.
 */
constexpr int fit_memory(memory_breakdown& out, const model_spec& m, const layout& l,
                         const workload& w, const step_constants& k, const stage_set& ss,
                         const step_load& ld_prefill, const activation_rates& activation,
                         const stored<bytes>& hbm, double headroom) {
    if (w.step_tokens > 0) // a serving step: its working set follows its token budget
        return fit_memory_budgeted(out, m, l, w, k, ss, ld_prefill, activation, hbm, headroom);
    const double B = w.batch, dp = l.dp;
    const double M_pf = prefill_micro_batches_of(w, l.pp, l.dp);
    const double pf_seqs = ceil_div(B / M_pf, dp);
    // Working set of one prefill micro-batch, intermediates split by TP; fp32 logits (one
    // row per sequence) only on the stage with the LM head. Per sequence first: the largest
    // batch below needs the per-sequence figures, and they do not wait on the divisions
    // that give the sequence counts.
    const double act_body_seq =
        inference_activation_bytes(activation, ld_prefill.tokens_per_seq * k.inv_cp, 0).value() *
        k.inv_tp;
    const double act_head_seq = inference_activation_bytes(activation, 0, 1).value() * k.inv_tp;
    const double inv_M_pf = 1.0 / M_pf;
    return fit_stages(
        out, m, l, w, k, ss, hbm, headroom, [&](const stage_shape& st, double kv_seq, double room) {
            const double act_seq = st.head ? act_body_seq + act_head_seq : act_body_seq;
            // KV grows with the sequences per DP rank N, activations with the sequences of
            // one prefill micro-batch, ceil(N / M): take the largest N whose total fits.
            double fit = 0;
            if (room > 0) {
                const double per_seq = kv_seq + act_seq * inv_M_pf;
                fit = per_seq > 0 ? room / per_seq : 1e9;
                fit = static_cast<double>(static_cast<long long>(dmin(fit, 1e9)));
                while (fit > 0 && fit * kv_seq + ceil_div(fit, M_pf) * act_seq > room)
                    fit -= 1;
            }
            return stage_room{.activations = pf_seqs * act_seq, .fit = fit};
        });
}

} // namespace engine
} // namespace moecost
