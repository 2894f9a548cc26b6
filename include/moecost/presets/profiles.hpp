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
inline constexpr perf_profile a100_profile = [] {
    perf_profile p = flat_profile(0.75, 0.85, "ampere");
    p.unfused_elementwise = 1.0;
    return p;
}();
/// Hopper (H100, H200, H800, H20): cuBLAS and DeepGEMM, FlashAttention-3, FlashMLA, DeepEP.
inline constexpr perf_profile h100_profile = [] {
    perf_profile p = flat_profile(0.75, 0.85, "hopper");
    p.unfused_elementwise = 1.0;
    return p;
}();
/// Blackwell (B200, GB200).
inline constexpr perf_profile b200_profile = [] {
    perf_profile p = flat_profile(0.75, 0.85, "blackwell");
    p.unfused_elementwise = 1.0;
    return p;
}();
/// CDNA 3 (MI300X).
inline constexpr perf_profile mi300x_profile = [] {
    perf_profile p = flat_profile(0.75, 0.85, "cdna3");
    p.unfused_elementwise = 1.0;
    return p;
}();

} // namespace moecost::presets
