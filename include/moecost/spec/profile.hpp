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
    double peak = 1.0; ///< fraction reached by large kernels, [0.001, 1] (term_limits)
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

/**
 * The range of a profile term or a link's, [lo, hi]: physical limits wide enough for any GPU,
 * narrow enough that every time the engine forms from them stays finite (an efficiency of
 * 5e-324 or a fixed cost of 1e308 would make inf). The CLI's flags take the same ranges.
 */
struct term_range {
    double lo = 0;
    double hi = 1;
    /// Whether x is in the range (NaN fails every comparison, so it is in none).
    [[nodiscard]] constexpr bool holds(double x) const { return x >= lo && x <= hi; }
};

/// The profile's ranges, each a type whose `range` is a constant (so that the evaluation's
/// fast path, in_range, compares against immediates).
namespace term_limits {
/// An efficiency: at least 0.1% of its peak.
inline constexpr double min_fraction = 1e-3;
/// A fraction of a peak.
struct fraction {
    static constexpr term_range range{.lo = min_fraction, .hi = 1};
};
/// A share, 0 allowed.
struct share {
    static constexpr term_range range{.lo = 0, .hi = 1};
};
/// GEMM rows or attention keys at half a plateau.
struct half_rows {
    static constexpr term_range range{.lo = 0, .hi = 1e6};
};
/// Bytes one kernel moves at half the HBM plateau.
struct half_bytes {
    static constexpr term_range range{.lo = 0, .hi = 1e12};
};
/// A kernel's, a dispatch's or a message's fixed cost: up to a second.
struct fixed_cost {
    static constexpr term_range range{.lo = 0, .hi = 1};
};
/// A step's fixed cost: up to ten seconds.
struct step_cost {
    static constexpr term_range range{.lo = 0, .hi = 10};
};
} // namespace term_limits

namespace detail {

/// The GEMM terms' field names, per gemm_format (at namespace scope, so that the fast path,
/// which names nothing, builds no array of them).
inline constexpr std::array<const char*, gemm_format_count> gemm_peak_fields{
    "profile.gemm.bf16.peak", "profile.gemm.fp8.peak", "profile.gemm.fp4.peak",
    "profile.gemm.int8.peak"};
inline constexpr std::array<const char*, gemm_format_count> gemm_half_fields{
    "profile.gemm.bf16.half", "profile.gemm.fp8.half", "profile.gemm.fp4.half",
    "profile.gemm.int8.half"};

} // namespace detail

/**
 * Calls f(field, value, limit) for every term of p with its name and its range (a type of
 * term_limits: `decltype(limit)::range`), in the order validate_into reports them: the one
 * list of the profile's ranges.
 */
template <class F>
constexpr void for_each_profile_term(const perf_profile& p, F&& f) {
    namespace lim = term_limits;
    for (std::size_t i = 0; i < gemm_format_count; ++i) {
        f(detail::gemm_peak_fields[i], p.gemm[i].peak, lim::fraction{});
        f(detail::gemm_half_fields[i], p.gemm[i].half, lim::half_rows{});
    }
    f("profile.attention_prefill", p.attention_prefill, lim::fraction{});
    f("profile.attention_prefill_half", p.attention_prefill_half, lim::half_rows{});
    f("profile.attention_decode", p.attention_decode, lim::fraction{});
    f("profile.hbm.peak", p.hbm.peak, lim::fraction{});
    f("profile.hbm.half", p.hbm.half, lim::half_bytes{});
    f("profile.kernel_overhead", p.kernel_overhead.value, lim::fixed_cost{});
    f("profile.step_overhead", p.step_overhead.value, lim::step_cost{});
    f("profile.a2a_latency", p.a2a_latency.value, lim::fixed_cost{});
    f("profile.comm_overlap", p.comm_overlap, lim::share{});
    f("profile.unfused_elementwise", p.unfused_elementwise, lim::share{});
}

/// Adds to `out` the rule x breaks in `range` (none where it holds): below its floor (0: a
/// negative; NaN too), or above its ceiling.
constexpr void check_range(violations& out, const char* field, double x, term_range range) {
    if (range.holds(x))
        return;
    if (!(x >= range.lo))
        out.add(range.lo == 0 ? rule::non_negative : rule::at_least, field, x, range.lo);
    else
        out.add(rule::at_most, field, x, range.hi);
}

/// Whether every term is in its range: the evaluation's fast path; validate_into names the rest.
constexpr bool in_range(const perf_profile& p) {
    bool ok = true;
    for_each_profile_term(
        p, [&ok](const char*, double x, auto lim) { ok = ok && decltype(lim)::range.holds(x); });
    return ok;
}

/// Adds the rules p breaks to `out`.
constexpr void validate_into(violations& out, const perf_profile& p) {
    if (in_range(p))
        return;
    for_each_profile_term(p, [&out](const char* field, double x, auto lim) {
        check_range(out, field, x, decltype(lim)::range);
    });
}

} // namespace moecost
