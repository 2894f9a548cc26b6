#pragma once
/**
 * @file
 * The pipeline: a phase's steps through every stage (the slowest stage, the sum over stages),
 * the bubble, and from them TTFT, TPOT and tokens/s per GPU (docs/model.md §Pipeline).
 */

#include <moecost/time/drafts.hpp>
#include <moecost/time/load.hpp>
#include <moecost/time/stages.hpp>
#include <moecost/time/step_cost.hpp>

namespace moecost {

/// Results of one phase.
struct phase_result {
    seconds latency{};    ///< TTFT (prefill, one request) or TPOT (decode)
    seconds batch_time{}; ///< prefill: the whole batch; decode: one round (= TPOT)
    token_rate tokens_per_gpu{};
    resource bottleneck = resource::compute;
    double bubble_fraction = 0; ///< pipeline idle share of batch_time
    int slowest_stage = 0;
    stage_step slowest{}; ///< the slowest stage's step at the phase's batch
};

namespace engine {

/**
 * run_stages for a stage set with more shapes than it holds: each stage costed on its own,
 * the slowest's step and index in `out`.
 */
constexpr seconds run_every_stage(const step_constants& k, const load_terms& t, int pp,
                                  const step_load& ld, phase_result& out) {
    seconds sum{};
    for (int i = 0; i < pp; ++i) {
        const stage_step s = step_cost(k, t, stage_of(*k.m, pp, i), ld);
        sum += s.time;
        if (i == 0 || s.time > out.slowest.time) {
            out.slowest = s;
            out.slowest_stage = i;
        }
    }
    return sum;
}

/**
 * Σ over all stages of the step time under `ld` (load terms `t`), and in `out` the slowest
 * stage's step and index.
 */
constexpr seconds run_stages(const step_constants& k, const load_terms& t, const stage_set& ss,
                             const step_load& ld, phase_result& out) {
    if (ss.every_stage)
        return run_every_stage(k, t, ss.pp, ld, out);
    seconds sum{}, slowest{};
    stage_step s;
    layer_sums ls;
    for (int j = 0; j < ss.n; ++j) {
        const stage_shape& st = ss.shapes[std::size_t(j)];
        // Stages that hold the same layers (an even split's first, middle and last) differ only
        // at their ends: their layers' costs and sums are computed once.
        if (j == 0 || !same_layers(st, ss.shapes[std::size_t(j - 1)])) {
            if (j > 0)
                s = {};
            layer_costs(s, k, t, st, ld);
            ls = sum_layers(s, k.ideal);
        }
        finish_step(s, k, t, st, ls);
        sum += static_cast<double>(ss.count[std::size_t(j)]) * s.time;
        if (j == 0 || s.time > slowest) {
            slowest = s.time;
            out.slowest = s;
            out.slowest_stage = ss.index[std::size_t(j)];
        }
    }
    return sum;
}

/// Σ over all stages of the step time under `ld` (load terms `t`), without any breakdown.
constexpr seconds stage_time_sum(const step_constants& k, const load_terms& t, const stage_set& ss,
                                 const step_load& ld) {
    if (ss.every_stage) {
        phase_result unused;
        return run_every_stage(k, t, ss.pp, ld, unused);
    }
    if (k.ideal) { // the groups' compute and HBM times apart: run_stages's full breakdown
        phase_result unused;
        return run_stages(k, t, ss, ld, unused);
    }
    seconds sum{};
    layer_sums ls;
    for (int j = 0; j < ss.n; ++j) {
        const stage_shape& st = ss.shapes[std::size_t(j)];
        if (j == 0 || !same_layers(st, ss.shapes[std::size_t(j - 1)])) { // as run_stages
            layer_time lt;
            layer_costs(lt, k, t, st, ld);
            ls = sum_layers(lt);
        }
        sum += static_cast<double>(ss.count[std::size_t(j)]) * stage_totals_of(k, t, st, ls).time;
    }
    return sum;
}

/**
 * The prefill phase of model m (constants k, stage shapes ss) under w: the batch in
 * micro-batches through the pipeline (batch time, tokens/s per GPU, bubble), and TTFT as one
 * request alone through every stage.
 */
constexpr void prefill_phase(phase_result& out, const model_spec& m, const step_constants& k,
                             const stage_set& ss, const phase_loads& lds, const workload& w) {
    const layout& l = k.l;
    const double B = w.batch, S = w.prompt, world = world_size(l);
    const double M = prefill_micro_batches_of(w, l.pp, l.dp);
    const step_load& ld = lds.prefill;
    load_terms t = load_terms_of(k, ld, lds.touched[0]);
    load_terms t_one = load_terms_of(k, lds.one, lds.touched[1]);
    if (drafts_of(m, w) > 0) { // the drafting modules read the prompt on the last stage
        t.draft = prompt_mtp_time_of(m, k, t, ld, w);
        t_one.draft = prompt_mtp_time_of(m, k, t_one, lds.one, w);
    }
    const seconds sum = run_stages(k, t, ss, ld, out);
    const seconds slowest = out.slowest.time;
    out.batch_time = (M - 1.0) * slowest + sum;
    if (k.step_overhead.value() > 0) // the host's work per micro-batch step (profile)
        out.batch_time += M * k.step_overhead;
    out.tokens_per_gpu = make<tokens>(B * S) / out.batch_time / world;
    out.bubble_fraction = 1.0 - M * slowest.value() * 1.0 / out.batch_time.value() * 1.0;
    if (l.pp == 1)
        out.bubble_fraction = 0;
    out.latency = stage_time_sum(k, t_one, ss, lds.one) + k.step_overhead;
    out.bottleneck = out.slowest.bound;
    if (out.bubble_fraction > 0.5)
        out.bottleneck = resource::pipeline;
}

/**
 * The decode phase of model m (constants k, stage shapes ss) under w: a round verifies
 * 1 + drafts tokens per sequence with the micro-batches in flight; TPOT, tokens/s per GPU and
 * the bubble.
 */
constexpr void decode_phase(phase_result& out, const model_spec& m, const step_constants& k,
                            const stage_set& ss, const phase_loads& lds, const workload& w) {
    const layout& l = k.l;
    const double B = w.batch, world = world_size(l);
    const double M = decode_micro_batches_of(w, l.pp, l.dp);
    const step_load& ld = lds.decode;
    load_terms t = load_terms_of(k, ld, lds.touched[2]);
    const int drafts = drafts_of(m, w);
    double gained = 1.0; // tokens per sequence per step
    if (drafts > 0) {
        t.draft = draft_time_of(m, k, l, w);
        gained = tokens_per_decode_step(w);
    }
    const seconds sum = run_stages(k, t, ss, ld, out);
    const seconds slowest = out.slowest.time;
    const seconds full_round = M * slowest;
    out.batch_time = full_round > sum ? full_round : sum;
    if (k.step_overhead.value() > 0) // the host's work per round (profile)
        out.batch_time += k.step_overhead;
    out.latency = drafts > 0 ? out.batch_time / gained : out.batch_time;
    out.tokens_per_gpu = make<tokens>(B * gained) / out.batch_time / world;
    out.bubble_fraction = 1.0 - (M * slowest.value()) / out.batch_time.value();
    if (out.bubble_fraction < 1e-12)
        out.bubble_fraction = 0;
    out.bottleneck = out.slowest.bound;
    if (out.bubble_fraction > 0.5)
        out.bottleneck = resource::pipeline;
}

} // namespace engine
} // namespace moecost
