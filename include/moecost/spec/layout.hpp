#pragma once
/**
 * @file
 * Parallel layouts (Megatron-Core's MoE parallel folding): per pipeline stage the same GPUs
 * form an attention mesh TP × CP × DP and an expert mesh ETP × EP × EDP, so
 * world = TP·CP·DP·PP = ETP·EP·EDP·PP.
 *
 * Rank order inside a stage: TP (or ETP) varies fastest, then CP (or EP), then DP (or EDP);
 * PP is outermost. So a TP group is TP consecutive GPUs, and an EP group is EP GPUs ETP apart.
 */

#include <moecost/spec/violation.hpp>

namespace moecost {

struct layout {
    int tp = 1;  ///< tensor parallel (attention, dense FFN, shared experts)
    int cp = 1;  ///< context parallel (sequence split)
    int dp = 1;  ///< attention data parallel (requests split)
    int pp = 1;  ///< pipeline stages
    int etp = 0; ///< expert tensor parallel; 0 means = tp (Megatron-Core's default)
    int ep = 1;  ///< expert parallel (whole experts split)
    int redundant_experts =
        0; ///< extra replicas of hot experts spread over EP (DeepSeek-V3 serving: 32)
    bool uneven_stages =
        false; ///< allow pp not dividing the layers (the first L % pp stages get one more)
    friend constexpr bool operator==(const layout&, const layout&) = default;
};

constexpr int etp_of(const layout& l) {
    return l.etp > 0 ? l.etp : l.tp;
}
/// GPUs of one pipeline stage.
constexpr int stage_gpus(const layout& l) {
    return l.tp * l.cp * l.dp;
}
constexpr int world_size(const layout& l) {
    return stage_gpus(l) * l.pp;
}
/// Expert data parallel: how many copies of each expert shard a stage holds (0 if it does not
/// divide).
constexpr int edp_of(const layout& l) {
    const int e = etp_of(l) * l.ep;
    return e > 0 && stage_gpus(l) % e == 0 ? stage_gpus(l) / e : 0;
}
/// Attention DP ranks of a stage that one expert group (its ETP·EP GPUs) spans: the group's MoE
/// dispatch joins them, so they step together (1 without expert parallelism, at most dp).
constexpr int joined_dp_ranks(const layout& l) {
    const int rank = l.tp * l.cp;
    const int j = rank > 0 ? etp_of(l) * l.ep / rank : 1;
    return j < 1 ? 1 : (j > l.dp ? l.dp : j);
}

/**
 * The seed's notation `EP × PP × DP × TP = GPUs`: attention (TP = tp, DP = dp·ep, PP = pp),
 * experts (ETP = tp, EP = ep, EDP = dp). Each group of ep attention replicas shares one full
 * set of experts spread over them.
 */
constexpr layout seed_layout(int ep, int pp, int dp, int tp) {
    return {.tp = tp, .cp = 1, .dp = dp * ep, .pp = pp, .etp = tp, .ep = ep};
}

/// A layout's degrees up to 2^20 and its world up to 2^24 keep every int product exact.
inline constexpr int layout_degree_cap = 1 << 20;
inline constexpr int layout_world_cap = 1 << 24;

/// Adds the rule a GPU budget (world sizes up to n) breaks: at least 1, at most a layout's world.
constexpr void validate_budget_into(violations& out, const char* field, int n) {
    if (n < 1)
        out.add(rule::positive, field, n);
    else if (n > layout_world_cap)
        out.add(rule::at_most, field, n, layout_world_cap);
}

/// Adds the rule a limit on a degree (CP up to n) breaks: at least 1, at most a layout's degree.
constexpr void validate_degree_limit_into(violations& out, const char* field, int n) {
    if (n < 1)
        out.add(rule::positive, field, n);
    else if (n > layout_degree_cap)
        out.add(rule::at_most, field, n, layout_degree_cap);
}

/// Adds the rules l breaks to `out` (the list `validate` returns).
constexpr void validate_into(violations& out, const layout& l) {
    const int start = out.count, dropped = out.dropped;
    if (l.tp <= 0)
        out.add(rule::positive, "layout.tp", l.tp);
    if (l.cp <= 0)
        out.add(rule::positive, "layout.cp", l.cp);
    if (l.dp <= 0)
        out.add(rule::positive, "layout.dp", l.dp);
    if (l.pp <= 0)
        out.add(rule::positive, "layout.pp", l.pp);
    if (l.etp < 0)
        out.add(rule::non_negative, "layout.etp", l.etp);
    if (l.ep <= 0)
        out.add(rule::positive, "layout.ep", l.ep);
    if (l.redundant_experts < 0)
        out.add(rule::non_negative, "layout.redundant_experts", l.redundant_experts);
    if (out.count != start || out.dropped != dropped)
        return;
    constexpr long long cap = layout_degree_cap, world_cap = layout_world_cap;
    const long long degrees[] = {l.tp, l.cp, l.dp, l.pp, l.etp, l.ep};
    for (long long d : degrees)
        if (d > cap)
            out.add(rule::at_most, "layout degree", static_cast<double>(d), cap);
    if (out.count != start || out.dropped != dropped)
        return;
    const long long world = 1LL * l.tp * l.cp * l.dp * l.pp, experts = 1LL * etp_of(l) * l.ep;
    if (world > world_cap)
        out.add(rule::at_most, "layout world size", static_cast<double>(world), world_cap);
    if (experts > world_cap)
        out.add(rule::at_most, "layout etp*ep", static_cast<double>(experts), world_cap);
    if (out.count != start || out.dropped != dropped)
        return;
    if (edp_of(l) == 0)
        out.add(rule::world_mismatch, "layout", stage_gpus(l), etp_of(l) * l.ep);
}

/// Rules a layout satisfies on its own (model-independent).
constexpr violations validate(const layout& l) {
    violations out;
    validate_into(out, l);
    return out;
}

} // namespace moecost
