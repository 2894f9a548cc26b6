#pragma once
/**
 * @file
 * Roofline time of an operator group: max(FLOPs / effective FLOP/s, bytes / effective B/s),
 * and which of the two binds ("How to Scale Your Model", ch. 1).
 */

#include <moecost/spec/hardware.hpp>
#include <moecost/units.hpp>

#include <cstdint>

namespace moecost {

/// The resource that sets a time.
enum class resource : std::uint8_t { compute, memory, network, pipeline };

constexpr const char* name_of(resource r) {
    switch (r) {
    case resource::compute:
        return "compute";
    case resource::memory:
        return "memory";
    case resource::network:
        return "network";
    case resource::pipeline:
        return "pipeline";
    }
    return "?";
}

/// Work of one operator group on one GPU in one step, and its roofline time.
struct op_cost {
    // Explicit zeros: g++ 12 leaves `{}`-initialised quantities inside a std::array member
    // of another aggregate uninitialised in constant evaluation.
    flops work = make<flops>(0);
    bytes traffic = make<bytes>(0); ///< HBM bytes read and written
    seconds compute_time = make<seconds>(0);
    seconds memory_time = make<seconds>(0);
    seconds fixed = make<seconds>(0); ///< kernel overheads, outside the roofline
    [[nodiscard]] constexpr seconds time() const {
        return (compute_time > memory_time ? compute_time : memory_time) + fixed;
    }
    [[nodiscard]] constexpr resource bound() const {
        return compute_time >= memory_time ? resource::compute : resource::memory;
    }
};

/// FLOP/s of a GPU for large matmuls in dtype t: its profile's GEMM plateau of the peak.
constexpr flop_rate effective_flop_rate(const gpu_spec& g, dtype t) {
    return g.perf.gemm_of(format_of(g, t)).peak * peak_for(g, t);
}
/// HBM bytes/s of large streaming kernels: the profile's HBM plateau of the peak.
constexpr byte_rate effective_hbm_rate(const gpu_spec& g) {
    return g.perf.hbm.peak * g.hbm_bandwidth.get();
}

/// Roofline of `work` FLOPs at `rate` and `traffic` HBM bytes at `bw`.
constexpr op_cost roofline(flops work, bytes traffic, flop_rate rate, byte_rate bw) {
    return {work, traffic, work / rate, traffic / bw};
}

/// The same with the rates given as times per FLOP and per byte (two products, no division:
/// the evaluation path inverts each rate once).
constexpr op_cost roofline(flops work, bytes traffic, seconds_per_flop per_flop,
                           seconds_per_byte per_byte) {
    return {work, traffic, work * per_flop, traffic * per_byte};
}

} // namespace moecost
