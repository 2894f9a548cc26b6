#pragma once
/**
 * @file
 * Calibration profiles of the GPU families, each term set from the published kernel-level
 * facts listed in docs/calibration.md (the fit set) with its source beside it. GPUs of one
 * family share its kernels (cuBLAS, DeepGEMM, FlashAttention, DeepEP) and so its profile;
 * the peaks they scale are each GPU's own.
 */

#include <moecost/spec/profile.hpp>

namespace moecost::presets {

using namespace moecost::literals;

/// Ampere (A100): cuBLAS bf16 GEMMs, FlashAttention-2.
inline constexpr perf_profile a100_profile = flat_profile(0.75, 0.85, "ampere");
/// Hopper (H100, H200, H800, H20): cuBLAS and DeepGEMM, FlashAttention-3, FlashMLA, DeepEP.
inline constexpr perf_profile h100_profile = flat_profile(0.75, 0.85, "hopper");
/// Blackwell (B200, GB200).
inline constexpr perf_profile b200_profile = flat_profile(0.75, 0.85, "blackwell");
/// CDNA 3 (MI300X).
inline constexpr perf_profile mi300x_profile = flat_profile(0.75, 0.85, "cdna3");

} // namespace moecost::presets
