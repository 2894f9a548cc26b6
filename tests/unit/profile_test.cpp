// The calibration profile's terms, each checked alone against its formula by hand
// (docs/model.md §9.6): on the made-up GPU of fixtures.hpp (4 TFLOP/s, 1 TB/s) every term of
// an ideal profile is neutral, so one term set at a time shows exactly what it adds.

#include <moecost/evaluate/inference.hpp>
#include <moecost/presets/hardware.hpp>
#include <moecost/spec/profile.hpp>

#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace moecost;
using namespace moecost::literals;
using moecost::test::near;

namespace {

/// dense4 (fixtures.hpp) on one GPU: 2 sequences of 8 tokens, T = 16 tokens a step.
constexpr layout one_gpu{};
constexpr workload two_by_eight{.batch = 2, .prompt = 8};

cluster_spec with(const perf_profile& p) {
    cluster_spec c = test::toy_cluster;
    c.gpu.perf = p;
    return c;
}

const op_cost& op(const report& r, op_group g) {
    return r.prefill.slowest.op(g);
}

} // namespace

TEST_CASE("profile: the default profile is ideal and changes nothing", "[profile]") {
    const report base = evaluate(test::dense4, test::toy_cluster, one_gpu, two_by_eight);
    const report flat = evaluate(test::dense4, with(flat_profile(1.0, 1.0)), one_gpu, two_by_eight);
    CHECK(flat.prefill.latency.value() == base.prefill.latency.value());
    CHECK(flat.decode.latency.value() == base.decode.latency.value());
    // The dense FFN: 4 layers × 16 tokens × 2·2·64·256 FLOPs = 4,194,304 at 4 TFLOP/s.
    CHECK(op(base, op_group::dense_ffn).work.value() == 4'194'304.0);
    CHECK(op(base, op_group::dense_ffn).compute_time.value() == near(1'048.576e-9));
}

TEST_CASE("profile: GEMM efficiency by rows", "[profile][gemm]") {
    perf_profile p;
    p.gemm[static_cast<std::size_t>(gemm_format::bf16)] = {.peak = 0.5, .half = 128};
    // 16 sequences of 8: 128 rows reach 0.5 · 128 / (128 + 128) = 0.25 of peak. The FFN's
    // 4 layers × 128 × 65,536 FLOPs = 33,554,432 take 8,388.608 ns at peak, 4× here.
    const workload sixteen_by_eight{.batch = 16, .prompt = 8};
    const report r = evaluate(test::dense4, with(p), one_gpu, sixteen_by_eight);
    CHECK(op(r, op_group::dense_ffn).work.value() == 33'554'432.0);
    CHECK(op(r, op_group::dense_ffn).compute_time.value() == near(4 * 8'388.608e-9));
    // Below 64 rows the curve holds its value at 64: 0.5 · 64 / 192 = 1/6 of peak. Prefill of
    // 2 × 8 = 16 rows: 1,048.576 ns at peak, 6× here.
    const report small = evaluate(test::dense4, with(p), one_gpu, two_by_eight);
    CHECK(op(small, op_group::dense_ffn).compute_time.value() == near(6 * 1'048.576e-9));
    // Decode, 2 rows: the FFN's 4 × 2 × 65,536 = 524,288 FLOPs take 131.072 ns at peak,
    // 786.432 ns here, above the 262.144 ns its 4 × 65,536 B of weights take: compute binds.
    CHECK(small.decode.slowest.op(op_group::dense_ffn).compute_time.value() ==
          near(6 * 131.072e-9));
    CHECK(small.decode.slowest.op(op_group::dense_ffn).bound() == resource::compute);
    // Other formats keep their own curve: a GPU without an fp8 rate runs fp8 on the bf16
    // kernels' share.
    CHECK(format_of(test::toy_cluster.gpu, dtype::fp8) == gemm_format::bf16);
    CHECK(format_of(presets::h100_sxm.gpu, dtype::fp8) == gemm_format::fp8);
    CHECK(format_of(presets::h100_sxm.gpu, dtype::nvfp4) == gemm_format::bf16); // no FP4 rate
    CHECK(format_of(presets::b200.gpu, dtype::nvfp4) == gemm_format::fp4);
}

TEST_CASE("profile: kernel overheads, HBM ramp and elementwise kernels", "[profile][kernels]") {
    SECTION("kernel overhead: each kernel of each layer, outside the roofline") {
        perf_profile p;
        p.kernel_overhead = 1_us;
        const report r = evaluate(test::dense4, with(p), one_gpu, two_by_eight);
        // kernels per layer: projections 4, core 2, dense FFN 4; LM head 3 (once); 4 layers
        CHECK(op(r, op_group::attention_proj).fixed.value() == near(16e-6));
        CHECK(op(r, op_group::attention_core).fixed.value() == near(8e-6));
        CHECK(op(r, op_group::dense_ffn).fixed.value() == near(16e-6));
        CHECK(op(r, op_group::lm_head).fixed.value() == near(3e-6));
        CHECK(op(r, op_group::dense_ffn).time().value() == near(1'048.576e-9 + 16e-6));
    }
    SECTION("HBM ramp: each kernel moves `half` bytes more at the plateau") {
        perf_profile p;
        p.hbm = {.peak = 1.0, .half = 1e6};
        const report r = evaluate(test::dense4, with(p), one_gpu, two_by_eight);
        const op_cost& ffn = op(r, op_group::dense_ffn);
        // 16 kernels (4 layers × 4) × 1 MB = 16 µs more than its traffic's time at 1 TB/s
        CHECK(ffn.memory_time.value() == near(ffn.traffic.value() / 1e12 + 16e-6));
    }
    SECTION("elementwise kernels: their bytes after the GEMMs") {
        perf_profile p;
        p.unfused_elementwise = 1.0;
        const report base = evaluate(test::dense4, test::toy_cluster, one_gpu, two_by_eight);
        const report r = evaluate(test::dense4, with(p), one_gpu, two_by_eight);
        // FFN activation: read f, write f (plain FFN): 2·256·2 B per token; 4 layers × 16
        // tokens: 65,536 B, at 1 TB/s 65.536 ns beside the roofline
        CHECK(op(r, op_group::dense_ffn).traffic.value() ==
              op(base, op_group::dense_ffn).traffic.value() + 65'536.0);
        CHECK(op(r, op_group::dense_ffn).time().value() ==
              near(op(base, op_group::dense_ffn).time().value() + 65.536e-9));
        // two residual-add + norm kernels a layer: 8h · 2 B = 1,024 B per token: 65,536 B
        CHECK(op(r, op_group::attention_proj).traffic.value() ==
              op(base, op_group::attention_proj).traffic.value() + 65'536.0);
    }
}

TEST_CASE("profile: overlap share, step overhead, all-to-all latency", "[profile][comm]") {
    SECTION("a step overhead once per prefill and per decode step") {
        perf_profile p;
        p.step_overhead = 10_us;
        const report base = evaluate(test::dense4, test::toy_cluster, one_gpu, two_by_eight);
        const report r = evaluate(test::dense4, with(p), one_gpu, two_by_eight);
        CHECK(r.prefill.latency.value() == near(base.prefill.latency.value() + 10e-6));
        CHECK(r.decode.latency.value() == near(base.decode.latency.value() + 10e-6));
        CHECK(r.prefill.batch_time.value() == near(base.prefill.batch_time.value() + 10e-6));
    }
    SECTION("a share of communication hidden under compute") {
        // dense4 on TP 2: a step has compute c and TP all-reduces m; with share 0.5 it takes
        // c + m − 0.5·min(c, m).
        perf_profile p;
        p.comm_overlap = 0.5;
        const layout tp2{.tp = 2};
        const report base = evaluate(test::dense4, test::toy_cluster, tp2, two_by_eight);
        const report r = evaluate(test::dense4, with(p), tp2, two_by_eight);
        const double c = base.prefill.slowest.compute.value();
        const double m = base.prefill.slowest.comm.total().value();
        REQUIRE(m > 0);
        CHECK(r.prefill.slowest.time.value() == near(c + m - 0.5 * std::min(c, m)));
    }
    SECTION("two all-to-alls a MoE layer each pay the latency") {
        perf_profile p;
        p.a2a_latency = 5_us;
        const layout ep2{.dp = 2, .ep = 2};
        const workload w{.batch = 4, .prompt = 8};
        const report base = evaluate(test::tiny_moe, test::toy_cluster, ep2, w);
        const report r = evaluate(test::tiny_moe, with(p), ep2, w);
        // 2 MoE layers × (dispatch + combine) × 5 µs
        CHECK(r.prefill.slowest.comm.ep.value() ==
              near(base.prefill.slowest.comm.ep.value() + 20e-6));
    }
    SECTION("decode's low-latency dispatch sends every copy bound for another node") {
        // tiny_moe (h 64, top-2 of 4 experts, bf16) on EP 4 over nodes of 2 GPUs, one decode
        // token per GPU: a token's 2 copies go to each rank with probability 1/4. Low-latency
        // kernels: 2·(2 − 1)/4 = 0.5 copies to the other GPU of the node, 2·(1 − 2/4) = 1 to
        // the other node; normal ones: 2·3/4 = 1.5 over NVLink and one per remote node touched,
        // 1 − (1/2)^2 = 0.75. Dispatch and combine at 2 B each: 4 B × 64 per copy.
        perf_profile p;
        p.low_latency_decode_dispatch = true;
        cluster_spec two_a_node = with(p);
        two_a_node.gpus_per_node = 2;
        cluster_spec normal = test::toy_cluster;
        normal.gpus_per_node = 2;
        const layout ep4{.dp = 4, .ep = 4};
        const workload w{.batch = 4, .prompt = 8};
        const report ll = evaluate(test::tiny_moe, two_a_node, ep4, w);
        const report nl = evaluate(test::tiny_moe, normal, ep4, w);
        CHECK(ll.decode.slowest.comm.ep_intra_node.value() == near(0.5 * 256));
        CHECK(ll.decode.slowest.comm.ep_inter_node.value() == near(1.0 * 256));
        CHECK(nl.decode.slowest.comm.ep_intra_node.value() == near(1.5 * 256));
        CHECK(nl.decode.slowest.comm.ep_inter_node.value() == near(0.75 * 256));
        // prefill keeps the normal kernels
        CHECK(ll.prefill.slowest.comm.ep_inter_node.value() ==
              nl.prefill.slowest.comm.ep_inter_node.value());
    }
    SECTION("ideal mode takes no profile term") {
        perf_profile p = flat_profile(0.5, 0.5);
        p.kernel_overhead = 1_us;
        p.step_overhead = 1_us;
        p.unfused_elementwise = 1.0;
        const report base =
            evaluate(test::dense4, test::toy_cluster, one_gpu, two_by_eight, {.ideal = true});
        const report r = evaluate(test::dense4, with(p), one_gpu, two_by_eight, {.ideal = true});
        CHECK(r.prefill.latency.value() == base.prefill.latency.value());
        CHECK(r.decode.latency.value() == base.decode.latency.value());
    }
}

TEST_CASE("profile: impossible terms name themselves", "[profile][validate]") {
    perf_profile p;
    p.gemm[1].peak = 1.5;
    p.hbm.half = -1;
    p.comm_overlap = 2;
    p.kernel_overhead = make<seconds>(-1e-6);
    violations v;
    validate_into(v, p);
    CHECK(v.count == 4);
    cluster_spec c = test::toy_cluster;
    c.gpu.perf.attention_decode = 0;
    CHECK_FALSE(validate(c).ok());
    CHECK_FALSE(evaluate(test::dense4, c, one_gpu, two_by_eight).valid());
}

TEST_CASE("profile and links: terms that would make a time infinite name themselves",
          "[profile][validate]") {
    // a fraction of a peak of 5e-324 divides a finite time into inf; a fixed cost of 1e308
    // adds up to inf over a model's kernels: each is refused with the bound it passes
    const auto only = [](const violations& v) {
        REQUIRE(v.count == 1);
        return *v.begin();
    };
    perf_profile p;
    p.gemm[0].peak = 5e-324;
    violation v = only(validate(with(p)));
    CHECK(v.what == rule::at_least);
    CHECK(std::string_view(v.field) == "profile.gemm.bf16.peak");
    CHECK(v.limit == 0.001);
    p = {};
    p.kernel_overhead = make<seconds>(1e308);
    v = only(validate(with(p)));
    CHECK(v.what == rule::at_most);
    CHECK(std::string_view(v.field) == "profile.kernel_overhead");
    CHECK(v.limit == 1);
    p = {};
    p.step_overhead = make<seconds>(10.5); // a step's fixed cost: up to ten seconds
    CHECK(only(validate(with(p))).limit == 10);
    p.step_overhead = make<seconds>(10);
    CHECK(validate(with(p)).ok());
    p = {};
    p.hbm.half = 2e12;
    CHECK(std::string_view(only(validate(with(p))).field) == "profile.hbm.half");

    cluster_spec c = test::toy_cluster;
    c.inter_node.efficiency = 5e-324;
    CHECK(std::string_view(only(validate(c)).field) == "inter_node.efficiency");
    c = test::toy_cluster;
    c.intra_node.latency = make<seconds>(1e308);
    v = only(validate(c));
    CHECK(std::string_view(v.field) == "intra_node.latency");
    CHECK(v.what == rule::at_most);
    c.intra_node.latency = make<seconds>(-1e-9);
    CHECK(only(validate(c)).what == rule::non_negative);
    CHECK_FALSE(evaluate(test::dense4, c, one_gpu, two_by_eight).evaluated);
}
