#pragma once
/**
 * @file
 * The layout rules: a model's modules must divide over the layout's meshes, the layout must
 * fit the cluster, and the workload must divide over it (docs/model.md §Deployment). Each
 * broken rule is a named violation with its numbers.
 */

#include <moecost/count/shares.hpp>
#include <moecost/spec/hardware.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/violation.hpp>
#include <moecost/spec/workload.hpp>

namespace moecost {

/// The rules of check_layout past the layout's own, added to `out`; `l` must be valid.
constexpr void check_layout_rules(violations& out, const model_spec& m, const cluster_spec& c,
                                  const layout& l, const workload& w) {
    if (l.pp > m.layers)
        out.add(rule::stages_vs_layers, "pp", l.pp, m.layers);
    else if (m.layers % l.pp != 0 && !l.uneven_stages)
        out.add(rule::layers_vs_pp, "layers", m.layers, l.pp);
    if (is_moe(m) && expert_slots(m, l) % l.ep != 0)
        out.add(rule::experts_vs_ep, "moe.experts", expert_slots(m, l), l.ep);
    if (m.attention.heads % l.tp != 0)
        out.add(rule::heads_vs_tp, "attention.heads", m.attention.heads, l.tp);
    if (!is_mla(m)) {
        const int k = kv_heads_of(m);
        if (k % l.tp != 0 && l.tp % k != 0)
            out.add(rule::kv_heads_vs_tp, "attention.kv_heads", k, l.tp);
    }
    if (dense_layers(m) > 0 && m.ffn.hidden % l.tp != 0)
        out.add(rule::ffn_vs_tp, "ffn.hidden", m.ffn.hidden, l.tp);
    if (is_moe(m) && m.moe.expert_hidden % etp_of(l) != 0)
        out.add(rule::expert_ffn_vs_etp, "moe.expert_hidden", m.moe.expert_hidden, etp_of(l));
    if (w.batch % l.dp != 0)
        out.add(rule::batch_vs_dp, "dp", w.batch, l.dp);
    if (w.prompt % l.cp != 0)
        out.add(rule::prompt_vs_cp, "workload.prompt", w.prompt, l.cp);
    // micro-batches the user set must each hold a sequence of every DP rank
    const int per_rank = w.batch / l.dp;
    if (w.prefill_micro_batches > per_rank)
        out.add(rule::micro_batches_vs_batch, "workload.prefill_micro_batches",
                w.prefill_micro_batches, per_rank);
    if (w.decode_micro_batches > per_rank)
        out.add(rule::micro_batches_vs_batch, "workload.decode_micro_batches",
                w.decode_micro_batches, per_rank);
    if (w.draft_tokens > 0 && m.mtp_layers <= 0)
        out.add(rule::draft_needs_mtp, "workload.draft_tokens", w.draft_tokens, 0);
    if (c.max_gpus > 0 && world_size(l) > c.max_gpus)
        out.add(rule::world_vs_cluster, "world", world_size(l), c.max_gpus);
    if (l.tp > c.gpus_per_node)
        out.add(rule::group_crosses_node, "tp", l.tp, c.gpus_per_node);
    if (etp_of(l) > c.gpus_per_node)
        out.add(rule::group_crosses_node, "etp", etp_of(l), c.gpus_per_node);
}

/// check_layout's violations added to an empty `out`.
constexpr void check_layout_into(violations& out, const model_spec& m, const cluster_spec& c,
                                 const layout& l, const workload& w) {
    validate_into(out, l);
    if (out.ok())
        check_layout_rules(out, m, c, l, w);
}

/// Module-division, world-size and node rules for a model on a layout, cluster and workload.
constexpr violations check_layout(const model_spec& m, const cluster_spec& c, const layout& l,
                                  const workload& w) {
    violations out;
    check_layout_into(out, m, c, l, w);
    return out;
}

} // namespace moecost
