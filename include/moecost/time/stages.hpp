#pragma once
/**
 * @file
 * The distinct stage shapes of a pipeline layout (first, middle, last), and the walk over
 * them that the evaluations, training and the memory check share.
 */

#include <moecost/count/shares.hpp>
#include <moecost/spec/model.hpp>

#include <array>
#include <cstddef>

namespace moecost::engine {

/**
 * The distinct stage shapes of a layout (first, middle, last differ; middles repeat). Regular
 * models have at most five; one with more than `capacity` (irregular dense masks or sliding
 * patterns) keeps the last slot for the last stage (the LM head's), lists the other stages
 * beyond it under the shape in slot `folded_into`, and is marked `every_stage`: the
 * evaluations then cost it stage by stage (`run_every_stage`, `for_each_shape`); the DAG draws
 * the list.
 */
struct stage_set {
    static constexpr int capacity = 6;
    static constexpr int folded_into = capacity - 2; ///< the slot shapes beyond capacity join
    std::array<stage_shape, capacity> shapes{};
    std::array<int, capacity> count{}; ///< stages of each shape
    std::array<int, capacity> index{}; ///< first stage index of each shape
    int n = 0;
    int pp = 1;               ///< stages
    bool every_stage = false; ///< more shapes than capacity: the list above folds the rest
};

/// Same transformer layers, whatever the stages' ends.
constexpr bool same_layers(const stage_shape& a, const stage_shape& b) {
    return a.layers == b.layers && a.moe == b.moe && a.dense == b.dense && a.sliding == b.sliding;
}

constexpr bool same_shape(const stage_shape& a, const stage_shape& b) {
    return a.layers == b.layers && a.moe == b.moe && a.dense == b.dense && a.sliding == b.sliding &&
           a.embedding == b.embedding && a.head == b.head;
}

constexpr stage_set stages_of(const model_spec& m, int pp) {
    stage_set s;
    s.pp = pp;
    for (int i = 0; i < pp; ++i) {
        const stage_shape st = stage_of(m, pp, i);
        bool found = false;
        for (int j = 0; j < s.n && !found; ++j)
            if (same_shape(s.shapes[std::size_t(j)], st)) {
                ++s.count[std::size_t(j)];
                found = true;
            }
        // the last slot is the last stage's: the head is never folded away
        if (!found &&
            (s.n < stage_set::capacity - 1 || (s.n < stage_set::capacity && i == pp - 1))) {
            s.shapes[std::size_t(s.n)] = st;
            s.count[std::size_t(s.n)] = 1;
            s.index[std::size_t(s.n)] = i;
            ++s.n;
        } else if (!found) { // listed under another shape (as the DAG draws it); costed apart
            ++s.count[std::size_t(stage_set::folded_into)];
            s.every_stage = true;
        }
    }
    return s;
}

/**
 * Calls f(shape, stages of that shape, its first stage) for each distinct stage shape of m in
 * ss, in stage order; when ss has more shapes than it holds, f(shape, 1, i) for every stage i.
 */
template <class F>
constexpr void for_each_shape(const model_spec& m, const stage_set& ss, F&& f) {
    if (!ss.every_stage) {
        for (int j = 0; j < ss.n; ++j)
            f(ss.shapes[std::size_t(j)], ss.count[std::size_t(j)], ss.index[std::size_t(j)]);
        return;
    }
    for (int i = 0; i < ss.pp; ++i)
        f(stage_of(m, ss.pp, i), 1, i);
}

} // namespace moecost::engine
