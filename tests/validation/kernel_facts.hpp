#pragma once
// Kernel-level published facts: the fit set of the calibration profiles
// (include/moecost/presets/profiles.hpp, docs/calibration.md).
//
// Each figure is copied from its source, named beside it (repository@commit:path and section,
// or paper and figure); nothing here is a moecost formula or a moecost output. A figure read in
// a secondary copy (a transcription of a paper's figure, a quotation of a report) says so in
// its `source`. Shapes are the published ones; where a fact needs a derived quantity (the bytes
// a GEMM moves, the bytes one rank sends in an all-to-all), the test derives it from the shape
// in the open, never here.
//
// Every fact names the profile term it informs. `informs::none` marks a fact no term is fitted
// on: kept for the record (a dtype or kernel the profile has no term for yet), or a check of a
// term set otherwise, in a test of its own (the H20 GEMMs).

#include <moecost/presets/hardware.hpp>

#include <array>
#include <string_view>

namespace moecost::validation::kernel_facts {

/// GPU families that share kernels (and so one profile).
enum class family : unsigned char { ampere, hopper, blackwell, cdna3 };

/// The profile term a fact informs.
enum class informs : unsigned char {
    gemm_bf16,
    gemm_fp8,
    gemm_fp4,
    hbm,               ///< memory-bound kernels' fraction of HBM bandwidth, by bytes moved
    attention_prefill, ///< flash-attention-class forward: fraction of peak bf16 FLOP/s
    attention_decode,  ///< decode attention: fraction of HBM bandwidth
    kernel_overhead,   ///< seconds per kernel under CUDA graphs
    a2a_latency,       ///< fixed seconds of one EP dispatch or combine
    link_intra,        ///< NVLink-class efficiency and latency
    link_inter,        ///< RDMA (InfiniBand) efficiency
    none,
};

/// GEMM element type of a fact (the multiplication's input format).
enum class gemm_dtype : unsigned char { bf16, fp8, fp4 };

// =============================================================================================
// 1. GEMMs: achieved TFLOP/s by shape. groups > 1: grouped GEMM with `m` rows per group (the
//    tokens of one expert), all groups of the same n and k. `gbps`: the memory bandwidth the
//    source reports for the same run (0 where it reports none).
// =============================================================================================
struct gemm_fact {
    std::string_view what;
    std::string_view gpu;
    const cluster_spec* cluster; ///< the preset whose peaks the fraction is taken against
    family fam;
    gemm_dtype dtype;
    int groups;
    double m, n, k;
    double tflops; ///< measured TFLOP/s
    double gbps;   ///< measured GB/s (source's own accounting), 0: not reported
    std::string_view source;
    informs term;
};

// DeepGEMM's README at 55ab91f (2025-03-25), "Performance": FP8 (1x128 / 128x128 block-scaled)
// GEMMs on H800 SXM5, NVCC 12.8, "all shapes potentially used in DeepSeek-V3/R1 inference". The
// README's memory bandwidth counts M*K + N*K FP8 bytes read and M*N BF16 bytes written (the
// test checks that accounting against the reported GB/s).
inline constexpr std::string_view deepgemm_dense =
    "deepseek-ai/DeepGEMM@55ab91f72f76e8a6db0e86282c3169a88d93df1b:README.md, Performance, "
    "\"Normal GEMMs for dense models\"";
inline constexpr std::string_view deepgemm_contiguous =
    "deepseek-ai/DeepGEMM@55ab91f72f76e8a6db0e86282c3169a88d93df1b:README.md, Performance, "
    "\"Grouped GEMMs for MoE models (contiguous layout)\"";
inline constexpr std::string_view deepgemm_masked =
    "deepseek-ai/DeepGEMM@55ab91f72f76e8a6db0e86282c3169a88d93df1b:README.md, Performance, "
    "\"Grouped GEMMs for MoE models (masked layout)\"";
// Stas Bekman, ml-engineering, compute/accelerator/README.md at 744d01e (2026-08-22), "Maximum
// Achievable Matmul FLOPS comparison table": torch.matmul, best shape found by mamf-finder.py,
// mean of 100 iterations after 50 warm-up.
inline constexpr std::string_view mamf_bf16 =
    "stas00/ml-engineering@744d01e18b79512572f64a6bbd8b5f4a725203a7:compute/accelerator/"
    "README.md, Maximum Achievable Matmul FLOPS comparison table, BF16";
inline constexpr std::string_view mamf_fp8 =
    "stas00/ml-engineering@744d01e18b79512572f64a6bbd8b5f4a725203a7:compute/accelerator/"
    "README.md, Maximum Achievable Matmul FLOPS comparison table, FP8 (float8_e4m3fn)";

// XLA's GPU cost model data (tensorflow/tensorflow mirror of openxla/xla), sm_90 entries.
inline constexpr std::string_view xla_sm90 =
    "tensorflow/tensorflow@372d578bb861cc5804e56d37d93aec931a59762c:third_party/xla/xla/service/"
    "gpu/model/matmul_interpolator_data.h, kDefaultMatmulPTable, key sm_90, "
    "flops[bf16xbf16->bf16] (TFLOP/s here: the table's FLOP/s over 1e12)";

// vLLM's GEMM benchmarks (benchmarks/kernels/bench_fp8_gemm.py, bench_nvfp4_gemm.py) on B200:
// CUTLASS SM100 kernels, Llama-3.1-8B's QKV shape (N = 6144, K = 4096), TFLOP/s by M, the
// "-noquant" columns (the GEMM alone, without quantising the activations). FP8: per-channel
// weights and per-token activations, after that PR's tunings; the PR states B200. NVFP4: the
// table before #20646's tuned configs (the kernel of #20578); the GPU is not named, but NVFP4
// needs SM100 and the same table's torch-bf16 column matches #18778's B200 runs within 1.5% at
// M = 1 to 256 (5.92 / 5.91, 94.8 / 94.8, 402.5 / 402.6, 729.1 / 727.3, 1127 / 1112).
inline constexpr std::string_view vllm_fp8_b200 =
    "vllm-project/vllm pull request #18778 (\"Tunings for SM100 FP8 CUTLASS kernel\", B200), "
    "bench_fp8_gemm.py, N=6144 K=4096, fp8-channel-w-token-a-noquant";
// TensorRT-LLM's dense NVFP4 FC1 on one B200 (docs/source/blogs/tech_blog/
// blog23_MoE_as_Dense_GEMM.md at 4124b5a, "FC1 Roofline": the AutoTuner's best config by
// num_tokens): DeepSeek-V3's 256 routed experts' W1/W3 under TP8 as one GEMM, N = 256 x 2 x 256
// = 131072, K = 7168 (its 66.1 us roofline at 8 TB/s is those weights with their scales).
inline constexpr std::string_view trtllm_fc1_b200 =
    "NVIDIA/TensorRT-LLM@4124b5a7e8ee02d36e2811afa0acd296e107ddcb:docs/source/blogs/tech_blog/"
    "blog23_MoE_as_Dense_GEMM.md, FC1 Roofline (B200, NVFP4, N=131072 K=7168)";
inline constexpr std::string_view vllm_nvfp4_b200 =
    "vllm-project/vllm pull request #20646 (\"Basic tuned configs for NVFP4 CUTLASS dense GEMM\", "
    "the Before table; the script of #20578), bench_nvfp4_gemm.py, N=6144 K=4096, nvfp4-noquant";
// DeepGEMM's grouped masked fp8 GEMM (m_grouped_fp8_gemm_nt_masked, 1D2D scaling) on H20, as
// the description of pull request 192 gives it for the kernel before its change ("Original",
// "Aligned M": every group of exactly m rows), and the same shapes rerun on H100 by a reviewer
// in that thread ("I tested it on H100"). Checks of the H20 profile's moved halves
// (presets::h20_profile), not fitted.
inline constexpr std::string_view deepgemm_swapab_h20 =
    "deepseek-ai/DeepGEMM pull request #192 (\"support swapAB for m_grouped_fp8_gemm_nt_masked\", "
    "2025-09; the same description as sgl-project/DeepGEMM #11), Improvements, Aligned M, "
    "Original (H20)";
inline constexpr std::string_view deepgemm_swapab_h100 =
    "deepseek-ai/DeepGEMM pull request #192, comment of 2025-10-06 (\"I tested it on H100\"), "
    "Original";

// clang-format off
inline constexpr std::array gemm_facts{
    // DeepGEMM dense FP8 on H800: decode-sized M (64, 128) and prefill-sized M (4096)
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,   64,  2112,  7168,  206,  1688, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,   64, 24576,  1536,  289,  2455, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,   64, 32768,   512,  219,  2143, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,   64,  7168, 16384,  336,  2668, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,   64,  4096,  7168,  287,  2320, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,   64,  7168,  2048,  295,  2470, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,  128,  2112,  7168,  352,  1509, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,  128, 24576,  1536,  535,  2448, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,  128, 32768,   512,  358,  2103, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,  128,  7168, 16384,  645,  2604, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,  128,  4096,  7168,  533,  2221, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1,  128,  7168,  2048,  510,  2277, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1, 4096,  2112,  7168, 1009,   503, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1, 4096, 24576,  1536, 1125,   893, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1, 4096, 32768,   512,  751,  1569, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1, 4096,  7168, 16384, 1426,   361, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1, 4096,  4096,  7168, 1265,   485, deepgemm_dense, informs::gemm_fp8},
    gemm_fact{"DeepGEMM dense fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1, 4096,  7168,  2048, 1168,   794, deepgemm_dense, informs::gemm_fp8},
    // DeepGEMM grouped FP8 on H800, contiguous layout (training forward, prefill): M per group
    gemm_fact{"DeepGEMM grouped contiguous fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 4, 8192, 4096, 7168, 1346, 434, deepgemm_contiguous, informs::gemm_fp8},
    gemm_fact{"DeepGEMM grouped contiguous fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 4, 8192, 7168, 2048, 1214, 752, deepgemm_contiguous, informs::gemm_fp8},
    gemm_fact{"DeepGEMM grouped contiguous fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 8, 4096, 4096, 7168, 1346, 516, deepgemm_contiguous, informs::gemm_fp8},
    gemm_fact{"DeepGEMM grouped contiguous fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 8, 4096, 7168, 2048, 1214, 826, deepgemm_contiguous, informs::gemm_fp8},
    // DeepGEMM grouped FP8 on H800, masked layout (decode under CUDA graphs, DeepEP low-latency)
    gemm_fact{"DeepGEMM grouped masked fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1, 1024, 4096, 7168, 1233,  924, deepgemm_masked, informs::gemm_fp8},
    gemm_fact{"DeepGEMM grouped masked fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 1, 1024, 7168, 2048,  925,  968, deepgemm_masked, informs::gemm_fp8},
    gemm_fact{"DeepGEMM grouped masked fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 2,  512, 4096, 7168, 1040, 1288, deepgemm_masked, informs::gemm_fp8},
    gemm_fact{"DeepGEMM grouped masked fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 2,  512, 7168, 2048,  916, 1405, deepgemm_masked, informs::gemm_fp8},
    // DeepGEMM grouped masked fp8 on H20 and H100, 16 groups of 32, 96 and 160 rows (checks)
    gemm_fact{"DeepGEMM grouped masked fp8", "H20",  &presets::h20,      family::hopper, gemm_dtype::fp8, 16,  32, 4096, 7168, 117, 1862, deepgemm_swapab_h20,  informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H20",  &presets::h20,      family::hopper, gemm_dtype::fp8, 16,  32, 7168, 2048, 118, 1914, deepgemm_swapab_h20,  informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H20",  &presets::h20,      family::hopper, gemm_dtype::fp8, 16,  96, 4096, 7168, 181,  993, deepgemm_swapab_h20,  informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H20",  &presets::h20,      family::hopper, gemm_dtype::fp8, 16,  96, 7168, 2048, 188, 1085, deepgemm_swapab_h20,  informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H20",  &presets::h20,      family::hopper, gemm_dtype::fp8, 16, 160, 4096, 7168, 163,  554, deepgemm_swapab_h20,  informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H20",  &presets::h20,      family::hopper, gemm_dtype::fp8, 16, 160, 7168, 2048, 159,  587, deepgemm_swapab_h20,  informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::fp8, 16,  32, 4096, 7168, 175, 2836, deepgemm_swapab_h100, informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::fp8, 16,  32, 7168, 2048, 155, 2581, deepgemm_swapab_h100, informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::fp8, 16,  96, 4096, 7168, 521, 2807, deepgemm_swapab_h100, informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::fp8, 16,  96, 7168, 2048, 434, 2599, deepgemm_swapab_h100, informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::fp8, 16, 160, 4096, 7168, 645, 2220, deepgemm_swapab_h100, informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::fp8, 16, 160, 7168, 2048, 634, 2379, deepgemm_swapab_h100, informs::none},
    gemm_fact{"DeepGEMM grouped masked fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 4,  256, 4096, 7168,  932, 2064, deepgemm_masked, informs::gemm_fp8},
    gemm_fact{"DeepGEMM grouped masked fp8", "H800", &presets::h800, family::hopper, gemm_dtype::fp8, 4,  256, 7168, 2048,  815, 2047, deepgemm_masked, informs::gemm_fp8},
    // Maximum achievable matmul FLOPS (torch.matmul, best shape MxNxK as published). GH200 is a
    // 900 W part with HBM3e, not the 700 W H200 SXM of moecost's presets: kept for the record.
    gemm_fact{"MAMF bf16", "A100 SXM",       &presets::a100_sxm_80gb, family::ampere,    gemm_dtype::bf16, 1,  1024, 10240,  5120,  271.2, 0, mamf_bf16, informs::gemm_bf16},
    gemm_fact{"MAMF bf16", "H100 SXM",       &presets::h100_sxm,      family::hopper,    gemm_dtype::bf16, 1,  2048,  2048, 13312,  794.5, 0, mamf_bf16, informs::gemm_bf16},
    gemm_fact{"MAMF bf16", "GH200 (900 W)",  &presets::h200,          family::hopper,    gemm_dtype::bf16, 1,  1024, 15360,  4096,  828.6, 0, mamf_bf16, informs::none},
    gemm_fact{"MAMF bf16", "B200 SXM",       &presets::b200,          family::blackwell, gemm_dtype::bf16, 1,  1792, 16128,  3072, 1745.0, 0, mamf_bf16, informs::gemm_bf16},
    gemm_fact{"MAMF bf16", "GB200",          &presets::gb200_nvl72,   family::blackwell, gemm_dtype::bf16, 1,  4096,  9728,  2048, 1822.0, 0, mamf_bf16, informs::gemm_bf16},
    gemm_fact{"MAMF bf16", "MI300X",         &presets::mi300x,        family::cdna3,     gemm_dtype::bf16, 1, 10240, 15360,  8192,  668.4, 0, mamf_bf16, informs::gemm_bf16},
    gemm_fact{"MAMF fp8",  "H100 SXM",       &presets::h100_sxm,      family::hopper,    gemm_dtype::fp8,  1,  1024,  9216, 14336, 1402.6, 0, mamf_fp8,  informs::gemm_fp8},
    gemm_fact{"MAMF fp8",  "H200 SXM",       &presets::h200,          family::hopper,    gemm_dtype::fp8,  1,  1280,  4096, 12032, 1453.4, 0, mamf_fp8,  informs::gemm_fp8},
    gemm_fact{"MAMF fp8",  "GH200 (900 W)",  &presets::h200,          family::hopper,    gemm_dtype::fp8,  1,  1024, 14336, 14336, 1535.0, 0, mamf_fp8,  informs::none},
    gemm_fact{"MAMF fp8",  "B200 SXM",       &presets::b200,          family::blackwell, gemm_dtype::fp8,  1, 15360,  4096,  3072, 3432.5, 0, mamf_fp8,  informs::gemm_fp8},
    gemm_fact{"MAMF fp8",  "GB200",          &presets::gb200_nvl72,   family::blackwell, gemm_dtype::fp8,  1, 19456,  5120,  1536, 3615.6, 0, mamf_fp8,  informs::gemm_fp8},
    // XLA's matmul performance table for sm_90 (H100), bf16 x bf16 -> bf16, batch 1: FLOP/s
    // measured by XLA's GPU cost model for its matmul interpolator; the shapes with N and K of
    // 2048 or more (smaller ones are dominated by launch and tile effects the term does not model)
    gemm_fact{"XLA matmul table bf16", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 1,  256, 4096, 4096, 412.026793553338, 0, xla_sm90, informs::gemm_bf16},
    gemm_fact{"XLA matmul table bf16", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 1,  256, 2048, 4096, 285.873755058572, 0, xla_sm90, informs::gemm_bf16},
    gemm_fact{"XLA matmul table bf16", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 1,  256, 4096, 2048, 324.589426844014, 0, xla_sm90, informs::gemm_bf16},
    gemm_fact{"XLA matmul table bf16", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 1,  512, 2048, 2048, 342.392163265306, 0, xla_sm90, informs::gemm_bf16},
    gemm_fact{"XLA matmul table bf16", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 1, 1024, 2048, 2048, 524.288000000000, 0, xla_sm90, informs::gemm_bf16},
    gemm_fact{"XLA matmul table bf16", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 1, 2048, 2048, 2048, 631.984593290170, 0, xla_sm90, informs::gemm_bf16},
    gemm_fact{"XLA matmul table bf16", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 1, 4096, 4096, 2048, 738.736406437117, 0, xla_sm90, informs::gemm_bf16},
    gemm_fact{"XLA matmul table bf16", "H100", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 1, 4096, 4096, 4096, 783.328793548203, 0, xla_sm90, informs::gemm_bf16},
    // FP4 on B200: the shape is not given; M = 0 marks "large, unstated" (the peak of the curve)
    gemm_fact{"MAMF nvfp4", "B200 SXM", &presets::b200, family::blackwell, gemm_dtype::fp4, 1, 0, 0, 0, 6624, 0,
              "Stas Bekman's B200 NVFP4 vs MXFP4 MAMF report (2026-10-02, torch 2.14), read in a "
              "secondary copy: a public write-up quoting it (search index id 70687791667), not in "
              "ml-engineering@744d01e", informs::gemm_fp4},
    // vLLM's CUTLASS GEMMs on B200 by M, from 64 rows (the curve's range, held below). Below,
    // the engine prices a GEMM by its weights' read at the HBM curve; these kernels do not reach
    // it (M = 1, kept for the record: NVFP4 11.3 us for 13 MB of weights, FP8 5.9 us
    // for 25 MB, where the curve gives 2.3 and 4.2 us; docs/calibration.md)
    gemm_fact{"vLLM CUTLASS fp8", "B200", &presets::b200, family::blackwell, gemm_dtype::fp8, 1,    64, 6144, 4096, 542.513655, 0, vllm_fp8_b200, informs::gemm_fp8},
    gemm_fact{"vLLM CUTLASS fp8", "B200", &presets::b200, family::blackwell, gemm_dtype::fp8, 1,   128, 6144, 4096, 914.948318, 0, vllm_fp8_b200, informs::gemm_fp8},
    gemm_fact{"vLLM CUTLASS fp8", "B200", &presets::b200, family::blackwell, gemm_dtype::fp8, 1,   256, 6144, 4096, 1478.033168, 0, vllm_fp8_b200, informs::gemm_fp8},
    gemm_fact{"vLLM CUTLASS fp8", "B200", &presets::b200, family::blackwell, gemm_dtype::fp8, 1,   512, 6144, 4096, 1795.570613, 0, vllm_fp8_b200, informs::gemm_fp8},
    gemm_fact{"vLLM CUTLASS fp8", "B200", &presets::b200, family::blackwell, gemm_dtype::fp8, 1,  1024, 6144, 4096, 2585.290571, 0, vllm_fp8_b200, informs::gemm_fp8},
    gemm_fact{"vLLM CUTLASS nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,    64, 6144, 4096, 281.971021, 0, vllm_nvfp4_b200, informs::gemm_fp4},
    gemm_fact{"vLLM CUTLASS nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,   128, 6144, 4096, 549.526976, 0, vllm_nvfp4_b200, informs::gemm_fp4},
    gemm_fact{"vLLM CUTLASS nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,   256, 6144, 4096, 1102.033286, 0, vllm_nvfp4_b200, informs::gemm_fp4},
    gemm_fact{"vLLM CUTLASS nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,   512, 6144, 4096, 2187.995534, 0, vllm_nvfp4_b200, informs::gemm_fp4},
    gemm_fact{"vLLM CUTLASS nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,  1024, 6144, 4096, 2894.987191, 0, vllm_nvfp4_b200, informs::gemm_fp4},
    gemm_fact{"vLLM CUTLASS nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,  2048, 6144, 4096, 3411.463557, 0, vllm_nvfp4_b200, informs::gemm_fp4},
    gemm_fact{"vLLM CUTLASS nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,  4096, 6144, 4096, 3645.594842, 0, vllm_nvfp4_b200, informs::gemm_fp4},
    gemm_fact{"vLLM CUTLASS nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,  8192, 6144, 4096, 3778.760919, 0, vllm_nvfp4_b200, informs::gemm_fp4},
    gemm_fact{"vLLM CUTLASS nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1, 16384, 6144, 4096, 3904.329097, 0, vllm_nvfp4_b200, informs::gemm_fp4},
    // TensorRT-LLM's NVFP4 FC1 on B200, one GEMM over many output tiles (1024 at M = 128): at the
    // same M 2.7 to 5.3x the TFLOP/s of vLLM's 6144 x 4096 shape (48 tiles at M = 128, a third of
    // the SMs)
    gemm_fact{"TensorRT-LLM dense FC1 nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,   128, 131072, 7168, 2898.9, 0, trtllm_fc1_b200, informs::gemm_fp4},
    gemm_fact{"TensorRT-LLM dense FC1 nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,   256, 131072, 7168, 4897.0, 0, trtllm_fc1_b200, informs::gemm_fp4},
    gemm_fact{"TensorRT-LLM dense FC1 nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,   336, 131072, 7168, 4342.8, 0, trtllm_fc1_b200, informs::gemm_fp4},
    gemm_fact{"TensorRT-LLM dense FC1 nvfp4", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,   512, 131072, 7168, 5900.8, 0, trtllm_fc1_b200, informs::gemm_fp4},
    gemm_fact{"TensorRT-LLM dense FC1 nvfp4, M < 64", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,     1, 131072, 7168, 19.19, 0, trtllm_fc1_b200, informs::none},
    gemm_fact{"TensorRT-LLM dense FC1 nvfp4, M < 64", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,    32, 131072, 7168, 687.43, 0, trtllm_fc1_b200, informs::none},
    gemm_fact{"TensorRT-LLM dense FC1 nvfp4, M < 64", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1,    48, 131072, 7168, 1090.62, 0, trtllm_fc1_b200, informs::none},
    gemm_fact{"vLLM CUTLASS fp8, M = 1", "B200", &presets::b200, family::blackwell, gemm_dtype::fp8, 1, 1, 6144, 4096, 8.513710, 0, vllm_fp8_b200, informs::none},
    gemm_fact{"vLLM CUTLASS nvfp4, M = 1", "B200", &presets::b200, family::blackwell, gemm_dtype::fp4, 1, 1, 6144, 4096, 4.439497, 0, vllm_nvfp4_b200, informs::none},
    gemm_fact{"MAMF mxfp4", "B200 SXM", &presets::b200, family::blackwell, gemm_dtype::fp4, 1, 0, 0, 0, 6087, 0,
              "the same secondary copy as the NVFP4 figure (moecost multiplies mxfp4 weights at the "
              "bf16 rate, so this informs no term)", informs::none},
};
// clang-format on

// =============================================================================================
// 2. Attention forward (prefill) kernels: achieved TFLOP/s (the source's FLOP count: causal
//    counts half the score and value matmuls) by head dimension and sequence length.
// =============================================================================================
enum class mask : unsigned char { none, causal, unstated };

struct attention_fact {
    std::string_view what;
    std::string_view gpu;
    const cluster_spec* cluster;
    family fam;
    gemm_dtype dtype;
    int head_dim;
    int seq; ///< tokens per sequence; 0: not stated ("up to")
    mask m;
    double tflops;
    std::string_view source;
    informs term;
};

// FlashAttention-3 (Shah et al., arXiv:2407.08608), Figure 5 (BF16 forward on H100 80GB SXM5,
// batch x seq = 16k tokens, hidden 2048), values read in a secondary copy: per-panel
// transcriptions of the paper's bar labels at subtext.edge.nugit.net/image/<hash> (hashes
// below). The transcriptions keep the panel titles ("Attention forward speed, head dim D (H100
// 80GB SXM5)") but not the sub-captions naming the mask; the mask is inferred: of the two
// panels of one head dimension, the causal one is that whose FlashAttention-2 bars (and
// standard-attention bars, where drawn) are lower, as causal masking costs FlashAttention-2 on
// H100 370 -> 335 TFLOP/s at head dim 128.
inline constexpr std::string_view fa3_hd128_nc =
    "FlashAttention-3 paper Fig. 5, head dim 128, no mask (inferred); secondary copy "
    "subtext.edge.nugit.net/image/e27582d2db38...";
inline constexpr std::string_view fa3_hd128_c =
    "FlashAttention-3 paper Fig. 5, head dim 128, causal (inferred); secondary copy "
    "subtext.edge.nugit.net/image/4ec6690918d4...";
inline constexpr std::string_view fa3_hd256_nc =
    "FlashAttention-3 paper Fig. 5, head dim 256, no mask (inferred); secondary copy "
    "subtext.edge.nugit.net/image/72bb66933a75...";
inline constexpr std::string_view fa3_hd256_c =
    "FlashAttention-3 paper Fig. 5, head dim 256, causal (inferred); secondary copy "
    "subtext.edge.nugit.net/image/662fef77d03e...";
inline constexpr std::string_view fa3_hd64 =
    "FlashAttention-3 paper Fig. 5, head dim 64, mask not stated in the copy; secondary copy "
    "subtext.edge.nugit.net/image/55f47a106c25...";
inline constexpr std::string_view fa3_fp8_hd256 =
    "FlashAttention-3 paper Fig. 7 (FP8 forward), head dim 256, mask not stated in the copy; "
    "secondary copy subtext.edge.nugit.net/image/32f2f2fec0fa...";
inline constexpr std::string_view fa3_fp8_hd128 =
    "FlashAttention-3 paper Fig. 7 (FP8 forward), head dim 128, mask not stated in the copy; "
    "secondary copy subtext.edge.nugit.net/image/c33ff2e13f4b...";
inline constexpr std::string_view flashmla_readme =
    "deepseek-ai/FlashMLA@066b5ba6f63d9d0840eac008fe58a1f70acfac78:README.md, Performance";

// clang-format off
inline constexpr std::array attention_facts{
    // (the 512-token bar of this panel is left out: two transcriptions of it disagree, 467 / 497)
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 128,  1024, mask::none,   565, fa3_hd128_nc, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 128,  2048, mask::none,   625, fa3_hd128_nc, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 128,  4096, mask::none,   638, fa3_hd128_nc, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 128,  8192, mask::none,   646, fa3_hd128_nc, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 128, 16384, mask::none,   648, fa3_hd128_nc, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 128,   512, mask::causal, 292, fa3_hd128_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 128,  1024, mask::causal, 423, fa3_hd128_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 128,  2048, mask::causal, 521, fa3_hd128_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 128,  4096, mask::causal, 579, fa3_hd128_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 128,  8192, mask::causal, 602, fa3_hd128_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 128, 16384, mask::causal, 616, fa3_hd128_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256,   512, mask::none,   482, fa3_hd256_nc, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256,  1024, mask::none,   639, fa3_hd256_nc, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256,  2048, mask::none,   707, fa3_hd256_nc, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256,  4096, mask::none,   736, fa3_hd256_nc, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256,  8192, mask::none,   746, fa3_hd256_nc, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256, 16384, mask::none,   756, fa3_hd256_nc, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256,   512, mask::causal, 286, fa3_hd256_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256,  1024, mask::causal, 427, fa3_hd256_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256,  2048, mask::causal, 537, fa3_hd256_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256,  4096, mask::causal, 612, fa3_hd256_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256,  8192, mask::causal, 628, fa3_hd256_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16, 256, 16384, mask::causal, 642, fa3_hd256_c,  informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16,  64,   512, mask::unstated, 333, fa3_hd64, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16,  64,  1024, mask::unstated, 392, fa3_hd64, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16,  64,  2048, mask::unstated, 460, fa3_hd64, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16,  64,  4096, mask::unstated, 476, fa3_hd64, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16,  64,  8192, mask::unstated, 496, fa3_hd64, informs::attention_prefill},
    attention_fact{"FlashAttention-3 bf16 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::bf16,  64, 16384, mask::unstated, 497, fa3_hd64, informs::attention_prefill},
    // FP8 attention: the profile has no fp8 attention term (attention runs at the bf16 rate)
    attention_fact{"FlashAttention-3 fp8 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::fp8, 256, 16384, mask::unstated, 1171, fa3_fp8_hd256, informs::none},
    attention_fact{"FlashAttention-3 fp8 fwd", "H100 SXM", &presets::h100_sxm, family::hopper, gemm_dtype::fp8, 128, 16384, mask::unstated, 1008, fa3_fp8_hd128, informs::none},
    // FlashAttention-2 (Dao, arXiv:2307.08691) on A100 80GB SXM4: abstract, "reaching 50-73% of
    // the theoretical maximum FLOPs/s on A100", and §4.1, "reaches up to 230 TFLOPs/s, 73% of the
    // theoretical maximum TFLOPs/s on A100 GPUs"; read in the text copies of the paper in the
    // search index (ids 61943575165, 62313771762). 50% is the low end of the stated range
    // (156 TFLOP/s of 312), the shape not named.
    attention_fact{"FlashAttention-2 fwd, best", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, gemm_dtype::bf16, 128, 0, mask::unstated, 230,
                   "FlashAttention-2 paper §4.1 (text copy): up to 230 TFLOPs/s, 73%", informs::attention_prefill},
    attention_fact{"FlashAttention-2, low end of 50-73%", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, gemm_dtype::bf16, 0, 0, mask::unstated, 156,
                   "FlashAttention-2 paper abstract (text copy): 50-73% of theoretical maximum", informs::attention_prefill},
    // FlashMLA README: forward MHA prefill on B200 (NVIDIA's SM100 kernel), sparse MLA prefill
    attention_fact{"FlashMLA dense MHA prefill fwd, best", "B200", &presets::b200, family::blackwell, gemm_dtype::bf16, 128, 0, mask::unstated, 1460, flashmla_readme, informs::attention_prefill},
    attention_fact{"FlashMLA sparse MLA prefill fwd, best", "B200", &presets::b200, family::blackwell, gemm_dtype::bf16, 576, 0, mask::unstated, 1450, flashmla_readme, informs::attention_prefill},
    attention_fact{"FlashMLA sparse MLA prefill fwd, best", "H800", &presets::h800, family::hopper, gemm_dtype::bf16, 576, 0, mask::unstated, 640, flashmla_readme, informs::none},
    // backward: the profile's attention term is the forward (prefill) core; kept for the record
    attention_fact{"FlashMLA dense MHA prefill bwd, best", "B200", &presets::b200, family::blackwell, gemm_dtype::bf16, 128, 0, mask::unstated, 1000, flashmla_readme, informs::none},
};
// clang-format on

// =============================================================================================
// 3. Decode attention: memory-bound (GB/s) and compute-bound (TFLOP/s) maxima.
// =============================================================================================
struct decode_fact {
    std::string_view what;
    std::string_view gpu;
    const cluster_spec* cluster;
    family fam;
    double gbps;   ///< memory-bound configuration, 0: n/a
    double tflops; ///< compute-bound configuration, 0: n/a
    std::string_view source;
    informs term;
};
// clang-format off
inline constexpr std::array decode_facts{
    // "The dense MLA decoding kernel achieves up to 3000 GB/s in memory-bound configuration and
    // 660 TFLOPS in computation-bound configuration on H800 SXM5 with CUDA 12.8."
    decode_fact{"FlashMLA dense MLA decode, memory-bound, best", "H800", &presets::h800, family::hopper, 3000, 0, flashmla_readme, informs::attention_decode},
    decode_fact{"FlashMLA dense MLA decode, compute-bound, best", "H800", &presets::h800, family::hopper, 0, 660, flashmla_readme, informs::none},
    decode_fact{"FlashMLA sparse FP8-KV MLA decode, compute-bound", "H800", &presets::h800, family::hopper, 0, 410, flashmla_readme, informs::none},
};
// clang-format on

// =============================================================================================
// 4. Collectives (NCCL) inside a node: bus bandwidth (nccl-tests' busbw) and, where published,
//    the time of one call, by message size.
// =============================================================================================
enum class collective : unsigned char {
    all_reduce_ring,
    all_reduce_nvls,
    all_gather,
    reduce_scatter
};

struct collective_fact {
    std::string_view what;
    std::string_view gpu;
    const cluster_spec* cluster;
    family fam;
    collective coll;
    int gpus;
    double bytes;   ///< message size (all-reduce: the buffer; all-gather: the output)
    double time_us; ///< one call, 0: not published (then busbw alone is the fact)
    double busbw;   ///< GB/s
    std::string_view source;
    informs term;
};

inline constexpr std::string_view mle_a100_sweep =
    "stas00/ml-engineering@744d01e:network/README.md, \"Understanding why inter-node network speed "
    "is of a huge importance\": nccl-tests all_reduce_perf -b 32k -e 16G -f 2 -g 8, one A100 node";
inline constexpr std::string_view mle_h200_sweep =
    "stas00/ml-engineering@744d01e:network/README.md, the same section: all_reduce_bench.py on "
    "an 8x H200 node (NCCL picks Ring/LL up to 1 MiB and NVLS from 2 MiB, per its text)";
inline constexpr std::string_view mle_sharp =
    "stas00/ml-engineering@744d01e:network/README.md, \"SHARP\": nccl-tests on 8x H200, "
    "NCCL_NVLS_ENABLE=0/1, 16 GiB";
inline constexpr std::string_view mle_b200 =
    "stas00/ml-engineering@744d01e:network/README.md, \"SHARP\": nccl-tests on 8x B200 "
    "p6-b200.48xlarge, nccl 2.27.7, 8 GiB, NVLS off";
inline constexpr std::string_view mle_b200_sweep =
    "stas00/ml-engineering@744d01e:network/README.md, \"Inter-node speed depends on intra-node "
    "speed\": all_reduce_bench.py, 1 node of 8x B200";

constexpr double kib = 1024.0;
constexpr double mib = 1024.0 * kib;
constexpr double gib = 1024.0 * mib;

// clang-format off
inline constexpr std::array collective_facts{
    // A100 NVLink3 (300 GB/s each way): time and busbw by size
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,      32768,   43.83,   1.31, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,      65536,   46.80,   2.45, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,     131072,   51.76,   4.43, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,     262144,   61.38,   7.47, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,     524288,   80.40,  11.41, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,    1048576,  101.9,   18.00, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,    2097152,  101.4,   36.18, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,    4194304,  101.5,   72.33, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,    8388608,  133.5,  109.93, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,   16777216,  276.6,  106.16, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,   33554432,  424.0,  138.49, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,   67108864,  684.6,  171.54, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,  134217728, 1327.6,  176.92, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,  268435456, 2420.6,  194.07, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8,  536870912, 4218.4,  222.72, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8, 1073741824, 8203.9,  229.04, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8, 2147483648, 16240,   231.41, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8, 4294967296, 32136,   233.88, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8, 8589934592, 64074,   234.61, mle_a100_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "A100 SXM", &presets::a100_sxm_80gb, family::ampere, collective::all_reduce_ring, 8, 17179869184.0, 127997, 234.89, mle_a100_sweep, informs::link_intra},
    // H200 NVLink4 (450 GB/s each way), Ring/LL below 2 MiB: busbw only (time = 1.75 x bytes / busbw)
    collective_fact{"NCCL all-reduce", "H200", &presets::h200, family::hopper, collective::all_reduce_ring, 8,   32 * kib, 0,  1.44, mle_h200_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "H200", &presets::h200, family::hopper, collective::all_reduce_ring, 8,   64 * kib, 0,  2.93, mle_h200_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "H200", &presets::h200, family::hopper, collective::all_reduce_ring, 8,  128 * kib, 0,  5.73, mle_h200_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "H200", &presets::h200, family::hopper, collective::all_reduce_ring, 8,  256 * kib, 0, 11.74, mle_h200_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "H200", &presets::h200, family::hopper, collective::all_reduce_ring, 8,  512 * kib, 0, 23.94, mle_h200_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "H200", &presets::h200, family::hopper, collective::all_reduce_ring, 8,    1 * mib, 0, 39.93, mle_h200_sweep, informs::link_intra},
    // H200 ring at large sizes (NVLS off, or collectives NVLS does not implement)
    collective_fact{"NCCL all-reduce, NVLS off", "H200", &presets::h200, family::hopper, collective::all_reduce_ring, 8, 16 * gib, 0, 367.2, mle_sharp, informs::link_intra},
    collective_fact{"NCCL all-gather",           "H200", &presets::h200, family::hopper, collective::all_gather,      8, 16 * gib, 0, 361.4, mle_sharp, informs::link_intra},
    collective_fact{"NCCL reduce-scatter",       "H200", &presets::h200, family::hopper, collective::reduce_scatter,  8, 16 * gib, 0, 362.9, mle_sharp, informs::link_intra},
    // NVLS (NVLink SHARP) all-reduce: in-switch reduction, busbw above the wire; no term yet
    collective_fact{"NCCL all-reduce, NVLS",     "H200", &presets::h200, family::hopper, collective::all_reduce_nvls, 8, 16 * gib, 0, 480.0, mle_sharp, informs::none},
    // H100: NCCL's maintainer in NVIDIA/nccl-tests#212 (2024-05-06): "450GB/s is the line rate.
    // With the protocol overhead (~20%) NCCL can get an effective NVLink bandwidth of 370GB/s"
    collective_fact{"NCCL ring busbw, large", "H100 SXM", &presets::h100_sxm, family::hopper, collective::all_reduce_ring, 8, 0, 0, 370,
                    "NVIDIA/nccl-tests issue #212, comment by sjeaugey 2024-05-06", informs::link_intra},
    // B200 NVLink5 (900 GB/s each way), ring (NVLS off)
    collective_fact{"NCCL all-reduce, NVLS off", "B200", &presets::b200, family::blackwell, collective::all_reduce_ring, 8, 8 * gib, 0, 682.2, mle_b200, informs::link_intra},
    collective_fact{"NCCL all-reduce, NVLS off", "B200", &presets::b200, family::blackwell, collective::all_reduce_ring, 4, 8 * gib, 0, 673.8, mle_b200, informs::link_intra},
    collective_fact{"NCCL all-reduce", "B200", &presets::b200, family::blackwell, collective::all_reduce_ring, 8,  32 * kib, 0,  1.20, mle_b200_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "B200", &presets::b200, family::blackwell, collective::all_reduce_ring, 8,  64 * kib, 0,  2.17, mle_b200_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "B200", &presets::b200, family::blackwell, collective::all_reduce_ring, 8, 128 * kib, 0,  4.86, mle_b200_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "B200", &presets::b200, family::blackwell, collective::all_reduce_ring, 8, 256 * kib, 0,  9.54, mle_b200_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "B200", &presets::b200, family::blackwell, collective::all_reduce_ring, 8, 512 * kib, 0, 18.71, mle_b200_sweep, informs::link_intra},
    collective_fact{"NCCL all-reduce", "B200", &presets::b200, family::blackwell, collective::all_reduce_ring, 8,   1 * mib, 0, 36.06, mle_b200_sweep, informs::link_intra},
    // MI300X (7 x 64 GB/s Infinity Fabric each way), RCCL
    collective_fact{"RCCL all-reduce", "MI300X", &presets::mi300x, family::cdna3, collective::all_reduce_ring, 8, 4 * gib, 0, 312.912,
                    "stas00/ml-engineering@744d01e:network/README.md, intra-node networking: all_reduce_bench.py, 8x MI300X, 4 GiB", informs::link_intra},
};
// clang-format on

// =============================================================================================
// 5. Expert-parallel dispatch and combine (DeepEP) on H800: NVLink ~160 GB/s, one CX7 400 Gb/s
//    (~50 GB/s) RDMA NIC per GPU.
// =============================================================================================
enum class ep_kernel : unsigned char { normal_dispatch, normal_combine, ll_dispatch, ll_combine };

struct ep_fact {
    std::string_view what;
    std::string_view gpu;
    const cluster_spec* cluster;
    family fam;
    ep_kernel kernel;
    int ep;     ///< ranks; 8 per node
    int tokens; ///< tokens per rank (batch)
    int hidden;
    int topk;
    double latency_us; ///< one call, 0: not published
    double gbps;       ///< the source's bandwidth (normal: bottleneck link; low-latency: RDMA)
    std::string_view source;
    informs term;
};

inline constexpr std::string_view deepep_v1 =
    "deepseek-ai/DeepEP@0297fc801788b14b338a46554faca28d419e518a:docs/legacy.md (V1 README), "
    "Performance";

// clang-format off
inline constexpr std::array ep_facts{
    // Normal kernels: 4096 tokens, hidden 7168, top-4 groups, top-8 experts, FP8 dispatch, BF16 combine
    ep_fact{"DeepEP normal dispatch, intranode", "H800", &presets::h800, family::hopper, ep_kernel::normal_dispatch,  8, 4096, 7168, 8, 0, 153, deepep_v1, informs::link_intra},
    ep_fact{"DeepEP normal combine, intranode",  "H800", &presets::h800, family::hopper, ep_kernel::normal_combine,   8, 4096, 7168, 8, 0, 158, deepep_v1, informs::link_intra},
    ep_fact{"DeepEP normal dispatch, internode", "H800", &presets::h800, family::hopper, ep_kernel::normal_dispatch, 16, 4096, 7168, 8, 0,  43, deepep_v1, informs::link_inter},
    ep_fact{"DeepEP normal combine, internode",  "H800", &presets::h800, family::hopper, ep_kernel::normal_combine,  16, 4096, 7168, 8, 0,  43, deepep_v1, informs::link_inter},
    ep_fact{"DeepEP normal dispatch, internode", "H800", &presets::h800, family::hopper, ep_kernel::normal_dispatch, 32, 4096, 7168, 8, 0,  58, deepep_v1, informs::link_inter},
    ep_fact{"DeepEP normal combine, internode",  "H800", &presets::h800, family::hopper, ep_kernel::normal_combine,  32, 4096, 7168, 8, 0,  57, deepep_v1, informs::link_inter},
    ep_fact{"DeepEP normal dispatch, internode", "H800", &presets::h800, family::hopper, ep_kernel::normal_dispatch, 64, 4096, 7168, 8, 0,  51, deepep_v1, informs::link_inter},
    ep_fact{"DeepEP normal combine, internode",  "H800", &presets::h800, family::hopper, ep_kernel::normal_combine,  64, 4096, 7168, 8, 0,  50, deepep_v1, informs::link_inter},
    // Low-latency kernels: 128 tokens, hidden 7168, top-8 experts, FP8 dispatch, BF16 combine
    ep_fact{"DeepEP low-latency dispatch", "H800", &presets::h800, family::hopper, ep_kernel::ll_dispatch,   8, 128, 7168, 8,  77,  98, deepep_v1, informs::a2a_latency},
    ep_fact{"DeepEP low-latency dispatch", "H800", &presets::h800, family::hopper, ep_kernel::ll_dispatch,  16, 128, 7168, 8, 118,  63, deepep_v1, informs::a2a_latency},
    ep_fact{"DeepEP low-latency dispatch", "H800", &presets::h800, family::hopper, ep_kernel::ll_dispatch,  32, 128, 7168, 8, 155,  48, deepep_v1, informs::a2a_latency},
    ep_fact{"DeepEP low-latency dispatch", "H800", &presets::h800, family::hopper, ep_kernel::ll_dispatch,  64, 128, 7168, 8, 173,  43, deepep_v1, informs::a2a_latency},
    ep_fact{"DeepEP low-latency dispatch", "H800", &presets::h800, family::hopper, ep_kernel::ll_dispatch, 128, 128, 7168, 8, 192,  39, deepep_v1, informs::a2a_latency},
    ep_fact{"DeepEP low-latency dispatch", "H800", &presets::h800, family::hopper, ep_kernel::ll_dispatch, 256, 128, 7168, 8, 194,  39, deepep_v1, informs::a2a_latency},
    ep_fact{"DeepEP low-latency combine",  "H800", &presets::h800, family::hopper, ep_kernel::ll_combine,    8, 128, 7168, 8, 114, 127, deepep_v1, informs::a2a_latency},
    ep_fact{"DeepEP low-latency combine",  "H800", &presets::h800, family::hopper, ep_kernel::ll_combine,   16, 128, 7168, 8, 195,  74, deepep_v1, informs::a2a_latency},
    ep_fact{"DeepEP low-latency combine",  "H800", &presets::h800, family::hopper, ep_kernel::ll_combine,   32, 128, 7168, 8, 273,  53, deepep_v1, informs::a2a_latency},
    ep_fact{"DeepEP low-latency combine",  "H800", &presets::h800, family::hopper, ep_kernel::ll_combine,   64, 128, 7168, 8, 314,  46, deepep_v1, informs::a2a_latency},
    ep_fact{"DeepEP low-latency combine",  "H800", &presets::h800, family::hopper, ep_kernel::ll_combine,  128, 128, 7168, 8, 369,  39, deepep_v1, informs::a2a_latency},
    ep_fact{"DeepEP low-latency combine",  "H800", &presets::h800, family::hopper, ep_kernel::ll_combine,  256, 128, 7168, 8, 360,  40, deepep_v1, informs::a2a_latency},
};
// clang-format on

// =============================================================================================
// 6. Memory-bound kernels by size: RRZE-HPC gpu-benches' gpu-small-kernels, 10,000 calls of a
//    streaming SCALE kernel (B[i] = s * A[i], doubles) of `elements` doubles, queued in a stream
//    or captured in a CUDA graph; the file's GB/s count 16 bytes per element (read and write).
//    The figure kept is the best over the file's block sizes (32 to 1024 threads), as the
//    repository's plot.py takes it. Sizes between about 1 MB and twice the L2 (50 MB on H200,
//    40 MB on A100) are left out: there the data stays in L2 between calls and the figure
//    exceeds HBM bandwidth, which is not what a kernel streaming weights or KV sees.
// =============================================================================================
struct stream_fact {
    std::string_view what;
    std::string_view gpu;
    const cluster_spec* cluster;
    family fam;
    bool graph;      ///< launched from a captured CUDA graph
    double elements; ///< bytes moved = element_bytes x elements
    double gbps;
    std::string_view source;
    informs term;
    double element_bytes = 16; ///< bytes read and written per element (SCALE on doubles: 16)
};

inline constexpr std::string_view rrze_h200 =
    "RRZE-HPC/gpu-benches@1038c5d0d0f48cfe9912930d34eb2d8a31b72b9b:gpu-small-kernels/h200.txt";
inline constexpr std::string_view rrze_h200_graph =
    "RRZE-HPC/gpu-benches@1038c5d0d0f48cfe9912930d34eb2d8a31b72b9b:gpu-small-kernels/"
    "h200_graph.txt";
// B200 (no RRZE file): CUB's DeviceTransform benchmarks under nvbench, L2 flushed before each
// launch, single launches timed ("GPU Time", so not under a graph), at 2^28 elements (1.6 and
// 2.1 GB moved, far beyond the 126 MB L2); and CUTLASS's CuTe DSL RMSNorm (read x, write y in
// bf16, 32768 x 16384). The PR reports BWUtil against the 7.672 TB/s the driver gives; the
// profile's fraction is of the preset's 8 TB/s (the datasheet's).
inline constexpr std::string_view cccl_b200 =
    "NVIDIA/cccl pull request #7391, nvbench tables on NVIDIA B200 (F16 add: 2^28 elements, "
    "239.643 us, 6.721 TB/s; F32 two-array transform: 2^28, 320.278 us, 6.705 TB/s)";
inline constexpr std::string_view cutlass_rmsnorm_b200 =
    "NVIDIA/cutlass pull request #2917, CuTe DSL RMSNorm on B200, M=32768 N=16384 bf16: "
    "\"Kernel execution time: 329.54 us / Memory throughput: 6516.67 GB/s\"";

inline constexpr std::string_view rrze_a100 =
    "RRZE-HPC/gpu-benches@1038c5d0d0f48cfe9912930d34eb2d8a31b72b9b:gpu-small-kernels/"
    "a100_80.txt (its size column, labelled kB, is MB: the first column, elements, is used)";
inline constexpr std::string_view rrze_a100_graph =
    "RRZE-HPC/gpu-benches@1038c5d0d0f48cfe9912930d34eb2d8a31b72b9b:gpu-small-kernels/"
    "a100_80_graph.txt (elements as in a100_80.txt)";

// clang-format off
inline constexpr std::array stream_facts{
    // tiny kernels under CUDA graphs: the per-kernel fixed cost (launch gap, ramp, tail)
    stream_fact{"scale kernel, CUDA graph, tiny", "H200", &presets::h200, family::hopper, true,  4096,    52, rrze_h200_graph, informs::kernel_overhead},
    stream_fact{"scale kernel, CUDA graph, tiny", "H200", &presets::h200, family::hopper, true, 16562,   202, rrze_h200_graph, informs::kernel_overhead},
    stream_fact{"scale kernel, CUDA graph, tiny", "A100 SXM 80GB", &presets::a100_sxm_80gb, family::ampere, true, 4096, 49, rrze_a100_graph, informs::hbm},
    // beyond twice the L2: HBM
    stream_fact{"scale kernel, CUDA graph, large", "H200", &presets::h200, family::hopper, true,  7090696, 3240, rrze_h200_graph, informs::hbm},
    stream_fact{"scale kernel, CUDA graph, large", "H200", &presets::h200, family::hopper, true, 64909958, 3397, rrze_h200_graph, informs::hbm},
    stream_fact{"scale kernel, stream, large",     "H200", &presets::h200, family::hopper, false, 18012850, 3282, rrze_h200, informs::hbm},
    stream_fact{"scale kernel, CUDA graph, large", "A100 SXM 80GB", &presets::a100_sxm_80gb, family::ampere, true, 61620009, 1742, rrze_a100_graph, informs::hbm},
    stream_fact{"scale kernel, stream, large",     "A100 SXM 80GB", &presets::a100_sxm_80gb, family::ampere, false, 24470157, 1713, rrze_a100, informs::hbm},
    // B200 beyond the L2: the Blackwell plateau (its half stays Hopper's: no small-kernel figure
    // under a graph)
    stream_fact{"CUB add, F16, nvbench",            "B200", &presets::b200, family::blackwell, false, 268435456, 6721, cccl_b200, informs::hbm, 6},
    stream_fact{"CUB two-array transform, F32",     "B200", &presets::b200, family::blackwell, false, 268435456, 6705, cccl_b200, informs::hbm, 8},
    stream_fact{"CuTe DSL RMSNorm, bf16",           "B200", &presets::b200, family::blackwell, false, 536870912, 6516.67, cutlass_rmsnorm_b200, informs::hbm, 4},
    // tiny kernels launched one by one in a stream: the launch cost without graphs (no term)
    stream_fact{"scale kernel, stream, tiny", "H200", &presets::h200, family::hopper, false,  4096,  27, rrze_h200, informs::none},
    stream_fact{"scale kernel, stream, tiny", "H200", &presets::h200, family::hopper, false, 16562, 104, rrze_h200, informs::none},
    stream_fact{"scale kernel, stream, tiny", "A100 SXM 80GB", &presets::a100_sxm_80gb, family::ampere, false, 4096, 25, rrze_a100, informs::none},
};
// clang-format on

// =============================================================================================
// 7. Launch overheads.
// =============================================================================================
struct overhead_fact {
    std::string_view what;
    std::string_view gpu;
    double us; ///< microseconds per kernel
    std::string_view source;
    informs term;
};
// clang-format off
inline constexpr std::array overhead_facts{
    // NVIDIA Technical Blog, "Getting Started with CUDA Graphs" (A. Gray, 2019), 20 short kernels
    // x 1000 steps on a V100: kernel execution 2.9 us; per kernel including overheads 9.6 us with a
    // synchronisation after each, 3.8 us with launches overlapped, 3.4 us in a CUDA graph. Read
    // in a secondary copy quoting the blog (search index id 68412334268).
    overhead_fact{"kernel execution alone",                  "V100", 2.9, "NVIDIA blog 'Getting Started with CUDA Graphs' (secondary copy)", informs::none},
    overhead_fact{"per kernel, stream launches overlapped",  "V100", 3.8, "NVIDIA blog 'Getting Started with CUDA Graphs' (secondary copy)", informs::none},
    overhead_fact{"per kernel, in a CUDA graph",             "V100", 3.4, "NVIDIA blog 'Getting Started with CUDA Graphs' (secondary copy)", informs::kernel_overhead},
};
// clang-format on

} // namespace moecost::validation::kernel_facts
