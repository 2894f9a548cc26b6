#pragma once
/**
 * @file
 * The deployment DAG's graph: one evaluated step of a deployment as nodes (the modules on
 * their GPU groups and the communication between them) and edges (the tensors that flow, with
 * their shape and bytes), grouped by stage shape (docs/dag.md). `make_dag`
 * (<moecost/dag/builder.hpp>) fills it; the text helpers are in <moecost/dag/text.hpp>.
 */

#include <moecost/evaluate/inference.hpp>
#include <moecost/spec/hardware.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/options.hpp>
#include <moecost/spec/workload.hpp>
#include <moecost/time/stages.hpp>
#include <moecost/units.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

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
 * deployment that cannot run (a spec or layout rule broken, or over its memory) has no groups
 * and its problems in `summary`.
 */
struct deployment_dag {
    // A group has at most 15 nodes (embedding, attention, CP, 3 TP all-reduces, router, EP
    // dispatch and combine, ETP gather and scatter, experts, shared experts, dense FFN, and the
    // LM head or the PP send) and 16 edges inside it; PP edges join at most every pair of
    // groups; the input and output add 2 nodes and up to 4 edges.
    static constexpr int max_groups = engine::stage_set::capacity;
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
    /// More stage shapes than max_groups: group engine::stage_set::folded_into also stands for
    /// the stages of the shapes beyond them, drawn with its own figures (the summary costs
    /// every stage).
    bool folded = false;
    int node_count = 0;
    int edge_count = 0;

    /// Whether the deployment can run and the graph was built.
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
            if (engine::same_shape(groups[std::size_t(j)].shape, st))
                return j;
        return engine::stage_set::folded_into; // a shape beyond max_groups (folded)
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

} // namespace moecost
