#pragma once
/**
 * @file
 * Evaluation of a deployment: model × cluster × layout × workload → per-GPU memory,
 * prefill and decode step costs per operator group, communication, TTFT, TPOT, tokens/s per
 * GPU, the binding resource, violations and requirement verdicts (docs/model.md §Deployment).
 *
 * constexpr and allocation-free: usable in `static_assert` and in tight search loops.
 *
 * @code
 * constexpr auto r = moecost::evaluate(moecost::presets::seed_moe, moecost::presets::seed_gpu,
 *                                      moecost::seed_layout(8, 2, 4, 2), {.batch = 128, .prompt =
 * 10240}); static_assert(r.memory.fits);
 * @endcode
 */

#include <moecost/count/flops.hpp>
#include <moecost/count/memory.hpp>
#include <moecost/count/params.hpp>
#include <moecost/count/traffic.hpp>
#include <moecost/spec/hardware.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/workload.hpp>
#include <moecost/time/collectives.hpp>
#include <moecost/time/roofline.hpp>

#include <array>
#include <cstddef>

namespace moecost {

/// Operator groups of a step, in the order of `stage_step::ops`.
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
    seconds compute{}; ///< Σ roofline times of the operator groups
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

/// Memory of one GPU on the most loaded stage.
struct memory_breakdown {
    bytes weights{};
    bytes kv_cache{};
    bytes activations{};
    bytes capacity{};
    bytes usable{}; ///< capacity × headroom
    int stage = 0;
    bool fits = false;
    [[nodiscard]] constexpr bytes total() const { return weights + kv_cache + activations; }
};

/// One service target and how the deployment does against it.
struct requirement_check {
    const char* name = "";
    double value = 0;
    double target = 0;
    bool applies = false;
    bool pass = true;
};

/// Everything an evaluation finds.
struct report {
    memory_breakdown memory{};
    phase_result prefill{};
    phase_result decode{};
    violations problems{}; ///< division, world-size and memory rules
    std::array<requirement_check, 5> requirements{};
    bool evaluated =
        false; ///< the phases were costed (false when a spec or the layout's own rules broke)
    int max_batch = 0;                 ///< largest batch (multiple of DP) that fits
    double decode_experts_touched = 0; ///< distinct experts per layer per EP group per decode step
    double decode_tokens_per_step = 1; ///< tokens a sequence gains per decode step (drafts: > 1)
    bool ideal = false;

    [[nodiscard]] constexpr bool meets() const {
        for (const auto& r : requirements)
            if (r.applies && !r.pass)
                return false;
        return problems.ok();
    }
    [[nodiscard]] constexpr bool valid() const { return problems.ok(); }
};

// ---- division checks ---------------------------------------------------------------

namespace detail {
/// The rules of check_layout past the layout's own, added to `out`; `l` must be valid.
constexpr void check_layout_rules(violations& out, const model_spec& m, const cluster_spec& c,
                                  const layout& l, const workload& w) {
    if (m.layers % l.pp != 0 && !l.uneven_stages)
        out.add(rule::layers_vs_pp, "layers", m.layers, l.pp);
    if (is_moe(m) && expert_slots(m, l) % l.ep != 0)
        out.add(rule::experts_vs_ep, "moe.experts", expert_slots(m, l), l.ep);
    if (m.attention.heads % l.tp != 0)
        out.add(rule::heads_vs_tp, "attention.heads", m.attention.heads, l.tp);
    if (!is_mla(m)) {
        const int k = kv_heads_of(m);
        if (k % l.tp != 0 && l.tp % k != 0)
            out.add(rule::kv_heads_vs_tp, "attention.kv_heads", k, l.tp);
    }
    if (dense_layers(m) > 0 && m.ffn.hidden % l.tp != 0)
        out.add(rule::ffn_vs_tp, "ffn.hidden", m.ffn.hidden, l.tp);
    if (is_moe(m) && m.moe.expert_hidden % etp_of(l) != 0)
        out.add(rule::expert_ffn_vs_etp, "moe.expert_hidden", m.moe.expert_hidden, etp_of(l));
    if (w.batch % l.dp != 0)
        out.add(rule::batch_vs_dp, "dp", w.batch, l.dp);
    if (w.prompt % l.cp != 0)
        out.add(rule::prompt_vs_cp, "workload.prompt", w.prompt, l.cp);
    if (w.draft_tokens > 0 && m.mtp_layers <= 0)
        out.add(rule::draft_needs_mtp, "workload.draft_tokens", w.draft_tokens, 0);
    if (c.max_gpus > 0 && world_size(l) > c.max_gpus)
        out.add(rule::world_vs_cluster, "world", world_size(l), c.max_gpus);
    if (l.tp > c.gpus_per_node)
        out.add(rule::group_crosses_node, "tp", l.tp, c.gpus_per_node);
    if (etp_of(l) > c.gpus_per_node)
        out.add(rule::group_crosses_node, "etp", etp_of(l), c.gpus_per_node);
}

/// check_layout's violations added to an empty `out`.
constexpr void check_layout_into(violations& out, const model_spec& m, const cluster_spec& c,
                                 const layout& l, const workload& w) {
    validate_into(out, l);
    if (out.ok())
        check_layout_rules(out, m, c, l, w);
}
} // namespace detail

/// Module-division, world-size and node rules for a model on a layout, cluster and workload.
constexpr violations check_layout(const model_spec& m, const cluster_spec& c, const layout& l,
                                  const workload& w) {
    violations out;
    detail::check_layout_into(out, m, c, l, w);
    return out;
}

namespace detail {

constexpr double ceil_div(double a, double b) {
    const double q = a / b;
    const auto i = static_cast<long long>(q);
    return static_cast<double>(i) < q ? static_cast<double>(i + 1) : static_cast<double>(i);
}
constexpr double int_pow(double x, int n) {
    double r = 1.0;
    for (int i = 0; i < n; ++i)
        r *= x;
    return r;
}
constexpr double dmin(double a, double b) {
    return a < b ? a : b;
}
constexpr double dmax(double a, double b) {
    return a > b ? a : b;
}

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

/// The parts of a step's cost fixed by the model, the cluster, the layout and the options.
struct step_constants {
    const model_spec* m = nullptr;
    layout l{};
    double h = 0, tp = 1, cp = 1, ep = 1, etp = 1;
    double inv_tp = 1, inv_cp = 1, inv_ep = 1, inv_etp = 1; ///< their reciprocals
    double wb = 0, ab = 0, kb = 0;  ///< bytes per weight, activation and KV element
    double ewb = 0;                 ///< bytes per routed-expert matrix element
    double tb = 0;                  ///< bytes per embedding and LM head element
    double imb = 1;                 ///< expert imbalance (1 when ideal)
    double skew = 0;                ///< routing skew (Zipf exponent; 0 uniform)
    bool overlap = false;           ///< communication hidden behind compute
    seconds_per_flop mm_time{};     ///< matmuls with weights (1 / effective rate)
    seconds_per_flop expert_time{}; ///< ... with the routed experts' weights
    seconds_per_flop head_time{};   ///< ... with the LM head's
    seconds_per_flop attn_time{};   ///< the attention core
    seconds_per_byte hbm_time{};
    std::array<double, 2> proj{}; ///< attn_proj_per_gpu by mla_form
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
    double head_weight_bytes = 0;
    double remote_nodes = 0;   ///< expected distinct other nodes a token's copies go to
    double dispatch_bytes = 0; ///< bytes per element of the EP dispatch
    link_cost intra{}, inter{}, tp_link{}, etp_link{}, cp_link{}, pp_link{};
};

/**
 * Expected distinct nodes, other than its own, that one token's k expert copies reach when its
 * EP group spans `nodes` nodes (docs/model.md §10.2). Uniform routing: (N − 1)·(1 − (1 − 1/N)^k).
 * Group-limited routing (moe.group_top_k G of moe.groups n_g) with experts placed contiguously
 * on whole nodes (the EP span and each expert's ETP shards fill whole nodes, no redundant
 * expert breaks the placement): a node is reached only through the chosen groups it holds. Each
 * node holding g = n_g/N whole groups, j of them chosen (hypergeometric): 1 − (1 − j/G)^k; each
 * group spanning N/n_g nodes: (G/n_g)·(1 − (1 − n_g/(N·G))^k). Other shapes keep the uniform
 * figure.
 */
constexpr double remote_nodes_of(const moe_spec& e, const layout& l, int gpus_per_node,
                                 double nodes) {
    if (nodes <= 1)
        return 0.0;
    const int n_g = e.groups, G = e.group_top_k, N = static_cast<int>(nodes);
    const auto uniform = [&] {
        return (nodes - 1.0) * (1.0 - int_pow(1.0 - 1.0 / nodes, e.top_k));
    };
    if (G <= 0 || G >= n_g) // no limit: the common case, without the placement checks
        return uniform();
    const int etp = etp_of(l);
    if ((l.ep * etp) % gpus_per_node != 0 || gpus_per_node % etp != 0 || l.redundant_experts != 0)
        return uniform();
    if (n_g % N == 0) {
        const int g = n_g / N;
        // P(j of the node's g groups among the G chosen) = C(g, j)·C(n_g − g, G − j) / C(n_g, G);
        // products first and one division each, exact for these small integers
        auto choose = [](int n, int r) {
            if (r < 0 || r > n)
                return 0.0;
            double num = 1.0, den = 1.0;
            for (int i = 1; i <= r; ++i) {
                num *= n - r + i;
                den *= i;
            }
            return num / den;
        };
        const double inv_G = 1.0 / G;
        double sum = 0.0;
        for (int j = 1; j <= g && j <= G; ++j)
            sum +=
                choose(g, j) * choose(n_g - g, G - j) * (1.0 - int_pow(1.0 - j * inv_G, e.top_k));
        return (nodes - 1.0) * sum / choose(n_g, G);
    }
    if (N % n_g == 0)
        return (nodes - 1.0) * (static_cast<double>(G) / n_g) *
               (1.0 - int_pow(1.0 - static_cast<double>(n_g) / (nodes * G), e.top_k));
    return uniform();
}

/// Step constants of model m on cluster c (already idealised when o.ideal) and layout l.
constexpr step_constants step_constants_of(const model_spec& m, const cluster_spec& c,
                                           const layout& l, const eval_options& o) {
    // Every member is given at once (no zero-fill of the struct before the stores), each
    // divisor inverted once; the terms multiply.
    const auto& a = m.attention;
    const auto& e = m.moe;
    const double h = m.hidden, tp = l.tp, cp = l.cp, ep = l.ep, etp = etp_of(l);
    const double inv_tp = 1.0 / tp, inv_etp = 1.0 / etp, inv_shards = 1.0 / kv_shards(m, l);
    const double wb = bytes_of(m.precision.weights), ab = bytes_of(m.precision.activations),
                 kb = bytes_of(m.precision.kv);
    const dtype edt = experts_dtype(m.precision), tdt = embeddings_dtype(m.precision);
    const seconds_per_flop mm_time = 1.0 / effective_flop_rate(c.gpu, m.precision.weights);
    const weight_terms weights = weight_terms_of(m, l);
    const double q_dim = is_mla(m) ? a.heads * double(a.qk_nope_head_dim + a.qk_rope_head_dim)
                                   : a.heads * double(head_dim_of(m));
    const double kv_dim = is_mla(m) ? a.kv_lora_rank + double(a.qk_rope_head_dim)
                                    : 2.0 * kv_heads_of(m) * head_dim_of(m);
    const double ctx_dim = is_mla(m) ? a.heads * double(a.v_head_dim) : q_dim;
    const double kv_layer_bytes = kv_elements_per_token_per_layer(m) * kb * inv_shards;
    const double io = (q_dim + kv_dim + ctx_dim) * inv_tp;
    const double mats = matrices(m.ffn.gated);

    // EP all-to-all: each GPU dispatches its 1/TP share of its tokens, k copies each. Uniform
    // routing keeps 1/EP of the copies on the GPU and sends the rest over NVLink; a copy bound
    // for another node crosses the NIC once per destination node and is forwarded there over
    // NVLink (DeepEP's internode scheme), so the NIC carries the expected number of distinct
    // remote nodes per token (remote_nodes_of).
    const double span = ep * etp, gpn = c.gpus_per_node;
    const double nodes = span > gpn ? ceil_div(span, gpn) : 1.0;
    const link_cost intra = cost_of(c.intra_node), inter = cost_of(c.inter_node);
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
        .inv_ep = 1.0 / ep,
        .inv_etp = inv_etp,
        .wb = wb,
        .ab = ab,
        .kb = kb,
        .ewb = bytes_of(edt),
        .tb = bytes_of(tdt),
        .imb = o.ideal ? 1.0 : o.expert_imbalance,
        .skew = o.routing_skew,
        .overlap = o.ideal || o.overlap,
        .mm_time = mm_time,
        .expert_time = edt == m.precision.weights ? mm_time : 1.0 / effective_flop_rate(c.gpu, edt),
        .head_time = tdt == m.precision.weights ? mm_time : 1.0 / effective_flop_rate(c.gpu, tdt),
        .attn_time = attention_dtype(m.precision) == m.precision.weights
                         ? mm_time
                         : 1.0 / effective_flop_rate(c.gpu, attention_dtype(m.precision)),
        .hbm_time = 1.0 / effective_hbm_rate(c.gpu),
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
        .head_weight_bytes = weights.head * bytes_of(tdt),
        .remote_nodes = remote_nodes_of(e, l, c.gpus_per_node, nodes),
        .dispatch_bytes = o.dispatch_fp8 ? 1.0 : ab,
        .intra = intra,
        .inter = inter,
        .tp_link = group(l.tp), // as link_for_group
        .etp_link = group(etp_of(l)),
        .cp_link = group(l.tp * l.cp),
        .pp_link = group(stage_gpus(l) + 1)};
}

/// The parts of a step's cost fixed by its load, whatever layers the stage holds.
struct load_terms {
    double T = 0;               ///< tokens at this GPU's TP group
    double T_tp = 0;            ///< ... its 1/TP share
    double experts_touched = 0; ///< distinct experts the load's tokens pick (of E, per EP group)
    double routed_tokens = 0;   ///< expert tokens per GPU, ETP-split
    double attn_traffic = 0;    ///< one layer's projection bytes
    double router_traffic = 0, routed_traffic = 0, shared_traffic = 0,
           dense_traffic = 0; ///< per MoE/dense layer
    op_cost lm_head{};
    seconds tp_reduce{};  ///< one TP all-reduce
    seconds ep_layer{};   ///< EP dispatch + combine of one MoE layer
    seconds etp_gather{}; ///< one ETP all-gather
    seconds cp_layer{};   ///< CP exchange of one layer
    seconds pp_send{};    ///< send to the next stage
    bytes ep_intra{}, ep_inter{};
    seconds draft{}; ///< speculative decoding: the last stage's MTP passes after its layers
};

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
        lm_head = roofline(make<flops>(rows * 2.0 * h * k.vocab * k.inv_tp),
                           make<bytes>(k.head_weight_bytes + rows * k.vocab * k.inv_tp * 4.0),
                           k.head_time, k.hbm_time);
    }
    const bool ep = moe && l.ep > 1;
    const double disp_b = k.dispatch_bytes, send_tokens = T_tp * k.imb;
    const bytes in =
        ep ? make<bytes>(send_tokens * k.top_k * h * (k.ep - 1.0) * k.inv_ep) : bytes{};
    const bytes out = ep ? make<bytes>(send_tokens * h * k.remote_nodes) : bytes{};
    seconds cp_layer{};
    if (l.cp > 1) {
        const bytes shard =
            ld.decode ? make<bytes>(ld.seqs * ld.tokens_per_seq * k.ctx_dim * k.inv_tp * ab)
                      : make<bytes>((T + ld.seqs * ld.kv_len * k.inv_cp) * k.kv_layer_bytes);
        cp_layer = all_gather_time(shard, l.cp, k.cp_link);
    }
    return {.T = T,
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
            .lm_head = lm_head,
            .tp_reduce =
                l.tp > 1 ? all_reduce_time(make<bytes>(T * h * ab), l.tp, k.tp_link) : seconds{},
            .ep_layer = ep ? all_to_all_time(disp_b * in, disp_b * out, k.intra, k.inter) +
                                 all_to_all_time(ab * in, ab * out, k.intra, k.inter)
                           : seconds{},
            .etp_gather =
                moe && etp_of(l) > 1
                    ? all_gather_time(make<bytes>(routed_tokens * h * ab), etp_of(l), k.etp_link)
                    : seconds{},
            .cp_layer = cp_layer,
            .pp_send = send_time(make<bytes>(T_tp * h * ab), k.pp_link),
            .ep_intra = (disp_b + ab) * in,
            .ep_inter = (disp_b + ab) * out,
            .draft = {}};
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

    auto set = [&](op_group g, double work, double traffic, seconds_per_flop per_flop) {
        put(r, g, roofline(make<flops>(work), make<bytes>(traffic), per_flop, k.hbm_time));
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
    set(op_group::attention_proj, proj, st.layers * t.attn_traffic, k.mm_time);
    set(op_group::attention_core, attn_core_flops(m, form, keys) * k.inv_tp, core_traffic,
        k.attn_time);
    if (st.moe > 0) {
        set(op_group::router, st.moe * T * 2.0 * h * k.experts * k.inv_tp,
            st.moe * t.router_traffic, k.mm_time);
        set(op_group::routed_experts, st.moe * t.routed_tokens * 2.0 * k.mats * h * k.expert_hidden,
            st.moe * t.routed_traffic, k.expert_time);
        if (k.shared_experts > 0)
            set(op_group::shared_experts,
                st.moe * T * 2.0 * k.shared_experts * k.mats * h * k.shared_hidden * k.inv_tp,
                st.moe * t.shared_traffic, k.mm_time);
    }
    if (st.dense > 0)
        set(op_group::dense_ffn, st.dense * T * 2.0 * k.mats * h * k.ffn_hidden * k.inv_tp,
            st.dense * t.dense_traffic, k.mm_time);

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

/// The sums of a step's layer part: every operator group but the LM head, every collective
/// but the send to the next stage (in the order of the full sums, which finish_step completes).
struct layer_sums {
    seconds compute{}, compute_bound{}, memory_bound{}, comm{};
};

/// Every collective of a step but the send to the next stage (its layers' communication).
constexpr seconds layer_comm(const comm_cost& cm) {
    return cm.tp + cm.ep + cm.etp + cm.cp;
}

constexpr layer_sums sum_layers(const stage_step& r) {
    layer_sums ls;
    for (std::size_t g = 0; g < static_cast<std::size_t>(op_group::lm_head); ++g) {
        const op_cost& op = r.ops[g];
        ls.compute += op.time();
        (op.bound() == resource::compute ? ls.compute_bound : ls.memory_bound) += op.time();
    }
    ls.comm = layer_comm(r.comm);
    return ls;
}
constexpr layer_sums sum_layers(const layer_time& r) { // groups left out add 0: the same sum
    return {.compute = r.compute, .comm = layer_comm(r.comm)};
}

/// A stage's compute and communication: its layer sums `ls` plus its ends (LM head on the
/// last stage, send to the next stage on the others), and the step time they give.
struct stage_totals {
    seconds compute{}, comm{}, time{};
};
constexpr stage_totals stage_totals_of(const step_constants& k, const load_terms& t,
                                       const stage_shape& st, const layer_sums& ls) {
    stage_totals e{.compute = ls.compute, .comm = ls.comm};
    if (st.head && k.vocab > 0)
        e.compute += t.lm_head.time();
    if (!st.head)
        e.comm += t.pp_send;
    e.time = k.overlap ? (e.compute > e.comm ? e.compute : e.comm) : e.compute + e.comm;
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
    (head.bound() == resource::compute ? comp_bound : mem_bound) += head.time(); // empty: 0
    r.comm.pp = st.head ? seconds{} : t.pp_send;
    r.draft = st.head ? t.draft : seconds{};
    const stage_totals e = stage_totals_of(k, t, st, ls);
    r.compute = e.compute;
    r.time = e.time;
    r.bound = e.comm > comp_bound && e.comm > mem_bound ? resource::network
              : comp_bound >= mem_bound                 ? resource::compute
                                                        : resource::memory;
}

/// One GPU of stage `st` running a step under `ld`, whose load terms are `t`.
constexpr stage_step step_cost(const step_constants& k, const load_terms& t, const stage_shape& st,
                               const step_load& ld) {
    stage_step r;
    layer_costs(r, k, t, st, ld);
    finish_step(r, k, t, st, sum_layers(r));
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

/// One forward of the MTP modules on one GPU of the last stage, as times.
struct mtp_forward {
    seconds compute{}; ///< blocks, projections and heads
    seconds head{};    ///< the heads' share (not recomputed)
    seconds core{};    ///< the blocks' attention core (selective recomputation)
    seconds comm{};    ///< the blocks' collectives
};

/**
 * `n` forward passes of MTP modules on the last stage under load `ld` (terms `t`): each a block
 * of the last layer's kind (its operator groups and collectives as a layer's), the 2h→h
 * projection split over TP, and the shared head (DeepSeek-V3 §2.2). Training runs each module
 * once (n = mtp_layers), speculative decoding one pass per draft. Zero without MTP modules.
 */
constexpr mtp_forward mtp_forward_of(const model_spec& m, const step_constants& k,
                                     const load_terms& t, const step_load& ld, int n) {
    mtp_forward x;
    if (m.mtp_layers <= 0 || n <= 0)
        return x;
    const int i = mtp_block_layer(m);
    const bool moe = is_moe_layer(m, i);
    const stage_shape blocks{.first = i,
                             .layers = n,
                             .moe = moe ? n : 0,
                             .dense = moe ? 0 : n,
                             .sliding = is_sliding_layer(m, i) ? n : 0};
    stage_step s;
    layer_costs(s, k, t, blocks, ld);
    const layer_sums ls = sum_layers(s);
    const double h = k.h;
    const op_cost proj = roofline(
        make<flops>(n * t.T * 2.0 * (2.0 * h) * h * k.inv_tp),
        make<bytes>(n * (2.0 * h * h * k.inv_tp * k.wb + t.T * (2.0 * h + h * k.inv_tp) * k.ab)),
        k.mm_time, k.hbm_time);
    x.head = static_cast<double>(n) * t.lm_head.time();
    x.compute = ls.compute + proj.time() + x.head;
    x.core = s.op(op_group::attention_core).time();
    x.comm = ls.comm;
    return x;
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

/// Σ over all stages of the step time under `ld` (load terms `t`), without any breakdown.
constexpr seconds stage_time_sum(const step_constants& k, const load_terms& t, const stage_set& ss,
                                 const step_load& ld) {
    if (ss.every_stage) {
        phase_result unused;
        return run_every_stage(k, t, ss.pp, ld, unused);
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
            ls = sum_layers(s);
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

constexpr double causal_keys(double s) {
    return s * (s + 1.0) / 2.0;
}
constexpr double causal_keys_window(double s, double w) {
    return s <= w ? causal_keys(s) : w * (w + 1.0) / 2.0 + (s - w) * w;
}

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
    eval_options o = opt;
    if (o.ideal)
        o.expert_imbalance = 1.0;
    return {.m = &m,
            .hbm = cluster.gpu.hbm,
            .l = l,
            .o = o,
            .stages = ss != nullptr ? *ss : stages_of(m, l.pp),
            .k = o.ideal ? step_constants_of(m, idealized(cluster), l, o) // no cluster copy
                         : step_constants_of(m, cluster, l, o),
            .activation = activation_rates_of(m)};
}

/// The drafts a decode step verifies: the workload's, when the model has MTP modules to draft
/// with (without them the workload breaks draft_needs_mtp and is costed as plain decoding).
constexpr int drafts_of(const model_spec& m, const workload& w) {
    return m.mtp_layers > 0 ? w.draft_tokens : 0;
}
/// The MTP modules that draft: one per draft, as many as the model has (then used in turn).
constexpr int drafting_modules_of(const model_spec& m, const workload& w) {
    const int d = drafts_of(m, w);
    return d < m.mtp_layers ? d : m.mtp_layers;
}

/**
 * What one step of a phase asks of the busiest GPUs: a prefill micro-batch (B/M prompts of
 * s tokens, M = prefill micro-batches) or a decode micro-batch (B/M_d sequences, one token
 * each at context c, or 1 + d with d drafts to verify). The one place a phase's load is
 * defined (evaluate, the DAG).
 */
constexpr step_load phase_load(const model_spec& m, const layout& l, const workload& w,
                               bool decode) {
    const double B = w.batch, S = w.prompt, ctx = context_of(w), dp = l.dp, edp = edp_of(l);
    const double win = window_keys(m);
    if (!decode) {
        // With prefix caching the first P = hit·s positions are cached: tokens P + 1 … s are
        // computed, each attending to its position's keys, and the P cached entries are read.
        const double Bmb = B / prefill_micro_batches_of(w, l.pp);
        step_load ld{.seqs = ceil_div(Bmb, dp),
                     .tokens_per_seq = S,
                     .keys_full = causal_keys(S),
                     .keys_sliding = causal_keys_window(S, win),
                     .expert_tokens = Bmb * S / edp,
                     .kv_len = 0,
                     .decode = false};
        if (w.prefix_cache_hit > 0) {
            const double P = S * w.prefix_cache_hit, N = S - P;
            ld.tokens_per_seq = N;
            ld.keys_full -= causal_keys(P);
            ld.keys_sliding -= causal_keys_window(P, win);
            ld.expert_tokens = Bmb * N / edp;
            ld.kv_len = P;
        }
        return ld;
    }
    // With d drafts a step verifies q = 1 + d tokens per sequence, at positions ctx … ctx + d:
    // token i attends to ctx + i keys, reads the cache once and writes q entries.
    const double Bmb = B / decode_micro_batches_of(w, l.pp);
    step_load ld{.seqs = ceil_div(Bmb, dp),
                 .tokens_per_seq = 1,
                 .keys_full = ctx,
                 .keys_sliding = dmin(ctx, win),
                 .expert_tokens = Bmb / edp,
                 .kv_len = ctx,
                 .decode = true};
    if (const int d = drafts_of(m, w); d > 0) {
        const double q = 1.0 + d;
        ld.tokens_per_seq = q;
        ld.keys_full = q * ctx + d * (d + 1.0) / 2.0;
        for (int i = 1; i <= d; ++i)
            ld.keys_sliding += dmin(ctx + i, win);
        ld.expert_tokens = Bmb * q / edp;
        ld.logit_rows_per_seq = q;
    }
    return ld;
}

/// n MTP passes under load ld (terms t) as a time: compute then communication, or the longer
/// of the two when overlapped.
constexpr seconds mtp_time_of(const model_spec& m, const step_constants& k, const load_terms& t,
                              const step_load& ld, int n) {
    const mtp_forward x = mtp_forward_of(m, k, t, ld, n);
    return k.overlap ? (x.compute > x.comm ? x.compute : x.comm) : x.compute + x.comm;
}

/**
 * The last stage's draft passes in a decode step under w (zero without drafts): after
 * verifying, it drafts the next step's tokens, one MTP pass per draft, the modules taken in
 * turn. Each drafting module first runs over the tokens the step kept, E =
 * tokens_per_decode_step of them a sequence on average (their hidden states feed it and its
 * cache takes their entries, as SGLang's draft extend does); the passes left draft one token a
 * sequence each, after them (docs/model.md §12.1).
 */
constexpr seconds draft_time_of(const model_spec& m, const step_constants& k, const layout& l,
                                const workload& w) {
    const int d = drafts_of(m, w);
    if (d <= 0)
        return {};
    workload one = w;
    one.draft_tokens = 0;
    const step_load ld = phase_load(m, l, one, true);
    const auto terms = [&](const step_load& x) {
        return load_terms_of(k, x, experts_touched(k.experts, k.top_k, x.expert_tokens, k.skew));
    };
    // Verified token i (at position ctx + i, ctx + i keys) is kept when it and the drafts
    // before it were accepted, with chance α^i, E of them on average; the draft is sampled at
    // the last kept one, one logit row a sequence.
    const double ctx = context_of(w), win = window_keys(m);
    const double E = tokens_per_decode_step(w);
    step_load kept = ld;
    kept.keys_full = 0;
    kept.keys_sliding = 0;
    double chance = 1;
    for (int i = 0; i <= d; ++i, chance *= w.draft_acceptance) {
        kept.keys_full += chance * (ctx + i);
        kept.keys_sliding += chance * dmin(ctx + i, win);
    }
    kept.tokens_per_seq = E;
    kept.expert_tokens = ld.expert_tokens * E;
    const int modules = drafting_modules_of(m, w);
    seconds t = mtp_time_of(m, k, terms(kept), kept, modules);
    // the passes left: one token each at positions ctx + E, ctx + E + 1, ..., keys as many
    if (const int later = d - modules; later > 0) {
        step_load next = ld;
        const double mean = ctx + E + (later - 1.0) / 2.0;
        next.keys_full = mean;
        next.keys_sliding = dmin(mean, win);
        t += mtp_time_of(m, k, terms(next), next, later);
    }
    return t;
}

/// The drafting modules' pass over a prefill load (terms t): each that drafts reads the
/// prompt once, filling its cache and making the first draft (zero without drafts).
constexpr seconds prompt_mtp_time_of(const model_spec& m, const step_constants& k,
                                     const load_terms& t, const step_load& ld, const workload& w) {
    return mtp_time_of(m, k, t, ld, drafting_modules_of(m, w)); // zero passes: zero
}

/**
 * The evaluation proper, into a default report `r` whose `problems` hold the layout's
 * violations (check_layout's), for specs already validated. Search calls this directly with
 * one `prepared` per layout, so that the layout's work is done once for all its batches.
 */
constexpr void evaluate_into(report& r, const prepared& p, const workload& w,
                             const requirements& req) {
    const model_spec& m = *p.m;
    const layout& l = p.l;
    const eval_options& o = p.o;
    const stage_set& ss = p.stages;
    r.ideal = o.ideal;
    r.evaluated = true;
    const double B = w.batch, S = w.prompt, ctx = context_of(w), dp = l.dp;
    const double world = world_size(l);

    // the three loads: a prefill micro-batch, one request alone (TTFT), a decode micro-batch
    const step_load ld_prefill = phase_load(m, l, w, false);
    step_load ld_one = ld_prefill;
    ld_one.seqs = 1;
    ld_one.expert_tokens = ld_prefill.tokens_per_seq;
    const step_load ld_decode = phase_load(m, l, w, true);
    const std::array<double, 3> touched = experts_touched_each<3>(
        p.k.experts, p.k.top_k,
        {ld_prefill.expert_tokens, ld_one.expert_tokens, ld_decode.expert_tokens}, p.k.skew);

    // prefill: the batch in micro-batches through the pipeline
    {
        const double M = prefill_micro_batches_of(w, l.pp);
        const step_load& ld = ld_prefill;
        load_terms t = load_terms_of(p.k, ld, touched[0]);
        load_terms t_one = load_terms_of(p.k, ld_one, touched[1]);
        if (drafts_of(m, w) > 0) { // the drafting modules read the prompt on the last stage
            t.draft = prompt_mtp_time_of(m, p.k, t, ld, w);
            t_one.draft = prompt_mtp_time_of(m, p.k, t_one, ld_one, w);
        }
        const seconds sum = run_stages(p.k, t, ss, ld, r.prefill);
        const seconds slowest = r.prefill.slowest.time;
        r.prefill.batch_time = (M - 1.0) * slowest + sum;
        r.prefill.tokens_per_gpu = make<tokens>(B * S) / r.prefill.batch_time / world;
        r.prefill.bubble_fraction =
            1.0 - M * slowest.value() * 1.0 / r.prefill.batch_time.value() * 1.0;
        if (l.pp == 1)
            r.prefill.bubble_fraction = 0;
        // TTFT: one request alone, through every stage
        r.prefill.latency = stage_time_sum(p.k, t_one, ss, ld_one);
        r.prefill.bottleneck = r.prefill.slowest.bound;
        if (r.prefill.bubble_fraction > 0.5)
            r.prefill.bottleneck = resource::pipeline;
    }
    // decode: a round verifies 1 + drafts tokens per sequence, micro-batches in flight
    {
        const double M = decode_micro_batches_of(w, l.pp);
        const step_load& ld = ld_decode;
        load_terms t = load_terms_of(p.k, ld, touched[2]);
        const int drafts = drafts_of(m, w);
        double gained = 1.0; // tokens per sequence per step
        if (drafts > 0) {
            t.draft = draft_time_of(m, p.k, l, w);
            gained = tokens_per_decode_step(w);
        }
        const seconds sum = run_stages(p.k, t, ss, ld, r.decode);
        const seconds slowest = r.decode.slowest.time;
        const seconds full_round = M * slowest;
        r.decode.batch_time = full_round > sum ? full_round : sum;
        r.decode.latency = drafts > 0 ? r.decode.batch_time / gained : r.decode.batch_time;
        r.decode.tokens_per_gpu = make<tokens>(B * gained) / r.decode.batch_time / world;
        r.decode_tokens_per_step = gained;
        r.decode.bubble_fraction = 1.0 - (M * slowest.value()) / r.decode.batch_time.value();
        if (r.decode.bubble_fraction < 1e-12)
            r.decode.bubble_fraction = 0;
        r.decode.bottleneck = r.decode.slowest.bound;
        if (r.decode.bubble_fraction > 0.5)
            r.decode.bottleneck = resource::pipeline;
        // of the B·(1 + drafts)/M/edp tokens at an EP group
        r.decode_experts_touched = is_moe(m) ? t.experts_touched : 0.0;
    }
    // memory on the most loaded stage; the largest batch is the smallest over stages
    {
        const double seqs = ceil_div(B, dp);
        const int drafts = drafts_of(m, w);
        const double n = (ctx > S ? ctx : S) + drafts; // room for the drafts
        // the MTP modules that draft keep a cache too, on the last stage: one layer each
        double mtp_kv_seq = 0;
        if (drafts > 0) {
            const int used = drafting_modules_of(m, w);
            const stage_shape blocks{.layers = used,
                                     .sliding = is_sliding_layer(m, mtp_block_layer(m)) ? used : 0};
            mtp_kv_seq = kv_bytes_per_gpu(m, l, blocks, 1, n).value();
        }
        const double M_pf = prefill_micro_batches_of(w, l.pp);
        const double pf_seqs = ceil_div(B / M_pf, dp);
        // Working set of one prefill micro-batch, intermediates split by TP; fp32 logits (one
        // row per sequence) only on the stage with the LM head. Per sequence first: the largest
        // batch below needs the per-sequence figures, and they do not wait on the divisions
        // that give the sequence counts.
        const double act_body_seq =
            inference_activation_bytes(p.activation, ld_prefill.tokens_per_seq * p.k.inv_cp, 0)
                .value() *
            p.k.inv_tp;
        const double act_head_seq =
            inference_activation_bytes(p.activation, 0, 1).value() * p.k.inv_tp;
        const double inv_M_pf = 1.0 / M_pf;
        r.memory.capacity = p.hbm;
        r.memory.usable = o.memory_headroom * p.hbm.get();
        double max_seqs = 1e18;
        bool first = true;
        for_each_shape(m, ss, [&](const stage_shape& st, int, int index) {
            const bytes wts =
                make<bytes>(weight_bytes_per_gpu(p.k.weights, st, p.k.wb, p.k.ewb, p.k.tb));
            const double kv_seq =
                kv_bytes_per_gpu(m, l, st, 1, n).value() + (st.head ? mtp_kv_seq : 0.0);
            const double act_seq = st.head ? act_body_seq + act_head_seq : act_body_seq;
            const bytes kv = make<bytes>(seqs * kv_seq);
            const bytes act = make<bytes>(pf_seqs * act_seq);
            const bytes tot = wts + kv + act;
            if (first || tot > r.memory.total()) {
                r.memory.weights = wts;
                r.memory.kv_cache = kv;
                r.memory.activations = act;
                r.memory.stage = index;
            }
            first = false;
            // KV grows with the sequences per DP rank N, activations with the sequences of
            // one prefill micro-batch, ceil(N / M): take the largest N whose total fits.
            const double room = r.memory.usable.value() - wts.value();
            double fit = 0;
            if (room > 0) {
                const double per_seq = kv_seq + act_seq * inv_M_pf;
                fit = per_seq > 0 ? room / per_seq : 1e9;
                fit = static_cast<double>(static_cast<long long>(dmin(fit, 1e9)));
                while (fit > 0 && fit * kv_seq + ceil_div(fit, M_pf) * act_seq > room)
                    fit -= 1;
            }
            max_seqs = dmin(max_seqs, fit);
        });
        r.memory.fits = r.memory.total() <= r.memory.usable;
        if (!r.memory.fits)
            r.problems.add(rule::memory, "memory", r.memory.total().value(),
                           r.memory.usable.value());
        const double mb = static_cast<double>(static_cast<long long>(dmin(max_seqs, 1e9))) * l.dp;
        r.max_batch = mb > double(1 << 30) ? 1 << 30 : static_cast<int>(mb);
    }
    // requirements
    {
        auto at_least = [](const char* name, double v, double t) {
            return requirement_check{name, v, t, t > 0, t <= 0 || v >= t};
        };
        auto at_most = [](const char* name, double v, double t) {
            return requirement_check{name, v, t, t > 0, t <= 0 || v <= t};
        };
        r.requirements[0] = at_least("prefill tokens/s per GPU", r.prefill.tokens_per_gpu.value(),
                                     req.min_prefill_tokens_per_gpu.value);
        r.requirements[1] = at_least("decode tokens/s per GPU", r.decode.tokens_per_gpu.value(),
                                     req.min_decode_tokens_per_gpu.value);
        r.requirements[2] = at_most("TTFT", r.prefill.latency.value(), req.max_ttft.value);
        r.requirements[3] = at_most("TPOT", r.decode.latency.value(), req.max_tpot.value);
        r.requirements[4] =
            at_most("memory per GPU", r.memory.total().value(), req.max_memory_per_gpu.value);
    }
}
} // namespace detail

/**
 * Evaluates a deployment. `req` adds requirement verdicts; `o.ideal` gives physical upper
 * bounds (efficiencies 1, perfect overlap and expert balance).
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
    detail::check_layout_rules(problems, rm, c, l, w);
    detail::evaluate_into(r, detail::prepare(rm, c, l, opt), w, req);
    return r;
}

} // namespace moecost
