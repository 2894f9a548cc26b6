#pragma once
// `moecost calibrate`'s fit: the profile's terms a fit may free (each with its unit, its
// bounds and whether it is fitted in log space), and a small deterministic bounded
// Levenberg-Marquardt least-squares solver with numeric derivatives.

#include "command.hpp"

#include <moecost.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace moecost::cli::calibrate {

// ---- the terms -------------------------------------------------------------------------

/// A term of the profile (or a link) that a fit may free. Its value is in the unit its name
/// carries (the calibration file's key); `log` terms are fitted as ln(value), the others as
/// value / scale, each within [lo, hi].
struct term {
    const char* name; ///< as --free takes it, and as the calibration file names it
    const char* unit;
    const char* meaning;
    double lo, hi;
    bool log;     ///< fitted in log space (a positive fraction)
    double scale; ///< linear terms: the fitted number is value / scale
    double (*get)(const cluster_spec&);
    void (*set)(cluster_spec&, double);
};

namespace detail {
inline constexpr std::size_t bf16 = 0, fp8 = 1, fp4 = 2, int8 = 3;
} // namespace detail

/// GEMM format I's plateau, and its rows at half the plateau, as terms.
template <std::size_t I>
constexpr term gemm_peak(const char* name, const char* meaning) {
    return {name,
            "fraction",
            meaning,
            1e-3,
            1,
            true,
            1,
            [](const cluster_spec& c) { return c.gpu.perf.gemm[I].peak; },
            [](cluster_spec& c, double x) { c.gpu.perf.gemm[I].peak = x; }};
}
template <std::size_t I>
constexpr term gemm_half(const char* name, const char* meaning) {
    return {name,
            "rows",
            meaning,
            0,
            1e5,
            false,
            100,
            [](const cluster_spec& c) { return c.gpu.perf.gemm[I].half; },
            [](cluster_spec& c, double x) { c.gpu.perf.gemm[I].half = x; }};
}

// clang-format off
/// Every term a fit may free. `compute` and `memory` set several fields to one value, as
/// --compute-efficiency and --memory-efficiency do.
inline const std::array<term, 24> terms{{
    {"compute", "fraction", "every GEMM format's plateau and the prefill attention core",
     1e-3, 1, true, 1,
     [](const cluster_spec& c) { return c.gpu.perf.gemm[detail::bf16].peak; },
     [](cluster_spec& c, double x) {
         for (saturation& g : c.gpu.perf.gemm)
             g.peak = x;
         c.gpu.perf.attention_prefill = x;
     }},
    {"memory", "fraction", "the HBM plateau and decode attention", 1e-3, 1, true, 1,
     [](const cluster_spec& c) { return c.gpu.perf.hbm.peak; },
     [](cluster_spec& c, double x) {
         c.gpu.perf.hbm.peak = x;
         c.gpu.perf.attention_decode = x;
     }},
    gemm_peak<detail::bf16>("gemm.bf16.peak", "bf16 GEMMs' plateau: fraction of the bf16 peak"),
    gemm_half<detail::bf16>("gemm.bf16.half_rows", "bf16 GEMMs: rows M at half the plateau"),
    gemm_peak<detail::fp8>("gemm.fp8.peak", "fp8 GEMMs' plateau: fraction of the fp8 peak"),
    gemm_half<detail::fp8>("gemm.fp8.half_rows", "fp8 GEMMs: rows M at half the plateau"),
    gemm_peak<detail::fp4>("gemm.fp4.peak", "fp4 GEMMs' plateau: fraction of the fp4 peak"),
    gemm_half<detail::fp4>("gemm.fp4.half_rows", "fp4 GEMMs: rows M at half the plateau"),
    gemm_peak<detail::int8>("gemm.int8.peak", "int8 GEMMs' plateau: fraction of the int8 peak"),
    gemm_half<detail::int8>("gemm.int8.half_rows", "int8 GEMMs: rows M at half the plateau"),
    {"attention_prefill", "fraction", "prefill attention core: fraction of peak FLOP/s", 1e-3, 1,
     true, 1, [](const cluster_spec& c) { return c.gpu.perf.attention_prefill; },
     [](cluster_spec& c, double x) { c.gpu.perf.attention_prefill = x; }},
    {"attention_prefill_half_keys", "keys",
     "prefill attention core: keys per query at half its plateau", 0, 1e6, false, 100,
     [](const cluster_spec& c) { return c.gpu.perf.attention_prefill_half; },
     [](cluster_spec& c, double x) { c.gpu.perf.attention_prefill_half = x; }},
    {"attention_decode", "fraction", "decode attention: fraction of HBM bandwidth", 1e-3, 1, true,
     1, [](const cluster_spec& c) { return c.gpu.perf.attention_decode; },
     [](cluster_spec& c, double x) { c.gpu.perf.attention_decode = x; }},
    {"hbm.peak", "fraction", "memory-bound kernels' plateau: fraction of HBM bandwidth", 1e-3, 1,
     true, 1, [](const cluster_spec& c) { return c.gpu.perf.hbm.peak; },
     [](cluster_spec& c, double x) { c.gpu.perf.hbm.peak = x; }},
    {"hbm.half_bytes", "bytes", "bytes one kernel moves at half the HBM plateau", 0, 1e10, false,
     1e6, [](const cluster_spec& c) { return c.gpu.perf.hbm.half; },
     [](cluster_spec& c, double x) { c.gpu.perf.hbm.half = x; }},
    {"kernel_overhead_s", "s", "fixed cost of each kernel launched", 0, 1e-3, false, 1e-6,
     [](const cluster_spec& c) { return c.gpu.perf.kernel_overhead.value; },
     [](cluster_spec& c, double x) { c.gpu.perf.kernel_overhead.value = x; }},
    {"step_overhead_s", "s", "fixed cost of each inference step", 0, 1, false, 1e-3,
     [](const cluster_spec& c) { return c.gpu.perf.step_overhead.value; },
     [](cluster_spec& c, double x) { c.gpu.perf.step_overhead.value = x; }},
    {"a2a_latency_s", "s", "fixed cost of each EP dispatch or combine", 0, 1e-2, false, 1e-6,
     [](const cluster_spec& c) { return c.gpu.perf.a2a_latency.value; },
     [](cluster_spec& c, double x) { c.gpu.perf.a2a_latency.value = x; }},
    {"comm_overlap", "fraction", "share of communication hidden under compute", 0, 1, false, 1,
     [](const cluster_spec& c) { return c.gpu.perf.comm_overlap; },
     [](cluster_spec& c, double x) { c.gpu.perf.comm_overlap = x; }},
    {"unfused_elementwise", "fraction",
     "share of the elementwise traffic run as kernels of their own beside the GEMMs", 0, 1, false,
     1, [](const cluster_spec& c) { return c.gpu.perf.unfused_elementwise; },
     [](cluster_spec& c, double x) { c.gpu.perf.unfused_elementwise = x; }},
    {"intra_node.efficiency", "fraction", "links inside a node: fraction of their bandwidth",
     1e-3, 1, true, 1, [](const cluster_spec& c) { return c.intra_node.efficiency; },
     [](cluster_spec& c, double x) { c.intra_node.efficiency = x; }},
    {"intra_node.latency_s", "s", "links inside a node: latency per message", 0, 1e-3, false,
     1e-6, [](const cluster_spec& c) { return c.intra_node.latency.value; },
     [](cluster_spec& c, double x) { c.intra_node.latency.value = x; }},
    {"inter_node.efficiency", "fraction", "links between nodes: fraction of their bandwidth",
     1e-3, 1, true, 1, [](const cluster_spec& c) { return c.inter_node.efficiency; },
     [](cluster_spec& c, double x) { c.inter_node.efficiency = x; }},
    {"inter_node.latency_s", "s", "links between nodes: latency per message", 0, 1e-3, false,
     1e-6, [](const cluster_spec& c) { return c.inter_node.latency.value; },
     [](cluster_spec& c, double x) { c.inter_node.latency.value = x; }},
}};
// clang-format on

/// The terms freed when --free is not given: the two plateaus and the two fixed costs.
inline constexpr std::array<std::string_view, 4> default_free{
    "compute", "memory", "kernel_overhead_s", "step_overhead_s"};

inline std::vector<std::string> term_names() {
    std::vector<std::string> out;
    for (const term& t : terms)
        out.emplace_back(t.name);
    return out;
}

/// The term named `name`, or nullptr.
inline const term* find_term(std::string_view name) {
    for (const term& t : terms)
        if (name == t.name)
            return &t;
    return nullptr;
}

/// Whether the term is one of the links' (the calibration file holds them under "links").
inline bool is_link_term(const term& t) {
    const std::string_view n = t.name;
    return n.rfind("intra_node.", 0) == 0 || n.rfind("inter_node.", 0) == 0;
}

/// The solver's number for a term's value, and back.
inline double to_solver(const term& t, double value) {
    return t.log ? std::log(value) : value / t.scale;
}
inline double from_solver(const term& t, double x) {
    const double v = t.log ? std::exp(x) : x * t.scale;
    return std::clamp(v, t.lo, t.hi); // exp(ln(1)) may round above 1
}
inline double solver_lo(const term& t) {
    return t.log ? std::log(t.lo) : t.lo / t.scale;
}
inline double solver_hi(const term& t) {
    return t.log ? std::log(t.hi) : t.hi / t.scale;
}

// ---- the solver ------------------------------------------------------------------------

/// Residuals at a point of the solver's space.
using residual_fn = std::function<std::vector<double>(const std::vector<double>&)>;

/// What a fit found.
struct fit_outcome {
    std::vector<double> x;   ///< the solver's numbers at the end
    double cost = 0;         ///< half the sum of the squared residuals there
    double start_cost = 0;   ///< ... at the start
    int iterations = 0;      ///< steps accepted
    bool converged = false;  ///< stopped because no step improves the cost any more
    std::vector<bool> inert; ///< no residual depends on the parameter (left at its start)
};

struct fit_settings {
    int max_iterations = 200;
    double tolerance = 1e-12; ///< relative decrease of the cost below which it stops
};

namespace detail {

inline double half_sum_squares(const std::vector<double>& r) {
    double s = 0;
    for (const double v : r)
        s += v * v;
    return 0.5 * s;
}

/// Solves a·x = b (n×n, row-major) by Gaussian elimination with partial pivoting; false when
/// singular.
inline bool solve(std::vector<double> a, std::vector<double> b, std::size_t n,
                  std::vector<double>& x) {
    for (std::size_t col = 0; col < n; ++col) {
        std::size_t pivot = col;
        for (std::size_t r = col + 1; r < n; ++r)
            if (std::abs(a[r * n + col]) > std::abs(a[pivot * n + col]))
                pivot = r;
        if (!(std::abs(a[pivot * n + col]) > 0))
            return false;
        if (pivot != col) {
            for (std::size_t k = 0; k < n; ++k)
                std::swap(a[col * n + k], a[pivot * n + k]);
            std::swap(b[col], b[pivot]);
        }
        for (std::size_t r = col + 1; r < n; ++r) {
            const double f = a[r * n + col] / a[col * n + col];
            for (std::size_t k = col; k < n; ++k)
                a[r * n + k] -= f * a[col * n + k];
            b[r] -= f * b[col];
        }
    }
    x.assign(n, 0.0);
    for (std::size_t i = n; i-- > 0;) {
        double s = b[i];
        for (std::size_t k = i + 1; k < n; ++k)
            s -= a[i * n + k] * x[k];
        x[i] = s / a[i * n + i];
    }
    return true;
}

} // namespace detail

/**
 * Minimises ½·Σ r_i(x)² over the box lo ≤ x ≤ hi by Levenberg-Marquardt: central differences
 * for the Jacobian (one-sided at a bound), Marquardt's scaling (λ times the diagonal of JᵀJ),
 * steps projected onto the box, and a parameter held at its bound while the gradient pushes
 * it out. Deterministic: the same inputs give the same bits.
 */
inline fit_outcome least_squares(const residual_fn& f, std::vector<double> x,
                                 const std::vector<double>& lo, const std::vector<double>& hi,
                                 fit_settings settings = {}) {
    const std::size_t n = x.size();
    for (std::size_t j = 0; j < n; ++j)
        x[j] = std::clamp(x[j], lo[j], hi[j]);
    std::vector<double> r = f(x);
    const std::size_t m = r.size();
    fit_outcome out;
    out.cost = out.start_cost = detail::half_sum_squares(r);
    out.inert.assign(n, true);
    double lambda = 1e-3;
    std::vector<double> jac(m * n); // column-major: jac[j * m + i] = dr_i/dx_j
    for (int it = 0; it < settings.max_iterations; ++it) {
        for (std::size_t j = 0; j < n; ++j) {
            const double h = 1e-6 * std::max(1.0, std::abs(x[j]));
            std::vector<double> up = x, down = x;
            up[j] = std::min(x[j] + h, hi[j]);
            down[j] = std::max(x[j] - h, lo[j]);
            const double span = up[j] - down[j];
            const std::vector<double> ru = up[j] > x[j] ? f(up) : r;
            const std::vector<double> rd = down[j] < x[j] ? f(down) : r;
            for (std::size_t i = 0; i < m; ++i)
                jac[j * m + i] = span > 0 ? (ru[i] - rd[i]) / span : 0.0;
        }
        std::vector<double> g(n, 0.0), a(n * n, 0.0);
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t i = 0; i < m; ++i)
                g[j] += jac[j * m + i] * r[i];
            for (std::size_t k = 0; k < n; ++k)
                for (std::size_t i = 0; i < m; ++i)
                    a[j * n + k] += jac[j * m + i] * jac[k * m + i];
        }
        // The parameters that move: some residual depends on them and the bound allows it.
        std::vector<std::size_t> act;
        for (std::size_t j = 0; j < n; ++j) {
            if (a[j * n + j] > 0)
                out.inert[j] = false;
            const bool held = (x[j] <= lo[j] && g[j] > 0) || (x[j] >= hi[j] && g[j] < 0);
            if (a[j * n + j] > 0 && !held)
                act.push_back(j);
        }
        if (act.empty()) {
            out.converged = true;
            break;
        }
        const std::size_t k = act.size();
        bool accepted = false;
        while (!accepted && lambda < 1e16) {
            std::vector<double> sys(k * k), rhs(k), step;
            for (std::size_t p = 0; p < k; ++p) {
                for (std::size_t q = 0; q < k; ++q)
                    sys[p * k + q] = a[act[p] * n + act[q]];
                sys[p * k + p] += lambda * a[act[p] * n + act[p]];
                rhs[p] = -g[act[p]];
            }
            if (!detail::solve(sys, rhs, k, step)) {
                lambda *= 10;
                continue;
            }
            std::vector<double> trial = x;
            for (std::size_t p = 0; p < k; ++p)
                trial[act[p]] = std::clamp(x[act[p]] + step[p], lo[act[p]], hi[act[p]]);
            const std::vector<double> rt = f(trial);
            const double cost = detail::half_sum_squares(rt);
            if (std::isfinite(cost) && cost < out.cost) {
                const double gain = out.cost - cost;
                x = trial;
                r = rt;
                out.cost = cost;
                ++out.iterations;
                lambda = std::max(lambda / 10, 1e-12);
                accepted = true;
                if (gain <= settings.tolerance * (out.cost + 1e-300)) {
                    out.converged = true;
                    out.x = x;
                    return out;
                }
            } else {
                lambda *= 10;
            }
        }
        if (!accepted) {
            out.converged = true; // no step along the gradient lowers the cost
            break;
        }
    }
    out.x = x;
    return out;
}

} // namespace moecost::cli::calibrate
