#pragma once
/**
 * @file
 * The step-cost engine, part 2: a step's cost under a load. `load_terms_of` works out what
 * depends on the load alone (tokens, expert routing, one layer's collectives), `layer_costs`
 * the operator groups' rooflines and collectives of the layers a stage holds, `finish_step`
 * the stage's ends (LM head, send to the next stage) and the sums; `step_cost` does all three
 * (docs/model.md §Deployment).
 *
 * Ideal mode (`step_constants::ideal`, docs/model.md §9.5) overlaps the operator groups as well
 * as the collectives: a step then takes the longest of its groups' Σ compute times, their Σ HBM
 * times and its communication, where the default mode adds up each group's roofline.
 */

#include <moecost/time/step.hpp>

namespace moecost::engine {

/// The parts of a step's cost fixed by its load, whatever layers the stage holds.
struct load_terms {
    double T = 0;               ///< tokens at this GPU's TP group
    double T_tp = 0;            ///< ... its 1/TP share
    double experts_touched = 0; ///< distinct experts the load's tokens pick (of E, per EP group)
    double routed_tokens = 0;   ///< expert tokens per GPU, ETP-split
    double attn_traffic = 0;    ///< one layer's projection bytes
    double router_traffic = 0, routed_traffic = 0, shared_traffic = 0,
           dense_traffic = 0;              ///< per MoE/dense layer
    double mm_scale = 1, expert_scale = 1; ///< GEMM time over its plateau time at these rows
    op_cost lm_head{};
    seconds tp_reduce{};  ///< one TP all-reduce
    seconds ep_layer{};   ///< EP dispatch + combine of one MoE layer
    seconds etp_gather{}; ///< one ETP all-gather
    seconds cp_layer{};   ///< CP exchange of one layer
    seconds pp_send{};    ///< send to the next stage
    bytes ep_intra{}, ep_inter{};
    seconds draft{}; ///< speculative decoding: the last stage's MTP passes after its layers
};

/**
 * Rows below which the GEMM curve is held at its value: the smallest M the published GEMM
 * figures measure (docs/calibration.md), one Hopper wgmma tile. Narrower products run as GEMV
 * or split-K kernels bound by reading their weights, which the roofline's memory side prices.
 */
inline constexpr double gemm_curve_min_rows = 64;

/// A GEMM's time at `rows` rows over its time at the profile's plateau: 1 + half / rows.
constexpr double gemm_scale(double half, double rows) {
    return half > 0 && rows > 0 ? 1.0 + half / dmax(rows, gemm_curve_min_rows) : 1.0;
}

/**
 * The profile's per-kernel costs of a group of `kernels` kernels whose roofline `c` is priced:
 * each kernel's launch overhead, and the `elementwise` bytes of the kernels beside the GEMMs,
 * which run after the roofline's. (Each kernel's HBM ramp, `hbm_ramp`, is inside the roofline.)
 */
constexpr void finish_kernels(const step_constants& k, op_cost& c, double kernels,
                              double elementwise = 0) {
    c.fixed = kernels * k.kernel_overhead;
    if (elementwise > 0) {
        c.traffic += make<bytes>(elementwise);
        c.fixed += make<bytes>(elementwise) * k.hbm_time;
    }
}

/// The roofline of a group of `kernels` kernels: `traffic` bytes, each kernel's ramp of the
/// profile's `hbm.half` bytes priced with them (the op's traffic stays the bytes moved).
constexpr op_cost ramped_roofline(const step_constants& k, double work, double traffic,
                                  double kernels, seconds_per_flop per_flop,
                                  seconds_per_byte per_byte) {
    if (k.hbm_half <= 0)
        return roofline(make<flops>(work), make<bytes>(traffic), per_flop, per_byte);
    op_cost c = roofline(make<flops>(work), make<bytes>(traffic + kernels * k.hbm_half), per_flop,
                         per_byte);
    c.traffic = make<bytes>(traffic);
    return c;
}

/// The load terms of `ld`, whose tokens touch `touched` distinct experts (experts_touched).
/// Every member is given at once: no zero-fill of the struct before the stores.
constexpr load_terms load_terms_of(const step_constants& k, const step_load& ld, double touched) {
    const layout& l = k.l;
    const double h = k.h, ab = k.ab;
    const bool moe = k.experts > 0;
    const double T = ld.seqs * ld.tokens_per_seq * k.inv_cp;
    const double T_tp = T * k.inv_tp;
    const double routed_tokens =
        moe ? ld.expert_tokens * k.top_k * (k.inv_ep * k.inv_etp) * k.imb : 0.0;
    // expert slots read on this GPU, at most the ones it holds: every replica of a touched
    // expert (the balancer spreads its tokens over them), 1/EP of them here
    const double held =
        moe ? dmin(k.experts_per_gpu, touched * k.replicas * k.inv_ep * k.imb) : 0.0;
    op_cost lm_head{};
    if (k.vocab > 0) {
        const double rows =
            ld.seqs * ld.logit_rows_per_seq * k.inv_cp; // inference: one row per sequence
        const double traffic = k.head_weight_bytes + rows * k.vocab * k.inv_tp * 4.0;
        const double kernels = k.kernels[static_cast<std::size_t>(op_group::lm_head)];
        lm_head = ramped_roofline(k, rows * 2.0 * h * k.vocab * k.inv_tp, traffic, kernels,
                                  k.head_time * gemm_scale(k.head_half, rows), k.hbm_time);
        if (k.per_kernel)
            finish_kernels(k, lm_head, kernels);
    }
    const bool ep = moe && l.ep > 1;
    const double disp_b = k.dispatch_bytes, send_tokens = T_tp * k.imb;
    // Decode's low-latency kernels (default mode) send each (token, expert) copy bound for
    // another node over the NIC itself, with no forwarding inside the receiving node; the
    // bound keeps the normal kernels' one copy per remote node (the fewer bytes).
    const bool low_latency = ep && ld.decode && k.ll_remote > 0;
    const bytes in = !ep ? bytes{}
                     : low_latency
                         ? make<bytes>(send_tokens * k.top_k * h * k.ll_local)
                         : make<bytes>(send_tokens * k.top_k * h * (k.ep - 1.0) * k.inv_ep);
    const bytes out = !ep           ? bytes{}
                      : low_latency ? make<bytes>(send_tokens * k.top_k * h * k.ll_remote)
                                    : make<bytes>(send_tokens * h * k.remote_nodes);
    seconds cp_layer{};
    if (l.cp > 1) {
        const bytes shard =
            ld.decode ? make<bytes>(ld.seqs * ld.tokens_per_seq * k.ctx_dim * k.inv_tp * ab)
                      : make<bytes>((T + ld.seqs * ld.kv_len * k.inv_cp) * k.kv_layer_bytes);
        cp_layer = all_gather_time(shard, l.cp, k.cp_link);
    }
    return {
        .T = T,
        .T_tp = T_tp,
        .experts_touched = touched,
        .routed_tokens = routed_tokens,
        .attn_traffic = k.attn_weight_bytes + T * k.attn_io * ab,
        .router_traffic = moe ? k.router_weight_bytes + T_tp * k.router_io * ab : 0.0,
        .routed_traffic =
            moe ? held * k.expert_bytes * k.inv_etp + routed_tokens * k.etp * k.expert_io * ab
                : 0.0,
        .shared_traffic = moe ? k.shared_weight_bytes + T * k.shared_io * ab : 0.0,
        .dense_traffic = k.dense_weight_bytes + T * k.dense_io * ab,
        .mm_scale = gemm_scale(k.mm_half, T),
        // rows per expert routed·etp/held, as one division: half·held / max(routed·etp, 64·held)
        .expert_scale = k.expert_half > 0 && held > 0 && routed_tokens > 0
                            ? 1.0 + k.expert_half * held /
                                        dmax(routed_tokens * k.etp, gemm_curve_min_rows * held)
                            : 1.0,
        .lm_head = lm_head,
        .tp_reduce =
            l.tp > 1 ? all_reduce_time(make<bytes>(T * h * ab), l.tp, k.tp_link) : seconds{},
        .ep_layer = ep ? all_to_all_time(disp_b * in, disp_b * out, k.intra, k.inter) +
                             all_to_all_time(ab * in, ab * out, k.intra, k.inter) +
                             2.0 * k.a2a_latency
                       : seconds{},
        .etp_gather = moe && etp_of(l) > 1 ? all_gather_time(make<bytes>(routed_tokens * h * ab),
                                                             etp_of(l), k.etp_link)
                                           : seconds{},
        .cp_layer = cp_layer,
        .pp_send = send_time(make<bytes>(T_tp * h * ab), k.pp_link),
        .ep_intra = (disp_b + ab) * in,
        .ep_inter = (disp_b + ab) * out,
        .draft = {}};
}

/**
 * Σ compute times and Σ HBM times of operator groups. Groups run overlapped (ideal mode: two
 * micro-batches interleaved, or kernels side by side) share the GPU's FLOP/s and HBM bandwidth
 * and take the longer of the two sums, at most the sum of their rooflines.
 */
struct group_sums {
    seconds compute{}, memory{};
    constexpr void add(const op_cost& c) {
        compute += c.compute_time;
        memory += c.memory_time;
    }
    constexpr group_sums& operator+=(const group_sums& o) {
        compute += o.compute;
        memory += o.memory;
        return *this;
    }
    [[nodiscard]] constexpr seconds time() const { return compute > memory ? compute : memory; }
    /// The resource the longer sum belongs to (compute on a tie, as op_cost::bound).
    [[nodiscard]] constexpr resource bound() const {
        return compute >= memory ? resource::compute : resource::memory;
    }
};
constexpr group_sums operator*(double n, const group_sums& g) {
    return {.compute = n * g.compute, .memory = n * g.memory};
}

/// Where layer_costs puts an operator group's roofline: the step's breakdown...
constexpr void put(stage_step& r, op_group g, const op_cost& c) {
    r.ops[static_cast<std::size_t>(g)] = c;
}

/// ... or only the sums a step's time needs (the TTFT pass: no breakdown is reported).
struct layer_time {
    seconds compute{}; ///< Σ roofline times of the groups put, in the order put
    comm_cost comm{};
};
constexpr void put(layer_time& r, op_group /*g*/, const op_cost& c) {
    r.compute += c.time();
}

/**
 * The operator groups and collectives of the transformer layers stage `st` holds, written into
 * a zeroed `r` (a stage_step or a layer_time): all of a step but the stage's ends (LM head,
 * send to the next stage) and sums. Groups are put in op_group order.
 */
template <class Step>
constexpr void layer_costs(Step& r, const step_constants& k, const load_terms& t,
                           const stage_shape& st, const step_load& ld) {
    const model_spec& m = *k.m;
    const double h = k.h, T = t.T;
    const mla_form form = ld.decode ? mla_form::absorbed : mla_form::naive;
    const double full = st.layers - st.sliding;

    // a group of `layers` layers: its roofline at `per_flop` (the plateau rate times the size
    // curve) and `per_byte`, and its kernels' ramps and overheads
    auto set = [&](op_group g, double layers, double work, double traffic,
                   seconds_per_flop per_flop, seconds_per_byte per_byte, double elementwise = 0) {
        const double kernels = layers * k.kernels[static_cast<std::size_t>(g)];
        op_cost c = ramped_roofline(k, work, traffic, kernels, per_flop, per_byte);
        if (k.per_kernel)
            finish_kernels(k, c, kernels, layers * elementwise);
        put(r, g, c);
    };

    // attention projections and core: Σ keys over sequences, heads split by TP, sequence by
    // CP; the new tokens' KV written (and in prefill their activations), the cached entries
    // read: decode's context, prefill's cached prefix (with prefix caching), whose latents
    // MLA's naive prefill form also up-projects
    double proj = st.layers * T * k.proj[static_cast<std::size_t>(form)];
    const double keys = ld.seqs * (full * ld.keys_full + st.sliding * ld.keys_sliding) * k.inv_cp;
    double core_traffic = st.layers * T * (ld.decode ? k.kv_layer_bytes : k.core_io);
    if (ld.kv_len > 0) {
        const double cached = ld.seqs * (full * ld.kv_len + st.sliding * dmin(ld.kv_len, k.window));
        core_traffic = cached * k.kv_layer_bytes * k.inv_cp + core_traffic;
        if (!ld.decode)
            proj += cached * k.inv_cp * k.latent_up;
    }
    const double L = st.layers, moe = st.moe, dense = st.dense;
    const seconds_per_flop mm = k.mm_time * t.mm_scale;
    set(op_group::attention_proj, L, proj, L * t.attn_traffic, mm, k.hbm_time, T * k.ew[0]);
    // the core's fraction of its plateau rises with the keys each query attends to in one
    // kernel, x: x / (x + half) (the profile's curve; with CP a rank's kernels see 1/cp of
    // them: the decode cache is split, prefill's ring passes chunks)
    seconds_per_flop core_time = k.attn_time;
    if (k.attn_half > 0 && L > 0 && ld.tokens_per_seq > 0) {
        const double per_query = (full * ld.keys_full + st.sliding * ld.keys_sliding) * k.inv_cp /
                                 (L * ld.tokens_per_seq);
        if (per_query > 0)
            core_time = k.attn_time * (1.0 + k.attn_half / per_query);
    }
    set(op_group::attention_core, L, attn_core_flops(m, form, keys) * k.inv_tp, core_traffic,
        core_time, ld.decode ? k.attn_hbm_time : k.hbm_time);
    if (st.moe > 0) {
        set(op_group::router, moe, moe * T * 2.0 * h * k.experts * k.inv_tp, moe * t.router_traffic,
            mm, k.hbm_time);
        set(op_group::routed_experts, moe,
            moe * t.routed_tokens * 2.0 * k.mats * h * k.expert_hidden, moe * t.routed_traffic,
            k.expert_time * t.expert_scale, k.hbm_time, t.routed_tokens * k.etp * k.ew[2]);
        if (k.shared_experts > 0)
            set(op_group::shared_experts, moe,
                moe * T * 2.0 * k.shared_experts * k.mats * h * k.shared_hidden * k.inv_tp,
                moe * t.shared_traffic, mm, k.hbm_time, T * k.ew[3]);
    }
    if (st.dense > 0)
        set(op_group::dense_ffn, dense, dense * T * 2.0 * k.mats * h * k.ffn_hidden * k.inv_tp,
            dense * t.dense_traffic, mm, k.hbm_time, T * k.ew[1]);

    // communication
    comm_cost& cm = r.comm;
    if (k.l.tp > 1) {
        const double reductions = st.layers + st.dense + (k.shared_experts > 0 ? st.moe : 0);
        cm.tp = reductions * t.tp_reduce;
    }
    if (st.moe > 0 && k.l.ep > 1) {
        cm.ep_intra_node = t.ep_intra;
        cm.ep_inter_node = t.ep_inter;
        cm.ep = double(st.moe) * t.ep_layer;
    }
    if (st.moe > 0 && etp_of(k.l) > 1)
        cm.etp = 2.0 * st.moe * t.etp_gather;
    if (k.l.cp > 1)
        cm.cp = double(st.layers) * t.cp_layer;
}

/**
 * The sums of a step's layer part: every operator group but the LM head, every collective
 * but the send to the next stage (in the order of the full sums, which finish_step completes).
 * `compute_bound` and `memory_bound` are the compute side and the memory side of the groups:
 * in the default mode the roofline times of the groups each resource binds, in ideal mode
 * Σ compute times and Σ HBM times of every group (`sum_layers` with `ideal`).
 */
struct layer_sums {
    seconds compute{}, compute_bound{}, memory_bound{}, comm{};
};

/// Every collective of a step but the send to the next stage (its layers' communication).
constexpr seconds layer_comm(const comm_cost& cm) {
    return cm.tp + cm.ep + cm.etp + cm.cp;
}

/// The layer sums of `r`; with `ideal`, its two sides are Σ compute and Σ HBM times.
constexpr layer_sums sum_layers(const stage_step& r, bool ideal) {
    layer_sums ls;
    for (std::size_t g = 0; g < static_cast<std::size_t>(op_group::lm_head); ++g) {
        const op_cost& op = r.ops[g];
        ls.compute += op.time();
        (op.bound() == resource::compute ? ls.compute_bound : ls.memory_bound) += op.time();
    }
    if (ideal) {
        ls.compute_bound = ls.memory_bound = seconds{};
        for (std::size_t g = 0; g < static_cast<std::size_t>(op_group::lm_head); ++g) {
            ls.compute_bound += r.ops[g].compute_time;
            ls.memory_bound += r.ops[g].memory_time;
        }
    }
    ls.comm = layer_comm(r.comm);
    return ls;
}
constexpr layer_sums sum_layers(const layer_time& r) { // groups left out add 0: the same sum
    return {.compute = r.compute, .comm = layer_comm(r.comm)};
}

/**
 * A stage's compute and communication: its layer sums `ls` plus its ends (LM head on the
 * last stage, send to the next stage on the others), and the step time they give. Compute is
 * Σ of the groups' rooflines, or in ideal mode the longer of Σ compute times and Σ HBM times
 * (the groups overlapped).
 */
struct stage_totals {
    seconds compute{}, comm{}, time{};
};
constexpr stage_totals stage_totals_of(const step_constants& k, const load_terms& t,
                                       const stage_shape& st, const layer_sums& ls) {
    stage_totals e{.compute = ls.compute, .comm = ls.comm};
    if (k.ideal) {
        seconds c = ls.compute_bound, mem = ls.memory_bound;
        if (st.head && k.vocab > 0) {
            c += t.lm_head.compute_time;
            mem += t.lm_head.memory_time;
        }
        e.compute = c > mem ? c : mem;
    } else if (st.head && k.vocab > 0) {
        e.compute += t.lm_head.time();
    }
    if (!st.head)
        e.comm += t.pp_send;
    e.time = step_time_of(k, e.compute, e.comm);
    if (st.head)
        e.time += t.draft; // the drafts need the verified tokens: after the step, not beside it
    return e;
}

/// The ends of stage `st` (LM head on the last, send to the next stage on the others) and the
/// sums, from the layer part's sums `ls`.
constexpr void finish_step(stage_step& r, const step_constants& k, const load_terms& t,
                           const stage_shape& st, const layer_sums& ls) {
    op_cost& head = r.ops[static_cast<std::size_t>(op_group::lm_head)];
    if (st.head && k.vocab > 0)
        head = t.lm_head;
    else
        head = {};
    seconds comp_bound = ls.compute_bound, mem_bound = ls.memory_bound;
    if (k.ideal) {
        comp_bound += head.compute_time;
        mem_bound += head.memory_time;
    } else {
        (head.bound() == resource::compute ? comp_bound : mem_bound) += head.time(); // empty: 0
    }
    r.comm.pp = st.head ? seconds{} : t.pp_send;
    r.draft = st.head ? t.draft : seconds{};
    const stage_totals e = stage_totals_of(k, t, st, ls);
    r.compute = e.compute;
    r.time = e.time;
    // Ideal mode: the resource whose total is longest (compute on a tie, the network only when
    // strictly longer than both sums). Default: the network when it outlasts the groups each
    // resource binds, else the resource binding the larger share of the groups' time.
    if (k.ideal)
        r.bound = e.comm > e.compute        ? resource::network
                  : comp_bound >= mem_bound ? resource::compute
                                            : resource::memory;
    else
        r.bound = e.comm > comp_bound && e.comm > mem_bound ? resource::network
                  : comp_bound >= mem_bound                 ? resource::compute
                                                            : resource::memory;
}

/// One GPU of stage `st` running a step under `ld`, whose load terms are `t`.
constexpr stage_step step_cost(const step_constants& k, const load_terms& t, const stage_shape& st,
                               const step_load& ld) {
    stage_step r;
    layer_costs(r, k, t, st, ld);
    finish_step(r, k, t, st, sum_layers(r, k.ideal));
    return r;
}

/// One GPU of stage `st` running a step under `ld` (constants and load terms worked out here).
constexpr stage_step step_cost(const model_spec& m, const cluster_spec& c, const layout& l,
                               const stage_shape& st, const step_load& ld, const eval_options& o) {
    const step_constants k = step_constants_of(m, c, l, o);
    return step_cost(
        k, load_terms_of(k, ld, experts_touched(k.experts, k.top_k, ld.expert_tokens, k.skew)), st,
        ld);
}

} // namespace moecost::engine
