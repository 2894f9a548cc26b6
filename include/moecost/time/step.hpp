#pragma once
/**
 * @file
 * The step-cost engine, part 1: what one step of one pipeline stage is made of (operator
 * groups, collectives: `stage_step`), what a step asks of the busiest GPUs (`engine::step_load`)
 * and the parts of a step's cost fixed by the model, cluster, layout and options
 * (`engine::step_constants`), worked out once per evaluation (docs/model.md §Deployment).
 *
 * The engine (namespace `moecost::engine`) is the one layer that turns counts into times:
 * evaluation, training, search, the DAG and the bounds all call it by name.
 */

#include <moecost/count/flops.hpp>
#include <moecost/count/memory.hpp>
#include <moecost/count/params.hpp>
#include <moecost/count/routing.hpp>
#include <moecost/count/shares.hpp>
#include <moecost/detail/math.hpp>
#include <moecost/spec/hardware.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/options.hpp>
#include <moecost/time/collectives.hpp>
#include <moecost/time/roofline.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace moecost {

enum class op_group : std::uint8_t {
    attention_proj,
    attention_core,
    router,
    routed_experts,
    shared_experts,
    dense_ffn,
    lm_head,
};
inline constexpr std::size_t op_group_count = 7;

constexpr const char* name_of(op_group g) {
    switch (g) {
    case op_group::attention_proj:
        return "attention projections";
    case op_group::attention_core:
        return "attention core";
    case op_group::router:
        return "router";
    case op_group::routed_experts:
        return "routed experts";
    case op_group::shared_experts:
        return "shared experts";
    case op_group::dense_ffn:
        return "dense FFN";
    case op_group::lm_head:
        return "LM head";
    }
    return "?";
}

/// Communication of one GPU in one stage step.
struct comm_cost {
    seconds tp{};          ///< TP all-reduces
    seconds ep{};          ///< EP all-to-all dispatch + combine
    seconds etp{};         ///< ETP all-gather + reduce-scatter inside experts
    seconds cp{};          ///< CP exchange of KV (prefill) or partial outputs (decode)
    seconds pp{};          ///< send to the next stage
    bytes ep_intra_node{}; ///< all-to-all bytes this GPU sends inside its node
    bytes ep_inter_node{}; ///< ... and to other nodes
    [[nodiscard]] constexpr seconds total() const { return tp + ep + etp + cp + pp; }
};

/// One GPU of one pipeline stage, one step.
struct stage_step {
    std::array<op_cost, op_group_count> ops{};
    comm_cost comm{};
    seconds compute{}; ///< Σ roofline times of the operator groups; ideal mode: the longer of
                       ///< Σ compute times and Σ HBM times (the groups overlapped)
    seconds draft{};   ///< last stage, speculative decoding: the MTP passes after the layers
                       ///< (decode: the drafts; prefill: over the prompt), in time, not in ops
    seconds time{};    ///< compute + communication (or their max when overlapped) + draft
    resource bound = resource::compute;

    [[nodiscard]] constexpr const op_cost& op(op_group g) const {
        return ops[static_cast<std::size_t>(g)];
    }
    [[nodiscard]] constexpr flops work() const {
        flops f{};
        for (const auto& o : ops)
            f += o.work;
        return f;
    }
    [[nodiscard]] constexpr bytes traffic() const {
        bytes b{};
        for (const auto& o : ops)
            b += o.traffic;
        return b;
    }
};

namespace engine {

using detail::ceil_div;
using detail::dmax;
using detail::dmin;
using detail::int_pow;

/// What one step asks of the busiest GPUs.
struct step_load {
    double seqs = 0;           ///< sequences at the busiest attention DP rank
    double tokens_per_seq = 0; ///< prefill: the prompt's uncached tokens; decode: 1 + drafts
    double keys_full = 0;      ///< Σ keys attended per sequence in a full-attention layer
    double keys_sliding = 0;   ///< ... in a sliding-window layer
    double expert_tokens = 0;  ///< tokens arriving at the busiest EP group (one EDP replica)
    double kv_len = 0; ///< cached KV tokens read per sequence per full layer: decode the context,
                       ///< prefill the cached prefix
    bool decode = false;
    double logit_rows_per_seq = 1; ///< logit rows per sequence (S in training, 1 + drafts)
};

/// Per-token projection FLOPs one TP rank does for one layer (given 1/TP and 1/kv_shards).
constexpr double attn_proj_per_gpu(const model_spec& m, mla_form form, double inv_tp,
                                   double inv_shards) {
    const auto& a = m.attention;
    const double h = m.hidden;
    if (a.kind == attention_kind::mla) {
        const double replicated = 2.0 * ((a.q_lora_rank > 0 ? h * a.q_lora_rank : 0.0) +
                                         h * (a.kv_lora_rank + a.qk_rope_head_dim));
        return replicated + (attn_proj_flops(m, form) - replicated) * inv_tp;
    }
    const double kv = 2.0 * 2.0 * h * kv_heads_of(m) * head_dim_of(m);
    return kv * inv_shards + (attn_proj_flops(m, form) - kv) * inv_tp;
}

constexpr const link_spec& link_for_group(const cluster_spec& c, int span) {
    return span <= c.gpus_per_node ? c.intra_node : c.inter_node;
}

/*
 * A step's cost comes in three layers, each worked out once where it is the same:
 *   step_constants  model × cluster × layout × options: widths, weight bytes, rates, links
 *                   (once per evaluation; once per layout in a search);
 *   load_terms      × the load of one phase: tokens, expert routing, collectives per layer
 *                   (once per phase, shared by every stage shape);
 *   layer_costs     × the stage's layers: the operator groups' rooflines and collectives
 *                   (once per stage shape; stages holding the same layers share them);
 *   finish_step     × the stage's ends: LM head, send to the next stage, and the sums.
 * Every formula keeps its operands in the order it was derived in, so hoisting a factor
 * never changes a result's last bit (a product regrouped can round differently).
 */

/**
 * Kernels one layer launches per operator group (docs/model.md §9.6): each pays the profile's
 * kernel overhead and its HBM ramp. Counted from a CUDA-graph decode step of SGLang and vLLM:
 * projections = norm, QKV, rope, output (MLA: norm, q down, q norm, q up, kv down, kv norm,
 * output); core = cache write, attention; router = norm, gate, top-k; routed experts =
 * permute, up, activation, down, unpermute; shared experts and dense FFN = up, activation,
 * down (the dense layer's norm is the fourth); LM head = norm, head, sampling.
 */
constexpr double kernels_of(op_group g, bool mla) {
    switch (g) {
    case op_group::attention_proj:
        return mla ? 7 : 4;
    case op_group::attention_core:
        return 2;
    case op_group::router:
        return 3;
    case op_group::routed_experts:
        return 5;
    case op_group::shared_experts:
        return 3;
    case op_group::dense_ffn:
        return 4;
    case op_group::lm_head:
        return 3;
    }
    return 0;
}

/// kernels_of for every group, with GQA-style and MLA projections (tables made once).
constexpr std::array<double, op_group_count> kernels_per_layer_of(bool mla) {
    std::array<double, op_group_count> out{};
    for (std::size_t g = 0; g < op_group_count; ++g)
        out[g] = kernels_of(static_cast<op_group>(g), mla);
    return out;
}
inline constexpr std::array<double, op_group_count> kernels_gqa = kernels_per_layer_of(false),
                                                    kernels_mla = kernels_per_layer_of(true);

/// The parts of a step's cost fixed by the model, the cluster, the layout and the options.
struct step_constants {
    const model_spec* m = nullptr;
    layout l{};
    double h = 0, tp = 1, cp = 1, ep = 1, etp = 1;
    double inv_tp = 1, inv_cp = 1, inv_ep = 1, inv_etp = 1; ///< their reciprocals
    double wb = 0, ab = 0, kb = 0;    ///< bytes per weight, activation and KV element
    double ewb = 0;                   ///< bytes per routed-expert matrix element
    double tb = 0;                    ///< bytes per embedding and LM head element
    double imb = 1;                   ///< expert imbalance (1 when ideal)
    double skew = 0;                  ///< routing skew (Zipf exponent; 0 uniform)
    bool overlap = false;             ///< communication hidden behind compute
    bool ideal = false;               ///< operator groups overlapped too (docs/model.md §9.5)
    seconds_per_flop mm_time{};       ///< matmuls with weights (1 / rate at the profile's plateau)
    seconds_per_flop expert_time{};   ///< ... with the routed experts' weights
    seconds_per_flop head_time{};     ///< ... with the LM head's
    seconds_per_flop attn_time{};     ///< the attention core (prefill, flash-attention class)
    seconds_per_byte hbm_time{};      ///< HBM at the profile's plateau
    seconds_per_byte attn_hbm_time{}; ///< decode attention reading the KV cache
    double mm_half = 0, expert_half = 0, head_half = 0; ///< GEMM rows at half the plateau
    double attn_half = 0;      ///< keys per query at half the prefill core's plateau
    double hbm_half = 0;       ///< bytes per kernel at half the HBM plateau
    seconds kernel_overhead{}; ///< per kernel launched
    bool per_kernel = false;   ///< any per-kernel cost (ramp, overhead, elementwise bytes)
    std::array<double, op_group_count> kernels{}; ///< kernels_per_layer of the model
    seconds step_overhead{};                      ///< per inference step (pipeline.hpp)
    seconds a2a_latency{};                        ///< per EP dispatch or combine
    double comm_overlap = 0;                      ///< share of communication hidden under compute
    std::array<double, 2> proj{};                 ///< attn_proj_per_gpu by mla_form
    double ctx_dim = 0;
    double kv_layer_bytes = 0; ///< KV bytes per token per full layer on one GPU
    double latent_up = 0; ///< MLA prefill: FLOPs to up-project one cached latent on one TP rank
    double window = 0;
    weight_terms weights{};       ///< weights per layer kind and stage end (memory)
    double attn_weight_bytes = 0; ///< one layer's attention weights on one TP rank
    double attn_io = 0;           ///< projection activations per token: 2h + (q + kv + ctx)/TP
    double core_io = 0;           ///< prefill attention core bytes per token per layer
    double mats = 0, experts = 0, top_k = 0, expert_hidden = 0, shared_experts = 0,
           shared_hidden = 0, ffn_hidden = 0, vocab = 0;
    double experts_per_gpu = 0;
    double replicas = 1;     ///< expert slots per routed expert, (E + R)/E (1 without redundant)
    double expert_bytes = 0; ///< one routed expert's weights (expert_bytes)
    double router_weight_bytes = 0, router_io = 0;
    double expert_io = 0; ///< 2h + mats·expert_hidden/ETP
    double shared_weight_bytes = 0, shared_io = 0;
    double dense_weight_bytes = 0, dense_io = 0;
    /// Elementwise bytes per token (routed experts: per routed token) of the kernels beside the
    /// GEMMs, by group: attention projections (the norms), dense FFN, routed and shared experts
    /// (the activation; routed: permute and unpermute too). Zero in ideal mode.
    std::array<double, 4> ew{};
    double head_weight_bytes = 0;
    double remote_nodes = 0; ///< expected distinct other nodes a token's copies go to
    /// Default-mode decode across nodes (DeepEP's low-latency kernels): the shares of a
    /// token's expert copies sent to other GPUs of its node and to other nodes (0: the normal
    /// kernels' accounting, and always in ideal mode).
    double ll_local = 0, ll_remote = 0;
    double dispatch_bytes = 0; ///< bytes per element of the EP dispatch
    link_cost intra{}, inter{}, tp_link{}, etp_link{}, cp_link{}, pp_link{};
};

/// Step constants of model m on cluster c (already idealised when o.ideal) and layout l.
constexpr step_constants step_constants_of(const model_spec& m, const cluster_spec& c,
                                           const layout& l, const eval_options& o) {
    // Every member is given at once (no zero-fill of the struct before the stores), each
    // divisor inverted once; the terms multiply.
    const auto& a = m.attention;
    const auto& e = m.moe;
    const double h = m.hidden, tp = l.tp, cp = l.cp, ep = l.ep, etp = etp_of(l);
    const double inv_tp = 1.0 / tp, inv_etp = 1.0 / etp, inv_ep = 1.0 / ep,
                 inv_shards = 1.0 / kv_shards(m, l);
    const double wb = bytes_of(m.precision.weights), ab = bytes_of(m.precision.activations),
                 kb = bytes_of(m.precision.kv);
    const dtype edt = experts_dtype(m.precision), tdt = embeddings_dtype(m.precision);
    const perf_profile& pf = c.gpu.perf;
    const seconds_per_flop mm_time = 1.0 / effective_flop_rate(c.gpu, m.precision.weights);
    const dtype adt = attention_dtype(m.precision);
    const seconds_per_byte hbm_time = 1.0 / effective_hbm_rate(c.gpu);
    const weight_terms weights = weight_terms_of(m, l);
    const double q_dim = is_mla(m) ? a.heads * double(a.qk_nope_head_dim + a.qk_rope_head_dim)
                                   : a.heads * double(head_dim_of(m));
    const double kv_dim = is_mla(m) ? a.kv_lora_rank + double(a.qk_rope_head_dim)
                                    : 2.0 * kv_heads_of(m) * head_dim_of(m);
    const double ctx_dim = is_mla(m) ? a.heads * double(a.v_head_dim) : q_dim;
    const double kv_layer_bytes = kv_elements_per_token_per_layer(m) * kb * inv_shards;
    const double io = (q_dim + kv_dim + ctx_dim) * inv_tp;
    const double mats = matrices(m.ffn.gated);
    // Elementwise kernels beside the GEMMs (docs/model.md §9.6), per token in activation
    // elements: two fused residual-add + norm kernels a layer (read x and the residual, write
    // both: 4h each), the activation function (gated: read 2f, write f; plain: read f, write f:
    // `mats`·f) and MoE's permute and unpermute (read and write each routed copy: 4h). The
    // profile's `unfused_elementwise` share runs as kernels of their own, after the GEMMs'
    // rooflines (ideal mode: all fused).
    const double ew = o.ideal ? 0.0 : pf.unfused_elementwise;
    // A GEMM whose format multiplies quantised activations (fp8, fp4, int8) first casts its
    // input: read at the activations' bytes, written at the format's (DeepGEMM's and
    // Transformer Engine's per-token-group casts), another elementwise kernel. Per token: the
    // projections' inputs (h, ctx/t), the FFN's and experts' (h and their intermediate).
    auto cast = [&](dtype t) {
        const gemm_format f = format_of(c.gpu, t);
        return f == gemm_format::bf16 || bytes_of(t) >= ab ? 0.0 : ab + bytes_of(t);
    };
    const double cw = cast(m.precision.weights), ce = cast(edt);

    // EP all-to-all: each GPU dispatches its 1/TP share of its tokens, k copies each. Uniform
    // routing keeps 1/EP of the copies on the GPU and sends the rest over NVLink; a copy bound
    // for another node crosses the NIC once per destination node and is forwarded there over
    // NVLink (DeepEP's internode scheme), so the NIC carries the expected number of distinct
    // remote nodes per token (remote_nodes_of).
    const double span = ep * etp, gpn = c.gpus_per_node;
    const double nodes = span > gpn ? ceil_div(span, gpn) : 1.0;
    const link_cost intra = cost_of(c.intra_node), inter = cost_of(c.inter_node);
    const bool ll = pf.low_latency_decode_dispatch && !o.ideal && nodes > 1;
    const auto group = [&](int n) { return n <= c.gpus_per_node ? intra : inter; };

    return {
        .m = &m,
        .l = l,
        .h = h,
        .tp = tp,
        .cp = cp,
        .ep = ep,
        .etp = etp,
        .inv_tp = inv_tp,
        .inv_cp = 1.0 / cp,
        .inv_ep = inv_ep,
        .inv_etp = inv_etp,
        .wb = wb,
        .ab = ab,
        .kb = kb,
        .ewb = bytes_of(edt),
        .tb = bytes_of(tdt),
        .imb = o.ideal ? 1.0 : imbalance_over(o, m, l),
        .skew = o.routing_skew,
        .overlap = o.ideal || o.overlap,
        .ideal = o.ideal,
        .mm_time = mm_time,
        .expert_time = edt == m.precision.weights ? mm_time : 1.0 / effective_flop_rate(c.gpu, edt),
        .head_time = tdt == m.precision.weights ? mm_time : 1.0 / effective_flop_rate(c.gpu, tdt),
        // (a rate the matmuls or HBM share is not inverted again)
        .attn_time = adt == m.precision.weights &&
                             pf.attention_prefill == pf.gemm_of(format_of(c.gpu, adt)).peak
                         ? mm_time
                         : 1.0 / (pf.attention_prefill * peak_for(c.gpu, adt)),
        .hbm_time = hbm_time,
        .attn_hbm_time = pf.attention_decode == pf.hbm.peak
                             ? hbm_time
                             : 1.0 / (pf.attention_decode * c.gpu.hbm_bandwidth.get()),
        .mm_half = pf.gemm_of(format_of(c.gpu, m.precision.weights)).half,
        .expert_half = pf.gemm_of(format_of(c.gpu, edt)).half,
        .head_half = pf.gemm_of(format_of(c.gpu, tdt)).half,
        .attn_half = pf.attention_prefill_half,
        .hbm_half = pf.hbm.half,
        .kernel_overhead = pf.kernel_overhead.get(),
        .per_kernel = !o.ideal && (pf.hbm.half > 0 || pf.kernel_overhead.value > 0 || ew > 0),
        .kernels = is_mla(m) ? kernels_mla : kernels_gqa,
        .step_overhead = pf.step_overhead.get(),
        .a2a_latency = pf.a2a_latency.get(),
        .comm_overlap = pf.comm_overlap,
        .proj = {attn_proj_per_gpu(m, mla_form::naive, inv_tp, inv_shards),
                 attn_proj_per_gpu(m, mla_form::absorbed, inv_tp, inv_shards)},
        .ctx_dim = ctx_dim,
        .kv_layer_bytes = kv_layer_bytes,
        .latent_up = is_mla(m) ? 2.0 * a.kv_lora_rank * a.heads *
                                     double(a.qk_nope_head_dim + a.v_head_dim) * inv_tp
                               : 0.0,
        .window = static_cast<double>(a.sliding.window),
        .weights = weights,
        .attn_weight_bytes = weights.attention * wb,
        .attn_io = 2.0 * h + io,
        .core_io = kv_layer_bytes + io * ab,
        .mats = mats,
        .experts = static_cast<double>(e.experts),
        .top_k = static_cast<double>(e.top_k),
        .expert_hidden = static_cast<double>(e.expert_hidden),
        .shared_experts = static_cast<double>(e.shared_experts),
        .shared_hidden = static_cast<double>(e.shared_hidden),
        .ffn_hidden = static_cast<double>(m.ffn.hidden),
        .vocab = static_cast<double>(m.vocab),
        .experts_per_gpu = is_moe(m) ? static_cast<double>(experts_per_gpu(m, l)) : 0.0,
        .replicas = is_moe(m) ? static_cast<double>(expert_slots(m, l)) / e.experts : 1.0,
        .expert_bytes = expert_bytes(m),
        .router_weight_bytes = router_params(m) * wb,
        .router_io = h + e.experts,
        .expert_io = 2.0 * h + mats * e.expert_hidden * inv_etp,
        .shared_weight_bytes = shared_expert_params(m) * inv_tp * wb,
        .shared_io = 2.0 * h + e.shared_experts * mats * e.shared_hidden * inv_tp,
        .dense_weight_bytes = weights.dense_ffn * wb,
        .dense_io = 2.0 * h + mats * m.ffn.hidden * inv_tp,
        .ew = {ew * (8.0 * h * ab + (h + ctx_dim * inv_tp) * cw),
               ew * (mats * m.ffn.hidden * inv_tp * ab + (h + m.ffn.hidden * inv_tp) * cw),
               ew * ((mats * e.expert_hidden * inv_etp + 4.0 * h) * ab +
                     (h + e.expert_hidden * inv_etp) * ce),
               ew * e.shared_experts *
                   (mats * e.shared_hidden * inv_tp * ab + (h + e.shared_hidden * inv_tp) * cw)},
        .head_weight_bytes = weights.head * bytes_of(tdt),
        .remote_nodes = remote_nodes_of(e, l, c.gpus_per_node, nodes),
        .ll_local = ll ? (gpn * inv_etp - 1.0) * inv_ep : 0.0,
        .ll_remote = ll ? 1.0 - gpn * inv_etp * inv_ep : 0.0,
        .dispatch_bytes = o.dispatch_fp8 ? 1.0 : ab,
        .intra = intra,
        .inter = inter,
        .tp_link = group(l.tp), // as link_for_group
        .etp_link = group(etp_of(l)),
        .cp_link = group(l.tp * l.cp),
        .pp_link = group(stage_gpus(l) + 1)};
}

/**
 * A step's time from its compute and its communication: the longer of the two when
 * communication overlaps (ideal mode, `--overlap`), else their sum less the share of
 * communication the profile hides under compute (`comm_overlap`, docs/model.md §9.6).
 */
constexpr seconds step_time_of(const step_constants& k, seconds compute, seconds comm) {
    if (k.overlap)
        return compute > comm ? compute : comm;
    seconds t = compute + comm;
    if (k.comm_overlap > 0)
        t -= k.comm_overlap * (compute < comm ? compute : comm);
    return t;
}

} // namespace engine
} // namespace moecost
