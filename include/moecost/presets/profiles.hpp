#pragma once
/**
 * @file
 * Calibration profiles of the GPU families, each term set from the published kernel-level
 * facts listed in docs/calibration.md (the fit set) with its source beside it. GPUs of one
 * family share its kernels (cuBLAS, DeepGEMM, FlashAttention, DeepEP) and so its profile;
 * the peaks they scale are each GPU's own.
 *
 * The figures are in tests/validation/kernel_facts.hpp; tests/validation/kernel_facts_test.cpp
 * fits each term from them (least squares in log space) and checks that the values here are
 * the fit's and reproduce every figure within the tolerance stated there. A term marked
 * "transferred" has no published figure for its family and takes the named family's value.
 * `step_overhead` and `comm_overlap` are not kernel terms: no kernel-level figure pins them
 * (docs/calibration.md names the end-to-end sources that could), so they stay 0 here.
 * `unfused_elementwise` is 1 in every family: the elementwise kernels (norms, activations, MoE
 * permutation) run beside the GEMMs, each moving its bytes at the HBM curve (docs/model.md §9.6).
 */

#include <moecost/spec/profile.hpp>

#include <optional>

namespace moecost::presets {

using namespace moecost::literals;

namespace profile_terms {

/// GEMM rows M at which an FP8 GEMM reaches half its plateau: the joint fit of DeepGEMM's FP8
/// dense and grouped GEMMs on H800 (README at 55ab91f, Performance: M = 64 to 8192 rows, N up
/// to 32768) and the MAMF FP8 plateaus of H100 and H200 (139 rows). The default of a family's
/// fp8 and fp4 curves; Blackwell's have figures by M of their own.
inline constexpr double fp8_half_rows = 140;

/// The same for bf16: the fit of XLA's H100 matmul table (sm_90, bf16, M = 256 to 4096, N and K
/// of 2048 and 4096) with the H100 MAMF plateau: 376 rows (peak 0.78). Its shapes are small (N
/// and K at most 4096), so tile-count losses that a curve of M cannot separate sit in it too.
/// Used for bf16 in every family.
inline constexpr double bf16_half_rows = 380;

/// HBM of a memory-bound kernel: the same joint fit, with decode-sized GEMMs (M = 64 and 128
/// move 15 to 119 MB at 0.50 to 0.80 of HBM bandwidth) and RRZE-HPC gpu-benches' streaming
/// kernels on H200 beyond the L2 (113 MB to 1 GB at 3240 to 3397 of 4800 GB/s): plateau 0.70,
/// half of it at 2.6 MB.
inline constexpr saturation hbm{.peak = 0.70, .half = 2.6e6};

/// Per kernel under CUDA graphs: RRZE-HPC gpu-benches' tiny streaming kernels on H200 (64 and
/// 265 kB in 1.26 and 1.31 us) less the HBM curve's time for their bytes: 0.45 us (NVIDIA's
/// "Getting Started with CUDA Graphs", V100: 3.4 us per kernel in a graph against 2.9 us of
/// execution, 0.5 us, agrees).
inline constexpr double kernel_overhead_us = 0.45;

/// DeepEP low-latency dispatch and combine on H800 (V1 README, docs/legacy.md: EP8 to EP256,
/// 77 to 369 us): the fixed cost of one call beyond the links' alphas (21.1 us), fitted with the
/// NIC's alpha (5.7 us) and efficiency (0.87), NVLink's (6.4 us, 0.80) from NCCL's all-reduce
/// (docs/calibration.md).
inline constexpr double a2a_latency_us = 21;

/// Keys per query at which the prefill attention core reaches half its plateau: the fit of
/// FlashAttention-3's BF16 forward on H100 (paper Fig. 5: 512 to 16k tokens, head dim 64 to
/// 256, causal and not; a causal sequence of s tokens has s/2 keys per query), 303 keys with
/// plateau 0.666. Used in every family whose prefill core has no figure by length of its own.
inline constexpr double attention_prefill_half_keys = 300;

/// FlashMLA's dense MLA decode on H800: up to 3000 GB/s of 3350 memory-bound.
inline constexpr double attention_decode = 0.90;

} // namespace profile_terms

/**
 * The figures a family's profile states of its own; family_profile adds the shared terms.
 * A GEMM format without a plateau of its own runs on the curve of the format it is executed
 * as: fp8 and fp4 on the bf16 curve (no FP8 or FP4 tensor cores: W8A16, W4A16), int8 on the
 * fp8 curve (the same tensor-core rate).
 */
struct family_figures {
    detail::fixed_string<32> name;
    double bf16 = 1.0;                                ///< bf16 GEMM plateau
    double bf16_half = profile_terms::bf16_half_rows; ///< rows at half the bf16 plateau
    std::optional<double> fp8{};                      ///< fp8 GEMM plateau
    std::optional<double> fp4{};                      ///< fp4 GEMM plateau
    double fp8_half = profile_terms::fp8_half_rows;   ///< rows at half the fp8 plateau
    double fp4_half = profile_terms::fp8_half_rows;   ///< rows at half the fp4 plateau
    double attention_prefill = 1.0; ///< prefill attention core: plateau fraction of peak
    /// keys per query at half of it (profile_terms::attention_prefill_half_keys; 0: none)
    double attention_prefill_half = profile_terms::attention_prefill_half_keys;
    saturation hbm = profile_terms::hbm; ///< HBM curve (Hopper's joint fit unless stated)
};

/**
 * A family's profile: its figures f, and the terms every family shares: decode attention,
 * per-kernel overhead and all-to-all latency from profile_terms, no step overhead, no
 * overlap, unfused elementwise kernels (1) and DeepEP's low-latency decode dispatch.
 */
constexpr perf_profile family_profile(const family_figures& f) {
    const saturation bf16{.peak = f.bf16, .half = f.bf16_half};
    const saturation fp8 = f.fp8 ? saturation{.peak = *f.fp8, .half = f.fp8_half} : bf16;
    const saturation fp4 = f.fp4 ? saturation{.peak = *f.fp4, .half = f.fp4_half} : bf16;
    perf_profile p;
    p.name = f.name;
    p.gemm = {bf16, fp8, fp4, fp8}; // per gemm_format: bf16, fp8, fp4, int8
    p.attention_prefill = f.attention_prefill;
    p.attention_prefill_half = f.attention_prefill_half;
    p.attention_decode = profile_terms::attention_decode;
    p.hbm = f.hbm;
    p.kernel_overhead = make<seconds>(profile_terms::kernel_overhead_us * 1e-6);
    p.a2a_latency = make<seconds>(profile_terms::a2a_latency_us * 1e-6);
    p.unfused_elementwise = 1.0;
    p.low_latency_decode_dispatch = true;
    return p;
}

/**
 * Ampere (A100): cuBLAS bf16 GEMMs, FlashAttention-2.
 * - gemm[bf16]: MAMF A100 SXM, 271.2 of 312 TFLOP/s (ml-engineering, 0.87); no fp8 or fp4
 *   tensor cores, and no int8 figure: the other formats take the bf16 curve.
 * - attention_prefill: FlashAttention-2 paper, "50-73% of the theoretical maximum FLOPs/s on
 *   A100": the geometric mean of the two ends, 0.61, at every length (the figures state none;
 *   no curve).
 * - hbm: RRZE-HPC gpu-benches' streaming kernels on A100 80GB: 1713 and 1742 of 2039 GB/s
 *   beyond the L2 (plateau 0.85), and a 64 kB kernel in 1.34 us under a CUDA graph, which with
 *   Hopper's per-kernel overhead puts half of the plateau at 1.5 MB.
 * - attention_decode, kernel_overhead, a2a_latency: transferred from Hopper.
 */
inline constexpr perf_profile a100_profile = family_profile({
    .name = "ampere",
    .bf16 = 0.87,
    .attention_prefill = 0.61,
    .attention_prefill_half = 0,
    .hbm = {.peak = 0.85, .half = 1.5e6},
});

/**
 * Hopper (H100, H200, H800; H20 has h20_profile below): cuBLAS and DeepGEMM, FlashAttention-3,
 * FlashMLA, DeepEP.
 * - gemm[bf16]: XLA's H100 matmul table (M = 256 to 4096) and MAMF H100 SXM (794.5 of 989
 *   TFLOP/s): plateau 0.78, half at 380 rows.
 * - gemm[fp8]: the joint fit on DeepGEMM (H800) and MAMF (H100 1402.6, H200 1453.4 of 1979):
 *   plateau 0.65, under bf16's 0.78 (block-scaled FP8 promotes partial sums on CUDA cores).
 * - gemm[fp4]: no FP4 tensor cores, nvfp4 weights run W4A16 at the bf16 rate: the bf16 curve.
 * - gemm[int8]: the FP8 rate and no figure: the fp8 curve (transferred).
 * - attention_prefill: FlashAttention-3 paper Fig. 5, BF16 forward on H100 at 512 to 16k
 *   tokens, head dim 64 to 256, causal and not: by keys per query x, 0.67 · x / (x + 300)
 *   (profile_terms::attention_prefill_half_keys; 0.29 to 0.76 measured).
 * - attention_decode: FlashMLA, 3000 GB/s of 3350 on H800 (0.90).
 * - hbm, kernel_overhead, a2a_latency: as in profile_terms above.
 */
inline constexpr perf_profile h100_profile = family_profile({
    .name = "hopper",
    .bf16 = 0.78,
    .fp8 = 0.65,
    .attention_prefill = 0.67,
});

/**
 * A GEMM curve's half moved to a GPU of another balance: rows scaled by the ratio of the two
 * GPUs' ridge points (the format's peak FLOP/s over HBM bytes/s). At few rows a GEMM streams
 * its weights faster than its math uses them; the curve's half is where the math catches up,
 * which on a GPU of less compute per byte comes at fewer rows. (Its extra time, 2·N·K·half over
 * the plateau rate, is then the same share of the weights' read time on both GPUs.)
 */
constexpr double ridge_scaled_half(double half, double peak_tflops, double hbm_tb_per_s,
                                   double from_peak_tflops, double from_hbm_tb_per_s) {
    return half * (peak_tflops / hbm_tb_per_s) / (from_peak_tflops / from_hbm_tb_per_s);
}

/**
 * H20: Hopper's kernels on a GPU of Hopper's SM design with about a seventh of H100's tensor rate
 * (148 / 296 TFLOP/s bf16 / fp8) and more HBM bandwidth (4.0 TB/s): a ridge of 74 FLOP a byte in
 * fp8 against H100's and H800's 591. Hopper's terms, but for the GEMM curves' halves, moved by
 * that ratio (ridge_scaled_half): fp8 140 → 17.5 rows, bf16 380 → 47.6 rows.
 * - Checked (not fitted) against DeepGEMM's grouped masked fp8 GEMM on H20 (16 groups of 32, 96
 *   and 160 rows, N·K 4096·7168 and 7168·2048: 117 to 188 TFLOP/s, 0.40 to 0.64 of the fp8
 *   peak; deepseek-ai/DeepGEMM pull request 192, tests/validation/kernel_facts.hpp): Hopper's
 *   curve as it is predicts 0.30 to 0.65 of each figure; the moved one 0.87 to 1.09. The same
 *   shapes rerun on H100 in that thread (155 to 645 TFLOP/s) stay where Hopper's curve puts
 *   them (0.82 to 1.06): the half follows the GPU's balance, not the kernel.
 * - bf16: no H20 figure; moved by the same rule.
 * The rule is applied where a figure by M on the GPU checks it (docs/calibration.md).
 */
inline constexpr perf_profile h20_profile = family_profile({
    .name = "hopper-h20",
    .bf16 = 0.78,
    .bf16_half = ridge_scaled_half(profile_terms::bf16_half_rows, 148, 4.0, 989, 3.35),
    .fp8 = 0.65,
    .fp8_half = ridge_scaled_half(profile_terms::fp8_half_rows, 296, 4.0, 1979, 3.35),
    .attention_prefill = 0.67,
});

/**
 * Blackwell (B200, GB200).
 * - gemm[bf16]: MAMF B200 1745 of 2250 and GB200 1822 of 2500 TFLOP/s (0.776, 0.729): 0.75;
 *   Hopper's half (transferred).
 * - gemm[fp8]: vLLM's CUTLASS FP8 GEMM on B200 by M (N 6144, K 4096, M 64 to 1024: 543 to
 *   2585 TFLOP/s) with MAMF B200 3432.5 of 4500 and GB200 3615.6 of 5000: plateau 0.73, half
 *   at 330 rows.
 * - gemm[fp4]: vLLM's CUTLASS NVFP4 GEMM by M (the same shape, M 64 to 16384: 282 to 3904
 *   TFLOP/s), TensorRT-LLM's NVFP4 FC1 of DeepSeek-V3's experts (N 131072, K 7168, M 128 to
 *   512: 2899 to 5901) and B200 NVFP4 MAMF, 6624 of 9000 (read in a secondary copy of the MAMF
 *   author's report): plateau 0.55, half at 400 rows. The two shapes differ 2.7-5.3x at the
 *   same M (output tiles: 48 against 1024 at M = 128); a curve of M splits the difference, its
 *   plateau under the FC1's 0.66 at M = 512 and MAMF's 0.74 (large NVFP4 GEMMs up to 1.34x
 *   slow).
 * - gemm[int8]: no figure: the fp8 curve (transferred).
 * - hbm: CUB's streaming transforms and CUTLASS's RMSNorm on B200 beyond the L2 (6.52 to 6.72
 *   of the datasheet's 8 TB/s): plateau 0.83; Hopper's half (transferred).
 * - attention_prefill: Hopper's plateau 0.67 times the ratio of the same kernel's maxima,
 *   FlashMLA's sparse prefill on B200 (1450 of 2250) and H800 (640 of 989): 0.996; Hopper's
 *   half (transferred).
 * - attention_decode, kernel_overhead, a2a_latency: transferred from Hopper.
 */
inline constexpr perf_profile b200_profile = family_profile({
    .name = "blackwell",
    .bf16 = 0.75,
    .fp8 = 0.73,
    .fp4 = 0.55,
    .fp8_half = 330,
    .fp4_half = 400,
    .attention_prefill = 0.67,
    .hbm = {.peak = 0.83, .half = profile_terms::hbm.half},
});

/**
 * CDNA 3 (MI300X).
 * - gemm[bf16]: MAMF MI300X, 668.4 of 1307.4 TFLOP/s with PyTorch's tunable ops (0.51); no
 *   published fp8 figure: every format takes the bf16 curve (transferred).
 * - attention_prefill, attention_decode, hbm, kernel_overhead, a2a_latency: transferred from
 *   Hopper, none having an MI300X figure; its bf16 GEMM fraction (0.51 against Hopper's 0.78)
 *   suggests the transferred attention fraction is optimistic here.
 */
inline constexpr perf_profile mi300x_profile = family_profile({
    .name = "cdna3",
    .bf16 = 0.51,
    .attention_prefill = 0.67,
});

} // namespace moecost::presets
