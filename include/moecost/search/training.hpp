#pragma once
/**
 * @file
 * The layout search for training: every layout `search` enumerates (the same factorisations,
 * `for_each_layout`), evaluated with `evaluate_training`, crossed with the global
 * batch sizes asked for; the feasible ones (valid, fitting, within the memory target) ranked by
 * an objective, and the nearest misses when none is.
 *
 * @code
 * constexpr auto r = moecost::search_training(moecost::presets::llama_3_8b,
 *                                             moecost::presets::h100_sxm,
 *                                             {.min_gpus = 8, .max_gpus = 8},
 *                                             {.global_batch = 64, .micro_batch = 1, .seq = 4096});
 * static_assert(r.n_best > 0);
 * @endcode
 */

#include <moecost/evaluate/training.hpp>
#include <moecost/search/inference.hpp>
#include <moecost/search/layouts.hpp>

#include <array>
#include <cstddef>

namespace moecost {

enum class training_objective : std::uint8_t { tokens_per_gpu, mfu, step_time, fewest_gpus };

constexpr const char* name_of(training_objective o) {
    switch (o) {
    case training_objective::tokens_per_gpu:
        return "tokens/s per GPU";
    case training_objective::mfu:
        return "MFU";
    case training_objective::step_time:
        return "step time";
    case training_objective::fewest_gpus:
        return "fewest GPUs";
    }
    return "?";
}

/// One evaluated training layout, summarised.
struct training_candidate {
    layout l{};
    training_workload t{};
    bytes memory{};
    token_rate tokens_per_gpu{};
    seconds step_time{};
    double mfu = 0;
    double bubble_fraction = 0;
    resource bottleneck = resource::compute;
    bool fits = false;
    double score = 0;     ///< objective, larger is better
    double shortfall = 0; ///< memory over the limit, relative (0 when feasible)
};

template <std::size_t Top = 10>
struct training_search_result {
    std::array<training_candidate, Top> best{};
    int n_best = 0;
    std::array<training_candidate, Top> nearest_misses{}; ///< valid layouts that do not fit
    int n_misses = 0;
    long evaluated = 0; ///< layouts evaluated (passed the division rules)
    long feasible = 0;
    long rejected = 0; ///< layouts refused by the division rules
    /// The rules the model, cluster, workload, options or space break; nothing is searched then.
    violations problems{};
};

namespace detail {
constexpr double training_score(const training_candidate& c, training_objective o) {
    switch (o) {
    case training_objective::tokens_per_gpu:
        return c.tokens_per_gpu.value();
    case training_objective::mfu:
        return c.mfu;
    case training_objective::step_time:
        return -c.step_time.value();
    case training_objective::fewest_gpus:
        return -static_cast<double>(world_size(c.l)) + 1e-12 * c.tokens_per_gpu.value();
    }
    return 0;
}
} // namespace detail

/**
 * Evaluates every valid training layout in `space` for model m on cluster c. `base` gives the
 * micro-batch, sequence, optimizer and recomputation; its global batch is replaced by each of
 * `space.batches` (all zero: its own). A layout is feasible when it divides, fits in usable
 * memory and, if `max_memory_per_gpu` is set, stays within it. `space.pad_experts` is ignored:
 * training keeps no redundant experts. `progress(layouts_done)` is called after each layout.
 */
template <std::size_t Top = 10, class Progress = no_progress>
constexpr training_search_result<Top> search_training(
    const model_spec& m, const cluster_spec& c, const search_space& space,
    const training_workload& base, training_objective obj = training_objective::tokens_per_gpu,
    const eval_options& opt = {}, bytes max_memory_per_gpu = {}, Progress&& progress = {}) {
    training_search_result<Top> res;
    std::array<int, 8> batches = space.batches;
    bool any = false;
    for (int b : batches)
        any = any || b > 0;
    if (!any)
        batches[0] = base.global_batch;
    res.problems = validate_all(m, c, base, opt, space);
    if (!res.problems.ok())
        return res;
    search_space bare = space;
    bare.pad_experts = false; // training keeps no redundant experts (nor does Megatron-Core)
    long layouts_done = 0;
    for_each_layout(m, c, bare, [&](const layout& l, const engine::stage_set&) {
        for (int b : batches) {
            if (b <= 0)
                continue;
            training_workload t = base;
            t.global_batch = b;
            const training_report r = evaluate_training(m, c, l, t, opt);
            bool rules_ok = true;
            for (const auto& v : r.problems)
                rules_ok = rules_ok && v.what == rule::memory;
            if (!rules_ok || r.micro_batches <= 0) {
                ++res.rejected;
                continue;
            }
            ++res.evaluated;
            training_candidate cd{l,
                                  t,
                                  r.memory.total(),
                                  r.tokens_per_gpu,
                                  r.step_time,
                                  r.mfu,
                                  r.bubble_fraction,
                                  r.bottleneck,
                                  r.memory.fits,
                                  0,
                                  0};
            cd.score = detail::training_score(cd, obj);
            double limit = r.memory.usable.value();
            if (max_memory_per_gpu.value() > 0 && max_memory_per_gpu.value() < limit)
                limit = max_memory_per_gpu.value();
            if (cd.memory.value() <= limit) {
                ++res.feasible;
                ranking::insert_sorted(
                    res.best, res.n_best, cd,
                    [](const training_candidate& a, const training_candidate& o) {
                        return a.score > o.score;
                    });
            } else {
                cd.shortfall = cd.memory.value() / limit - 1.0;
                ranking::insert_sorted(
                    res.nearest_misses, res.n_misses, cd,
                    [](const training_candidate& a, const training_candidate& o) {
                        return a.shortfall < o.shortfall ||
                               (a.shortfall == o.shortfall && a.score > o.score);
                    });
            }
        }
        progress(++layouts_done);
    });
    return res;
}

} // namespace moecost
