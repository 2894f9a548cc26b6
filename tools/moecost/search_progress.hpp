#pragma once
// A layout search with its progress drawn on a terminal. moecost::search and
// moecost::search_training take no progress callback, so the tool runs them one world size at
// a time and merges the parts; the merge keeps the library's order (ties in the order the
// layouts are enumerated), so the result is the one call's: the same counts, best layouts,
// nearest misses, refusals and, while it holds fewer layouts than its capacity, Pareto front.
// Not on a terminal the search is the one call, as before.

#include "progress.hpp"

#include <moecost.hpp>
#include <moecost/train_search.hpp>

#include <array>
#include <cstddef>

namespace moecost::cli {

/// The factorisations a search enumerates (each is tried with every batch size), before the
/// division rules.
inline long layouts_in(const model_spec& m, const cluster_spec& c, const search_space& space) {
    long n = 0;
    detail::for_each_layout(m, c, space, [&n](const layout&, const auto&) { ++n; });
    return n;
}

/// Inserts `c` into `list`, kept sorted by `better`, after the entries it does not beat
/// (the library's insert_sorted): the worst beyond capacity is dropped.
template <class T, std::size_t N, class Better>
void insert_ranked(std::array<T, N>& list, int& n, const T& c, Better better) {
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

/// Adds `c` to the front of decode tokens/s per GPU against TPOT, as the library does: a
/// candidate no better in both is dropped, those it dominates go.
template <std::size_t N>
void add_to_pareto(std::array<candidate, N>& f, int& n, const candidate& c) {
    for (int i = 0; i < n; ++i) {
        const candidate& o = f[std::size_t(i)];
        if (o.decode >= c.decode && o.tpot <= c.tpot)
            return;
    }
    int k = 0;
    for (int i = 0; i < n; ++i) {
        const candidate& o = f[std::size_t(i)];
        if (!(c.decode >= o.decode && c.tpot <= o.tpot))
            f[std::size_t(k++)] = o;
    }
    n = k;
    if (n < static_cast<int>(N))
        f[std::size_t(n++)] = c;
}

/// Merges the result of a later part of the enumeration into `into`.
template <std::size_t Top, std::size_t Front>
void merge_into(search_result<Top, Front>& into, const search_result<Top, Front>& part) {
    into.evaluated += part.evaluated;
    into.feasible += part.feasible;
    into.rejected += part.rejected;
    for (std::size_t k = 0; k < rule_count; ++k) {
        if (into.refused_by[k] == 0 && part.refused_by[k] > 0)
            into.refused_example[k] = part.refused_example[k];
        into.refused_by[k] += part.refused_by[k];
    }
    for (int i = 0; i < part.n_best; ++i)
        insert_ranked(into.best, into.n_best, part.best[std::size_t(i)],
                      [](const candidate& a, const candidate& b) { return a.score > b.score; });
    for (int i = 0; i < part.n_pareto; ++i)
        add_to_pareto(into.pareto, into.n_pareto, part.pareto[std::size_t(i)]);
    for (int i = 0; i < part.n_misses; ++i)
        insert_ranked(into.nearest_misses, into.n_misses, part.nearest_misses[std::size_t(i)],
                      [](const candidate& a, const candidate& b) {
                          return a.shortfall < b.shortfall ||
                                 (a.shortfall == b.shortfall && a.score > b.score);
                      });
}

template <std::size_t Top>
void merge_into(training_search_result<Top>& into, const training_search_result<Top>& part) {
    into.evaluated += part.evaluated;
    into.feasible += part.feasible;
    into.rejected += part.rejected;
    for (int i = 0; i < part.n_best; ++i)
        insert_ranked(into.best, into.n_best, part.best[std::size_t(i)],
                      [](const training_candidate& a, const training_candidate& b) {
                          return a.score > b.score;
                      });
    for (int i = 0; i < part.n_misses; ++i)
        insert_ranked(into.nearest_misses, into.n_misses, part.nearest_misses[std::size_t(i)],
                      [](const training_candidate& a, const training_candidate& b) {
                          return a.shortfall < b.shortfall ||
                                 (a.shortfall == b.shortfall && a.score > b.score);
                      });
}

/// Runs `run(space)` (one search) over `space`: in one call, or, with stderr a terminal, one
/// world size at a time with the progress of `total` layouts drawn between them.
template <class Result, class Run>
Result search_with_progress(const search_space& space, long total, Run run) {
    if (!stderr_is_terminal())
        return run(space);
    progress_meter meter = stderr_meter(total, "layouts");
    Result merged{};
    for (int world = space.min_gpus; world <= space.max_gpus; ++world) {
        if (space.pow2_only && (world & (world - 1)) != 0)
            continue; // the search skips it too
        search_space one = space;
        one.min_gpus = one.max_gpus = world;
        merge_into(merged, run(one));
        meter.update(merged.evaluated + merged.rejected);
    }
    meter.finish();
    return merged;
}

} // namespace moecost::cli
