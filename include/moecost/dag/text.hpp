#pragma once
/**
 * @file
 * Text of a deployment DAG's nodes and groups (ids, titles, GPU ranges, meshes, tensor
 * shapes), shared by the DOT and JSON writers and the CLI.
 */

#include <moecost/dag/graph.hpp>

#include <cstdio>
#include <string>

namespace moecost {

// ---- text (allocates) ---------------------------------------------------------------------

inline std::string dag_int(long long v) {
    return std::to_string(v);
}
inline std::string dag_num(double v) {
    char buf[32];
    if (v < 1e15 && v > -1e15 && v == static_cast<double>(static_cast<long long>(v)))
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    else
        std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}
/// "a–b" or "a".
inline std::string dag_range(long long a, long long b) {
    return a == b ? dag_int(a) : dag_int(a) + "–" + dag_int(b);
}

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
        return "stages " + dag_range(grp.first_stage, grp.last_stage);
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
        s += (n++ > 0 ? ", " : "") + dag_range(i * G, (j + 1) * G - 1);
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
    return std::string("[") + e.rows_symbol + " × " + e.cols_symbol + "] = [" + dag_num(e.rows) +
           " × " + dag_num(e.cols) + "] " + e.dtype;
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
