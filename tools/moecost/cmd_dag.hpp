#pragma once
// `moecost dag`: one phase step of a deployment drawn as a graph (moecost::make_dag): the
// modules on their GPU groups, the collectives between them and the tensors that flow, as
// Graphviz DOT (to render with `dot -Tsvg`) or JSON.

#include "cluster.hpp"
#include "command.hpp"
#include "layout.hpp"
#include "layout_text.hpp"
#include "model.hpp"
#include "modelling.hpp"
#include "output.hpp"
#include "values.hpp"
#include "violation_out.hpp"
#include "workload.hpp"

#include <moecost/dag/builder.hpp>
#include <moecost/dag/text.hpp>
#include <moecost/io/dag_json.hpp>
#include <moecost/io/dot.hpp>

namespace moecost::cli {

namespace dag_cmd {

struct options {
    model_options model;
    cluster_options cluster;
    layout_options layout;
    workload_options workload;
    modelling_options modelling;
    std::string phase = "decode";
    std::string format = "dot";
};

inline const std::vector<std::string> phase_names{"prefill", "decode"};
inline const std::vector<std::string> format_names{"dot", "json"};

} // namespace dag_cmd

inline command add_dag(CLI::App& app) {
    using namespace dag_cmd;
    auto o = std::make_shared<options>();
    CLI::App* sub = app.add_subcommand(
        "dag", "Draw one prefill or decode step of a deployment as a graph: modules on their GPU "
               "groups, collectives, and the tensors between them (Graphviz DOT or JSON)");
    add_model_options(*sub, o->model);
    add_cluster_options(*sub, o->cluster);
    add_layout_options(*sub, o->layout);
    add_workload_options(*sub, o->workload);
    add_modelling_options(*sub, o->modelling);

    const std::string out = "Output";
    sub->add_option("--phase", o->phase,
                    "The step drawn: decode (one decode micro-batch at the context) or prefill "
                    "(one prefill micro-batch)")
        ->type_name("PHASE")
        ->check(one_of(phase_names, "phase"))
        ->capture_default_str()
        ->group(out);
    sub->add_option("--format", o->format,
                    "dot (Graphviz: pipe into `dot -Tsvg -o dag.svg`) or json")
        ->type_name("FORMAT")
        ->check(one_of(format_names, "format"))
        ->capture_default_str()
        ->group(out);
    sub->footer(
        "Identical ranks and layers are one node: one cluster per distinct pipeline stage, one\n"
        "node per module or collective with its per-GPU FLOPs, bytes and time over the step,\n"
        "and the GPU ranks that run it; edges carry one layer's tensor on one GPU. A deployment\n"
        "that does not validate is drawn as one note naming its problems (exit status 0).\n" +
        std::string(exit_status_text) +
        "\nExamples:\n"
        "  moecost dag --preset seed-moe --gpu seed-gpu --seed-layout ep=8,pp=2,dp=4,tp=2 "
        "--batch 128 --prompt 10240 | dot -Tsvg -o seed_dag.svg\n"
        "  moecost dag --preset deepseek-v3 --gpu h800 --layout dp=32,ep=32 --batch 2048 "
        "--phase prefill --format json");
    return {sub, [o] {
                const loaded_model lm = resolve_model(o->model);
                const resolved_cluster c = resolve_cluster(o->cluster);
                const resolved_layout l = resolve_layout(o->layout);
                const workload w = make_workload(o->workload);
                const phase p = o->phase == "prefill" ? phase::prefill : phase::decode;
                const deployment_dag d =
                    make_dag(lm.spec, c.spec, l.l, w, p, make_eval_options(o->modelling));
                if (o->format == "json") {
                    // The layout in the tool's one schema (layout_json: world_size and the
                    // redundant experts, where io::to_json names the world "world").
                    nlohmann::json j = moecost::to_json(d);
                    j["layout"] = nlohmann::json(layout_json(l.l));
                    j["problems"] = nlohmann::json(violations_json(d.summary.problems));
                    out_json(j);
                } else {
                    emit("{}", moecost::to_dot(d));
                }
                return exit_ok;
            }};
}

} // namespace moecost::cli
