#pragma once
/**
 * @file
 * Evaluation of an inference deployment: model × cluster × layout × workload → per-GPU
 * memory, prefill and decode step costs per operator group, communication, TTFT, TPOT,
 * tokens/s per GPU, the binding resource, violations and requirement verdicts
 * (docs/model.md §Deployment).
 *
 * constexpr and allocation-free: usable in `static_assert` and in tight search loops.
 *
 * @code
 * constexpr auto r = moecost::evaluate(moecost::presets::seed_moe, moecost::presets::seed_gpu,
 *                                      moecost::seed_layout(8, 2, 4, 2),
 *                                      {.batch = 128, .prompt = 10240});
 * static_assert(r.memory.fits);
 * @endcode
 */

#include <moecost/count/memory.hpp>
#include <moecost/evaluate/report.hpp>
#include <moecost/spec/hardware.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/options.hpp>
#include <moecost/spec/workload.hpp>
#include <moecost/time/load.hpp>
#include <moecost/time/pipeline.hpp>
#include <moecost/time/stages.hpp>
#include <moecost/time/step.hpp>
#include <moecost/verdict/layout_rules.hpp>
#include <moecost/verdict/memory_fit.hpp>
#include <moecost/verdict/requirements.hpp>

namespace moecost {
namespace engine {

/**
 * A model on a cluster and layout under options, with all that does not depend on the
 * workload worked out: the stage shapes and the step constants (of the idealised cluster
 * when asked). Search prepares one per layout and evaluates it at every batch.
 */
struct prepared {
    const model_spec* m = nullptr;
    stored<bytes> hbm{}; ///< one GPU's memory
    layout l{};
    eval_options o{};
    stage_set stages{};
    step_constants k{};
    activation_rates activation{}; ///< the model's inference working set
};

/// Prepares m on cluster c and layout l (both already checked) with stage shapes *ss (null: the
/// layout's, worked out here, in place).
constexpr prepared prepare(const model_spec& m, const cluster_spec& cluster, const layout& l,
                           const eval_options& opt, const stage_set* ss = nullptr) {
    const eval_options o = normalised(opt);
    return {.m = &m,
            .hbm = cluster.gpu.hbm,
            .l = l,
            .o = o,
            .stages = ss != nullptr ? *ss : stages_of(m, l.pp),
            .k = o.ideal ? step_constants_of(m, idealized(cluster), l, o) // no cluster copy
                         : step_constants_of(m, cluster, l, o),
            .activation = activation_rates_of(m)};
}

/**
 * The evaluation proper, into a default report `r` whose `problems` hold the layout's
 * violations (check_layout's), for specs already validated. Search calls this directly with
 * one `prepared` per layout, so that the layout's work is done once for all its batches.
 */
constexpr void evaluate_into(report& r, const prepared& p, const workload& w,
                             const requirements& req) {
    const model_spec& m = *p.m;
    r.ideal = p.o.ideal;
    r.evaluated = true;
    const phase_loads lds = phase_loads_of(m, p.l, w, p.k);
    prefill_phase(r.prefill, m, p.k, p.stages, lds, w);
    decode_phase(r.decode, m, p.k, p.stages, lds, w);
    r.decode_tokens_per_step = drafts_of(m, w) > 0 ? tokens_per_decode_step(w) : 1.0;
    // of the B·(1 + drafts)/M/edp tokens at an EP group
    r.decode_experts_touched = is_moe(m) ? lds.touched[2] : 0.0;
    r.max_batch = fit_memory(r.memory, m, p.l, w, p.k, p.stages, lds.prefill, p.activation, p.hbm,
                             p.o.memory_headroom);
    if (!r.memory.fits)
        r.problems.add(rule::memory, "memory", r.memory.total().value(), r.memory.usable.value());
    check_requirements(r.requirements, r.prefill, r.decode, r.memory, req);
}

} // namespace engine

/**
 * Evaluates a deployment. `req` adds requirement verdicts; `o.ideal` gives physical upper
 * bounds (efficiencies 1, operator groups and communication overlapped, experts balanced).
 * A deployment that breaks a rule is not costed (`evaluated` false).
 */
constexpr report evaluate(const model_spec& m, const cluster_spec& c, const layout& l,
                          const workload& w, const eval_options& opt = {},
                          const requirements& req = {}) {
    report r;
    r.ideal = opt.ideal;
    violations& problems = r.problems; // written in place: no list per spec
    validate_into(problems, m);
    validate_into(problems, c);
    validate_into(problems, w);
    validate_into(problems, l);
    validate_into(problems, opt);
    if (!problems.ok())
        return r;
    // problems is empty: the layout's own rules passed, so add check_layout's other rules
    const model_spec rm = with_resolved_heads(m);
    check_layout_rules(problems, rm, c, l, w);
    if (!problems.ok()) // a deployment that cannot run as laid out is not costed
        return r;
    engine::evaluate_into(r, engine::prepare(rm, c, l, opt), w, req);
    return r;
}

} // namespace moecost
