#pragma once
/**
 * @file
 * A calibration profile: the named terms that turn a GPU's peaks into the times its kernels
 * take (docs/model.md §9.6, docs/calibration.md). Each term is physical, has a unit and a
 * source; none is per model or per system. The default-constructed profile is ideal: every
 * fraction 1, no size curve, no fixed cost, so a GPU without one runs at its peaks.
 */

#include <moecost/detail/fixed_string.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/violation.hpp>
#include <moecost/units.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace moecost {

/**
 * The fraction of a peak a kernel of size x reaches: peak · x / (x + half). Small kernels
 * (few GEMM rows, few bytes) pay a fixed start and tail that large ones amortise; `half` is
 * the size at which they reach half of `peak`.
 */
struct saturation {
    double peak = 1.0; ///< fraction reached by large kernels, (0, 1]
    double half = 0.0; ///< size at which half of `peak` is reached (0: `peak` at every size)
    [[nodiscard]] constexpr double at(double x) const {
        return half > 0 ? peak * x / (x + half) : peak;
    }
    /// The time of a kernel of size x over its time at the peak rate: (1 + half / x) / peak.
    [[nodiscard]] constexpr double slowdown(double x) const {
        return half > 0 ? (1.0 + half / x) / peak : 1.0 / peak;
    }
    friend constexpr bool operator==(const saturation&, const saturation&) = default;
};

/// Matmul formats whose kernels reach their own share of their peak.
enum class gemm_format : std::uint8_t { bf16, fp8, fp4, int8 };
inline constexpr std::size_t gemm_format_count = 4;

constexpr const char* name_of(gemm_format f) {
    switch (f) {
    case gemm_format::bf16:
        return "bf16";
    case gemm_format::fp8:
        return "fp8";
    case gemm_format::fp4:
        return "fp4";
    case gemm_format::int8:
        return "int8";
    }
    return "?";
}

/**
 * The calibration profile of a GPU family. Sizes: GEMM rows M (tokens; tokens per expert in a
 * grouped expert GEMM), bytes per memory-bound kernel.
 */
struct perf_profile {
    detail::fixed_string<32> name{"ideal"};
    /// GEMM: fraction of the format's dense peak FLOP/s by rows M, per gemm_format.
    std::array<saturation, gemm_format_count> gemm{};
    double attention_prefill = 1.0; ///< flash-attention-class prefill core: fraction of peak
    /// Keys per query at which the prefill core reaches half of `attention_prefill` (its
    /// fraction at x keys: attention_prefill · x / (x + half); 0: the fraction at every length)
    double attention_prefill_half = 0.0;
    double attention_decode = 1.0;     ///< decode attention (GQA, MLA): fraction of HBM bandwidth
    saturation hbm{};                  ///< fraction of HBM bandwidth by bytes one kernel moves
    stored<seconds> kernel_overhead{}; ///< per kernel: launch gap and tail (under CUDA graphs)
    stored<seconds> step_overhead{};   ///< per inference step: scheduler, sampling, host sync
    stored<seconds> a2a_latency{};     ///< fixed cost of one EP dispatch or combine
    double comm_overlap = 0.0;         ///< fraction of communication hidden under compute
    /// Share of the elementwise traffic (norms, activation functions, MoE permutation) run as
    /// kernels of their own beside the GEMMs rather than fused into them, in [0, 1].
    double unfused_elementwise = 0.0;
    /// Decode's EP dispatch and combine across nodes send every (token, expert) copy over the
    /// NIC (DeepEP's low-latency kernels), not one copy per remote node forwarded inside it.
    bool low_latency_decode_dispatch = false;
    friend constexpr bool operator==(const perf_profile&, const perf_profile&) = default;

    [[nodiscard]] constexpr const saturation& gemm_of(gemm_format f) const {
        return gemm[static_cast<std::size_t>(f)];
    }
};

/**
 * The two-scalar profile: every GEMM format and the prefill attention core at `compute` of
 * peak, HBM and decode attention at `memory`, no size curve, no fixed cost, no overlap.
 */
constexpr perf_profile flat_profile(double compute, double memory,
                                    detail::fixed_string<32> name = "flat") {
    perf_profile p;
    p.name = name;
    for (saturation& s : p.gemm)
        s = {.peak = compute, .half = 0};
    p.attention_prefill = compute;
    p.attention_decode = memory;
    p.hbm = {.peak = memory, .half = 0};
    return p;
}

namespace detail {

/// The range of one profile term: above 0 or from 0, up to 1 or without bound.
template <bool ZeroAllowed, bool AtMostOne>
struct term_range {
    static constexpr bool zero_allowed = ZeroAllowed;
    static constexpr bool at_most_one = AtMostOne;
    /// Whether x is in the range (NaN fails every comparison, so it is in none).
    [[nodiscard]] static constexpr bool holds(double x) {
        return (ZeroAllowed ? x >= 0.0 : x > 0.0) && (!AtMostOne || x <= 1.0);
    }
};
using fraction_range = term_range<false, true>; ///< (0, 1]: a fraction of a peak
using share_range = term_range<true, true>;     ///< [0, 1]: a share
using size_range = term_range<true, false>;     ///< [0, inf): a size or a fixed cost

/// The GEMM terms' field names, per gemm_format (at namespace scope, so that the fast path,
/// which names nothing, builds no array of them).
inline constexpr std::array<const char*, gemm_format_count> gemm_peak_fields{
    "profile.gemm.bf16.peak", "profile.gemm.fp8.peak", "profile.gemm.fp4.peak",
    "profile.gemm.int8.peak"};
inline constexpr std::array<const char*, gemm_format_count> gemm_half_fields{
    "profile.gemm.bf16.half", "profile.gemm.fp8.half", "profile.gemm.fp4.half",
    "profile.gemm.int8.half"};

/**
 * Calls f(field, value, range) for every term of p with its name and its range (a
 * term_range), in the order validate_into reports them: the one list of the profile's ranges.
 */
template <class F>
constexpr void for_each_term(const perf_profile& p, F&& f) {
    for (std::size_t i = 0; i < gemm_format_count; ++i) {
        f(gemm_peak_fields[i], p.gemm[i].peak, fraction_range{});
        f(gemm_half_fields[i], p.gemm[i].half, size_range{});
    }
    f("profile.attention_prefill", p.attention_prefill, fraction_range{});
    f("profile.attention_prefill_half", p.attention_prefill_half, size_range{});
    f("profile.attention_decode", p.attention_decode, fraction_range{});
    f("profile.hbm.peak", p.hbm.peak, fraction_range{});
    f("profile.hbm.half", p.hbm.half, size_range{});
    f("profile.kernel_overhead", p.kernel_overhead.value, size_range{});
    f("profile.step_overhead", p.step_overhead.value, size_range{});
    f("profile.a2a_latency", p.a2a_latency.value, size_range{});
    f("profile.comm_overlap", p.comm_overlap, share_range{});
    f("profile.unfused_elementwise", p.unfused_elementwise, share_range{});
}

} // namespace detail

/// Whether every term is in its range: the evaluation's fast path; validate_into names the rest.
constexpr bool in_range(const perf_profile& p) {
    bool ok = true;
    detail::for_each_term(
        p, [&ok](const char*, double x, auto range) { ok = ok && decltype(range)::holds(x); });
    return ok;
}

/// Adds the rules p breaks to `out`.
constexpr void validate_into(violations& out, const perf_profile& p) {
    if (in_range(p))
        return;
    detail::for_each_term(p, [&out](const char* field, double x, auto range) {
        using range_t = decltype(range);
        if (!(range_t::zero_allowed ? x >= 0.0 : x > 0.0)) // NaN too
            out.add(range_t::zero_allowed ? rule::non_negative : rule::positive, field, x);
        else if (range_t::at_most_one && x > 1.0)
            out.add(rule::at_most, field, x, 1);
    });
}

} // namespace moecost
