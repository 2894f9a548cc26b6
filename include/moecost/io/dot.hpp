#pragma once
/**
 * @file
 * Graphviz DOT of a deployment DAG (docs/dag.md): one cluster per stage group, module nodes
 * as boxes, collectives as ellipses, the EP all-to-alls as diamonds; node labels with the
 * per-GPU FLOPs, bytes and time of one step and the GPU ranks, edge labels with the tensor's
 * shape and bytes. Render with `dot -Tsvg`.
 *
 * @code
 * auto d = moecost::make_dag(m, c, l, w);
 * std::fputs(moecost::to_dot(d).c_str(), stdout); // | dot -Tsvg -o dag.svg
 * @endcode
 */

#include <moecost/dag/builder.hpp>
#include <moecost/dag/text.hpp>
#include <moecost/units.hpp>

#include <string>

namespace moecost {

namespace detail {

/// A DOT string literal's contents: quotes and backslashes escaped, newlines as \n.
inline std::string dot_escape(const std::string& s) {
    std::string r;
    r.reserve(s.size());
    for (char ch : s) {
        if (ch == '"' || ch == '\\')
            r += '\\', r += ch;
        else if (ch == '\n')
            r += "\\n";
        else
            r += ch;
    }
    return r;
}

inline std::string dot_quote(const std::string& s) {
    return "\"" + dot_escape(s) + "\"";
}

inline const char* dot_style(dag_kind k) {
    switch (k) {
    case dag_kind::input:
    case dag_kind::output:
        return "shape=box, style=\"rounded,filled,dashed\", fillcolor=\"#eeeeee\"";
    case dag_kind::ep_dispatch:
    case dag_kind::ep_combine:
        return "shape=diamond, style=filled, fillcolor=\"#f8cecc\"";
    case dag_kind::experts:
        return "shape=box, style=\"rounded,filled\", fillcolor=\"#d5e8d4\"";
    case dag_kind::pp_send:
        return "shape=ellipse, style=\"filled,bold\", fillcolor=\"#e1d5e7\"";
    default:
        return is_communication(k) ? "shape=ellipse, style=filled, fillcolor=\"#fff2cc\""
                                   : "shape=box, style=\"rounded,filled\", fillcolor=\"#dae8fc\"";
    }
}

inline std::string dot_node_label(const deployment_dag& d, int i) {
    const dag_node& n = d.nodes[std::size_t(i)];
    std::string s = title_of(n);
    if (n.kind == dag_kind::input || n.kind == dag_kind::output)
        return s + "\n" + gpus_text(d, i);
    if (is_communication(n.kind))
        s += "\n" + pretty(n.traffic) + " sent · " + pretty(n.time);
    else if (n.kind == dag_kind::embedding)
        s += "\nlookup (not costed)";
    else
        s += "\n" + pretty(n.work) + " · " + pretty(n.traffic) + " HBM · " + pretty(n.time) + " (" +
             name_of(n.bound) + ")";
    return s + "\n" + ranks_text(d, n.group) + ": " + mesh_text(d, i);
}

inline std::string dot_group_label(const deployment_dag& d, int g) {
    const dag_stage_group& grp = d.groups[std::size_t(g)];
    const stage_shape& st = grp.shape;
    std::string s = stages_text(d, g) +
                    (grp.stages > 1 ? " (× " + std::to_string(grp.stages) + ")" : "") + " · " +
                    ranks_text(d, g) + " · " + std::to_string(st.layers) + " layers";
    if (st.moe > 0 && st.dense > 0)
        s += " (" + std::to_string(st.moe) + " MoE, " + std::to_string(st.dense) + " dense)";
    else if (st.moe > 0)
        s += " (MoE)";
    s += "\nstep " + pretty(grp.time) + " per GPU: compute " + pretty(grp.compute) +
         ", communication " + pretty(grp.communication) + "; " + name_of(grp.bound) + "-bound";
    return s;
}

} // namespace detail

/**
 * The DAG as Graphviz DOT: `digraph moecost_dag { ... }` with a cluster per stage group.
 * A deployment that cannot run (a broken rule, or over its memory) gives a graph with one note
 * node naming its problems, and a title without times.
 */
inline std::string to_dot(const deployment_dag& d) {
    using detail::dot_quote;
    const layout& l = d.plan;
    std::string o = "// moecost deployment DAG (moecost::to_dot); render with: dot -Tsvg\n";
    o += "digraph moecost_dag {\n";
    std::string title =
        std::string(d.model.name.view()) + " on " + std::string(d.cluster.gpu.name.view()) + " · " +
        std::to_string(world_size(l)) + " GPUs · attention TP " + std::to_string(l.tp) + " × CP " +
        std::to_string(l.cp) + " × DP " + std::to_string(l.dp) + ", experts ETP " +
        std::to_string(etp_of(l)) + " × EP " + std::to_string(l.ep) + " × EDP " +
        std::to_string(edp_of(l)) + ", PP " + std::to_string(l.pp);
    const phase_result& ph = d.step == phase::prefill ? d.summary.prefill : d.summary.decode;
    if (!d.built())
        title += "\nnot drawn: the deployment cannot run (see the note)";
    else
        title +=
            "\none " + std::string(name_of(d.step)) + " step of batch " +
            std::to_string(d.load.batch) +
            (d.step == phase::prefill
                 ? ", prompt " + std::to_string(d.load.prompt) +
                       (d.load.prefix_cache_hit > 0
                            ? " (" + dag_num(d.load.prompt * d.load.prefix_cache_hit) + " cached)"
                            : "")
                 : ", context " + std::to_string(context_of(d.load))) +
            ": T = " + dag_num(d.tokens_per_tp_group) +
            " tokens per TP group, X = " + dag_num(d.tokens_per_ep_group) + " per EP group; " +
            (d.step == phase::prefill ? "TTFT " + pretty(ph.latency)
                                      : "TPOT " + pretty(ph.latency)) +
            ", " + name_of(ph.bottleneck) + "-bound";
    if (d.folded)
        title += "\nmore than " + std::to_string(deployment_dag::max_groups) +
                 " stage shapes: the group of stage " +
                 std::to_string(d.groups[std::size_t(engine::stage_set::folded_into)].first_stage) +
                 " also stands for the stages of the others, drawn with its own figures (the "
                 "TTFT or TPOT above costs every stage)";
    if (d.built())
        title += "\nnodes: one GPU's FLOPs · HBM bytes (or bytes sent) · time per step, over their "
                 "layers; "
                 "edges: one layer's tensor on one GPU";
    o += "  graph [label=" + dot_quote(title) +
         ", labelloc=t, fontname=\"Helvetica\", fontsize=12, rankdir=TB, newrank=true, "
         "nodesep=0.3, ranksep=0.35];\n";
    o += "  node [fontname=\"Helvetica\", fontsize=10];\n";
    o += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    if (!d.built()) {
        std::string why = "cannot run:";
        for (const auto& v : d.summary.problems)
            why += "\n" + describe(v);
        o += "  problems [shape=note, label=" + dot_quote(why) + "];\n}\n";
        return o;
    }
    auto node_line = [&](int i) {
        return "    " + node_id(d, i) + " [" + detail::dot_style(d.nodes[std::size_t(i)].kind) +
               ", label=" + dot_quote(detail::dot_node_label(d, i)) + "];\n";
    };
    for (int i = 0; i < d.node_count; ++i)
        if (d.nodes[std::size_t(i)].kind == dag_kind::input)
            o += node_line(i).substr(2);
    for (int g = 0; g < d.group_count; ++g) {
        const dag_stage_group& grp = d.groups[std::size_t(g)];
        o += "  subgraph cluster_g" + std::to_string(g) + " {\n";
        o += "    label=" + dot_quote(detail::dot_group_label(d, g)) +
             ";\n    labeljust=l; style=\"rounded\"; color=\"#6c8ebf\"; fontsize=11;\n";
        for (int i = grp.first_node; i < grp.end_node; ++i)
            o += node_line(i);
        o += "  }\n";
    }
    for (int i = 0; i < d.node_count; ++i)
        if (d.nodes[std::size_t(i)].kind == dag_kind::output)
            o += node_line(i).substr(2);
    for (int i = 0; i < d.edge_count; ++i) {
        const dag_edge& e = d.edges[std::size_t(i)];
        std::string label = shape_text(e) + "\n" + pretty(e.size());
        if (e.is_pipeline())
            label += "\n" + hops_text(d, e);
        o += "  " + node_id(d, e.from) + " -> " + node_id(d, e.to) + " [label=" + dot_quote(label) +
             (e.is_pipeline() ? ", penwidth=2, color=\"#9673a6\"" : "") + "];\n";
    }
    o += "}\n";
    return o;
}

} // namespace moecost
