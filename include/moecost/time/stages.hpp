#pragma once
/**
 * @file
 * The distinct stage shapes of a pipeline layout (first, middle, last), and the walk over
 * them that the evaluations, training and the memory check share; how training's pipeline
 * divides the layers among its stages and their model chunks (`pipeline_split`).
 */

#include <moecost/count/shares.hpp>
#include <moecost/spec/model.hpp>

#include <array>
#include <cstddef>

namespace moecost::engine {

/**
 * How a pipeline divides a model's layers: `pp` stages of `virtual_stages` model chunks each
 * (interleaved 1F1B: stage s holds chunks s, s + pp, s + 2·pp, ...; Megatron-LM's assignment),
 * so pp·v chunks in model order. With `embedding` (`loss`) the embedding (the loss) counts as
 * one layer more in the division, placed before the first layer (after the last): Megatron-
 * Core's `--account-for-embedding-in-pipeline-split` (`--account-for-loss-in-pipeline-split`),
 * which divides L + 1 (+ 1) slots into pp·v equal chunks, then builds one transformer layer
 * fewer in the first chunk of the first stage (the last chunk of the last stage).
 *
 * The slots must divide into the chunks unless `uneven` (layout::uneven_stages): then the
 * first (slots mod chunks) chunks take one more. (Megatron-Core refuses the two flags with
 * uneven stages; it places such splits with `--pipeline-model-parallel-layout`, e.g. its
 * documented DeepSeek-V3 layout `Et*3|(tt|)*29,m|L` on pp 16 × v 2, which may differ from this
 * rule's.) With v = 1 and neither end counted this is stage_of(m, pp, s).
 */
struct pipeline_split {
    int pp = 1;
    int virtual_stages = 1;
    bool uneven = false;    ///< the slots need not divide into the chunks
    bool embedding = false; ///< the embedding counts as a layer
    bool loss = false;      ///< the loss counts as a layer
    friend constexpr bool operator==(const pipeline_split&, const pipeline_split&) = default;
};

/// The layer slots a split divides: the layers, the embedding and the loss where they count.
constexpr int split_slots(const model_spec& m, const pipeline_split& p) {
    return m.layers + (p.embedding ? 1 : 0) + (p.loss ? 1 : 0);
}

/// The model chunks a split divides the slots into: pp·v.
constexpr long long split_chunks(const pipeline_split& p) {
    return static_cast<long long>(p.pp) * p.virtual_stages;
}

/// Transformer layers [first, end) of one model chunk.
struct layer_range {
    int first = 0, end = 0;
};

/// The transformer layers of model chunk c (0 <= c < pp·v, in model order) of split p.
constexpr layer_range chunk_layers(const model_spec& m, const pipeline_split& p, int c) {
    const long long n = split_slots(m, p), chunks = split_chunks(p);
    const long long base = n / chunks, extra = n % chunks;
    const long long start = c * base + (c < extra ? c : extra);
    const long long end = start + base + (c < extra ? 1 : 0);
    // slot k is layer k − 1 behind a counted embedding; the loss's slot is past the last layer
    const long long shift = p.embedding ? 1 : 0;
    auto layer = [&](long long slot) {
        const long long i = slot - shift;
        return static_cast<int>(i < 0 ? 0 : i > m.layers ? m.layers : i);
    };
    return {layer(start), layer(end)};
}

/**
 * The layers stage s (0 <= s < pp) of split p holds: those of its v chunks (s, s + pp, ...),
 * counted by kind. `first` is the first layer of its first non-empty chunk; with v > 1 the
 * stage's layers are not contiguous, and only the counts describe them.
 */
constexpr stage_shape stage_of(const model_spec& m, const pipeline_split& p, int s) {
    stage_shape st;
    st.first = -1;
    for (int k = 0; k < p.virtual_stages; ++k) {
        const layer_range r = chunk_layers(m, p, s + k * p.pp);
        if (r.end <= r.first)
            continue;
        if (st.first < 0)
            st.first = r.first;
        st.layers += r.end - r.first;
        st.moe += moe_layers_in(m, r.first, r.end);
        st.sliding += sliding_layers_in(m, r.first, r.end);
    }
    if (st.first < 0)
        st.first = chunk_layers(m, p, s).first;
    st.dense = st.layers - st.moe;
    st.embedding = s == 0;
    st.head = s == p.pp - 1;
    return st;
}

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
    pipeline_split split{};   ///< how the layers divide among them
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

/// The stage shapes of split p.
constexpr stage_set stages_of(const model_spec& m, const pipeline_split& p) {
    stage_set s;
    s.pp = p.pp;
    s.split = p;
    const int pp = p.pp;
    for (int i = 0; i < pp; ++i) {
        const stage_shape st = stage_of(m, p, i);
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

/// The stage shapes of pp stages of one chunk each, the layers alone divided (inference's).
constexpr stage_set stages_of(const model_spec& m, int pp) {
    return stages_of(m, pipeline_split{.pp = pp});
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
        f(stage_of(m, ss.split, i), 1, i);
}

} // namespace moecost::engine
