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
 * The numbers are `evaluate`'s: each stage shape's step comes from `detail::step_cost`
 * under the phase's load, and the module nodes are its operator groups. What the DAG adds is
 * the split of each stage's communication time over its collectives and the tensor shapes
 * on the edges (see `make_dag`).
 *
 * constexpr and allocation-free (fixed-capacity arrays); the text helpers at the end
 * (`node_id`, `title_of`, `gpus_text`, ...) return `std::string`.
 *
 * @code
 * constexpr auto d = moecost::make_dag(moecost::presets::seed_moe, moecost::presets::seed_gpu,
 *                                      moecost::seed_layout(8, 2, 4, 2), {.batch = 128, .prompt =
 * 10240}); static_assert(d.group_count == 2 && d.count(moecost::dag_kind::pp_send) == 1);
 * @endcode
 */

#include <moecost/evaluate.hpp>
#include <moecost/spec/hardware.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/workload.hpp>
#include <moecost/units.hpp>
#include <moecost/verdict/claims.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace moecost {

/// What a DAG node is: a module, a communication operation, or the step's input or output.
enum class dag_kind : std::uint8_t {
    input,          ///< the step's tokens entering the first stage
    embedding,      ///< token embedding (first stage, models with a vocabulary); not costed
    attention,      ///< attention projections and core, heads split over TP
    cp_exchange,    ///< CP all-gather: KV shards (prefill) or partial outputs (decode)
    tp_all_reduce,  ///< TP all-reduce after attention, a dense FFN or the shared experts
    router,         ///< MoE gate
    ep_dispatch,    ///< EP all-to-all sending each token's top-k copies to their experts
    etp_gather,     ///< ETP all-gather of the routed tokens before the experts
    experts,        ///< the routed experts one GPU holds (whole over EP, split over ETP)
    etp_scatter,    ///< ETP reduce-scatter of the experts' partial outputs
    ep_combine,     ///< EP all-to-all bringing the expert outputs back
    shared_experts, ///< always-on experts, split over TP
    dense_ffn,      ///< FFN of a dense layer, split over TP
    lm_head,        ///< vocabulary projection (last stage), vocabulary split over TP
    pp_send,        ///< point-to-point send/recv of the activations to the next stage
    output,         ///< the step's result leaving the last stage
};
inline constexpr std::size_t dag_kind_count = 16;

/// Readable name: "attention shard", "TP all-reduce", ...
constexpr const char* name_of(dag_kind k) {
    switch (k) {
    case dag_kind::input:
        return "input";
    case dag_kind::embedding:
        return "embedding";
    case dag_kind::attention:
        return "attention shard";
    case dag_kind::cp_exchange:
        return "CP all-gather";
    case dag_kind::tp_all_reduce:
        return "TP all-reduce";
    case dag_kind::router:
        return "router";
    case dag_kind::ep_dispatch:
        return "EP dispatch";
    case dag_kind::etp_gather:
        return "ETP all-gather";
    case dag_kind::experts:
        return "expert shards";
    case dag_kind::etp_scatter:
        return "ETP reduce-scatter";
    case dag_kind::ep_combine:
        return "EP combine";
    case dag_kind::shared_experts:
        return "shared experts";
    case dag_kind::dense_ffn:
        return "dense FFN";
    case dag_kind::lm_head:
        return "LM head";
    case dag_kind::pp_send:
        return "PP send/recv";
    case dag_kind::output:
        return "output";
    }
    return "?";
}

/// Identifier-safe name, used in node ids and JSON: "attention", "tp_all_reduce", ...
constexpr const char* key_of(dag_kind k) {
    switch (k) {
    case dag_kind::input:
        return "input";
    case dag_kind::embedding:
        return "embedding";
    case dag_kind::attention:
        return "attention";
    case dag_kind::cp_exchange:
        return "cp_exchange";
    case dag_kind::tp_all_reduce:
        return "tp_all_reduce";
    case dag_kind::router:
        return "router";
    case dag_kind::ep_dispatch:
        return "ep_dispatch";
    case dag_kind::etp_gather:
        return "etp_gather";
    case dag_kind::experts:
        return "experts";
    case dag_kind::etp_scatter:
        return "etp_scatter";
    case dag_kind::ep_combine:
        return "ep_combine";
    case dag_kind::shared_experts:
        return "shared_experts";
    case dag_kind::dense_ffn:
        return "dense_ffn";
    case dag_kind::lm_head:
        return "lm_head";
    case dag_kind::pp_send:
        return "pp_send";
    case dag_kind::output:
        return "output";
    }
    return "?";
}

/// True for the communication operations (the collectives and the PP send).
constexpr bool is_communication(dag_kind k) {
    return k == dag_kind::cp_exchange || k == dag_kind::tp_all_reduce ||
           k == dag_kind::ep_dispatch || k == dag_kind::etp_gather || k == dag_kind::etp_scatter ||
           k == dag_kind::ep_combine || k == dag_kind::pp_send;
}

/**
 * The GPU groups a node runs on inside one stage of G GPUs (rank order of spec/layout.hpp:
 * TP/ETP fastest, then CP/EP, then DP/EDP; PP outermost).
 */
enum class dag_mesh : std::uint8_t {
    none,    ///< no GPUs (input, output)
    tp,      ///< G/tp TP groups of tp consecutive ranks
    cp,      ///< G/cp CP groups of cp ranks, tp apart
    ep,      ///< G/ep EP groups of ep ranks, etp apart
    etp,     ///< G/etp ETP groups of etp consecutive ranks
    experts, ///< edp copies of the expert set, each on ep·etp consecutive ranks
    pp,      ///< G pairs: rank r of a stage and rank r of the next
};

constexpr const char* key_of(dag_mesh m) {
    switch (m) {
    case dag_mesh::none:
        return "none";
    case dag_mesh::tp:
        return "tp";
    case dag_mesh::cp:
        return "cp";
    case dag_mesh::ep:
        return "ep";
    case dag_mesh::etp:
        return "etp";
    case dag_mesh::experts:
        return "experts";
    case dag_mesh::pp:
        return "pp";
    }
    return "?";
}

/**
 * One node: a module or communication operation of one stage group, for all the layers of
 * its kind in a stage. Costs are one GPU's in one step (summed over `repeat` layers): the
 * same GPU-level figures as `stage_step`. Every GPU of every stage of the group does the same.
 */
struct dag_node {
    dag_kind kind = dag_kind::input;
    /// tp_all_reduce: the module whose output it reduces (attention, dense_ffn or
    /// shared_experts); otherwise `kind`.
    dag_kind after = dag_kind::input;
    int group = 0;  ///< index in deployment_dag::groups (input: 0, output: the last stage's)
    int repeat = 1; ///< times per stage step: the layers holding it ("× N layers"); 1 for
                    ///< once-per-stage nodes
    // Explicit zeros: g++ 12 leaves `{}`-initialised quantities inside a std::array member
    // uninitialised in constant evaluation (as op_cost notes).
    flops work = make<flops>(0); ///< FLOPs of one GPU in one step
    bytes traffic = make<bytes>(
        0); ///< modules: HBM bytes read and written; communication: bytes one GPU sends on links
    seconds time = make<seconds>(0); ///< roofline time (modules) or alpha-beta time (communication)
    resource bound = resource::compute; ///< modules: compute or memory; communication: network
    dag_mesh mesh = dag_mesh::none;
    int group_size = 1; ///< GPUs in one group of `mesh` (pp: 2)
    int stride = 1;     ///< rank distance between neighbours of a group (pp: stage GPUs)
};

/**
 * One edge: a tensor flowing from one node to the next, as one GPU holds it in one occurrence
 * (one layer). `rows_symbol` and `cols_symbol` name the shape (T tokens at a TP group, X
 * tokens at an EP group, k top-k, N sequences at a DP rank, h hidden, V vocabulary; the
 * expert path's rows include the expert imbalance factor).
 */
struct dag_edge {
    int from = 0, to = 0; ///< node indices
    double rows = 0, cols = 0;
    double element_bytes = 0;
    const char* rows_symbol = "T";
    const char* cols_symbol = "h";
    const char* dtype = "bf16";
    int repeat = 1; ///< occurrences per stage step: the layers holding both ends (1 at embedding,
                    ///< LM head, PP)
    int first_hop = -1; ///< PP edges: the first stage s whose s → s+1 send this edge stands for
    int hops = 0;       ///< PP edges: how many stage-to-stage sends it stands for
    [[nodiscard]] constexpr bytes size() const { return make<bytes>(rows * cols * element_bytes); }
    [[nodiscard]] constexpr bool is_pipeline() const { return hops > 0; }
};

/// The stages of one distinct stage shape: a cluster of the DAG.
struct dag_stage_group {
    stage_shape shape{};
    int first_stage = 0;
    int last_stage = 0;
    int stages = 0;     ///< stages of this shape
    int first_node = 0; ///< its nodes are [first_node, end_node)
    int end_node = 0;
    int entry = -1;                 ///< node receiving the stage's input
    flops work = make<flops>(0);    ///< one GPU's step: Σ operator groups (= stage_step::work())
    bytes traffic = make<bytes>(0); ///< = stage_step::traffic()
    seconds compute = make<seconds>(0);       ///< = stage_step::compute
    seconds communication = make<seconds>(0); ///< = stage_step::comm.total()
    seconds time = make<seconds>(0);          ///< = stage_step::time
    resource bound = resource::compute;
    [[nodiscard]] constexpr bool contiguous() const {
        return last_stage - first_stage + 1 == stages;
    }
};

/**
 * The DAG of one phase step of a deployment (`make_dag`). `groups`, `nodes` and `edges` are
 * filled up to their counts; `summary` is `evaluate`'s report of the same deployment. A
 * deployment whose specs do not validate has no groups and its problems in `summary`.
 */
struct deployment_dag {
    // A group has at most 15 nodes (embedding, attention, CP, 3 TP all-reduces, router, EP
    // dispatch and combine, ETP gather and scatter, experts, shared experts, dense FFN, and the
    // LM head or the PP send) and 16 edges inside it; PP edges join at most every pair of
    // groups; the input and output add 2 nodes and up to 4 edges.
    static constexpr int max_groups = detail::stage_set::capacity;
    static constexpr int max_nodes = 2 + 16 * max_groups;
    static constexpr int max_edges = 4 + (16 + max_groups) * max_groups;

    model_spec model{};
    cluster_spec cluster{};
    layout plan{};
    workload load{};
    eval_options options{};
    phase step = phase::decode;
    report summary{};
    double tokens_per_tp_group = 0;   ///< T: tokens at one TP group in the step
    double tokens_per_ep_group = 0;   ///< X: tokens reaching one EP group in the step
    double sequences_per_dp_rank = 0; ///< N: sequences at one attention DP rank in the step
    std::array<dag_stage_group, max_groups> groups{};
    std::array<dag_node, max_nodes> nodes{};
    std::array<dag_edge, max_edges> edges{};
    int group_count = 0;
    /// More stage shapes than max_groups: group detail::stage_set::folded_into also stands for
    /// the stages of the shapes beyond them, drawn with its own figures (the summary costs
    /// every stage).
    bool folded = false;
    int node_count = 0;
    int edge_count = 0;

    /// Whether the specs validated and the graph was built.
    [[nodiscard]] constexpr bool built() const { return group_count > 0; }
    /// GPUs of one pipeline stage.
    [[nodiscard]] constexpr int stage_gpus() const { return moecost::stage_gpus(plan); }
    /// Nodes of kind k.
    [[nodiscard]] constexpr int count(dag_kind k) const {
        int n = 0;
        for (int i = 0; i < node_count; ++i)
            n += nodes[std::size_t(i)].kind == k ? 1 : 0;
        return n;
    }
    /// The group index of pipeline stage s (the shape evaluate costs it as).
    [[nodiscard]] constexpr int group_of_stage(int s) const {
        const stage_shape st = stage_of(model, plan.pp, s);
        for (int j = 0; j < group_count; ++j)
            if (detail::same_shape(groups[std::size_t(j)].shape, st))
                return j;
        return detail::stage_set::folded_into; // a shape beyond max_groups (folded)
    }
    /// GPUs that run node i: every GPU of every stage of its group (0 for input and output).
    [[nodiscard]] constexpr int gpus_of(int i) const {
        const dag_node& n = nodes[std::size_t(i)];
        return n.mesh == dag_mesh::none ? 0 : stage_gpus() * groups[std::size_t(n.group)].stages;
    }
    /// Groups of node i's mesh in one stage (pp: the G sending ranks; input, output: 0).
    [[nodiscard]] constexpr int mesh_groups(int i) const {
        const dag_node& n = nodes[std::size_t(i)];
        if (n.mesh == dag_mesh::none)
            return 0;
        return n.mesh == dag_mesh::pp ? stage_gpus()
                                      : stage_gpus() / (n.group_size > 0 ? n.group_size : 1);
    }
    /// FLOPs of node i over all its GPUs in one step.
    [[nodiscard]] constexpr flops total_work(int i) const {
        return static_cast<double>(gpus_of(i)) * nodes[std::size_t(i)].work;
    }
    /// Index of the node with this kind (and `after`, for TP all-reduces) in group g, or -1.
    [[nodiscard]] constexpr int find(int g, dag_kind k,
                                     dag_kind after_kind = dag_kind::input) const {
        for (int i = 0; i < node_count; ++i) {
            const dag_node& n = nodes[std::size_t(i)];
            if (n.group == g && n.kind == k &&
                (k != dag_kind::tp_all_reduce || n.after == after_kind))
                return i;
        }
        return -1;
    }
    /// Index of the edge from node a to node b, or -1.
    [[nodiscard]] constexpr int find_edge(int a, int b) const {
        for (int i = 0; i < edge_count; ++i)
            if (edges[std::size_t(i)].from == a && edges[std::size_t(i)].to == b)
                return i;
        return -1;
    }
};

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

} // namespace detail

/**
 * The DAG of one step of phase p (decode by default: one decode micro-batch; prefill: one
 * prefill micro-batch) of model m on cluster c with layout l under workload w.
 *
 * Per distinct stage shape (`detail::stages_of`), the stage's step is `detail::step_cost`
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
constexpr deployment_dag make_dag(const model_spec& m, const cluster_spec& cluster, const layout& l,
                                  const workload& w, phase p = phase::decode,
                                  const eval_options& opt = {}) {
    deployment_dag d;
    d.model = m;
    d.cluster = cluster;
    d.plan = l;
    d.load = w;
    d.options = opt;
    d.step = p;
    d.summary = evaluate(m, cluster, l, w, opt);
    const violations structural = validate_all(m, cluster, w, l, opt);
    if (!structural.ok())
        return d;

    // the same idealisation as evaluate
    eval_options o = opt;
    if (o.ideal)
        o.expert_imbalance = 1.0;
    const cluster_spec c = o.ideal ? idealized(cluster) : cluster;
    const detail::step_load ld = detail::phase_load(m, l, w, p == phase::decode);
    const detail::stage_set ss = detail::stages_of(m, l.pp);

    const double h = m.hidden, tp = l.tp, cp = l.cp, ep = l.ep, etp = etp_of(l);
    const double k = m.moe.top_k, imb = o.expert_imbalance;
    const double ab = bytes_of(m.precision.activations);
    const char* adt = name_of(m.precision.activations);
    const double disp_b = o.dispatch_fp8 ? 1.0 : ab;
    const char* ddt = o.dispatch_fp8 ? "fp8" : adt;
    const double T = ld.seqs * ld.tokens_per_seq / cp;
    const double X = ld.expert_tokens;
    const double routed = X * k / (ep * etp) * imb; // rows reaching one GPU's experts, before ETP
    d.tokens_per_tp_group = T;
    d.tokens_per_ep_group = X;
    d.sequences_per_dp_rank = ld.seqs;

    using detail::dag_tensor;
    const dag_tensor full{T, h, ab, "T", "h", adt};
    const dag_tensor share{T / tp, h, ab, "T/tp", "h", adt};
    const dag_tensor copies{T / tp * imb * k, h, ab, "T·k/tp", "h", adt};
    const dag_tensor arrived{routed, h, disp_b, "X·k/(ep·etp)", "h", ddt};
    const dag_tensor gathered{routed * etp, h, ab, "X·k/ep", "h", adt};
    const dag_tensor scattered{routed, h, ab, "X·k/(ep·etp)", "h", adt};
    const double head_rows = ld.seqs * ld.logit_rows_per_seq / cp;
    const bool drafts = ld.decode && ld.tokens_per_seq > 1; // N sequences of q tokens each
    const char* rows = drafts ? "N·q/cp" : "N/cp";
    const dag_tensor last_rows{head_rows, h, ab, rows, "h", adt};
    const dag_tensor logits{head_rows, static_cast<double>(m.vocab) / tp, 4.0, rows, "V/tp",
                            "fp32"};
    const dag_tensor cp_shard =
        ld.decode ? dag_tensor{ld.seqs * ld.tokens_per_seq,
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
    const link_spec& unit = detail::byte_counting_link;
    auto sent_by = [](seconds t) { return t * make<byte_rate>(1.0); }; // time on `unit` → bytes

    detail::dag_builder b{d};
    const int in = b.node(dag_kind::input, 0, 1, dag_mesh::none, 1, 1);
    std::array<detail::dag_tail, 4> head_tails{};
    int head_tail_count = 0;
    std::array<int, deployment_dag::max_groups> pp_node{};

    d.group_count = ss.n;
    d.folded = ss.every_stage;
    // evaluate's step terms, with the last stage's MTP passes when the workload drafts
    const detail::step_constants kc = detail::step_constants_of(m, c, l, o);
    detail::load_terms terms = detail::load_terms_of(
        kc, ld, experts_touched(kc.experts, kc.top_k, ld.expert_tokens, kc.skew));
    terms.draft = ld.decode ? detail::draft_time_of(m, kc, l, w)
                            : detail::prompt_mtp_time_of(m, kc, terms, ld, w);
    for (int g = 0; g < ss.n; ++g) {
        const stage_shape& st = ss.shapes[std::size_t(g)];
        const stage_step s = detail::step_cost(kc, terms, st, ld);
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
        pp_node[std::size_t(g)] = -1;

        std::array<detail::dag_tail, 4> tails{};
        int tail_count = 0;
        auto flow_into = [&](int to) {
            for (int i = 0; i < tail_count; ++i)
                b.edge(tails[std::size_t(i)].node, to, tails[std::size_t(i)].out);
            if (grp.entry < 0)
                grp.entry = to;
            tail_count = 1;
            tails[0].node = to;
        };

        if (st.embedding && m.vocab > 0) {
            const int e = b.node(dag_kind::embedding, g, 1, dag_mesh::tp, l.tp, 1);
            flow_into(e);
            tails[0].out = full;
        }
        if (st.layers > 0) {
            const int att = b.node(dag_kind::attention, g, st.layers, dag_mesh::tp, l.tp, 1);
            b.set_op(att, s.op(op_group::attention_proj), s.op(op_group::attention_core));
            flow_into(att);
            tails[0].out = full;
            if (l.cp > 1) {
                const int x = b.node(dag_kind::cp_exchange, g, st.layers, dag_mesh::cp, l.cp, l.tp);
                const bytes shard =
                    make<bytes>(cp_shard.rows * cp_shard.cols * cp_shard.element_bytes);
                b.set_comm(x, s.comm.cp,
                           double(st.layers) * sent_by(all_gather_time(shard, l.cp, unit)));
                tails[0].out = cp_shard;
                flow_into(x);
                tails[0].out = full;
            }
            // the TP all-reduces each reduce one T·h message: split the TP time by their count
            const double reductions =
                st.layers + st.dense + (m.moe.shared_experts > 0 ? st.moe : 0);
            const bytes per_reduce = sent_by(all_reduce_time(make<bytes>(T * h * ab), l.tp, unit));
            auto reduce_after = [&](dag_kind what, int times) {
                const int r =
                    b.node(dag_kind::tp_all_reduce, g, times, dag_mesh::tp, l.tp, 1, what);
                b.set_comm(r, s.comm.tp * (times / reductions),
                           static_cast<double>(times) * per_reduce);
                return r;
            };
            if (l.tp > 1)
                flow_into(reduce_after(dag_kind::attention, st.layers));
            const detail::dag_tail branch_in = tails[0];

            std::array<detail::dag_tail, 4> ends{};
            int end_count = 0;
            if (st.moe > 0) {
                tails[0] = branch_in;
                tail_count = 1;
                const int r = b.node(dag_kind::router, g, st.moe, dag_mesh::tp, l.tp, 1);
                b.set_op(r, s.op(op_group::router));
                flow_into(r);
                tails[0].out = l.ep > 1 ? copies : scattered;
                // comm_cost's EP bytes of a layer are (dispatch + combine bytes per element) ×
                // the elements sent inside and between nodes; the dispatch is the library's
                // all-to-all of its own bytes, the combine the rest of the EP time
                const double sent_in = s.comm.ep_intra_node.value() / (disp_b + ab);
                const double sent_out = s.comm.ep_inter_node.value() / (disp_b + ab);
                const seconds dispatch = l.ep > 1
                                             ? static_cast<double>(st.moe) *
                                                   all_to_all_time(make<bytes>(disp_b * sent_in),
                                                                   make<bytes>(disp_b * sent_out),
                                                                   c.intra_node, c.inter_node)
                                             : make<seconds>(0);
                const bytes etp_sent =
                    double(st.moe) *
                    sent_by(all_gather_time(make<bytes>(routed * h * ab), etp_of(l), unit));
                if (l.ep > 1) {
                    const int x =
                        b.node(dag_kind::ep_dispatch, g, st.moe, dag_mesh::ep, l.ep, etp_of(l));
                    b.set_comm(x, dispatch, make<bytes>(st.moe * disp_b * (sent_in + sent_out)));
                    flow_into(x);
                    tails[0].out = arrived;
                }
                if (etp_of(l) > 1) {
                    const int x =
                        b.node(dag_kind::etp_gather, g, st.moe, dag_mesh::etp, etp_of(l), 1);
                    b.set_comm(x, 0.5 * s.comm.etp, etp_sent);
                    flow_into(x);
                    tails[0].out = gathered;
                }
                const int ex =
                    b.node(dag_kind::experts, g, st.moe, dag_mesh::experts, l.ep * etp_of(l), 1);
                b.set_op(ex, s.op(op_group::routed_experts));
                flow_into(ex);
                tails[0].out = etp_of(l) > 1 ? gathered : scattered;
                if (etp_of(l) > 1) {
                    const int x =
                        b.node(dag_kind::etp_scatter, g, st.moe, dag_mesh::etp, etp_of(l), 1);
                    b.set_comm(x, s.comm.etp - 0.5 * s.comm.etp, etp_sent);
                    flow_into(x);
                    tails[0].out = scattered;
                }
                if (l.ep > 1) {
                    const int x =
                        b.node(dag_kind::ep_combine, g, st.moe, dag_mesh::ep, l.ep, etp_of(l));
                    b.set_comm(x, s.comm.ep - dispatch,
                               make<bytes>(st.moe * ab * (sent_in + sent_out)));
                    flow_into(x);
                }
                tails[0].out = share;
                ends[std::size_t(end_count++)] = tails[0];
                if (m.moe.shared_experts > 0) {
                    tails[0] = branch_in;
                    tail_count = 1;
                    const int sh =
                        b.node(dag_kind::shared_experts, g, st.moe, dag_mesh::tp, l.tp, 1);
                    b.set_op(sh, s.op(op_group::shared_experts));
                    flow_into(sh);
                    tails[0].out = full;
                    if (l.tp > 1)
                        flow_into(reduce_after(dag_kind::shared_experts, st.moe));
                    ends[std::size_t(end_count++)] = tails[0];
                }
            }
            if (st.dense > 0) {
                tails[0] = branch_in;
                tail_count = 1;
                const int f = b.node(dag_kind::dense_ffn, g, st.dense, dag_mesh::tp, l.tp, 1);
                b.set_op(f, s.op(op_group::dense_ffn));
                flow_into(f);
                tails[0].out = full;
                if (l.tp > 1)
                    flow_into(reduce_after(dag_kind::dense_ffn, st.dense));
                ends[std::size_t(end_count++)] = tails[0];
            }
            if (end_count == 0) { // attention-only stage (no FFN): the attention output goes on
                ends[0] = branch_in;
                end_count = 1;
            }
            tails = ends;
            tail_count = end_count;
        }
        if (st.head && m.vocab > 0) {
            for (int i = 0; i < tail_count; ++i)
                tails[std::size_t(i)].out = last_rows;
            const int hd = b.node(dag_kind::lm_head, g, 1, dag_mesh::tp, l.tp, 1);
            b.set_op(hd, s.op(op_group::lm_head));
            flow_into(hd);
            tails[0].out = logits;
        }
        if (!st.head) {
            const int x = b.node(dag_kind::pp_send, g, 1, dag_mesh::pp, 2, stage_gpus(l));
            b.set_comm(x, s.comm.pp, sent_by(send_time(make<bytes>(T / tp * h * ab), unit)));
            flow_into(x);
            tails[0].out = share;
            pp_node[std::size_t(g)] = x;
        } else {
            head_tail_count = tail_count;
            head_tails = tails;
        }
        grp.end_node = d.node_count;
    }

    // first and last stage of each group
    for (int g = 0; g < d.group_count; ++g) {
        d.groups[std::size_t(g)].last_stage = d.groups[std::size_t(g)].first_stage;
    }
    for (int s = 0; s < l.pp; ++s) {
        dag_stage_group& grp = d.groups[std::size_t(d.group_of_stage(s))];
        grp.last_stage = s > grp.last_stage ? s : grp.last_stage;
    }

    // the step's input enters the first stage; each PP send feeds the groups of the next stages
    {
        const dag_stage_group& g0 = d.groups[0];
        const int to = g0.entry >= 0 ? g0.entry : g0.first_node;
        b.edge(in, to,
               m.vocab > 0 && g0.shape.embedding ? dag_tensor{T, 1, 4.0, "T", "1", "int32"} : full);
    }
    for (int s = 0; s + 1 < l.pp; ++s) {
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
            b.edge(from, to, share);
            d.edges[std::size_t(d.edge_count - 1)].first_hop = s;
            d.edges[std::size_t(d.edge_count - 1)].hops = 1;
        }
    }
    const int last = d.group_of_stage(l.pp - 1);
    const int out = b.node(dag_kind::output, last, 1, dag_mesh::none, 1, 1);
    for (int i = 0; i < head_tail_count; ++i)
        b.edge(head_tails[std::size_t(i)].node, out, head_tails[std::size_t(i)].out);
    return d;
}

// ---- text (allocates) ---------------------------------------------------------------------

namespace detail {
inline std::string dag_int(long long v) {
    return std::to_string(v);
}
inline std::string dag_num(double v) {
    char buf[32];
    if (v == static_cast<double>(static_cast<long long>(v)) && v < 1e15 && v > -1e15)
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    else
        std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}
/// "a–b" or "a".
inline std::string dag_range(long long a, long long b) {
    return a == b ? dag_int(a) : dag_int(a) + "–" + dag_int(b);
}
} // namespace detail

/// A unique, identifier-safe id for node i: "input", "g0_attention", "g1_tp_all_reduce_attention".
inline std::string node_id(const deployment_dag& d, int i) {
    const dag_node& n = d.nodes[std::size_t(i)];
    if (n.kind == dag_kind::input || n.kind == dag_kind::output)
        return key_of(n.kind);
    std::string id = "g" + std::to_string(n.group) + "_" + key_of(n.kind);
    if (n.kind == dag_kind::tp_all_reduce)
        id += std::string("_") + key_of(n.after);
    return id;
}

/// The stages of group g: "stage 0", "stages 1–2", "stages 1, 3, 5".
inline std::string stages_text(const deployment_dag& d, int g) {
    const dag_stage_group& grp = d.groups[std::size_t(g)];
    if (grp.stages == 1)
        return "stage " + std::to_string(grp.first_stage);
    if (grp.contiguous())
        return "stages " + detail::dag_range(grp.first_stage, grp.last_stage);
    std::string s = "stages ";
    for (int i = grp.first_stage, n = 0; i <= grp.last_stage; ++i)
        if (d.group_of_stage(i) == g)
            s += (n++ > 0 ? ", " : "") + std::to_string(i);
    return s;
}

/// The global ranks of group g: "ranks 0–63", "ranks 64–127, 192–255".
inline std::string ranks_text(const deployment_dag& d, int g) {
    const dag_stage_group& grp = d.groups[std::size_t(g)];
    const long long G = d.stage_gpus();
    std::string s = "ranks ";
    int n = 0;
    for (int i = grp.first_stage; i <= grp.last_stage;) {
        if (d.group_of_stage(i) != g) {
            ++i;
            continue;
        }
        int j = i;
        while (j + 1 <= grp.last_stage && d.group_of_stage(j + 1) == g)
            ++j;
        s += (n++ > 0 ? ", " : "") + detail::dag_range(i * G, (j + 1) * G - 1);
        i = j + 1;
    }
    return s;
}

/// What a node is, with its multiplicity: "attention shard × 8 layers", "TP all-reduce after
/// attention × 8 layers".
inline std::string title_of(const dag_node& n) {
    std::string s = name_of(n.kind);
    if (n.kind == dag_kind::tp_all_reduce)
        s += std::string(" after ") +
             (n.after == dag_kind::attention ? "attention" : name_of(n.after));
    if (n.repeat > 1 || n.kind == dag_kind::attention || n.kind == dag_kind::router ||
        n.kind == dag_kind::experts || n.kind == dag_kind::dense_ffn ||
        n.kind == dag_kind::shared_experts)
        s += " × " + std::to_string(n.repeat) + (n.repeat == 1 ? " layer" : " layers");
    return s;
}

/// The PP sends of group g's stages: "stage 0 → 1", "stages 1 → 2, 2 → 3".
inline std::string sends_text(const deployment_dag& d, int g) {
    const dag_stage_group& grp = d.groups[std::size_t(g)];
    std::string s;
    int n = 0;
    for (int i = grp.first_stage; i <= grp.last_stage && i + 1 < d.plan.pp; ++i)
        if (d.group_of_stage(i) == g)
            s += (n++ > 0 ? ", " : "") + std::to_string(i) + " → " + std::to_string(i + 1);
    return (n == 1 ? "stage " : "stages ") + s;
}

/// How node i's GPUs are grouped inside a stage: "32 TP groups of 2", "8 EP groups of 8 (2 apart)".
inline std::string mesh_text(const deployment_dag& d, int i) {
    const dag_node& n = d.nodes[std::size_t(i)];
    const int G = d.stage_gpus(), groups = d.mesh_groups(i);
    const std::string sz = std::to_string(n.group_size), cnt = std::to_string(groups);
    const std::string apart = n.stride > 1 ? " (" + std::to_string(n.stride) + " apart)" : "";
    switch (n.mesh) {
    case dag_mesh::none:
        return "";
    case dag_mesh::tp:
        return n.group_size > 1 ? cnt + " TP groups of " + sz : std::to_string(G) + " GPUs, no TP";
    case dag_mesh::cp:
        return cnt + " CP groups of " + sz + apart;
    case dag_mesh::ep:
        return cnt + " EP groups of " + sz + apart;
    case dag_mesh::etp:
        return cnt + " ETP groups of " + sz;
    case dag_mesh::experts:
        return cnt + (groups == 1 ? " expert set on " : " expert sets (EDP), each on ") + sz +
               " GPUs (EP " + std::to_string(d.plan.ep) + " × ETP " +
               std::to_string(etp_of(d.plan)) + ")";
    case dag_mesh::pp:
        return cnt + " pairs, rank r → r + " + std::to_string(G) + " (" + sends_text(d, n.group) +
               ")";
    }
    return "";
}

/// Which GPUs run node i: "stage 0, ranks 0–63: 32 TP groups of 2".
inline std::string gpus_text(const deployment_dag& d, int i) {
    const dag_node& n = d.nodes[std::size_t(i)];
    if (n.kind == dag_kind::input)
        return "into stage 0";
    if (n.kind == dag_kind::output)
        return "out of stage " + std::to_string(d.plan.pp - 1);
    return stages_text(d, n.group) + ", " + ranks_text(d, n.group) + ": " + mesh_text(d, i);
}

/// An edge's shape: "[T × h] = [2 × 512] bf16".
inline std::string shape_text(const dag_edge& e) {
    return std::string("[") + e.rows_symbol + " × " + e.cols_symbol + "] = [" +
           detail::dag_num(e.rows) + " × " + detail::dag_num(e.cols) + "] " + e.dtype;
}

/// The stage-to-stage sends a PP edge stands for: "stage 0 → 1", "stages 1 → 2, 2 → 3"; "" for
/// other edges.
inline std::string hops_text(const deployment_dag& d, const dag_edge& e) {
    if (!e.is_pipeline())
        return "";
    const int a = d.nodes[std::size_t(e.from)].group, z = d.nodes[std::size_t(e.to)].group;
    std::string s = e.hops == 1 ? "stage " : "stages ";
    int n = 0;
    for (int i = e.first_hop; i + 1 < d.plan.pp; ++i)
        if (d.group_of_stage(i) == a && d.group_of_stage(i + 1) == z)
            s += (n++ > 0 ? ", " : "") + std::to_string(i) + " → " + std::to_string(i + 1);
    return s;
}

} // namespace moecost
