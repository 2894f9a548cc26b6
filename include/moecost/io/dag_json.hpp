#pragma once
/**
 * @file
 * JSON of a deployment DAG (docs/dag.md): the deployment, its stage groups, the nodes (id,
 * kind, stage, label, flops, bytes, time_s, gpus) and the edges (from, to, shape, bytes).
 * Needs nlohmann_json (target moecost::io).
 *
 * @code
 * std::cout << moecost::to_json(moecost::make_dag(m, c, l, w)).dump(2) << '\n';
 * @endcode
 */

#include <moecost/dag/builder.hpp>
#include <moecost/dag/text.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace moecost {

namespace detail {

/// The stages of group g and its global rank ranges [[first, last], ...].
inline void dag_json_stages(const deployment_dag& d, int g, nlohmann::json& stages,
                            nlohmann::json& ranks) {
    stages = nlohmann::json::array();
    ranks = nlohmann::json::array();
    const dag_stage_group& grp = d.groups[std::size_t(g)];
    const long long G = d.stage_gpus();
    for (int i = grp.first_stage; i <= grp.last_stage; ++i) {
        if (d.group_of_stage(i) != g)
            continue;
        stages.push_back(i);
        if (!ranks.empty() && ranks.back()[1].get<long long>() + 1 == i * G)
            ranks.back()[1] = (i + 1) * G - 1;
        else
            ranks.push_back({i * G, (i + 1) * G - 1});
    }
}

} // namespace detail

/**
 * The DAG as JSON. Node costs are one GPU's in one step, over the node's `repeat` layers
 * (`flops`, `bytes`: HBM bytes for modules, bytes sent for communication, `time_s`); `gpus`
 * says which ranks run it and how they are grouped. Edge `bytes` is one layer's tensor on one
 * GPU, `shape` its [rows, columns] and `shape_symbols` their names.
 */
inline nlohmann::json to_json(const deployment_dag& d) {
    using nlohmann::json;
    const layout& l = d.plan;
    json j;
    j["phase"] = name_of(d.step);
    j["model"] = std::string(d.model.name.view());
    j["gpu"] = std::string(d.cluster.gpu.name.view());
    j["layout"] = {{"tp", l.tp},
                   {"cp", l.cp},
                   {"dp", l.dp},
                   {"pp", l.pp},
                   {"etp", etp_of(l)},
                   {"ep", l.ep},
                   {"edp", edp_of(l)},
                   {"world", world_size(l)},
                   {"stage_gpus", d.stage_gpus()}};
    j["workload"] = {{"batch", d.load.batch},
                     {"prompt", d.load.prompt},
                     {"context", context_of(d.load)},
                     {"draft_tokens", d.load.draft_tokens},
                     {"draft_acceptance", d.load.draft_acceptance},
                     {"prefix_cache_hit", d.load.prefix_cache_hit}};
    j["built"] = d.built();
    json problems = json::array();
    for (const auto& v : d.summary.problems)
        problems.push_back(describe(v));
    j["problems"] = problems;
    const phase_result& ph = d.step == phase::prefill ? d.summary.prefill : d.summary.decode;
    // a deployment that cannot run has no step: no latency, no binding resource (null)
    j["latency_s"] = d.built() ? json(ph.latency.value()) : json();
    j["bottleneck"] = d.built() ? json(name_of(ph.bottleneck)) : json();
    j["tokens"] = {
        {"T", d.tokens_per_tp_group}, {"X", d.tokens_per_ep_group}, {"N", d.sequences_per_dp_rank}};

    j["folded"] = d.folded;
    json groups = json::array();
    for (int g = 0; g < d.group_count; ++g) {
        const dag_stage_group& grp = d.groups[std::size_t(g)];
        json stages, ranks;
        detail::dag_json_stages(d, g, stages, ranks);
        groups.push_back({{"group", g},
                          {"label", stages_text(d, g)},
                          {"stages", stages},
                          {"ranks", ranks},
                          {"layers", grp.shape.layers},
                          {"moe_layers", grp.shape.moe},
                          {"dense_layers", grp.shape.dense},
                          {"embedding", grp.shape.embedding},
                          {"head", grp.shape.head},
                          {"flops", grp.work.value()},
                          {"bytes", grp.traffic.value()},
                          {"compute_s", grp.compute.value()},
                          {"communication_s", grp.communication.value()},
                          {"time_s", grp.time.value()},
                          {"bound", name_of(grp.bound)}});
    }
    j["stages"] = groups;

    json nodes = json::array();
    for (int i = 0; i < d.node_count; ++i) {
        const dag_node& n = d.nodes[std::size_t(i)];
        json gpus = {{"text", gpus_text(d, i)}, {"mesh", key_of(n.mesh)}};
        if (n.mesh != dag_mesh::none) {
            json stages, ranks;
            detail::dag_json_stages(d, n.group, stages, ranks);
            gpus["stages"] = stages;
            gpus["ranks"] = ranks;
            gpus["count"] = d.gpus_of(i);
            gpus["group_size"] = n.group_size;
            gpus["groups_per_stage"] = d.mesh_groups(i);
            gpus["stride"] = n.stride;
        }
        json node = {{"id", node_id(d, i)},
                     {"kind", key_of(n.kind)},
                     {"stage", n.kind == dag_kind::input ? 0
                               : n.kind == dag_kind::output
                                   ? l.pp - 1
                                   : d.groups[std::size_t(n.group)].first_stage},
                     {"group", n.group},
                     {"label", title_of(n)},
                     {"communication", is_communication(n.kind)},
                     {"repeat", n.repeat},
                     {"flops", n.work.value()},
                     {"bytes", n.traffic.value()},
                     {"time_s", n.time.value()},
                     {"bound", name_of(n.bound)},
                     {"gpus", gpus}};
        if (n.kind == dag_kind::tp_all_reduce)
            node["after"] = key_of(n.after);
        nodes.push_back(node);
    }
    j["nodes"] = nodes;

    json edges = json::array();
    for (int i = 0; i < d.edge_count; ++i) {
        const dag_edge& e = d.edges[std::size_t(i)];
        json edge = {
            {"from", node_id(d, e.from)}, {"to", node_id(d, e.to)},
            {"shape", {e.rows, e.cols}},  {"shape_symbols", {e.rows_symbol, e.cols_symbol}},
            {"dtype", e.dtype},           {"element_bytes", e.element_bytes},
            {"bytes", e.size().value()},  {"repeat", e.repeat}};
        if (e.is_pipeline())
            edge["pipeline"] = hops_text(d, e);
        edges.push_back(edge);
    }
    j["edges"] = edges;
    return j;
}

} // namespace moecost
