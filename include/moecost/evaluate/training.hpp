#pragma once
/**
 * @file
 * Training deployments: memory per GPU (weights, gradients, optimizer states under ZeRO,
 * activations of the micro-batches in flight), step time (forward + backward rooflines and
 * collectives of each micro-batch, pipeline bubble, DP/EDP gradient reduction, optimizer
 * step), tokens/s per GPU, MFU and HFU (docs/model.md §Training).
 *
 * The same layouts as inference (attention TP·CP·DP, experts ETP·EP·EDP, PP) and the same
 * per-operator step costs: a micro-batch's forward is `evaluate`'s prefill step with logits
 * for every token; backward costs twice its compute and repeats its collectives.
 */

#include <moecost/count/flops.hpp>
#include <moecost/count/memory.hpp>
#include <moecost/count/params.hpp>
#include <moecost/count/shares.hpp>
#include <moecost/evaluate/inference.hpp>

namespace moecost {

enum class optimizer_kind : std::uint8_t { adam, sgd };

/// A training iteration and how its state is kept.
struct training_workload {
    int global_batch = 0; ///< sequences per iteration
    int micro_batch = 1;  ///< sequences per micro-batch per DP rank
    int seq = 2048;
    optimizer_kind optimizer = optimizer_kind::adam;
    dtype optimizer_state = dtype::fp32; ///< Adam m and v (or SGD momentum)
    bool master_weights = true;          ///< fp32 master copy (mixed precision)
    dtype grads = dtype::fp32;           ///< gradient accumulation buffer (Megatron's main_grad)
    bool fp8_gemm = false;               ///< matmuls at the fp8 rate
    int zero = 0;                        ///< ZeRO stage 0–3 over DP (dense) and EDP (experts)
    recompute rc = recompute::none;
    /// with rc full: the layers of each model chunk recomputed, its first ones (Megatron-LM's
    /// --recompute-method block --recompute-num-layers); the others keep their activations.
    /// 0: every layer
    int recompute_layers = 0;
    bool sequence_parallel = false;
    int virtual_stages = 1;           ///< > 1: interleaved 1F1B with v model chunks per GPU
    bool overlap_grad_reduce = false; ///< reduce gradients during backward
    bool flash_attention = true; ///< fused causal attention: no s² scores stored or executed twice
    bool dropout = false;        ///< dropout masks stored (GPT-3 era models)
    /// the embedding counts as a layer when the layers divide among the (virtual) stages
    /// (Megatron-LM's --account-for-embedding-in-pipeline-split; engine::pipeline_split)
    bool embedding_in_split = false;
    /// the loss counts as a layer there (--account-for-loss-in-pipeline-split)
    bool loss_in_split = false;
    friend constexpr bool operator==(const training_workload&, const training_workload&) = default;
};

/// How the training pipeline divides the layers: pp stages of v chunks, with the embedding and
/// the loss where they count, unevenly where the layout allows it.
constexpr engine::pipeline_split pipeline_split_of(const layout& l, const training_workload& t) {
    return {.pp = l.pp,
            .virtual_stages = t.virtual_stages,
            .uneven = l.uneven_stages,
            .embedding = t.embedding_in_split,
            .loss = t.loss_in_split};
}

/// Micro-batches per iteration on each DP rank (gradient accumulation steps).
constexpr int micro_batches_of(const training_workload& t, const layout& l) {
    const long long per_step = static_cast<long long>(t.micro_batch) * l.dp; // no int overflow
    return per_step > 0 ? static_cast<int>(t.global_batch / per_step) : 0;
}

struct training_memory {
    bytes weights{};
    bytes grads{};
    bytes optimizer{};
    bytes activations{};
    bytes usable{};
    int stage = 0;
    bool fits = false;
    [[nodiscard]] constexpr bytes total() const {
        return weights + grads + optimizer + activations;
    }
};

struct training_report {
    training_memory memory{};
    flops model_flops_per_iteration{}; ///< 3 passes, no recomputation, causal attention
    /// with the recomputed forward work and, without flash attention, the whole s² scores
    flops hardware_flops_per_iteration{};
    seconds step_time{};
    seconds pipeline_time{};    ///< forward + backward of all micro-batches through the pipeline
    seconds micro_batch_time{}; ///< slowest stage, one micro-batch forward + backward
    seconds grad_sync_time{};   ///< exposed DP/EDP gradient reduction (and ZeRO-3 gathers)
    seconds optimizer_time{};
    double bubble_fraction = 0;
    int micro_batches = 0;
    token_rate tokens_per_gpu{};
    double mfu = 0; ///< model FLOPs / (step time · GPUs · peak)
    double hfu = 0; ///< hardware FLOPs / (step time · GPUs · peak)
    resource bottleneck = resource::compute;
    violations problems{};
    bool ideal = false;
    bool evaluated =
        false; ///< the figures were computed (false when a spec or a layout rule breaks:
               ///< a deployment that cannot run as laid out has no times)
    [[nodiscard]] constexpr bool valid() const { return problems.ok(); }
};

/// Adds the rules t breaks to `out` (the list `validate` returns).
constexpr void validate_into(violations& out, const training_workload& t) {
    if (t.global_batch <= 0)
        out.add(rule::positive, "training.global_batch", t.global_batch);
    if (t.micro_batch <= 0)
        out.add(rule::positive, "training.micro_batch", t.micro_batch);
    if (t.seq <= 0)
        out.add(rule::positive, "training.seq", t.seq);
    if (t.zero < 0 || t.zero > 3)
        out.add(rule::at_most, "training.zero (0..3)", t.zero, 3);
    if (t.virtual_stages <= 0)
        out.add(rule::positive, "training.virtual_stages", t.virtual_stages);
    if (t.recompute_layers < 0)
        out.add(rule::non_negative, "training.recompute_layers", t.recompute_layers);
    if (t.recompute_layers > 0 && t.rc != recompute::full)
        out.add(rule::at_most, "training.recompute_layers (0 unless recompute full)",
                t.recompute_layers, 0);
    if (weight_only(t.grads))
        out.add(rule::weight_format, "training.grads", 8.0 * bytes_of(t.grads));
    if (weight_only(t.optimizer_state))
        out.add(rule::weight_format, "training.optimizer_state", 8.0 * bytes_of(t.optimizer_state));
}

/// Every rule a training workload must satisfy.
constexpr violations validate(const training_workload& t) {
    violations out;
    validate_into(out, t);
    return out;
}

/**
 * φ, the share of stage s's transformer layers (of the model's with s < 0) that full
 * recomputation recomputes: each chunk its first t.recompute_layers (all with 0), the others
 * keeping their activations. 1 exactly with 0, with a count at least every chunk's layers,
 * and for any rc but full (where it is not used).
 */
constexpr double recomputed_share(const model_spec& m, const layout& l, const training_workload& t,
                                  int s = -1) {
    if (t.rc != recompute::full || t.recompute_layers <= 0)
        return 1.0;
    const engine::pipeline_split p = pipeline_split_of(l, t);
    const long long chunks = engine::split_chunks(p), step = s < 0 ? 1 : p.pp;
    long long all = 0, recomputed = 0;
    for (long long c = s < 0 ? 0 : s; c < chunks; c += step) {
        const engine::layer_range r = engine::chunk_layers(m, p, static_cast<int>(c));
        const int n = r.end > r.first ? r.end - r.first : 0;
        all += n;
        recomputed += t.recompute_layers < n ? t.recompute_layers : n;
    }
    return all > 0 && recomputed < all ? static_cast<double>(recomputed) / all : 1.0;
}

namespace detail {

/// Per-GPU parameters of a stage that are replicated over EDP: its routed experts, and those
/// of the MTP modules that sit on the last stage.
constexpr double expert_params_per_gpu(const model_spec& m, const layout& l,
                                       const stage_shape& st) {
    const double mtp = st.head && is_moe_layer(m, mtp_block_layer(m)) ? m.mtp_layers : 0;
    return (st.moe + mtp) * experts_per_gpu(m, l) * expert_params(m) / etp_of(l);
}

/**
 * Parameters one GPU of stage `st` trains: those it stores (weight_params_per_gpu) but the MTP
 * modules' copies of the embedding and head, which training shares with the main model
 * (DeepSeek-V3 §3.2.3). A last stage without the embedding keeps one copy of it for the
 * modules' inputs, as Megatron-LM keeps one for a tied head; with a tied head that copy is it.
 */
constexpr double training_params_per_gpu(const weight_terms& w, const stage_shape& st) {
    double p = weight_params_per_gpu(w, st);
    if (st.head && w.mtp > 0) {
        p -= w.mtp_copies;
        if (!st.embedding && !w.tied)
            p += w.embedding;
    }
    return p;
}

/// Activation bytes of one micro-batch on one GPU of a stage, `phi` of whose layers full
/// recomputation recomputes (recomputed_share; the others keep everything).
constexpr bytes stage_activations(const model_spec& m, const layout& l, const stage_shape& st,
                                  const training_workload& t, double phi = 1.0) {
    const activation_options ao{.tp = l.tp,
                                .sequence_parallel = t.sequence_parallel,
                                .rc = t.rc,
                                .store_scores = !t.flash_attention,
                                .dropout = t.dropout,
                                .gemm_inputs = t.fp8_gemm ? 1.0 : 2.0};
    const double s = static_cast<double>(t.seq) / l.cp, b = t.micro_batch;
    // block recomputation: the layers it leaves alone keep everything
    const bool partial = t.rc == recompute::full && phi < 1.0;
    activation_options kept = ao;
    kept.rc = recompute::none;
    auto layer_bytes = [&](int i) {
        const bytes full = training_activation_bytes_layer(m, i, s, b, ao);
        return partial
                   ? phi * full + (1.0 - phi) * training_activation_bytes_layer(m, i, s, b, kept)
                   : full;
    };
    bytes total{};
    // One representative layer of each kind; layers of a kind cost the same. A stage of
    // interleaved chunks holds layers past [first, first + layers): look further for a kind
    // it counts but that range lacks.
    int moe_i = -1, dense_i = -1;
    auto find = [&](int from, int to) {
        for (int i = from; i < to; ++i) {
            if (is_moe_layer(m, i) && moe_i < 0)
                moe_i = i;
            if (!is_moe_layer(m, i) && dense_i < 0)
                dense_i = i;
        }
    };
    find(st.first, st.first + st.layers < m.layers ? st.first + st.layers : m.layers);
    if ((st.moe > 0 && moe_i < 0) || (st.dense > 0 && dense_i < 0))
        find(0, m.layers);
    if (moe_i >= 0)
        total += static_cast<double>(st.moe) * layer_bytes(moe_i);
    if (dense_i >= 0)
        total += static_cast<double>(st.dense) * layer_bytes(dense_i);
    const bytes logits = make<bytes>(s * b * m.vocab / l.tp * 4.0); // fp32, 0 without a vocabulary
    if (st.head)
        total += logits;
    // Outside the layers (Korthikanti et al. 2022 §4.3), split by t only with SP: the first
    // stage keeps the embedding's dropout mask (sbh, one byte per element), the last the
    // 16-bit inputs of the final norm and of the output layer (2sbh each).
    const double outside = t.sequence_parallel ? l.tp : 1.0;
    if (st.embedding && t.dropout)
        total += make<bytes>(s * b * m.hidden / outside);
    if (st.head)
        total += make<bytes>((m.vocab > 0 ? 4.0 : 2.0) * s * b * m.hidden / outside);
    if (st.head && m.mtp_layers > 0) {
        // Each MTP module: its block, its own fp32 logits, and the 16-bit inputs of its two
        // norms and of its projection (h, h and 2h per token: 8sbh bytes, split by t only
        // with SP); under full recomputation only the module's two inputs (4sbh), blended by
        // phi as the layers are.
        const double per_token =
            !partial ? (t.rc == recompute::full ? 4.0 : 8.0) : 4.0 * phi + 8.0 * (1.0 - phi);
        const double inputs = per_token * s * b * m.hidden / outside;
        total += static_cast<double>(m.mtp_layers) *
                 (layer_bytes(mtp_block_layer(m)) + make<bytes>(inputs) + logits);
    }
    return total;
}

/// The field a broken pipeline split names: what it divides, and into what.
constexpr const char* split_field(const engine::pipeline_split& p, bool per_chunk) {
    if (per_chunk)
        return p.embedding && p.loss
                   ? "layers + embedding + loss, one per pp × virtual stages chunk"
               : p.embedding ? "layers + embedding, one per pp × virtual stages chunk"
               : p.loss      ? "layers + loss, one per pp × virtual stages chunk"
                             : "layers, one per pp × virtual stages chunk";
    return p.embedding && p.loss ? "layers + embedding + loss into pp × virtual stages chunks"
           : p.embedding         ? "layers + embedding into pp × virtual stages chunks"
                                 : "layers + loss into pp × virtual stages chunks";
}

} // namespace detail

namespace engine {

/// The model as training runs it: GEMMs at the training precision (bf16, or fp8 with
/// fp8_gemm), weights kept in bf16, the attention and tables in the activations' dtype.
constexpr model_spec training_model(const model_spec& model, const training_workload& t) {
    model_spec m = with_resolved_heads(model);
    m.precision.weights = t.fp8_gemm ? dtype::fp8 : dtype::bf16;
    m.precision.experts = {};
    m.precision.embeddings = {};
    m.precision.activations = dtype::bf16;
    m.precision.attention = {};
    return m;
}

/**
 * The rules a training deployment breaks, into `out`: the specs', the layout's (its batch
 * rule replaced by whole micro-batches per DP rank) and the pipeline split's: unless the
 * layout's stages may be uneven, pp·v chunks must divide the layers (`layers_vs_pp` with
 * factor v) or, with the embedding or the loss counted, the layers and those ends (`divides`,
 * in place of layers % pp); uneven, there must be a slot for every chunk (`at_least`).
 */
constexpr void check_training_into(violations& out, const model_spec& model,
                                   const cluster_spec& cluster, const layout& l,
                                   const training_workload& t, const eval_options& opt) {
    out = validate_all(model, cluster, t, l, opt);
    if (!out.ok())
        return;
    const workload as_inference{.batch = t.global_batch, .prompt = t.seq};
    // with the embedding or the loss counted, the split's own rules below replace layers % pp
    const bool ends = t.embedding_in_split || t.loss_in_split;
    for (const auto& v : check_layout(model, cluster, l, as_inference))
        if (v.what != rule::batch_vs_dp && !(ends && v.what == rule::layers_vs_pp))
            out.add(v);
    // products in 64 bits: a micro-batch or virtual-stage count times a degree overflows an int
    const long long per_step = static_cast<long long>(t.micro_batch) * l.dp;
    if (micro_batches_of(t, l) <= 0 || t.global_batch % per_step != 0)
        out.add(rule::batch_vs_dp, "micro_batch·dp", t.global_batch, static_cast<double>(per_step));
    if (l.pp > model.layers) // stages_vs_layers, above
        return;
    const engine::pipeline_split p = pipeline_split_of(l, t);
    const long long slots = engine::split_slots(model, p), chunks = engine::split_chunks(p);
    if (l.uneven_stages && slots < chunks) // a chunk would hold nothing
        out.add(rule::at_least, detail::split_field(p, true), static_cast<double>(slots),
                static_cast<double>(chunks));
    else if (!l.uneven_stages && slots % chunks != 0 && ends)
        out.add(rule::divides, detail::split_field(p, false), static_cast<double>(chunks),
                static_cast<double>(slots));
    else if (!l.uneven_stages && slots % chunks != 0 && t.virtual_stages > 1)
        out.add({.what = rule::layers_vs_pp,
                 .field = "layers",
                 .value = static_cast<double>(model.layers),
                 .limit = static_cast<double>(l.pp),
                 .factor = t.virtual_stages});
}

/// The slowest stage's time for one micro-batch, forward and backward, and what binds it.
struct micro_batch_cost {
    seconds time{};
    resource bound = resource::compute;
};

/**
 * The HBM time of unfused attention's score matrices (unfused_score_traffic) for one layer of
 * one micro-batch on one GPU: its forward kernels and its backward kernels. Zero with flash
 * attention.
 */
struct score_times {
    seconds forward{}, backward{};
};

constexpr score_times score_times_of(const model_spec& m, const layout& l,
                                     const training_workload& t, const gpu_spec& g) {
    if (t.flash_attention)
        return {};
    // b sequences; the heads split over TP, the queries over CP, every key attended
    const double S = t.seq;
    const score_traffic x = unfused_score_traffic(m, S / l.cp, S, t.dropout);
    const double share = static_cast<double>(t.micro_batch) / l.tp;
    const byte_rate bw = effective_hbm_rate(g);
    return {.forward = share * x.forward / bw, .backward = share * x.backward / bw};
}

/**
 * One micro-batch (load `ld`, terms `lt`) forward and backward on each stage shape of ss: the
 * forward is the prefill step with logits for every token, the backward twice its compute
 * plus the recomputation, the collectives repeated and the pipeline's sends. Unfused
 * attention's mask, softmax and dropout kernels (`scores`, per layer) run between its two
 * products, memory-bound: their time adds to the stage's, or in ideal mode to its HBM sum,
 * for each forward (the recomputed one too) and the backward of every layer and MTP block.
 */
constexpr micro_batch_cost micro_batch_cost_of(const model_spec& m, const step_constants& k,
                                               const load_terms& lt, const stage_set& ss,
                                               const step_load& ld, const training_workload& t,
                                               bool overlap, const score_times& scores = {}) {
    const layout& l = k.l;
    const double v = t.virtual_stages;
    micro_batch_cost out;
    bool first = true;
    for_each_shape(m, ss, [&](const stage_shape& st, int, int s_idx) {
        // the share of the stage's layers a full recomputation recomputes (1: all of them)
        const double phi = recomputed_share(m, l, t, s_idx);
        const double forwards = t.rc == recompute::none   ? 1.0
                                : t.rc == recompute::full ? 1.0 + phi
                                                          : 2.0;
        const stage_step fwd = step_cost(k, lt, st, ld);
        const double attending = st.layers + (st.head ? m.mtp_layers : 0);
        const seconds score = attending * (forwards * scores.forward + scores.backward);
        // the last stage also runs the MTP modules after its layers
        const mtp_forward x = st.head ? mtp_forward_of(m, k, lt, ld, m.mtp_layers) : mtp_forward{};
        const seconds f_compute = fwd.compute + x.compute;
        seconds comp = 3.0 * f_compute; // forward, then backward at twice its cost
        if (t.rc == recompute::full)
            comp += phi * (f_compute - fwd.op(op_group::lm_head).time() - x.head);
        if (t.rc == recompute::selective)
            comp += fwd.op(op_group::attention_core).time() + x.core;
        comp += score;
        // The backward repeats the forward's collectives (a full recompute a third time). Point
        // to point, each of a GPU's v model chunks sends its output forward and its input
        // gradient back per micro-batch, except the model's last chunk (nothing forward) and
        // its first (nothing back): 2v sends on a middle stage, 2v − 1 on the first and last
        // (Narayanan et al. 2021 §2.2.2: interleaving multiplies the communication by v). A
        // recompute sends nothing again.
        const double sends =
            l.pp > 1 ? 2.0 * v - (st.embedding ? 1.0 : 0.0) - (st.head ? 1.0 : 0.0) : 0.0;
        const seconds comm =
            (t.rc == recompute::full ? 2.0 + phi : 2.0) * (layer_comm(fwd.comm) + x.comm) +
            sends * lt.pp_send;
        // Ideal mode overlaps the operator groups of the forward, backward and recomputation
        // as a step's (docs/model.md §9.5): their compute and HBM times are summed apart, in
        // the same proportions and order as comp above, and the longer sum is the time.
        resource bound = fwd.bound;
        if (k.ideal) {
            group_sums f;
            for (const op_cost& o : fwd.ops)
                f.add(o);
            f += x.groups;
            group_sums all = 3.0 * f;
            const op_cost& head = fwd.op(op_group::lm_head);
            const op_cost& core = fwd.op(op_group::attention_core);
            if (t.rc == recompute::full) {
                all.compute += phi * (f.compute - head.compute_time - x.heads.compute);
                all.memory += phi * (f.memory - head.memory_time - x.heads.memory);
            }
            if (t.rc == recompute::selective) {
                all.compute += core.compute_time + x.cores.compute;
                all.memory += core.memory_time + x.cores.memory;
            }
            all.memory += score;
            comp = all.time();
            bound = all.bound();
        }
        const seconds tm = overlap ? (comp > comm ? comp : comm) : step_time_of(k, comp, comm);
        if (first || tm > out.time) {
            out.time = tm;
            out.bound = comm > comp ? resource::network : bound;
        }
        first = false;
    });
    return out;
}

/// The most loaded stage's training state, and the slowest gradient reduction and optimizer
/// step over the stages.
struct training_state {
    seconds grad_sync{};
    seconds optimizer{};
};

/**
 * Memory of each stage shape (weights, gradients and optimizer states under ZeRO, the
 * activations of the micro-batches in flight) into `mem` (the most loaded stage, `usable`
 * already set), and the gradient reduction and optimizer step of each.
 */
constexpr training_state training_state_of(training_memory& mem, const model_spec& m,
                                           const step_constants& k, const stage_set& ss,
                                           const cluster_spec& c, const training_workload& t,
                                           int M) {
    const layout& l = k.l;
    const int dense_group = l.dp * l.cp;
    const double dp = dense_group, edp = edp_of(l), pp = l.pp, v = t.virtual_stages;
    const double wbytes = 2.0, gbytes = bytes_of(t.grads);
    // With 16-bit gradients and fp32 master weights the optimizer steps on an fp32 copy of the
    // gradients, sharded with its states (Megatron Core's distributed-optimizer accounting:
    // 20 B/param, 4 + 16/d with the distributed optimizer).
    const double grad_copy = t.master_weights && bytes_of(t.grads) < 4.0 ? 4.0 : 0.0;
    const double state_bytes =
        (t.master_weights ? 4.0 : 0.0) + grad_copy +
        (t.optimizer == optimizer_kind::adam ? 2.0 : 1.0) * bytes_of(t.optimizer_state);
    const double in_flight_scale = t.virtual_stages > 1 ? 1.0 + (pp - 1.0) / (pp * v) : 1.0;
    training_state out;
    bool first = true;
    for_each_shape(m, ss, [&](const stage_shape& st, int, int s_idx) {
        const double p_all = detail::training_params_per_gpu(k.weights, st);
        const double p_exp = detail::expert_params_per_gpu(m, l, st);
        const double p_dense = p_all - p_exp;
        auto shard = [&](double bytes_per_param, int from_stage) {
            return t.zero >= from_stage
                       ? p_dense * bytes_per_param / dp + p_exp * bytes_per_param / edp
                       : p_all * bytes_per_param;
        };
        training_memory here;
        here.weights = make<bytes>(shard(wbytes, 3));
        here.grads = make<bytes>(shard(gbytes, 2));
        here.optimizer = make<bytes>(shard(state_bytes, 1));
        // 1F1B keeps p − s micro-batches in flight on stage s (Korthikanti et al. 2022 §4.2.3)
        const double in_flight = (M < pp - s_idx ? M : pp - s_idx) * in_flight_scale;
        here.activations =
            in_flight * detail::stage_activations(m, l, st, t, recomputed_share(m, l, t, s_idx));
        here.stage = s_idx;
        if (first || here.total() > mem.total()) {
            here.usable = mem.usable;
            mem = here;
        }
        first = false;
        // gradient reduction, dense over DP·CP and experts over EDP: an all-reduce of the
        // gradients without ZeRO; with ZeRO-1/2 a reduce-scatter of the gradients and, after
        // the step, an all-gather of the 16-bit weights; with ZeRO-3 only the reduce-scatter,
        // the weights being gathered before each forward and backward of every micro-batch
        const link_spec& lk = link_for_group(c, stage_gpus(l));
        auto reduce = [&](double params, int n) {
            const bytes g = make<bytes>(params * gbytes);
            if (t.zero == 0)
                return all_reduce_time(g, n, lk);
            seconds s_ = all_gather_time(g / static_cast<double>(n), n, lk); // reduce-scatter
            if (t.zero <= 2)
                s_ += all_gather_time(make<bytes>(params * wbytes / n), n, lk);
            return s_;
        };
        seconds sync = reduce(p_dense, dense_group) + reduce(p_exp, edp_of(l));
        if (t.zero >= 3)
            sync += 2.0 * M *
                    (all_gather_time(make<bytes>(p_dense * wbytes / dp), dense_group, lk) +
                     all_gather_time(make<bytes>(p_exp * wbytes / edp), edp_of(l), lk));
        if (sync > out.grad_sync)
            out.grad_sync = sync;
        // optimizer step: read and write weights, grads and states of the local shard
        const seconds opt_t =
            2.0 * make<bytes>(shard(wbytes, 3) + shard(gbytes, 2) + shard(state_bytes, 1)) /
            effective_hbm_rate(c.gpu);
        if (opt_t > out.optimizer)
            out.optimizer = opt_t;
    });
    return out;
}

} // namespace engine

/**
 * Evaluates a training deployment. `o.ideal` sets efficiencies to 1, overlaps the operator
 * groups (max of Σ compute and Σ HBM times) and every collective, giving an upper bound on
 * throughput. A deployment that breaks a rule is not
 * costed (`evaluated` false).
 */
constexpr training_report evaluate_training(const model_spec& model, const cluster_spec& cluster,
                                            const layout& l, const training_workload& t,
                                            const eval_options& opt = {}) {
    using namespace engine;
    training_report r;
    r.ideal = opt.ideal;
    check_training_into(r.problems, model, cluster, l, t, opt);
    const int M = micro_batches_of(t, l);
    r.micro_batches = M;
    if (!r.problems.ok())
        return r;
    r.evaluated = true;

    const model_spec m = training_model(model, t);
    const eval_options o = normalised(opt);
    const cluster_spec c = o.ideal ? idealized(cluster) : cluster;
    const bool overlap = o.ideal || o.overlap;
    const double S = t.seq, b = t.micro_batch, edp = edp_of(l), pp = l.pp, v = t.virtual_stages,
                 world = world_size(l);
    const stage_set ss = stages_of(m, pipeline_split_of(l, t));

    // one micro-batch: forward = prefill step with logits for every token. Unfused attention
    // computes every score of the s×s matrix before masking it: s² keys per sequence and layer
    // (executed_training_flops_per_token), the causal half with flash attention.
    const bool fused = t.flash_attention;
    const step_load ld{.seqs = b,
                       .tokens_per_seq = S,
                       .keys_full = fused ? causal_keys(S) : S * S,
                       .keys_sliding = fused ? causal_keys_window(S, window_keys(m)) : S * S,
                       .expert_tokens = b * S * l.dp / edp,
                       .kv_len = 0,
                       .decode = false,
                       .logit_rows_per_seq = S};
    const step_constants k = step_constants_of(m, c, l, o);
    const load_terms lt =
        load_terms_of(k, ld, experts_touched(k.experts, k.top_k, ld.expert_tokens, k.skew));
    const micro_batch_cost mb =
        micro_batch_cost_of(m, k, lt, ss, ld, t, overlap, score_times_of(m, l, t, c.gpu));
    r.micro_batch_time = mb.time;
    // 1F1B: (M + p − 1) slots; interleaved with v chunks: (M + (p − 1)/v) (Narayanan et al. 2021
    // §2.2)
    r.pipeline_time = (M + (pp - 1.0) / v) * mb.time;
    r.bubble_fraction = 1.0 - M * mb.time.value() / r.pipeline_time.value();

    // memory and gradient volume on each stage shape; the most loaded rank is reported
    r.memory.usable = o.memory_headroom * c.gpu.hbm.get();
    const training_state st = training_state_of(r.memory, m, k, ss, c, t, M);
    r.memory.fits = r.memory.total() <= r.memory.usable;
    if (!r.memory.fits)
        r.problems.add(rule::memory, "memory", r.memory.total().value(), r.memory.usable.value());

    // Gradients are accumulated over the micro-batches and reduced once: an overlapped
    // reduction hides only behind the last micro-batch's backward, 2/3 of its time
    // (Megatron-LM runs the other micro-batches under no_sync).
    const seconds backward = (2.0 / 3.0) * r.micro_batch_time;
    r.grad_sync_time = (overlap || t.overlap_grad_reduce)
                           ? (st.grad_sync > backward ? st.grad_sync - backward : seconds{})
                           : st.grad_sync;
    r.optimizer_time = st.optimizer;
    r.step_time = r.pipeline_time + r.grad_sync_time + r.optimizer_time;
    r.bottleneck = r.bubble_fraction > 0.5              ? resource::pipeline
                   : r.grad_sync_time > r.pipeline_time ? resource::network
                                                        : mb.bound;

    const double tokens_per_iter = static_cast<double>(t.global_batch) * S;
    r.model_flops_per_iteration =
        tokens_per_iter * make<tokens>(1.0) * training_flops_per_token(model, S);
    r.hardware_flops_per_iteration =
        tokens_per_iter * make<tokens>(1.0) *
        executed_training_flops_per_token(model, S, t.rc, fused, recomputed_share(m, l, t));
    r.tokens_per_gpu = make<tokens>(tokens_per_iter) / r.step_time / world;
    const flop_rate peak = peak_for(cluster.gpu, m.precision.weights);
    r.mfu = r.model_flops_per_iteration / (r.step_time * world * peak);
    r.hfu = r.hardware_flops_per_iteration / (r.step_time * world * peak);
    return r;
}

} // namespace moecost
