#pragma once
/**
 * @file
 * GPUs and clusters: peak rates, capacities, links, the calibration profile that turns peaks
 * into achievable rates (docs/model.md §Machine model).
 */

#include <moecost/detail/fixed_string.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/profile.hpp>
#include <moecost/units.hpp>

namespace moecost {

/**
 * A GPU. Peaks are dense (no sparsity) datasheet figures; `perf`, its calibration profile,
 * says what share of them real kernels reach (spec/profile.hpp). The seed's GPU gives
 * effective figures directly, so its profile is ideal.
 */
struct gpu_spec {
    detail::fixed_string<24> name{};
    stored<flop_rate> peak_bf16{}; ///< dense bf16/fp16 tensor FLOP/s
    stored<flop_rate> peak_fp8{};  ///< dense fp8 tensor FLOP/s (0: no fp8, bf16 rate used)
    stored<flop_rate> peak_fp4{};  ///< dense FP4 tensor FLOP/s (0: none; nvfp4 at the bf16 rate)
    stored<flop_rate> peak_int8{}; ///< dense INT8 tensor OP/s (0: none; int8 at the bf16 rate)
    stored<bytes> hbm{};
    stored<byte_rate> hbm_bandwidth{};
    perf_profile perf{}; ///< what real kernels reach of the peaks (default: ideal)
    friend constexpr bool operator==(const gpu_spec&, const gpu_spec&) = default;
};

/// A link as one GPU sees it: bandwidth per direction, per-message latency (alpha).
struct link_spec {
    stored<byte_rate> bandwidth{};
    stored<seconds> latency{}; ///< 0 to 1 s (term_limits::fixed_cost)
    double efficiency = 1.0;   ///< achievable fraction of the bandwidth in collectives, [0.001, 1]
    friend constexpr bool operator==(const link_spec&, const link_spec&) = default;
};

/**
 * GPUs grouped in nodes: scale-up links inside a node (NVLink/NVSwitch, Infinity Fabric),
 * scale-out links between nodes (one NIC per GPU).
 */
struct cluster_spec {
    gpu_spec gpu{};
    int gpus_per_node = 8;
    int max_gpus = 0; ///< GPUs available; 0 means as many as the layout asks for
    link_spec intra_node{};
    link_spec inter_node{};
    bool interconnect_assumed = false; ///< links are a documented assumption, not a datasheet
    friend constexpr bool operator==(const cluster_spec&, const cluster_spec&) = default;
};

/**
 * Peak FLOP/s for matmuls with weights of dtype t. Like fp8 weights, nvfp4 weights multiply
 * activations quantised to their format (W4A4, as NVIDIA's NVFP4 checkpoints do) at the FP4
 * rate where the GPU has one, and are dequantised to bf16 where it has none (W4A16). mxfp4
 * weights are dequantised in the kernel and multiplied at the bf16 rate everywhere (W4A16, as
 * gpt-oss's Triton MoE kernels do), and so are int4 ones (AWQ's and GPTQ's kernels, Marlin).
 * int8 weights multiply int8 activations (W8A8: SmoothQuant, vLLM's int8 scaled_mm) at the
 * INT8 rate, an integer operation counted as a FLOP; without one, at the bf16 rate.
 */
constexpr flop_rate peak_for(const gpu_spec& g, dtype t) {
    if (t == dtype::fp8 && g.peak_fp8.value > 0)
        return g.peak_fp8;
    if (t == dtype::nvfp4 && g.peak_fp4.value > 0)
        return g.peak_fp4;
    if (t == dtype::int8 && g.peak_int8.value > 0)
        return g.peak_int8;
    if (t == dtype::fp32)
        return 0.5 * g.peak_bf16.get(); // TF32 tensor rate: half of bf16
    return g.peak_bf16;
}

/// The GEMM format whose peak `peak_for` uses for dtype t (fp32: the bf16 kernels' share).
constexpr gemm_format format_of(const gpu_spec& g, dtype t) {
    if (t == dtype::fp8 && g.peak_fp8.value > 0)
        return gemm_format::fp8;
    if (t == dtype::nvfp4 && g.peak_fp4.value > 0)
        return gemm_format::fp4;
    if (t == dtype::int8 && g.peak_int8.value > 0)
        return gemm_format::int8;
    return gemm_format::bf16;
}

/// The cluster at its peaks: an ideal profile, every link efficiency 1 (physical upper bounds).
constexpr cluster_spec idealized(cluster_spec c) {
    c.gpu.perf = perf_profile{};
    c.intra_node.efficiency = 1.0;
    c.inter_node.efficiency = 1.0;
    return c;
}

/// Adds the rules c breaks to `out` (the list `validate` returns).
constexpr void validate_into(violations& out, const cluster_spec& c) {
    if (c.gpu.peak_bf16.value <= 0)
        out.add(rule::positive, "gpu.peak_bf16", c.gpu.peak_bf16.value);
    if (c.gpu.peak_fp8.value < 0)
        out.add(rule::non_negative, "gpu.peak_fp8", c.gpu.peak_fp8.value);
    if (c.gpu.peak_fp4.value < 0)
        out.add(rule::non_negative, "gpu.peak_fp4", c.gpu.peak_fp4.value);
    if (c.gpu.peak_int8.value < 0)
        out.add(rule::non_negative, "gpu.peak_int8", c.gpu.peak_int8.value);
    if (c.gpu.hbm.value <= 0)
        out.add(rule::positive, "gpu.hbm", c.gpu.hbm.value);
    if (c.gpu.hbm_bandwidth.value <= 0)
        out.add(rule::positive, "gpu.hbm_bandwidth", c.gpu.hbm_bandwidth.value);
    validate_into(out, c.gpu.perf);
    if (c.gpus_per_node <= 0)
        out.add(rule::positive, "gpus_per_node", c.gpus_per_node);
    if (c.max_gpus < 0)
        out.add(rule::non_negative, "max_gpus", c.max_gpus);
    if (c.intra_node.bandwidth.value <= 0)
        out.add(rule::positive, "intra_node.bandwidth", c.intra_node.bandwidth.value);
    if (c.inter_node.bandwidth.value <= 0)
        out.add(rule::positive, "inter_node.bandwidth", c.inter_node.bandwidth.value);
    namespace lim = term_limits;
    constexpr term_range eff = lim::fraction::range, latency = lim::fixed_cost::range;
    const bool links_ok =
        eff.holds(c.intra_node.efficiency) && eff.holds(c.inter_node.efficiency) &&
        latency.holds(c.intra_node.latency.value) && latency.holds(c.inter_node.latency.value);
    if (!links_ok) {
        check_range(out, "intra_node.efficiency", c.intra_node.efficiency, eff);
        check_range(out, "inter_node.efficiency", c.inter_node.efficiency, eff);
        check_range(out, "intra_node.latency", c.intra_node.latency.value, latency);
        check_range(out, "inter_node.latency", c.inter_node.latency.value, latency);
    }
}

/// Every rule a cluster must satisfy.
constexpr violations validate(const cluster_spec& c) {
    violations out;
    validate_into(out, c);
    return out;
}

} // namespace moecost
