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
    p.gemm[static_cast<std::size_t>(gemm_format::bf16)] = {.peak = 0.5, .half = 16};
    const report r = evaluate(test::dense4, with(p), one_gpu, two_by_eight);
    // 16 rows reach 0.5 · 16 / (16 + 16) = 0.25 of peak: the FFN's 1,048.576 ns become 4×.
    CHECK(op(r, op_group::dense_ffn).compute_time.value() == near(4 * 1'048.576e-9));
    // Decode: 2 rows reach 0.5 · 2 / 18 = 1/18 of peak. FFN work 4 layers × 2 × 65,536 =
    // 524,288 FLOPs: 131.072 ns at peak, 2,359.296 ns here, above the 262.144 ns its
    // 4 × 65,536 B of weights take: the compute side now binds.
    CHECK(r.decode.slowest.op(op_group::dense_ffn).compute_time.value() == near(18 * 131.072e-9));
    CHECK(r.decode.slowest.op(op_group::dense_ffn).bound() == resource::compute);
    // Other formats keep their own curve: an fp8 model on the bf16 curve's GPU is untouched
    // (this GPU has no fp8 rate, so fp8 runs on the bf16 kernels' share as well).
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
