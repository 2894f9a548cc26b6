#pragma once
/**
 * @file
 * GPU and cluster presets with their datasheet sources. Peaks are dense (no sparsity).
 * Link bandwidths are per GPU and per direction (NVIDIA quotes NVLink bidirectional:
 * H100's "900 GB/s" is 450 GB/s each way). NICs: one per GPU, 400 Gb/s = 50 GB/s.
 *
 * Each GPU carries its family's calibration profile (presets/profiles.hpp; `idealized()`
 * replaces it with the ideal one). Link efficiency (named, overridable; `idealized()` sets it
 * to 1) by link class, below.
 */

#include <moecost/presets/profiles.hpp>
#include <moecost/spec/hardware.hpp>

#include <array>
#include <string_view>

namespace moecost::presets {

using namespace moecost::literals;

/// Achieved share of a link's bandwidth per direction by large messages, fitted on published
/// collective sweeps (docs/calibration.md): NCCL all-reduce bus bandwidth on A100 (0.78),
/// Hopper (0.80) and B200 (0.75) NVLink, an MI300X all-reduce over Infinity Fabric (0.70), and
/// DeepEP's RDMA dispatch and combine between nodes (0.87).
inline constexpr double default_link_efficiency = 0.8; ///< Hopper NVLink
inline constexpr double ampere_nvlink_efficiency = 0.78, blackwell_nvlink_efficiency = 0.75,
                        infinity_fabric_efficiency = 0.70, rdma_efficiency = 0.87;

/// NVIDIA A100 datasheet (SXM4 80GB): 312 TFLOP/s bf16, 624 TOPS INT8 (no fp8), 2,039 GB/s,
/// NVLink3 600 GB/s bidir.
inline constexpr gpu_spec a100_sxm_80gb_gpu{.name = "a100-sxm-80gb",
                                            .peak_bf16 = 312.0_TFLOP_per_s,
                                            .peak_fp8 = {},
                                            .peak_int8 = 624.0_TFLOP_per_s,
                                            .hbm = 80_GB,
                                            .hbm_bandwidth = 2039_GB_per_s,
                                            .perf = a100_profile};
/// NVIDIA H100 datasheet (SXM5): 989 / 1,979 TFLOP/s bf16 / fp8, 1,979 TOPS INT8, 80 GB,
/// 3.35 TB/s, NVLink4 900 GB/s bidir.
inline constexpr gpu_spec h100_sxm_gpu{.name = "h100-sxm",
                                       .peak_bf16 = 989.0_TFLOP_per_s,
                                       .peak_fp8 = 1979.0_TFLOP_per_s,
                                       .peak_int8 = 1979.0_TFLOP_per_s,
                                       .hbm = 80_GB,
                                       .hbm_bandwidth = 3.35_TB_per_s,
                                       .perf = h100_profile};
/// NVIDIA H200 datasheet (SXM): H100 compute, 141 GB at 4.8 TB/s.
inline constexpr gpu_spec h200_gpu{.name = "h200",
                                   .peak_bf16 = 989.0_TFLOP_per_s,
                                   .peak_fp8 = 1979.0_TFLOP_per_s,
                                   .peak_int8 = 1979.0_TFLOP_per_s,
                                   .hbm = 141_GB,
                                   .hbm_bandwidth = 4.8_TB_per_s,
                                   .perf = h100_profile};
/// NVIDIA H800 (SXM, China export part): H100 compute and HBM, NVLink cut to 400 GB/s bidir.
inline constexpr gpu_spec h800_gpu{.name = "h800",
                                   .peak_bf16 = 989.0_TFLOP_per_s,
                                   .peak_fp8 = 1979.0_TFLOP_per_s,
                                   .peak_int8 = 1979.0_TFLOP_per_s,
                                   .hbm = 80_GB,
                                   .hbm_bandwidth = 3.35_TB_per_s,
                                   .perf = h100_profile};
/**
 * NVIDIA H20 (Hopper, China export part; NVIDIA publishes no datasheet, these are its partners'
 * figures): 148 / 296 TFLOP/s bf16 / fp8 and 296 TOPS INT8 dense, 96 GB at 4.0 TB/s, NVLink4
 * 900 GB/s bidir.
 */
inline constexpr gpu_spec h20_gpu{.name = "h20",
                                  .peak_bf16 = 148.0_TFLOP_per_s,
                                  .peak_fp8 = 296.0_TFLOP_per_s,
                                  .peak_int8 = 296.0_TFLOP_per_s,
                                  .hbm = 96_GB,
                                  .hbm_bandwidth = 4.0_TB_per_s,
                                  .perf = h20_profile};
/// NVIDIA B200 (HGX B200 datasheet, per GPU: 36 / 72 / 144 PFLOP/s bf16 / fp8 / FP4 and
/// 72 POPS INT8 for 8 GPUs with sparsity): 2.25 / 4.5 / 9 PFLOP/s and 4.5 POPS dense, 180 GB,
/// 8 TB/s.
inline constexpr gpu_spec b200_gpu{.name = "b200",
                                   .peak_bf16 = 2250.0_TFLOP_per_s,
                                   .peak_fp8 = 4500.0_TFLOP_per_s,
                                   .peak_fp4 = 9000.0_TFLOP_per_s,
                                   .peak_int8 = 4500.0_TFLOP_per_s,
                                   .hbm = 180_GB,
                                   .hbm_bandwidth = 8.0_TB_per_s,
                                   .perf = b200_profile};
/**
 * NVIDIA GB200 NVL72's GPU (datasheet, per GPU: 5 / 10 / 20 PFLOP/s bf16 / fp8 / FP4 and
 * 10 POPS INT8 with sparsity): 2.5 / 5 / 10 PFLOP/s and 5 POPS dense, 186 GB at 8 TB/s.
 */
inline constexpr gpu_spec gb200_gpu{.name = "gb200",
                                    .peak_bf16 = 2500.0_TFLOP_per_s,
                                    .peak_fp8 = 5000.0_TFLOP_per_s,
                                    .peak_fp4 = 10000.0_TFLOP_per_s,
                                    .peak_int8 = 5000.0_TFLOP_per_s,
                                    .hbm = 186_GB,
                                    .hbm_bandwidth = 8.0_TB_per_s,
                                    .perf = b200_profile};
/// AMD Instinct MI300X datasheet: 1,307.4 / 2,614.9 TFLOP/s bf16 / fp8 and 2,614.9 TOPS INT8
/// dense, 192 GB, 5.3 TB/s.
inline constexpr gpu_spec mi300x_gpu{.name = "mi300x",
                                     .peak_bf16 = 1307.4_TFLOP_per_s,
                                     .peak_fp8 = 2614.9_TFLOP_per_s,
                                     .peak_int8 = 2614.9_TFLOP_per_s,
                                     .hbm = 192_GB,
                                     .hbm_bandwidth = 5.3_TB_per_s,
                                     .perf = mi300x_profile};
/**
 * The seed plan's GPU: 240 TFLOP/s and 1.44 TB/s given as effective figures (efficiency 1),
 * 64 GB.
 */
inline constexpr gpu_spec seed_gpu_gpu{.name = "seed-gpu",
                                       .peak_bf16 = 240.0_TFLOP_per_s,
                                       .peak_fp8 = {},
                                       .hbm = 64_GB,
                                       .hbm_bandwidth = 1.44_TB_per_s};

constexpr link_spec nvlink(double gb_per_s_each_way, double efficiency = default_link_efficiency,
                           double latency_us = 3.0) {
    return {.bandwidth = make<byte_rate>(gb_per_s_each_way * 1e9),
            .latency = make<seconds>(latency_us * 1e-6),
            .efficiency = efficiency};
}
constexpr link_spec nic(double gbit_per_s, double latency_us = 10.0) {
    return {.bandwidth = make<byte_rate>(gbit_per_s * 1e9 / 8.0),
            .latency = make<seconds>(latency_us * 1e-6),
            .efficiency = rdma_efficiency};
}

// clang-format off
inline constexpr cluster_spec a100_sxm_80gb{.gpu = a100_sxm_80gb_gpu, .gpus_per_node = 8, .intra_node = nvlink(300, ampere_nvlink_efficiency), .inter_node = nic(200)};
inline constexpr cluster_spec h100_sxm{.gpu = h100_sxm_gpu, .gpus_per_node = 8, .intra_node = nvlink(450), .inter_node = nic(400)};
inline constexpr cluster_spec h200{.gpu = h200_gpu, .gpus_per_node = 8, .intra_node = nvlink(450), .inter_node = nic(400)};
inline constexpr cluster_spec h800{.gpu = h800_gpu, .gpus_per_node = 8, .intra_node = nvlink(200), .inter_node = nic(400)};
inline constexpr cluster_spec h20{.gpu = h20_gpu, .gpus_per_node = 8, .intra_node = nvlink(450), .inter_node = nic(400)};
inline constexpr cluster_spec b200{.gpu = b200_gpu, .gpus_per_node = 8, .intra_node = nvlink(900, blackwell_nvlink_efficiency), .inter_node = nic(400)};
/// GB200 NVL72: one NVLink5 domain of 72 GPUs, 1.8 TB/s bidir each; a 400 Gb/s ConnectX-7 per GPU
/// between racks.
inline constexpr cluster_spec gb200_nvl72{.gpu = gb200_gpu, .gpus_per_node = 72, .intra_node = nvlink(900, blackwell_nvlink_efficiency), .inter_node = nic(400)};
/// MI300X: 7 Infinity Fabric links of 64 GB/s each way to the other 7 GPUs of a node.
inline constexpr cluster_spec mi300x{.gpu = mi300x_gpu, .gpus_per_node = 8, .intra_node = nvlink(448, infinity_fabric_efficiency), .inter_node = nic(400)};
/**
 * The seed names no interconnect. Assumed (and reported as an assumption): 8 GPUs per node
 * with A100-class links, NVLink3 at 300 GB/s each way and a 200 Gb/s NIC per GPU, since
 * 240 TFLOP/s and 1.44 TB/s are A100-class effective rates. Link efficiency 1 like the GPU.
 */
inline constexpr cluster_spec seed_gpu{.gpu = seed_gpu_gpu, .gpus_per_node = 8,
    .intra_node = {.bandwidth = 300_GB_per_s, .latency = 3_us, .efficiency = 1.0},
    .inter_node = {.bandwidth = 25_GB_per_s, .latency = 10_us, .efficiency = 1.0},
    .interconnect_assumed = true};
// clang-format on

struct named_cluster {
    std::string_view name;
    const cluster_spec* spec;
};

inline constexpr std::array cluster_presets{
    named_cluster{"a100-sxm-80gb", &a100_sxm_80gb},
    named_cluster{"h100-sxm", &h100_sxm},
    named_cluster{"h200", &h200},
    named_cluster{"h800", &h800},
    named_cluster{"h20", &h20},
    named_cluster{"b200", &b200},
    named_cluster{"gb200-nvl72", &gb200_nvl72},
    named_cluster{"mi300x", &mi300x},
    named_cluster{"seed-gpu", &seed_gpu},
};

constexpr const cluster_spec* find_cluster(std::string_view name) {
    for (const auto& p : cluster_presets)
        if (p.name == name)
            return p.spec;
    return nullptr;
}

} // namespace moecost::presets
