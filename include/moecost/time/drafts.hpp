#pragma once
/**
 * @file
 * Multi-token prediction and speculative decoding: the MTP modules' forward passes on the
 * last stage (training runs each once; a decode step drafts with them, a prefill fills their
 * cache), as times (docs/model.md §12).
 */

#include <moecost/spec/model.hpp>
#include <moecost/spec/workload.hpp>
#include <moecost/time/load.hpp>
#include <moecost/time/step_cost.hpp>

namespace moecost::engine {

/// One forward of the MTP modules on one GPU of the last stage, as times.
struct mtp_forward {
    seconds compute{};   ///< blocks, projections and heads (ideal mode: groups.time())
    seconds head{};      ///< the heads' share (not recomputed)
    seconds core{};      ///< the blocks' attention core (selective recomputation)
    seconds comm{};      ///< the blocks' collectives
    group_sums groups{}; ///< Σ compute and Σ HBM times of all its groups (ideal mode's sums)
    group_sums heads{};  ///< ... of the heads
    group_sums cores{};  ///< ... of the blocks' attention core
};

/**
 * `n` forward passes of MTP modules on the last stage under load `ld` (terms `t`): each a block
 * of the last layer's kind (its operator groups and collectives as a layer's), the 2h→h
 * projection split over TP, and the shared head (DeepSeek-V3 §2.2). Training runs each module
 * once (n = mtp_layers), speculative decoding one pass per draft. Zero without MTP modules.
 */
constexpr mtp_forward mtp_forward_of(const model_spec& m, const step_constants& k,
                                     const load_terms& t, const step_load& ld, int n) {
    mtp_forward x;
    if (m.mtp_layers <= 0 || n <= 0)
        return x;
    const int i = mtp_block_layer(m);
    const bool moe = is_moe_layer(m, i);
    const stage_shape blocks{.first = i,
                             .layers = n,
                             .moe = moe ? n : 0,
                             .dense = moe ? 0 : n,
                             .sliding = is_sliding_layer(m, i) ? n : 0};
    stage_step s;
    layer_costs(s, k, t, blocks, ld);
    const layer_sums ls = sum_layers(s, k.ideal);
    const double h = k.h;
    const op_cost proj = roofline(
        make<flops>(n * t.T * 2.0 * (2.0 * h) * h * k.inv_tp),
        make<bytes>(n * (2.0 * h * h * k.inv_tp * k.wb + t.T * (2.0 * h + h * k.inv_tp) * k.ab)),
        k.mm_time, k.hbm_time);
    x.head = static_cast<double>(n) * t.lm_head.time();
    x.core = s.op(op_group::attention_core).time();
    x.comm = ls.comm;
    if (k.ideal) { // the groups overlapped, as a step's
        const double passes = n;
        x.heads = {.compute = passes * t.lm_head.compute_time,
                   .memory = passes * t.lm_head.memory_time};
        x.cores.add(s.op(op_group::attention_core));
        x.groups = {.compute = ls.compute_bound, .memory = ls.memory_bound}; // as ideal sums them
        x.groups.add(proj);
        x.groups += x.heads;
        x.compute = x.groups.time();
    } else {
        x.compute = ls.compute + proj.time() + x.head;
    }
    return x;
}

/// n MTP passes under load ld (terms t) as a time: compute then communication, or the longer
/// of the two when overlapped (in ideal mode compute is already the longer of its summed
/// compute and HBM times).
constexpr seconds mtp_time_of(const model_spec& m, const step_constants& k, const load_terms& t,
                              const step_load& ld, int n) {
    const mtp_forward x = mtp_forward_of(m, k, t, ld, n);
    return step_time_of(k, x.compute, x.comm);
}

/**
 * The last stage's draft passes in a decode step under w (zero without drafts): after
 * verifying, it drafts the next step's tokens, one MTP pass per draft, the modules taken in
 * turn. Each drafting module first runs over the tokens the step kept, E =
 * tokens_per_decode_step of them a sequence on average (their hidden states feed it and its
 * cache takes their entries, as SGLang's draft extend does); the passes left draft one token a
 * sequence each, after them (docs/model.md §12.1).
 */
constexpr seconds draft_time_of(const model_spec& m, const step_constants& k, const layout& l,
                                const workload& w) {
    const int d = drafts_of(m, w);
    if (d <= 0)
        return {};
    workload one = w;
    one.draft_tokens = 0;
    const step_load ld = phase_load(m, l, one, true);
    const auto terms = [&](const step_load& x) {
        return load_terms_of(k, x, experts_touched(k.experts, k.top_k, x.expert_tokens, k.skew));
    };
    // Verified token i (at position ctx + i, ctx + i keys) is kept when it and the drafts
    // before it were accepted, with chance α^i, E of them on average; the draft is sampled at
    // the last kept one, one logit row a sequence.
    const double ctx = context_of(w), win = window_keys(m);
    const double E = tokens_per_decode_step(w);
    step_load kept = ld;
    kept.keys_full = 0;
    kept.keys_sliding = 0;
    double chance = 1;
    for (int i = 0; i <= d; ++i, chance *= w.draft_acceptance) {
        kept.keys_full += chance * (ctx + i);
        kept.keys_sliding += chance * dmin(ctx + i, win);
    }
    kept.tokens_per_seq = E;
    kept.expert_tokens = ld.expert_tokens * E;
    const int modules = drafting_modules_of(m, w);
    seconds t = mtp_time_of(m, k, terms(kept), kept, modules);
    // the passes left: one token each at positions ctx + E, ctx + E + 1, ..., keys as many
    if (const int later = d - modules; later > 0) {
        step_load next = ld;
        const double mean = ctx + E + (later - 1.0) / 2.0;
        next.keys_full = mean;
        next.keys_sliding = dmin(mean, win);
        t += mtp_time_of(m, k, terms(next), next, later);
    }
    return t;
}

/// The drafting modules' pass over a prefill load (terms t): each that drafts reads the
/// prompt once, filling its cache and making the first draft (zero without drafts).
constexpr seconds prompt_mtp_time_of(const model_spec& m, const step_constants& k,
                                     const load_terms& t, const step_load& ld, const workload& w) {
    return mtp_time_of(m, k, t, ld, drafting_modules_of(m, w)); // zero passes: zero
}

} // namespace moecost::engine
