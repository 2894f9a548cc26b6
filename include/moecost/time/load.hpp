#pragma once
/**
 * @file
 * Phase loads: what one step of a phase (a prefill micro-batch, a decode micro-batch, one
 * request alone) asks of the busiest GPUs, the one place a phase's load is defined
 * (evaluation, the DAG, the bounds).
 */

#include <moecost/count/routing.hpp>
#include <moecost/detail/math.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/workload.hpp>
#include <moecost/time/step.hpp>

#include <array>

namespace moecost::engine {

constexpr double causal_keys(double s) {
    return s * (s + 1.0) / 2.0;
}
constexpr double causal_keys_window(double s, double w) {
    return s <= w ? causal_keys(s) : w * (w + 1.0) / 2.0 + (s - w) * w;
}

/// The drafts a decode step verifies: the workload's, when the model has MTP modules to draft
/// with (without them the workload breaks draft_needs_mtp; evaluate then costs nothing, and the
/// DAG and the bounds, which cost a step directly, cost plain decoding).
constexpr int drafts_of(const model_spec& m, const workload& w) {
    return m.mtp_layers > 0 ? w.draft_tokens : 0;
}
/// The MTP modules that draft: one per draft, as many as the model has (then used in turn).
constexpr int drafting_modules_of(const model_spec& m, const workload& w) {
    const int d = drafts_of(m, w);
    return d < m.mtp_layers ? d : m.mtp_layers;
}

/**
 * What one step of a phase asks of the busiest GPUs: a prefill micro-batch (B/M prompts of
 * s tokens, M = prefill micro-batches) or a decode micro-batch (B/M_d sequences, one token
 * each at context c, or 1 + d with d drafts to verify). The one place a phase's load is
 * defined (evaluate, the DAG).
 */
constexpr step_load phase_load(const model_spec& m, const layout& l, const workload& w,
                               bool decode) {
    const double B = w.batch, S = w.prompt, ctx = context_of(w), dp = l.dp, edp = edp_of(l);
    const double win = window_keys(m);
    if (!decode) {
        // With prefix caching the first P = hit·s positions are cached: tokens P + 1 … s are
        // computed, each attending to its position's keys, and the P cached entries are read.
        const double Bmb = B / prefill_micro_batches_of(w, l.pp, l.dp);
        step_load ld{.seqs = ceil_div(Bmb, dp),
                     .tokens_per_seq = S,
                     .keys_full = causal_keys(S),
                     .keys_sliding = causal_keys_window(S, win),
                     .expert_tokens = Bmb * S / edp,
                     .kv_len = 0,
                     .decode = false};
        if (w.prefix_cache_hit > 0) {
            const double P = S * w.prefix_cache_hit, N = S - P;
            ld.tokens_per_seq = N;
            ld.keys_full -= causal_keys(P);
            ld.keys_sliding -= causal_keys_window(P, win);
            ld.expert_tokens = Bmb * N / edp;
            ld.kv_len = P;
        }
        return ld;
    }
    // With d drafts a step verifies q = 1 + d tokens per sequence, at positions ctx … ctx + d:
    // token i attends to ctx + i keys, reads the cache once and writes q entries.
    const double Bmb = B / decode_micro_batches_of(w, l.pp, l.dp);
    step_load ld{.seqs = ceil_div(Bmb, dp),
                 .tokens_per_seq = 1,
                 .keys_full = ctx,
                 .keys_sliding = dmin(ctx, win),
                 .expert_tokens = Bmb / edp,
                 .kv_len = ctx,
                 .decode = true};
    if (const int d = drafts_of(m, w); d > 0) {
        const double q = 1.0 + d;
        ld.tokens_per_seq = q;
        ld.keys_full = q * ctx + d * (d + 1.0) / 2.0;
        for (int i = 1; i <= d; ++i)
            ld.keys_sliding += dmin(ctx + i, win);
        ld.expert_tokens = Bmb * q / edp;
        ld.logit_rows_per_seq = q;
    }
    return ld;
}

/// The three loads of an inference evaluation: a prefill micro-batch, one request alone (TTFT)
/// and a decode micro-batch, with the distinct experts each touches (of E, per EP group).
struct phase_loads {
    step_load prefill{};
    step_load one{};
    step_load decode{};
    std::array<double, 3> touched{};
};

constexpr phase_loads phase_loads_of(const model_spec& m, const layout& l, const workload& w,
                                     const step_constants& k) {
    phase_loads p{.prefill = phase_load(m, l, w, false)};
    p.one = p.prefill;
    p.one.seqs = 1;
    p.one.expert_tokens = p.prefill.tokens_per_seq;
    p.decode = phase_load(m, l, w, true);
    p.touched = experts_touched_each<3>(
        k.experts, k.top_k, {p.prefill.expert_tokens, p.one.expert_tokens, p.decode.expert_tokens},
        k.skew);
    return p;
}

} // namespace moecost::engine
