#pragma once
// The cluster: --gpu, --gpus-per-node, --calibration and the hardware figures that replace
// the preset's, resolved into a cluster_spec; the GPU and the network as text.

#include "command.hpp"
#include "values.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <moecost.hpp>
#include <moecost/io/profile_json.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace moecost::cli {

/// The GPU and cluster presets' names.
inline std::vector<std::string> cluster_preset_names() {
    std::vector<std::string> out;
    for (const auto& p : presets::cluster_presets)
        out.emplace_back(p.name);
    return out;
}

// Registered the same way by every subcommand that takes it (evaluate, search, train, dag).

/// --gpu, --gpus-per-node, --calibration and the figures that replace the preset's (a GPU
/// with no preset: the nearest preset and its own datasheet figures).
struct cluster_options {
    std::string gpu;
    int gpus_per_node = 0;   ///< 0: the preset's
    std::string calibration; ///< a calibration file (io/profile_json.hpp); empty: the preset's
    static constexpr int figures = 16;
    std::array<double, figures> value = unset(); ///< < 0: the preset's (or the file's)

    static constexpr std::array<double, figures> unset() {
        std::array<double, figures> out{};
        out.fill(-1);
        return out;
    }
};

/// A flag of cluster_options::value: name, unit, scale to the base unit of the fields it
/// replaces, the range it takes and how it sets them.
///
/// The ranges keep every product the evaluation forms finite: rates up to 1e21 FLOP/s, HBM
/// up to 1e18 bytes, bandwidths up to 1e18 B/s, and down to a GFLOP/s, a MB and a MB/s, so
/// that times (work over a rate) stay finite too; efficiencies and fixed costs in the
/// library's ranges (term_limits: from 0.001 to 1; from 0 to a second, a step's ten), the
/// fixed costs in microseconds.
struct hardware_flag {
    const char* flag;
    const char* unit;
    double scale;
    number_range range; ///< in the flag's unit
    const char* help;
    void (*set)(cluster_spec&, double);
};
inline constexpr std::array<hardware_flag, cluster_options::figures> hardware_flags{{
    {"--peak-bf16", "TFLOPS", 1e12, number_range{.lo = 1e-3, .hi = 1e9},
     "Dense bf16 tensor rate, TFLOP/s",
     [](cluster_spec& c, double x) { c.gpu.peak_bf16.value = x; }},
    {"--peak-fp8", "TFLOPS", 1e12, number_range{.lo = 1e-3, .hi = 1e9, .or_zero = true},
     "Dense fp8 tensor rate, TFLOP/s (0: none, bf16's used)",
     [](cluster_spec& c, double x) { c.gpu.peak_fp8.value = x; }},
    {"--peak-fp4", "TFLOPS", 1e12, number_range{.lo = 1e-3, .hi = 1e9, .or_zero = true},
     "Dense FP4 tensor rate, TFLOP/s (0: none; nvfp4 weights at bf16's)",
     [](cluster_spec& c, double x) { c.gpu.peak_fp4.value = x; }},
    {"--peak-int8", "TOPS", 1e12, number_range{.lo = 1e-3, .hi = 1e9, .or_zero = true},
     "Dense INT8 tensor rate, TOP/s (0: none; int8 weights at bf16's)",
     [](cluster_spec& c, double x) { c.gpu.peak_int8.value = x; }},
    {"--hbm-gb", "GB", 1e9, number_range{.lo = 1e-3, .hi = 1e9}, "HBM per GPU, GB (1e9 bytes)",
     [](cluster_spec& c, double x) { c.gpu.hbm.value = x; }},
    {"--hbm-tbps", "TB/s", 1e12, number_range{.lo = 1e-6, .hi = 1e6}, "HBM bandwidth, TB/s",
     [](cluster_spec& c, double x) { c.gpu.hbm_bandwidth.value = x; }},
    {"--compute-efficiency", "X", 1.0, number_range{.lo = term_limits::min_fraction, .hi = 1.0},
     "Achievable fraction of peak FLOP/s, from 0.001 to 1 (every GEMM format's plateau and "
     "the prefill attention core)",
     [](cluster_spec& c, double x) {
         for (saturation& g : c.gpu.perf.gemm)
             g.peak = x;
         c.gpu.perf.attention_prefill = x;
     }},
    {"--memory-efficiency", "X", 1.0, number_range{.lo = term_limits::min_fraction, .hi = 1.0},
     "Achievable fraction of HBM bandwidth, from 0.001 to 1 (the HBM plateau and decode "
     "attention)",
     [](cluster_spec& c, double x) {
         c.gpu.perf.hbm.peak = x;
         c.gpu.perf.attention_decode = x;
     }},
    {"--intra-node-gbps", "GB/s", 1e9, number_range{.lo = 1e-3, .hi = 1e9},
     "Link bandwidth inside a node, GB/s each way",
     [](cluster_spec& c, double x) { c.intra_node.bandwidth.value = x; }},
    {"--inter-node-gbps", "GB/s", 1e9, number_range{.lo = 1e-3, .hi = 1e9},
     "NIC bandwidth per GPU between nodes, GB/s each way",
     [](cluster_spec& c, double x) { c.inter_node.bandwidth.value = x; }},
    {"--intra-node-efficiency", "X", 1.0, number_range{.lo = term_limits::min_fraction, .hi = 1.0},
     "Achieved fraction of the link bandwidth inside a node in collectives, from 0.001 to 1",
     [](cluster_spec& c, double x) { c.intra_node.efficiency = x; }},
    {"--inter-node-efficiency", "X", 1.0, number_range{.lo = term_limits::min_fraction, .hi = 1.0},
     "Achieved fraction of the NIC bandwidth between nodes in collectives, from 0.001 to 1",
     [](cluster_spec& c, double x) { c.inter_node.efficiency = x; }},
    {"--comm-overlap", "X", 1.0, number_range{.lo = 0, .hi = 1.0},
     "Share of communication hidden under compute, from 0 to 1 (--overlap hides it all)",
     [](cluster_spec& c, double x) { c.gpu.perf.comm_overlap = x; }},
    {"--kernel-overhead-us", "US", 1e-6,
     number_range{.lo = 0, .hi = term_limits::fixed_cost::range.hi / 1e-6},
     "Fixed cost of each kernel launched (launch gap and tail), microseconds",
     [](cluster_spec& c, double x) { c.gpu.perf.kernel_overhead.value = x; }},
    {"--step-overhead-us", "US", 1e-6,
     number_range{.lo = 0, .hi = term_limits::step_cost::range.hi / 1e-6},
     "Fixed cost of each inference step (scheduler, sampling, host sync), microseconds",
     [](cluster_spec& c, double x) { c.gpu.perf.step_overhead.value = x; }},
    {"--a2a-latency-us", "US", 1e-6,
     number_range{.lo = 0, .hi = term_limits::fixed_cost::range.hi / 1e-6},
     "Fixed cost of each EP dispatch or combine, microseconds",
     [](cluster_spec& c, double x) { c.gpu.perf.a2a_latency.value = x; }},
}};

inline void add_cluster_options(CLI::App& app, cluster_options& o) {
    const std::string hw = "Hardware";
    app.add_option("--gpu", o.gpu,
                   "GPU and cluster preset (required): " + join(cluster_preset_names()))
        ->type_name("NAME")
        ->check(one_of(cluster_preset_names(), "GPU preset"))
        ->group(hw);
    app.add_option("--gpus-per-node", o.gpus_per_node,
                   "GPUs per node, or per NVLink domain (default: the preset's)")
        ->type_name("N")
        ->check(integer_in(1, max_degree))
        ->group(hw);
    app.add_option("--calibration", o.calibration,
                   "Calibration profile file (written by 'moecost calibrate'): replaces the "
                   "preset's profile, and the links' efficiencies and latencies it gives; the "
                   "figures below apply on top")
        ->type_name("FILE")
        ->group(hw);
    const std::string figures = "Hardware figures (replace the --gpu preset's)";
    for (std::size_t i = 0; i < hardware_flags.size(); ++i) {
        const hardware_flag& f = hardware_flags[i];
        app.add_option(f.flag, o.value[i], f.help)
            ->type_name(f.unit)
            ->check(number_in(f.range))
            ->group(figures);
    }
}

/// The cluster of the options, with the preset's name.
struct resolved_cluster {
    std::string name;
    cluster_spec spec{};
};

inline resolved_cluster resolve_cluster(const cluster_options& o) {
    if (o.gpu.empty())
        throw usage_error("--gpu: required (one of: " + join(cluster_preset_names()) + ")");
    const cluster_spec* c = presets::find_cluster(o.gpu);
    if (c == nullptr)
        throw usage_error("--gpu: unknown GPU preset '" + o.gpu +
                          "' (expected one of: " + join(cluster_preset_names()) + ")");
    resolved_cluster out{o.gpu, *c};
    if (o.gpus_per_node > 0)
        out.spec.gpus_per_node = o.gpus_per_node;
    std::string changed;
    if (!o.calibration.empty()) {
        io::apply_calibration(io::load_calibration(o.calibration), out.spec);
        changed = " with --calibration " + o.calibration;
    }
    for (std::size_t i = 0; i < hardware_flags.size(); ++i) {
        if (o.value[i] < 0)
            continue;
        hardware_flags[i].set(out.spec, o.value[i] * hardware_flags[i].scale);
        changed += fmt::format("{} {} {:g}", changed.empty() ? " with" : ",",
                               hardware_flags[i].flag, o.value[i]);
    }
    out.name += changed;
    return out;
}

/// An integer tensor rate, stored as a FLOP rate: "4.5 POP/s".
inline std::string int_ops_text(flop_rate r) {
    std::string s = pretty(r);
    if (const auto at = s.find("FLOP/s"); at != std::string::npos)
        s.replace(at, 6, "OP/s");
    return s;
}

/// The GPU's rates, memory, efficiencies and the calibration profile in use, on one line.
inline std::string gpu_text(const cluster_spec& c, bool ideal) {
    return fmt::format("{} {} bf16, {}; {} HBM at {}; efficiency compute {:g}, memory {:g}{}; "
                       "profile {}",
                       c.gpu.name.view(), pretty(c.gpu.peak_bf16.get()),
                       (c.gpu.peak_fp8.value > 0 ? pretty(c.gpu.peak_fp8.get()) + " fp8"
                                                 : std::string("no fp8 rate (bf16's used)")) +
                           (c.gpu.peak_fp4.value > 0 ? ", " + pretty(c.gpu.peak_fp4.get()) + " fp4"
                                                     : std::string{}) +
                           (c.gpu.peak_int8.value > 0
                                ? ", " + int_ops_text(c.gpu.peak_int8.get()) + " int8"
                                : std::string{}),
                       pretty(c.gpu.hbm.get()), pretty(c.gpu.hbm_bandwidth.get()),
                       c.gpu.perf.gemm_of(gemm_format::bf16).peak, c.gpu.perf.hbm.peak,
                       ideal ? " (ideal: taken as 1)" : "", c.gpu.perf.name.view());
}

/// The node size and links on one line.
inline std::string network_text(const cluster_spec& c) {
    return fmt::format("{} GPUs per node; {} each way inside a node, {} per GPU between nodes{}",
                       c.gpus_per_node, pretty(c.intra_node.bandwidth.get()),
                       pretty(c.inter_node.bandwidth.get()),
                       c.interconnect_assumed ? " (ASSUMED: the preset's source names none)" : "");
}

} // namespace moecost::cli
