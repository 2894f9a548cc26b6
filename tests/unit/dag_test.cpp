// The deployment DAG: hand-derived nodes and edges of small deployments, grouping of big plans,
// consistency with evaluate() (FLOPs, bytes and times add up to its steps), and well-formed
// DOT (and JSON) that Graphviz accepts when it is installed.

#include <moecost/dag/builder.hpp>
#include <moecost/dag/text.hpp>
#include <moecost/io/dag_json.hpp>
#include <moecost/io/dot.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace moecost;
using namespace moecost::literals;
using moecost::test::near;

namespace {

/// The tiny MoE of fixtures.hpp.
constexpr const model_spec& tiny = test::tiny_moe;

/// The same with one shared expert and its first layer dense.
constexpr model_spec tiny_mixed = [] {
    model_spec m = tiny;
    m.name = "tiny-mixed";
    m.moe.shared_experts = 1;
    m.moe.shared_hidden = 32;
    m.moe.first_dense = 1;
    return m;
}();

/// The made-up GPU of fixtures.hpp.
constexpr const cluster_spec& toy = test::toy_cluster;

constexpr workload tiny_load{.batch = 4, .prompt = 8};

bool has_edge(const deployment_dag& d, const std::string& from, const std::string& to) {
    for (int i = 0; i < d.edge_count; ++i)
        if (node_id(d, d.edges[std::size_t(i)].from) == from &&
            node_id(d, d.edges[std::size_t(i)].to) == to)
            return true;
    return false;
}

std::vector<std::string> kinds_of_group(const deployment_dag& d, int g) {
    std::vector<std::string> out;
    for (int i = d.groups[std::size_t(g)].first_node; i < d.groups[std::size_t(g)].end_node; ++i)
        out.push_back(node_id(d, i));
    return out;
}

/// The report's step for `p` (evaluate keeps the slowest stage's).
const phase_result& phase_of(const report& r, phase p) {
    return p == phase::prefill ? r.prefill : r.decode;
}

/// Checks that the DAG's numbers are evaluate's: every group's nodes add up to its stage
/// step, the slowest group is the report's slowest step, and the totals over GPUs agree.
void check_consistent(const deployment_dag& d, const eval_options& o = {},
                      double last_stage_draft_s = 0) {
    REQUIRE(d.built());
    const eval_options eo = [&] {
        eval_options x = o;
        if (x.ideal)
            x.expert_imbalance = 1.0;
        return x;
    }();
    const cluster_spec c = o.ideal ? idealized(d.cluster) : d.cluster;
    const engine::step_load ld =
        engine::phase_load(d.model, d.plan, d.load, d.step == phase::decode);
    double total_nodes = 0, total_steps = 0;
    for (int g = 0; g < d.group_count; ++g) {
        const dag_stage_group& grp = d.groups[std::size_t(g)];
        const stage_step s = engine::step_cost(d.model, c, d.plan, grp.shape, ld, eo);
        double work = 0, traffic = 0, time = 0, comm = 0;
        for (int i = grp.first_node; i < grp.end_node; ++i) {
            const dag_node& n = d.nodes[std::size_t(i)];
            CHECK(n.group == g);
            work += n.work.value();
            time += n.time.value();
            if (is_communication(n.kind))
                comm += n.time.value();
            else
                traffic += n.traffic.value();
        }
        CHECK(work == near(s.work().value()));
        CHECK(traffic == near(s.traffic().value()));
        CHECK(comm == Approx(s.comm.total().value()).epsilon(1e-9).margin(1e-18));
        // the nodes are the groups' own rooflines (in ideal mode too, where the step's compute
        // is the longer of their summed FLOP and HBM times instead)
        double rooflines = 0;
        for (const op_cost& op : s.ops)
            rooflines += op.time().value();
        CHECK(time == near(rooflines + s.comm.total().value()));
        if (!o.ideal)
            CHECK(rooflines == near(s.compute.value()));
        // the last stage drafts after its step (speculative decoding), outside the nodes
        if (grp.shape.head)
            CHECK(grp.time.value() == near(s.time.value() + last_stage_draft_s));
        else
            CHECK(grp.time.value() == s.time.value());
        total_steps += s.work().value() * d.stage_gpus() * grp.stages;
    }
    for (int i = 0; i < d.node_count; ++i)
        total_nodes += d.total_work(i).value();
    CHECK(total_nodes == near(total_steps));
    // the report's slowest step is the step of the slowest group
    const phase_result& ph = phase_of(d.summary, d.step);
    const dag_stage_group& slow = d.groups[std::size_t(d.group_of_stage(ph.slowest_stage))];
    CHECK(slow.work.value() == near(ph.slowest.work().value()));
    CHECK(slow.time.value() == near(ph.slowest.time.value()));
    int stages = 0;
    for (int g = 0; g < d.group_count; ++g)
        stages += d.groups[std::size_t(g)].stages;
    CHECK(stages == d.plan.pp);
}

/// Brace balance outside quoted strings, and every edge's ends declared as nodes.
void check_dot(const std::string& dot) {
    int depth = 0, min_depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < dot.size(); ++i) {
        const char ch = dot[i];
        if (quoted) {
            if (ch == '\\')
                ++i;
            else if (ch == '"')
                quoted = false;
            continue;
        }
        if (ch == '"')
            quoted = true;
        if (ch == '{')
            ++depth;
        if (ch == '}')
            --depth;
        if (depth < min_depth)
            min_depth = depth;
    }
    CHECK_FALSE(quoted);
    CHECK(depth == 0);
    CHECK(min_depth == 0);
    CHECK(dot.rfind("digraph moecost_dag {", std::string::npos) != std::string::npos);

    std::set<std::string> declared;
    std::vector<std::pair<std::string, std::string>> edges;
    std::size_t pos = 0;
    while (pos < dot.size()) {
        const std::size_t end = dot.find('\n', pos);
        std::string line =
            dot.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? dot.size() : end + 1;
        const std::size_t first = line.find_first_not_of(' ');
        if (first == std::string::npos)
            continue;
        line = line.substr(first);
        const std::size_t arrow = line.find(" -> ");
        const std::size_t bracket = line.find(" [");
        if (arrow != std::string::npos && (bracket == std::string::npos || arrow < bracket)) {
            const std::size_t to_end = line.find(' ', arrow + 4);
            edges.emplace_back(line.substr(0, arrow), line.substr(arrow + 4, to_end - arrow - 4));
        } else if (bracket != std::string::npos) {
            const std::string name = line.substr(0, bracket);
            if (name != "graph" && name != "node" && name != "edge")
                declared.insert(name);
        }
    }
    CHECK_FALSE(edges.empty());
    for (const auto& [a, b] : edges) {
        INFO(a << " -> " << b);
        CHECK(declared.count(a) == 1);
        CHECK(declared.count(b) == 1);
    }
}

/// Whether `dot` (Graphviz) is on PATH.
bool have_graphviz() {
    return std::system("dot -V > /dev/null 2>&1") == 0;
}

/// Runs `dot -Tsvg` on the text; true when it exits 0.
bool graphviz_accepts(const std::string& dot, const std::string& name) {
    const std::string path = "moecost_dag_test_" + name + ".dot";
    {
        std::ofstream f(path);
        f << dot;
    }
    const int rc =
        std::system(("dot -Tsvg " + path + " -o " + path + ".svg 2> " + path + ".err").c_str());
    std::remove((path + ".svg").c_str());
    std::remove((path + ".err").c_str());
    std::remove(path.c_str());
    return rc == 0;
}

} // namespace

TEST_CASE("dag: pp = 2, tp = 1, ep = 1 by hand", "[dag]") {
    // 2 GPUs: stage 0 (embedding, layer 0) and stage 1 (layer 1, LM head); no collectives
    // but the PP send. Decode: M = pp = 2 micro-batches of 2 sequences over DP 1 → N = 2,
    // T = 2 tokens per TP group, X = 2 tokens per EP group.
    constexpr layout l{.tp = 1, .cp = 1, .dp = 1, .pp = 2, .etp = 1, .ep = 1};
    constexpr deployment_dag d = make_dag(tiny, toy, l, tiny_load);
    STATIC_REQUIRE(d.group_count == 2);
    STATIC_REQUIRE(d.node_count == 11);
    STATIC_REQUIRE(d.edge_count == 10);
    STATIC_REQUIRE(d.count(dag_kind::tp_all_reduce) == 0);
    STATIC_REQUIRE(d.count(dag_kind::ep_dispatch) == 0);
    STATIC_REQUIRE(d.count(dag_kind::ep_combine) == 0);
    STATIC_REQUIRE(d.count(dag_kind::etp_gather) == 0);
    STATIC_REQUIRE(d.count(dag_kind::pp_send) == 1);
    CHECK(kinds_of_group(d, 0) == std::vector<std::string>{"g0_embedding", "g0_attention",
                                                           "g0_router", "g0_experts",
                                                           "g0_pp_send"});
    CHECK(kinds_of_group(d, 1) ==
          std::vector<std::string>{"g1_attention", "g1_router", "g1_experts", "g1_lm_head"});
    CHECK(has_edge(d, "input", "g0_embedding"));
    CHECK(has_edge(d, "g0_embedding", "g0_attention"));
    CHECK(has_edge(d, "g0_attention", "g0_router"));
    CHECK(has_edge(d, "g0_router", "g0_experts"));
    CHECK(has_edge(d, "g0_experts", "g0_pp_send"));
    CHECK(has_edge(d, "g0_pp_send", "g1_attention"));
    CHECK(has_edge(d, "g1_experts", "g1_lm_head"));
    CHECK(has_edge(d, "g1_lm_head", "output"));

    CHECK(d.tokens_per_tp_group == 2);
    CHECK(d.tokens_per_ep_group == 2);
    // the PP edge: T/tp × h = 2 × 64 bf16 = 256 B, standing for the send of stage 0 to 1
    const dag_edge& pp = d.edges[std::size_t(
        d.find_edge(d.find(0, dag_kind::pp_send), d.find(1, dag_kind::attention)))];
    CHECK(pp.rows == 2);
    CHECK(pp.cols == 64);
    CHECK(pp.size().value() == 256);
    CHECK(pp.hops == 1);
    CHECK(pp.first_hop == 0);
    CHECK(hops_text(d, pp) == "stage 0 → 1");
    // the PP node: one send of 256 B: α + 256 B / 100 GB/s = 10 ns + 2.56 ns (a 2-GPU span is
    // intra-node)
    const dag_node& send = d.nodes[std::size_t(d.find(0, dag_kind::pp_send))];
    CHECK(send.traffic.value() == 256);
    CHECK(send.time.value() == near(12.56e-9));
    // router of the one MoE layer of stage 0: T · 2hE / tp = 2 · 2 · 64 · 4 = 1,024 FLOPs
    CHECK(d.nodes[std::size_t(d.find(0, dag_kind::router))].work.value() == 1024);
    // experts: X·k rows = 4 through a 2-matrix expert of 64 → 32: 4 · 2 · 2 · 64 · 32 = 32,768
    // FLOPs
    CHECK(d.nodes[std::size_t(d.find(0, dag_kind::experts))].work.value() == 32768);
    // the LM head edge out: fp32 logits of N = 2 rows × V = 100 → 800 B
    const dag_edge& out =
        d.edges[std::size_t(d.find_edge(d.find(1, dag_kind::lm_head), d.node_count - 1))];
    CHECK(out.size().value() == 800);
    CHECK(std::string(out.dtype) == "fp32");

    CHECK(stages_text(d, 1) == "stage 1");
    CHECK(ranks_text(d, 1) == "ranks 1");
    CHECK(gpus_text(d, d.find(0, dag_kind::attention)) == "stage 0, ranks 0: 1 GPUs, no TP");
    check_consistent(d);
}

TEST_CASE("dag: TP 2 and EP 2 on one stage by hand", "[dag]") {
    // evaluate_test's tiny layout: attention TP 2 × DP 2, experts ETP 1 × EP 2 × EDP 2, 4 GPUs.
    // Decode, one micro-batch: N = 2 sequences per DP rank, T = 2, T/tp = 1 token dispatched.
    constexpr layout l{.tp = 2, .cp = 1, .dp = 2, .pp = 1, .etp = 1, .ep = 2};
    constexpr deployment_dag d = make_dag(tiny, toy, l, tiny_load);
    STATIC_REQUIRE(d.group_count == 1);
    STATIC_REQUIRE(d.count(dag_kind::pp_send) == 0);
    STATIC_REQUIRE(d.count(dag_kind::etp_gather) == 0);
    CHECK(kinds_of_group(d, 0) ==
          std::vector<std::string>{"g0_embedding", "g0_attention", "g0_tp_all_reduce_attention",
                                   "g0_router", "g0_ep_dispatch", "g0_experts", "g0_ep_combine",
                                   "g0_lm_head"});
    CHECK(has_edge(d, "g0_attention", "g0_tp_all_reduce_attention"));
    CHECK(has_edge(d, "g0_tp_all_reduce_attention", "g0_router"));
    CHECK(has_edge(d, "g0_router", "g0_ep_dispatch"));
    CHECK(has_edge(d, "g0_ep_dispatch", "g0_experts"));
    CHECK(has_edge(d, "g0_experts", "g0_ep_combine"));
    CHECK(has_edge(d, "g0_ep_combine", "g0_lm_head"));

    // TP: one all-reduce of T·h·2 B = 256 B per layer; a ring of 2 sends 2·(2−1)/2 of it:
    // 256 B per layer, 512 B for 2 layers, in 2 × (2α + 256 B / 100 GB/s) = 2 × 22.56 ns.
    const dag_node& ar =
        d.nodes[std::size_t(d.find(0, dag_kind::tp_all_reduce, dag_kind::attention))];
    CHECK(ar.repeat == 2);
    CHECK(ar.traffic.value() == near(512));
    CHECK(ar.time.value() == near(45.12e-9));
    // EP dispatch: 1 token × k 2 copies × 64 × (ep−1)/ep = 64 elements sent, bf16: 128 B per
    // layer; 2 layers: 256 B in 2 × (α + 128 B / 100 GB/s) = 2 × 11.28 ns. The combine mirrors it.
    const dag_node& dispatch = d.nodes[std::size_t(d.find(0, dag_kind::ep_dispatch))];
    const dag_node& combine = d.nodes[std::size_t(d.find(0, dag_kind::ep_combine))];
    CHECK(dispatch.traffic.value() == near(256));
    CHECK(dispatch.time.value() == near(22.56e-9));
    CHECK(combine.traffic.value() == near(256));
    CHECK(combine.time.value() == near(22.56e-9));
    // edge router → dispatch: T·k/tp = 2 rows of h
    const dag_edge& copies = d.edges[std::size_t(
        d.find_edge(d.find(0, dag_kind::router), d.find(0, dag_kind::ep_dispatch)))];
    CHECK(copies.rows == 2);
    CHECK(std::string(copies.rows_symbol) == "T·k/tp");
    CHECK(gpus_text(d, d.find(0, dag_kind::ep_dispatch)) == "stage 0, ranks 0–3: 2 EP groups of 2");
    CHECK(gpus_text(d, d.find(0, dag_kind::experts)) ==
          "stage 0, ranks 0–3: 2 expert sets (EDP), each on 2 GPUs (EP 2 × ETP 1)");
    check_consistent(d);
}

TEST_CASE("dag: speculative decoding draws the verification, times the drafts", "[dag][mtp]") {
    // evaluate_test's speculative case: the tiny MoE with one MTP module, one draft at 0.5.
    const model_spec& m = test::tiny_moe_mtp;
    const workload& w = test::tiny_drafting;
    const layout l{.tp = 2, .cp = 1, .dp = 2, .pp = 1, .etp = 1, .ep = 2};
    const deployment_dag d = make_dag(m, toy, l, w);
    REQUIRE(d.group_count == 1);
    // N = 2 sequences of q = 2 tokens: T = 4 rows, 4 logit rows; the step 173.76 ns of
    // verification plus the 94.684 ns draft pass (evaluate_test, by hand)
    CHECK(d.tokens_per_tp_group == 4.0);
    const dag_edge& to_head = d.edges[std::size_t(
        d.find_edge(d.find(0, dag_kind::ep_combine), d.find(0, dag_kind::lm_head)))];
    CHECK(to_head.rows == 4.0);
    CHECK(std::string(to_head.rows_symbol) == "N·q/cp");
    CHECK(d.groups[0].time.value() == near(268.444e-9));
    check_consistent(d, {}, 94.684e-9);

    // Two stages: only the last drafts, and the report's slowest stage is the DAG's.
    const layout l2{.tp = 2, .cp = 1, .dp = 2, .pp = 2, .etp = 1, .ep = 2};
    const deployment_dag d2 = make_dag(m, toy, l2, w);
    REQUIRE(d2.group_count == 2);
    CHECK(d2.groups[1].time > d2.groups[0].time);
    CHECK(d2.summary.decode.slowest_stage == 1);
    CHECK(d2.summary.decode.slowest.draft.value() > 0);
    check_consistent(d2, {}, d2.summary.decode.slowest.draft.value());
}

TEST_CASE("dag: more stage shapes than groups fold into the last, and say so", "[dag][stages]") {
    // fixtures.hpp's seven shapes on PP 8: six groups, the last stage's (the LM head's) kept
    // and stage 5's shape drawn under the fifth group (stages 4 and 6); every stage in one group
    // or another, the head drawn and the output fed.
    const layout l{.tp = 1, .cp = 1, .dp = 1, .pp = 8, .etp = 1, .ep = 1};
    const deployment_dag d = make_dag(test::tiny_seven_shapes, toy, l, {.batch = 8, .prompt = 8});
    REQUIRE(d.built());
    CHECK(d.folded);
    REQUIRE(d.group_count == 6);
    int stages = 0;
    for (int g = 0; g < d.group_count; ++g)
        stages += d.groups[std::size_t(g)].stages;
    CHECK(stages == 8);
    CHECK(d.group_of_stage(7) == 5);
    CHECK(d.groups[5].shape.head);
    CHECK(d.group_of_stage(5) == 4);
    CHECK(d.groups[4].stages == 3);
    CHECK(d.count(dag_kind::lm_head) == 1);
    int into_output = 0;
    for (int e = 0; e < d.edge_count; ++e)
        into_output += d.nodes[std::size_t(d.edges[std::size_t(e)].to)].kind == dag_kind::output;
    CHECK(into_output > 0);
    CHECK(to_dot(d).find("more than 6 stage shapes: the group of stage 4 also stands") !=
          std::string::npos);
    CHECK(to_json(d)["folded"] == true);

    model_spec plain = test::tiny_moe; // the same 16 layers without the pattern: three shapes
    plain.layers = 16;
    const deployment_dag regular = make_dag(plain, toy, l, {.batch = 8, .prompt = 8});
    REQUIRE(regular.group_count == 3);
    CHECK_FALSE(regular.folded);
    CHECK(to_dot(regular).find("stage shapes") == std::string::npos);
}

TEST_CASE("dag: ETP, CP, shared experts and a dense layer", "[dag]") {
    // tiny_mixed: layer 0 dense, layer 1 MoE with a shared expert. TP 2 × CP 2 × DP 1; experts
    // ETP 2 × EP 2 × EDP 1: 4 GPUs on one stage.
    constexpr layout l{.tp = 2, .cp = 2, .dp = 1, .pp = 1, .etp = 2, .ep = 2};
    for (phase p : {phase::decode, phase::prefill}) {
        INFO(name_of(p));
        const deployment_dag d = make_dag(tiny_mixed, toy, l, tiny_load, p);
        CHECK(kinds_of_group(d, 0) ==
              std::vector<std::string>{
                  "g0_embedding", "g0_attention", "g0_cp_exchange", "g0_tp_all_reduce_attention",
                  "g0_router", "g0_ep_dispatch", "g0_etp_gather", "g0_experts", "g0_etp_scatter",
                  "g0_ep_combine", "g0_shared_experts", "g0_tp_all_reduce_shared_experts",
                  "g0_dense_ffn", "g0_tp_all_reduce_dense_ffn", "g0_lm_head"});
        CHECK(d.nodes[std::size_t(d.find(0, dag_kind::attention))].repeat == 2);
        CHECK(d.nodes[std::size_t(d.find(0, dag_kind::experts))].repeat == 1);
        CHECK(d.nodes[std::size_t(d.find(0, dag_kind::dense_ffn))].repeat == 1);
        // the three branches after the attention all-reduce meet at the LM head
        const std::string ar = "g0_tp_all_reduce_attention";
        CHECK(has_edge(d, ar, "g0_router"));
        CHECK(has_edge(d, ar, "g0_shared_experts"));
        CHECK(has_edge(d, ar, "g0_dense_ffn"));
        CHECK(has_edge(d, "g0_ep_combine", "g0_lm_head"));
        CHECK(has_edge(d, "g0_tp_all_reduce_shared_experts", "g0_lm_head"));
        CHECK(has_edge(d, "g0_tp_all_reduce_dense_ffn", "g0_lm_head"));
        // ETP: all-gather and reduce-scatter split the ETP time evenly
        CHECK(d.nodes[std::size_t(d.find(0, dag_kind::etp_gather))].time.value() ==
              near(d.nodes[std::size_t(d.find(0, dag_kind::etp_scatter))].time.value()));
        CHECK(gpus_text(d, d.find(0, dag_kind::cp_exchange)) ==
              "stage 0, ranks 0–3: 2 CP groups of 2 (2 apart)");
        check_consistent(d);
        check_dot(to_dot(d));
    }
}

TEST_CASE("dag: with a cached prefix, CP gathers the cached entries too", "[dag][prefix]") {
    // TP 2 × CP 2 × DP 1 over 4 sequences of 8 tokens, half of each cached: a CP rank computes
    // T = 4·4/2 = 8 tokens and gathers their KV with its share of the 4·4 cached entries, 8
    // more: as many rows as without the cache (T = 4·8/2 = 16), so the same bytes sent.
    constexpr layout l{.tp = 2, .cp = 2, .dp = 1, .pp = 1, .etp = 2, .ep = 2};
    workload w = tiny_load;
    w.prefix_cache_hit = 0.5;
    const deployment_dag cold = make_dag(tiny_mixed, toy, l, tiny_load, phase::prefill);
    const deployment_dag warm = make_dag(tiny_mixed, toy, l, w, phase::prefill);
    CHECK(warm.tokens_per_tp_group == 8.0);
    const dag_node& x = warm.nodes[std::size_t(warm.find(0, dag_kind::cp_exchange))];
    CHECK(x.traffic == cold.nodes[std::size_t(cold.find(0, dag_kind::cp_exchange))].traffic);
    bool labelled = false;
    for (int i = 0; i < warm.edge_count; ++i) {
        const dag_edge& e = warm.edges[std::size_t(i)];
        if (node_id(warm, e.to) == "g0_cp_exchange") {
            CHECK(e.rows == 16.0);
            CHECK(std::string(e.rows_symbol) == "T + N·P/cp");
            labelled = true;
        }
    }
    CHECK(labelled);
    check_consistent(warm);
}

TEST_CASE("dag: numbers are evaluate's under every option and phase", "[dag]") {
    const layout layouts[] = {seed_layout(8, 2, 4, 2), seed_layout(16, 4, 2, 2),
                              seed_layout(1, 1, 1, 8), seed_layout(4, 4, 1, 1)};
    const eval_options options[] = {
        {}, {.ideal = true}, {.overlap = true, .expert_imbalance = 1.3}, {.dispatch_fp8 = true}};
    for (const layout& l : layouts)
        for (const eval_options& o : options)
            for (phase p : {phase::decode, phase::prefill}) {
                INFO("ep " << l.ep << " pp " << l.pp << " ideal " << o.ideal << " " << name_of(p));
                const deployment_dag d = make_dag(presets::seed_moe, presets::seed_gpu, l,
                                                  {.batch = 128, .prompt = 10240}, p, o);
                check_consistent(d, o);
            }
    // a model with dense-first layers, shared experts, MLA and a vocabulary, pipelined unevenly
    layout ds{.tp = 8, .cp = 1, .dp = 4, .pp = 8, .etp = 1, .ep = 32};
    ds.uneven_stages = true;
    for (phase p : {phase::decode, phase::prefill}) {
        const deployment_dag d =
            make_dag(presets::deepseek_v3, presets::h800, ds, {.batch = 256, .prompt = 4096}, p);
        check_consistent(d);
        check_dot(to_dot(d));
    }
}

TEST_CASE("dag: grouping keeps big plans small", "[dag]") {
    // the seed's 256-GPU plan: stage 0, stages 1–2 (one group), stage 3 → 3 × 8 + 2 PP sends +
    // input, output
    constexpr deployment_dag seed256 =
        make_dag(presets::seed_moe, presets::seed_gpu, seed_layout(16, 4, 2, 2),
                 {.batch = 128, .prompt = 10240});
    STATIC_REQUIRE(seed256.group_count == 3);
    STATIC_REQUIRE(seed256.node_count == 28);
    CHECK(stages_text(seed256, 1) == "stages 1–2");
    CHECK(ranks_text(seed256, 1) == "ranks 64–191");
    CHECK(gpus_text(seed256, seed256.find(1, dag_kind::pp_send)) ==
          "stages 1–2, ranks 64–191: 64 pairs, rank r → r + 64 (stages 1 → 2, 2 → 3)");
    // the send from stage 1 to 2 stays inside its group's PP node: no self-loop
    for (int i = 0; i < seed256.edge_count; ++i)
        CHECK((seed256.nodes[std::size_t(seed256.edges[std::size_t(i)].from)].group !=
                   seed256.nodes[std::size_t(seed256.edges[std::size_t(i)].to)].group ||
               !seed256.edges[std::size_t(i)].is_pipeline()));

    // DeepSeek-V3 on 256 H800s (attention TP 8 × DP 4, EP 32, PP 8 over 61 layers, uneven):
    // under 60 nodes, whatever the number of GPUs and layers
    layout ds{.tp = 8, .cp = 1, .dp = 4, .pp = 8, .etp = 1, .ep = 32};
    ds.uneven_stages = true;
    const deployment_dag d =
        make_dag(presets::deepseek_v3, presets::h800, ds, {.batch = 256, .prompt = 4096});
    REQUIRE(world_size(ds) == 256);
    CHECK(d.node_count < 60);
    CHECK(d.group_count <= deployment_dag::max_groups);
}

TEST_CASE("dag: DOT is well-formed and Graphviz accepts it", "[dag][dot]") {
    const deployment_dag a = make_dag(presets::seed_moe, presets::seed_gpu, seed_layout(8, 2, 4, 2),
                                      {.batch = 128, .prompt = 10240});
    const deployment_dag b =
        make_dag(presets::seed_moe, presets::seed_gpu, seed_layout(16, 4, 2, 2),
                 {.batch = 128, .prompt = 10240}, phase::prefill);
    const deployment_dag c = make_dag(
        tiny_mixed, toy, {.tp = 2, .cp = 2, .dp = 1, .pp = 2, .etp = 2, .ep = 2}, tiny_load);
    // invalid: etp·ep does not divide the stage's GPUs
    const deployment_dag bad =
        make_dag(tiny, toy, {.tp = 1, .cp = 1, .dp = 3, .pp = 1, .etp = 1, .ep = 2}, tiny_load);
    CHECK_FALSE(bad.built());
    // valid but over its memory: it cannot run either, so nothing is drawn, and the JSON has
    // no latency (the seed plan's batch 128 of 10,240-token prompts on one 64 GB GPU)
    const deployment_dag over = make_dag(presets::seed_moe, presets::seed_gpu,
                                         seed_layout(1, 1, 1, 1), {.batch = 128, .prompt = 10240});
    CHECK(over.summary.evaluated);
    CHECK_FALSE(over.summary.memory.fits);
    CHECK_FALSE(over.built());
    CHECK(to_json(over)["latency_s"].is_null());
    CHECK(to_dot(over).find("memory per GPU") != std::string::npos);
    const std::string texts[] = {to_dot(a), to_dot(b), to_dot(c)};
    for (const std::string& t : texts) {
        check_dot(t);
        CHECK(t.find("subgraph cluster_g0") != std::string::npos);
    }
    CHECK(texts[0].find("subgraph cluster_g1") != std::string::npos);
    CHECK(texts[0].find("subgraph cluster_g2") == std::string::npos);
    CHECK(texts[0].find("g0_pp_send -> g1_attention") != std::string::npos);
    CHECK(texts[0].find("[T/tp × h] = [1 × 512] bf16") != std::string::npos);
    const std::string bad_dot = to_dot(bad);
    CHECK(bad_dot.find("cannot run:") != std::string::npos);
    CHECK(bad_dot.find("T = ") == std::string::npos); // no load or time for what cannot run

    if (!have_graphviz()) {
        WARN("dot (Graphviz) not found: skipping the render check");
        return;
    }
    CHECK(graphviz_accepts(texts[0], "a"));
    CHECK(graphviz_accepts(texts[1], "b"));
    CHECK(graphviz_accepts(texts[2], "c"));
    CHECK(graphviz_accepts(bad_dot, "bad"));
}

TEST_CASE("dag: JSON has the nodes and edges", "[dag][json]") {
    const deployment_dag d = make_dag(presets::seed_moe, presets::seed_gpu, seed_layout(8, 2, 4, 2),
                                      {.batch = 128, .prompt = 10240});
    const nlohmann::json j = to_json(d);
    CHECK(j["phase"] == "decode");
    CHECK(j["layout"]["world"] == 128);
    CHECK(j["stages"].size() == 2);
    REQUIRE(j["nodes"].size() == std::size_t(d.node_count));
    REQUIRE(j["edges"].size() == std::size_t(d.edge_count));
    std::set<std::string> ids;
    double flops = 0;
    for (const auto& n : j["nodes"]) {
        for (const char* key : {"id", "kind", "stage", "label", "flops", "bytes", "time_s", "gpus"})
            CHECK(n.contains(key));
        ids.insert(n["id"].get<std::string>());
        if (n["gpus"].contains("count"))
            flops += n["flops"].get<double>() * n["gpus"]["count"].get<double>();
    }
    CHECK(ids.size() == std::size_t(d.node_count));
    for (const auto& e : j["edges"]) {
        CHECK(ids.count(e["from"].get<std::string>()) == 1);
        CHECK(ids.count(e["to"].get<std::string>()) == 1);
        CHECK(e["shape"].size() == 2);
        CHECK(e["bytes"].get<double>() ==
              near(e["shape"][0].get<double>() * e["shape"][1].get<double>() *
                   e["element_bytes"].get<double>()));
    }
    const auto& experts = j["nodes"][std::size_t(d.find(1, dag_kind::experts))];
    CHECK(experts["stage"] == 1);
    CHECK(experts["gpus"]["ranks"] == nlohmann::json::array({nlohmann::json::array({64, 127})}));
    CHECK(experts["gpus"]["groups_per_stage"] == 4);
    double steps = 0;
    for (int g = 0; g < d.group_count; ++g)
        steps += d.groups[std::size_t(g)].work.value() * 64;
    CHECK(flops == near(steps));
}
