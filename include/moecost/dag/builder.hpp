#pragma once
/**
 * @file
 * The deployment DAG: one evaluated step of a deployment drawn as a graph. Nodes are the
 * modules on their GPU groups (embedding, attention shard, router, expert shards, shared
 * experts, dense FFN, LM head) and the communication between them (TP all-reduce, CP
 * exchange, EP dispatch and combine, ETP all-gather and reduce-scatter, PP send/recv); edges
 * are the tensors that flow, with their shape and bytes. Every node carries the FLOPs, bytes
 * and time one GPU spends on it in the step, and which GPUs run it (docs/dag.md).
 *
 * Identical ranks and identical layers are one node: one cluster per distinct stage shape
 * (the shapes `evaluate` costs), one node per module kind in it with "× N layers", and the
 * GPU ranges it covers. A 256-GPU plan is a few dozen nodes, not thousands.
 *
 * The numbers are `evaluate`'s: each stage shape's step comes from `engine::step_cost`
 * under the phase's load, and the module nodes are its operator groups. What the DAG adds is
 * the split of each stage's communication time over its collectives and the tensor shapes
 * on the edges (see `make_dag`).
 *
 * constexpr and allocation-free (fixed-capacity arrays); the text helpers at the end
 * (`node_id`, `title_of`, `gpus_text`, ...) return `std::string`.
 *
 * @code
 * constexpr auto d = moecost::make_dag(moecost::presets::seed_moe, moecost::presets::seed_gpu,
 *                                      moecost::seed_layout(8, 2, 4, 2),
 *                                      {.batch = 128, .prompt = 10240});
 * static_assert(d.group_count == 2 && d.count(moecost::dag_kind::pp_send) == 1);
 * @endcode
 */

#include <moecost/dag/graph.hpp>
#include <moecost/evaluate/inference.hpp>
#include <moecost/time/load.hpp>
#include <moecost/time/stages.hpp>
#include <moecost/time/step_cost.hpp>

#include <array>
#include <cstddef>

namespace moecost {

namespace detail {

/// A link of 1 B/s without latency: a collective's time on it is the bytes one GPU sends.
inline constexpr link_spec byte_counting_link{
    .bandwidth = {make<byte_rate>(1.0)}, .latency = {}, .efficiency = 1.0};

/// A tensor leaving a node, before it is attached to an edge.
struct dag_tensor {
    double rows = 0, cols = 0, element_bytes = 0;
    const char* rows_symbol = "T";
    const char* cols_symbol = "h";
    const char* dtype = "bf16";
};

struct dag_builder {
    deployment_dag& d;

    constexpr int node(dag_kind k, int g, int repeat, dag_mesh mesh, int size, int stride,
                       dag_kind after = dag_kind::input) {
        dag_node n;
        n.kind = k;
        n.after = k == dag_kind::tp_all_reduce ? after : k;
        n.group = g;
        n.repeat = repeat;
        n.mesh = mesh;
        n.group_size = size;
        n.stride = stride;
        n.bound = is_communication(k) ? resource::network : resource::compute;
        d.nodes[std::size_t(d.node_count)] = n;
        return d.node_count++;
    }
    constexpr void set_op(int i, const op_cost& a, const op_cost& b = {}) {
        dag_node& n = d.nodes[std::size_t(i)];
        n.work = a.work + b.work;
        n.traffic = a.traffic + b.traffic;
        n.time = a.time() + b.time();
        // like stage_step::bound: the larger of the compute-bound and memory-bound shares
        seconds cb = make<seconds>(0), mb = make<seconds>(0);
        (a.bound() == resource::compute ? cb : mb) += a.time();
        (b.bound() == resource::compute ? cb : mb) += b.time();
        n.bound = cb >= mb ? resource::compute : resource::memory;
    }
    constexpr void set_comm(int i, seconds t, bytes sent) {
        d.nodes[std::size_t(i)].time = t;
        d.nodes[std::size_t(i)].traffic = sent;
    }
    constexpr void edge(int from, int to, const dag_tensor& t) {
        dag_edge e;
        e.from = from;
        e.to = to;
        e.rows = t.rows;
        e.cols = t.cols;
        e.element_bytes = t.element_bytes;
        e.rows_symbol = t.rows_symbol;
        e.cols_symbol = t.cols_symbol;
        e.dtype = t.dtype;
        // a tensor passes once per layer holding both ends (once per stage at embedding, LM head,
        // PP)
        const int a = d.nodes[std::size_t(from)].repeat, z = d.nodes[std::size_t(to)].repeat;
        e.repeat = a < z ? a : z;
        d.edges[std::size_t(d.edge_count++)] = e;
    }
};

/// Where a branch of a stage ends: its last node and the tensor it hands on.
struct dag_tail {
    int node = -1;
    dag_tensor out{};
};

/// The open ends of a stage's flow: the nodes whose outputs feed the next node.
struct dag_flow {
    std::array<dag_tail, 4> tails{};
    int count = 0;
};

/// The tensors one step hands between a stage's modules, and the token counts they hold.
struct dag_tensors {
    double T = 0;      ///< tokens at a TP group
    double X = 0;      ///< tokens at an EP group
    double routed = 0; ///< rows reaching one GPU's experts, before ETP
    dag_tensor full{}, share{}, copies{}, arrived{}, gathered{}, scattered{}, last_rows{}, logits{},
        cp_shard{};
};

/// The tensors of a step under load `ld` of model m on layout l with options o (normalised).
constexpr dag_tensors dag_tensors_of(const model_spec& m, const layout& l,
                                     const engine::step_load& ld, const eval_options& o) {
    const double h = m.hidden, tp = l.tp, cp = l.cp, ep = l.ep, etp = etp_of(l);
    const double k = m.moe.top_k;
    const double imb = imbalance_over(o, m, l);
    const double ab = bytes_of(m.precision.activations);
    const char* adt = name_of(m.precision.activations);
    const double disp_b = o.dispatch_fp8 ? 1.0 : ab;
    const char* ddt = o.dispatch_fp8 ? "fp8" : adt;
    dag_tensors t;
    t.T = ld.seqs * ld.tokens_per_seq / cp;
    t.X = ld.expert_tokens;
    t.routed = t.X * k / (ep * etp) * imb;
    const double T = t.T, routed = t.routed;
    t.full = {T, h, ab, "T", "h", adt};
    t.share = {T / tp, h, ab, "T/tp", "h", adt};
    t.copies = {T / tp * imb * k, h, ab, "T·k/tp", "h", adt};
    t.arrived = {routed, h, disp_b, "X·k/(ep·etp)", "h", ddt};
    t.gathered = {routed * etp, h, ab, "X·k/ep", "h", adt};
    t.scattered = {routed, h, ab, "X·k/(ep·etp)", "h", adt};
    const double head_rows = ld.seqs * ld.logit_rows_per_seq / cp;
    const bool drafts = ld.decode && ld.tokens_per_seq > 1; // N sequences of q tokens each
    const char* rows = drafts ? "N·q/cp" : "N/cp";
    t.last_rows = {head_rows, h, ab, rows, "h", adt};
    t.logits = {head_rows, static_cast<double>(m.vocab) / tp, 4.0, rows, "V/tp", "fp32"};
    t.cp_shard = ld.decode
                     ? dag_tensor{ld.seqs * ld.tokens_per_seq,
                                  (is_mla(m) ? m.attention.heads * double(m.attention.v_head_dim)
                                             : m.attention.heads * double(head_dim_of(m))) /
                                      tp,
                                  ab,
                                  drafts ? "N·q" : "N",
                                  "ctx/tp",
                                  adt}
                     : dag_tensor{T + ld.seqs * ld.kv_len / cp, // and the rank's cached share
                                  kv_elements_per_token_per_layer(m) / kv_shards(m, l),
                                  bytes_of(m.precision.kv),
                                  ld.kv_len > 0 ? "T + N·P/cp" : "T",
                                  "kv",
                                  name_of(m.precision.kv)};
    return t;
}

/// A collective's time on `byte_counting_link` as the bytes one GPU sends.
constexpr bytes sent_by(seconds t) {
    return t * make<byte_rate>(1.0);
}

/**
 * Draws one stage group's modules and collectives from its step `s`: the embedding, attention
 * (and CP exchange, TP all-reduce), the MoE and shared-expert branches or the dense FFN, the
 * LM head, the send to the next stage. Each module node carries its operator groups' figures;
 * each collective its share of the step's communication.
 */
struct dag_stage_drawer {
    deployment_dag& d;
    dag_builder& b;
    const model_spec& m;
    const layout& l;
    const cluster_spec& c;
    const dag_tensors& t;
    int g = 0;
    const stage_shape& st;
    const stage_step& s;
    dag_stage_group& grp;
    dag_flow f{};

    /// Feeds every open end into node `to`, which becomes the one open end.
    constexpr void flow_into(int to) {
        for (int i = 0; i < f.count; ++i)
            b.edge(f.tails[std::size_t(i)].node, to, f.tails[std::size_t(i)].out);
        if (grp.entry < 0)
            grp.entry = to;
        f.count = 1;
        f.tails[0].node = to;
    }
    /// Restarts the flow from `from` (a branch).
    constexpr void branch_from(const dag_tail& from) {
        f.tails[0] = from;
        f.count = 1;
    }

    /// A TP all-reduce after `what`, `times` of them: the TP time split by the reductions'
    /// count (each reduces one T·h message).
    constexpr int reduce_after(dag_kind what, int times) {
        const double h = m.hidden, ab = bytes_of(m.precision.activations);
        const double reductions = st.layers + st.dense + (m.moe.shared_experts > 0 ? st.moe : 0);
        const bytes per_reduce =
            sent_by(all_reduce_time(make<bytes>(t.T * h * ab), l.tp, byte_counting_link));
        const int r = b.node(dag_kind::tp_all_reduce, g, times, dag_mesh::tp, l.tp, 1, what);
        b.set_comm(r, s.comm.tp * (times / reductions), static_cast<double>(times) * per_reduce);
        return r;
    }

    /// Attention, with its CP exchange and TP all-reduce.
    constexpr void attention() {
        const int att = b.node(dag_kind::attention, g, st.layers, dag_mesh::tp, l.tp, 1);
        b.set_op(att, s.op(op_group::attention_proj), s.op(op_group::attention_core));
        flow_into(att);
        f.tails[0].out = t.full;
        if (l.cp > 1) {
            const int x = b.node(dag_kind::cp_exchange, g, st.layers, dag_mesh::cp, l.cp, l.tp);
            const bytes shard =
                make<bytes>(t.cp_shard.rows * t.cp_shard.cols * t.cp_shard.element_bytes);
            b.set_comm(x, s.comm.cp,
                       double(st.layers) *
                           sent_by(all_gather_time(shard, l.cp, byte_counting_link)));
            f.tails[0].out = t.cp_shard;
            flow_into(x);
            f.tails[0].out = t.full;
        }
        if (l.tp > 1)
            flow_into(reduce_after(dag_kind::attention, st.layers));
    }

    /// The routed experts' branch from the router: EP dispatch, ETP all-gather, the experts,
    /// ETP reduce-scatter, EP combine. comm_cost's EP bytes of a layer are (dispatch + combine
    /// bytes per element) × the elements sent inside and between nodes; the dispatch is the
    /// library's all-to-all of its own bytes, the combine the rest of the EP time.
    constexpr void routed_experts() {
        const double h = m.hidden, ab = bytes_of(m.precision.activations);
        const double disp_b = t.arrived.element_bytes;
        const int r = b.node(dag_kind::router, g, st.moe, dag_mesh::tp, l.tp, 1);
        b.set_op(r, s.op(op_group::router));
        flow_into(r);
        f.tails[0].out = l.ep > 1 ? t.copies : t.scattered;
        const double sent_in = s.comm.ep_intra_node.value() / (disp_b + ab);
        const double sent_out = s.comm.ep_inter_node.value() / (disp_b + ab);
        const seconds dispatch =
            l.ep > 1 ? static_cast<double>(st.moe) * all_to_all_time(make<bytes>(disp_b * sent_in),
                                                                     make<bytes>(disp_b * sent_out),
                                                                     c.intra_node, c.inter_node)
                     : make<seconds>(0);
        const bytes etp_sent =
            double(st.moe) *
            sent_by(all_gather_time(make<bytes>(t.routed * h * ab), etp_of(l), byte_counting_link));
        if (l.ep > 1) {
            const int x = b.node(dag_kind::ep_dispatch, g, st.moe, dag_mesh::ep, l.ep, etp_of(l));
            b.set_comm(x, dispatch, make<bytes>(st.moe * disp_b * (sent_in + sent_out)));
            flow_into(x);
            f.tails[0].out = t.arrived;
        }
        if (etp_of(l) > 1) {
            const int x = b.node(dag_kind::etp_gather, g, st.moe, dag_mesh::etp, etp_of(l), 1);
            b.set_comm(x, 0.5 * s.comm.etp, etp_sent);
            flow_into(x);
            f.tails[0].out = t.gathered;
        }
        const int ex = b.node(dag_kind::experts, g, st.moe, dag_mesh::experts, l.ep * etp_of(l), 1);
        b.set_op(ex, s.op(op_group::routed_experts));
        flow_into(ex);
        f.tails[0].out = etp_of(l) > 1 ? t.gathered : t.scattered;
        if (etp_of(l) > 1) {
            const int x = b.node(dag_kind::etp_scatter, g, st.moe, dag_mesh::etp, etp_of(l), 1);
            b.set_comm(x, s.comm.etp - 0.5 * s.comm.etp, etp_sent);
            flow_into(x);
            f.tails[0].out = t.scattered;
        }
        if (l.ep > 1) {
            const int x = b.node(dag_kind::ep_combine, g, st.moe, dag_mesh::ep, l.ep, etp_of(l));
            b.set_comm(x, s.comm.ep - dispatch, make<bytes>(st.moe * ab * (sent_in + sent_out)));
            flow_into(x);
        }
        f.tails[0].out = t.share;
    }

    /// A TP-sharded FFN branch (shared experts or dense FFN) and its TP all-reduce.
    constexpr void tp_ffn(dag_kind kind, int repeat, op_group op) {
        const int n = b.node(kind, g, repeat, dag_mesh::tp, l.tp, 1);
        b.set_op(n, s.op(op));
        flow_into(n);
        f.tails[0].out = t.full;
        if (l.tp > 1)
            flow_into(reduce_after(kind, repeat));
    }

    /// The stage's layers: attention, then the FFN branches side by side; their ends are the
    /// stage's open ends.
    constexpr void layers() {
        attention();
        const dag_tail branch_in = f.tails[0];
        dag_flow ends;
        if (st.moe > 0) {
            branch_from(branch_in);
            routed_experts();
            ends.tails[std::size_t(ends.count++)] = f.tails[0];
            if (m.moe.shared_experts > 0) {
                branch_from(branch_in);
                tp_ffn(dag_kind::shared_experts, st.moe, op_group::shared_experts);
                ends.tails[std::size_t(ends.count++)] = f.tails[0];
            }
        }
        if (st.dense > 0) {
            branch_from(branch_in);
            tp_ffn(dag_kind::dense_ffn, st.dense, op_group::dense_ffn);
            ends.tails[std::size_t(ends.count++)] = f.tails[0];
        }
        if (ends.count == 0) { // attention-only stage (no FFN): the attention output goes on
            ends.tails[0] = branch_in;
            ends.count = 1;
        }
        f = ends;
    }

    /// The whole stage; returns its PP send node (-1 on the last stage, whose open ends stay
    /// in `f`).
    constexpr int draw() {
        if (st.embedding && m.vocab > 0) {
            const int e = b.node(dag_kind::embedding, g, 1, dag_mesh::tp, l.tp, 1);
            flow_into(e);
            f.tails[0].out = t.full;
        }
        if (st.layers > 0)
            layers();
        if (st.head && m.vocab > 0) {
            for (int i = 0; i < f.count; ++i)
                f.tails[std::size_t(i)].out = t.last_rows;
            const int hd = b.node(dag_kind::lm_head, g, 1, dag_mesh::tp, l.tp, 1);
            b.set_op(hd, s.op(op_group::lm_head));
            flow_into(hd);
            f.tails[0].out = t.logits;
        }
        if (st.head)
            return -1;
        const double h = m.hidden, ab = bytes_of(m.precision.activations);
        const int x = b.node(dag_kind::pp_send, g, 1, dag_mesh::pp, 2, stage_gpus(l));
        b.set_comm(x, s.comm.pp,
                   sent_by(send_time(make<bytes>(t.T / l.tp * h * ab), byte_counting_link)));
        flow_into(x);
        f.tails[0].out = t.share;
        return x;
    }
};

/**
 * The edges between the stage groups of d: the step's input into the first stage, each PP
 * send into the groups of the next stages (one edge per pair of groups, counting its hops),
 * and the last stage's open ends `head` into the output.
 */
constexpr void link_stages(deployment_dag& d, dag_builder& b, int in,
                           const std::array<int, deployment_dag::max_groups>& pp_node,
                           const dag_flow& head, const dag_tensors& t, const model_spec& m) {
    const int pp = d.plan.pp;
    // first and last stage of each group
    for (int g = 0; g < d.group_count; ++g)
        d.groups[std::size_t(g)].last_stage = d.groups[std::size_t(g)].first_stage;
    for (int s = 0; s < pp; ++s) {
        dag_stage_group& grp = d.groups[std::size_t(d.group_of_stage(s))];
        grp.last_stage = s > grp.last_stage ? s : grp.last_stage;
    }
    {
        const dag_stage_group& g0 = d.groups[0];
        const int to = g0.entry >= 0 ? g0.entry : g0.first_node;
        b.edge(in, to,
               m.vocab > 0 && g0.shape.embedding ? dag_tensor{t.T, 1, 4.0, "T", "1", "int32"}
                                                 : t.full);
    }
    for (int s = 0; s + 1 < pp; ++s) {
        const int a = d.group_of_stage(s), z = d.group_of_stage(s + 1);
        const int from = pp_node[std::size_t(a)];
        // a send between two stages of one group stays inside its PP node (no self-loop)
        if (from < 0 || a == z)
            continue;
        const dag_stage_group& next = d.groups[std::size_t(z)];
        const int to = next.entry >= 0 ? next.entry : next.first_node;
        const int e = d.find_edge(from, to);
        if (e >= 0) {
            ++d.edges[std::size_t(e)].hops;
        } else {
            b.edge(from, to, t.share);
            d.edges[std::size_t(d.edge_count - 1)].first_hop = s;
            d.edges[std::size_t(d.edge_count - 1)].hops = 1;
        }
    }
    const int last = d.group_of_stage(pp - 1);
    const int out = b.node(dag_kind::output, last, 1, dag_mesh::none, 1, 1);
    for (int i = 0; i < head.count; ++i)
        b.edge(head.tails[std::size_t(i)].node, out, head.tails[std::size_t(i)].out);
}

} // namespace detail

/**
 * The DAG of one step of phase p (decode by default: one decode micro-batch; prefill: one
 * prefill micro-batch) of model m on cluster c with layout l under workload w.
 *
 * A deployment that breaks a rule or does not fit is not drawn: the DAG holds its problems
 * (`built()` false).
 *
 * Per distinct stage shape (`engine::stages_of`), the stage's step is `engine::step_cost`
 * under the load `evaluate` uses; its operator groups become the module nodes (attention =
 * projections + core) and its communication is split over the collectives: TP all-reduce time
 * by the number of all-reduces after attention, dense FFNs and shared experts (each reduces
 * the same T·h message); EP time into dispatch (the library's all-to-all time of the
 * dispatch bytes) and combine (the rest); ETP time half to the all-gather, half to the
 * reduce-scatter. Bytes sent by a collective are its alpha-beta time on a 1 B/s link.
 *
 * @code
 * auto d = moecost::make_dag(m, c, l, w, moecost::phase::prefill);
 * std::puts(moecost::to_dot(d).c_str()); // <moecost/io/dot.hpp>
 * @endcode
 */
constexpr deployment_dag make_dag(const model_spec& model, const cluster_spec& cluster,
                                  const layout& l, const workload& w, phase p = phase::decode,
                                  const eval_options& opt = {}) {
    deployment_dag d;
    d.model = model;
    d.cluster = cluster;
    d.plan = l;
    d.load = w;
    d.options = opt;
    d.step = p;
    d.summary = evaluate(model, cluster, l, w, opt);
    if (!d.summary.valid()) // a deployment that cannot run has no step to draw: its problems
        return d;

    // the model, options and cluster as evaluate sees them
    const model_spec m = with_resolved_heads(model);
    const eval_options o = normalised(opt);
    const cluster_spec c = o.ideal ? idealized(cluster) : cluster;
    const engine::step_load ld = engine::phase_load(m, l, w, p == phase::decode);
    const engine::stage_set ss = engine::stages_of(m, l.pp);
    const detail::dag_tensors t = detail::dag_tensors_of(m, l, ld, o);
    d.tokens_per_tp_group = t.T;
    d.tokens_per_ep_group = t.X;
    d.sequences_per_dp_rank = ld.seqs;

    detail::dag_builder b{d};
    const int in = b.node(dag_kind::input, 0, 1, dag_mesh::none, 1, 1);
    detail::dag_flow head{};
    std::array<int, deployment_dag::max_groups> pp_node{};
    d.group_count = ss.n;
    d.folded = ss.every_stage;
    // evaluate's step terms, with the last stage's MTP passes when the workload drafts
    const engine::step_constants kc = engine::step_constants_of(m, c, l, o);
    engine::load_terms terms = engine::load_terms_of(
        kc, ld, experts_touched(kc.experts, kc.top_k, ld.expert_tokens, kc.skew));
    terms.draft = ld.decode ? engine::draft_time_of(m, kc, l, w)
                            : engine::prompt_mtp_time_of(m, kc, terms, ld, w);
    for (int g = 0; g < ss.n; ++g) {
        const stage_shape& st = ss.shapes[std::size_t(g)];
        const stage_step s = engine::step_cost(kc, terms, st, ld);
        dag_stage_group& grp = d.groups[std::size_t(g)];
        grp.shape = st;
        grp.first_stage = ss.index[std::size_t(g)];
        grp.stages = ss.count[std::size_t(g)];
        grp.work = s.work();
        grp.traffic = s.traffic();
        grp.compute = s.compute;
        grp.communication = s.comm.total();
        grp.time = s.time;
        grp.bound = s.bound;
        grp.first_node = d.node_count;
        detail::dag_stage_drawer drawer{
            .d = d, .b = b, .m = m, .l = l, .c = c, .t = t, .g = g, .st = st, .s = s, .grp = grp};
        pp_node[std::size_t(g)] = drawer.draw();
        if (st.head)
            head = drawer.f;
        grp.end_node = d.node_count;
    }
    detail::link_stages(d, b, in, pp_node, head, t, m);
    return d;
}

} // namespace moecost
