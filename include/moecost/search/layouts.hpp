#pragma once
/**
 * @file
 * The layout space of a GPU budget: every factorisation of each world size into TP·CP·DP·PP
 * and ETP·EP·EDP that fits the nodes, for the inference and training searches; and the sorted
 * list they keep their best in.
 */

#include <moecost/spec/hardware.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/time/stages.hpp>

#include <array>
#include <cstddef>

namespace moecost {

/// The space to enumerate.
struct search_space {
    int min_gpus = 1;             ///< world sizes from min_gpus ...
    int max_gpus = 8;             ///< ... to max_gpus (set both for one budget)
    std::array<int, 8> batches{}; ///< batch sizes to try; zeros are unused
    int max_cp = 1;               ///< context parallel degrees tried up to this (1: none)
    bool pow2_only = false;       ///< only power-of-two degrees (faster for large budgets)
    /// An EP degree that does not divide the routed experts gets the fewest redundant experts
    /// that make it divide (EPLB's replicas: DeepSeek-V3's 256 in 288 slots on EP 48, 72, 96
    /// or 144); otherwise such a degree breaks experts_vs_ep. Inference only: search_training
    /// ignores it.
    bool pad_experts = false;
};

/// Adds the rules a search space breaks to `out`: world sizes from at least 1 up to a layout's
/// cap (every int product exact), min_gpus at most max_gpus, a CP limit of at least 1, and no
/// negative batch (zeros are unused entries).
constexpr void validate_into(violations& out, const search_space& s) {
    if (s.min_gpus < 1)
        out.add(rule::positive, "search.min_gpus", s.min_gpus);
    const int start = out.count, dropped = out.dropped;
    validate_budget_into(out, "search.max_gpus", s.max_gpus);
    if (out.count == start && out.dropped == dropped && s.min_gpus > s.max_gpus)
        out.add(rule::at_most, "search.min_gpus", s.min_gpus, s.max_gpus);
    validate_degree_limit_into(out, "search.max_cp", s.max_cp);
    for (int b : s.batches)
        if (b < 0)
            out.add(rule::non_negative, "search.batches", b);
}

/// Every rule a search space must satisfy.
constexpr violations validate(const search_space& s) {
    violations out;
    validate_into(out, s);
    return out;
}

namespace detail {
constexpr bool is_pow2(int x) {
    return x > 0 && (x & (x - 1)) == 0;
}
} // namespace detail

/**
 * Calls f(layout, stage_set) for every factorisation of each world size in `space` into
 * TP·CP·DP·PP and ETP·EP·EDP (dense models: ETP = TP, EP = 1) with TP and ETP inside a node,
 * pp at most the layer count, and the stage shapes of that pp; with `space.pad_experts`, each
 * EP degree with the redundant experts that make it divide the routed experts. Division rules
 * are the caller's to check (they depend on the batch).
 */
template <class F>
constexpr void for_each_layout(const model_spec& m, const cluster_spec& c,
                               const search_space& space, F&& f) {
    if (!validate(space).ok()) // e.g. max_gpus near INT_MAX: the world loop would overflow
        return;
    const int gpn = c.gpus_per_node;
    for (int world = space.min_gpus; world <= space.max_gpus; ++world) {
        if (space.pow2_only && !detail::is_pow2(world))
            continue;
        for (int pp = 1; pp <= world; ++pp) {
            if (world % pp || (space.pow2_only && !detail::is_pow2(pp)) || pp > m.layers)
                continue;
            const int stage = world / pp;
            const engine::stage_set ss = engine::stages_of(m, pp);
            for (int tp = 1; tp <= stage && tp <= gpn; ++tp) {
                if (stage % tp || (space.pow2_only && !detail::is_pow2(tp)))
                    continue;
                for (int cp = 1; cp <= space.max_cp && tp * cp <= stage; ++cp) {
                    if ((stage / tp) % cp)
                        continue;
                    const int dp = stage / (tp * cp);
                    if (!is_moe(m)) { // no expert mesh to choose: ETP = TP, EP = 1
                        f(layout{.tp = tp, .cp = cp, .dp = dp, .pp = pp, .etp = tp, .ep = 1}, ss);
                        continue;
                    }
                    for (int etp = 1; etp <= stage && etp <= gpn; ++etp) {
                        if (stage % etp || (space.pow2_only && !detail::is_pow2(etp)))
                            continue;
                        for (int ep = 1; ep * etp <= stage; ++ep) {
                            if ((stage / etp) % ep || (space.pow2_only && !detail::is_pow2(ep)))
                                continue;
                            const int pad = space.pad_experts ? (ep - m.moe.experts % ep) % ep : 0;
                            f(layout{.tp = tp,
                                     .cp = cp,
                                     .dp = dp,
                                     .pp = pp,
                                     .etp = etp,
                                     .ep = ep,
                                     .redundant_experts = pad},
                              ss);
                        }
                    }
                }
            }
        }
    }
}

/// The factorisations `for_each_layout` enumerates for a space (each then tried with every
/// batch of the space): the total a search's progress counts to.
constexpr long count_layouts(const model_spec& m, const cluster_spec& c,
                             const search_space& space) {
    long n = 0;
    for_each_layout(m, c, space, [&n](const layout&, const engine::stage_set&) { ++n; });
    return n;
}

/// A search's progress callback that does nothing (the default). A callback is called as
/// `progress(layouts_done)` after each layout of the enumeration, `count_layouts` of them in
/// all.
struct no_progress {
    constexpr void operator()(long /*layouts_done*/) const {}
};

namespace ranking {
/// Inserts c into a list kept sorted by `better`, dropping the worst beyond capacity.
template <class T, std::size_t N, class Better>
constexpr void insert_sorted(std::array<T, N>& list, int& n, const T& c, Better better) {
    int pos = n;
    while (pos > 0 && better(c, list[std::size_t(pos - 1)]))
        --pos;
    if (pos >= static_cast<int>(N))
        return;
    const int last = n < static_cast<int>(N) ? n : static_cast<int>(N) - 1;
    for (int i = last; i > pos; --i)
        list[std::size_t(i)] = list[std::size_t(i - 1)];
    list[std::size_t(pos)] = c;
    if (n < static_cast<int>(N))
        ++n;
}
} // namespace ranking

} // namespace moecost
