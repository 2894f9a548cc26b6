// The deployment DAG of the seed's 128-GPU plan (EP8·PP2·DP4·TP2: attention TP 2 × DP 32,
// experts ETP 2 × EP 8 × EDP 4, two pipeline stages of 64 GPUs) serving batch 128 with
// 10240-token prompts: one decode step drawn as modules, collectives and the tensors between
// them, with each node's FLOPs, bytes and time on one GPU and the ranks that run it.
//
//   dag              Graphviz DOT of the decode step (scripts/render-dag makes docs/seed_dag.svg)
//   dag --prefill    ... of one prefill micro-batch step
//   dag --json       the same graph as JSON
//   dag --256        the seed's other plan, EP16·PP4·DP2·TP2 on 256 GPUs

#include <moecost/dag/builder.hpp>
#include <moecost/dag/text.hpp>
#include <moecost/io/dag_json.hpp>
#include <moecost/io/dot.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

#include <cstdio>
#include <string_view>

using namespace moecost;

namespace {

constexpr workload scenario{.batch = 128, .prompt = 10240};
constexpr layout plan_128 = seed_layout(8, 2, 4, 2);
constexpr layout plan_256 = seed_layout(16, 4, 2, 2);

constexpr deployment_dag seed_dag =
    make_dag(presets::seed_moe, presets::seed_gpu, plan_128, scenario);
constexpr deployment_dag seed_dag_256 =
    make_dag(presets::seed_moe, presets::seed_gpu, plan_256, scenario);

} // namespace

int main(int argc, char** argv) {
    bool json = false, prefill = false, big = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--json")
            json = true;
        else if (a == "--prefill")
            prefill = true;
        else if (a == "--256")
            big = true;
        else {
            std::fprintf(stderr, "usage: dag [--json] [--prefill] [--256]\n");
            return 2;
        }
    }
    const deployment_dag d = prefill ? make_dag(presets::seed_moe, presets::seed_gpu,
                                                big ? plan_256 : plan_128, scenario, phase::prefill)
                                     : (big ? seed_dag_256 : seed_dag);
    const std::string text = json ? to_json(d).dump(2) + "\n" : to_dot(d);
    std::fputs(text.c_str(), stdout);
    return 0;
}

// What the graph shows, checked by the compiler.
// Two pipeline stages of 64 GPUs each, so two clusters and one PP send between them.
static_assert(seed_dag.group_count == 2 && seed_dag.stage_gpus() == 64);
static_assert(seed_dag.count(dag_kind::pp_send) == 1);
// TP 2: an all-reduce after each attention; EP 8: dispatch and combine; ETP 2: all-gather and
// reduce-scatter around the experts; no CP, no dense FFN, no shared experts, no vocabulary
// (the seed model has none), so no embedding or LM head.
static_assert(seed_dag.count(dag_kind::tp_all_reduce) == 2 &&
              seed_dag.count(dag_kind::ep_dispatch) == 2 &&
              seed_dag.count(dag_kind::etp_gather) == 2 &&
              seed_dag.count(dag_kind::cp_exchange) == 0 &&
              seed_dag.count(dag_kind::dense_ffn) == 0 && seed_dag.count(dag_kind::lm_head) == 0);
// 8 per stage plus the PP send, plus input and output: 19 nodes for 128 GPUs × 16 layers.
static_assert(seed_dag.node_count == 19 && seed_dag.edge_count == 18);
// Each node stands for the 8 layers of its stage.
static_assert(seed_dag.nodes[std::size_t(seed_dag.find(0, dag_kind::experts))].repeat == 8);
// Decode at batch 128 with 2 micro-batches over 32 attention DP ranks: 2 tokens per TP group.
static_assert(seed_dag.tokens_per_tp_group == 2);
// The 256-GPU plan: stage 0, stages 1–2 (one group) and stage 3; 28 nodes.
static_assert(seed_dag_256.group_count == 3 && seed_dag_256.groups[1].stages == 2 &&
              seed_dag_256.node_count == 28);
