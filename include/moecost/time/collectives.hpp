#pragma once
/**
 * @file
 * Alpha-beta times of collectives on one link (docs/model.md §Communication):
 * t = steps·α + bytes sent per GPU / (bandwidth · efficiency).
 * All-reduce of a message of M bytes over n GPUs sends 2·(n−1)/n·M per GPU (the least any
 * algorithm sends; Patarasuk & Yuan 2009) in 2·⌈log2 n⌉ steps: reduce-scatter by recursive
 * halving, then all-gather by recursive doubling (Rabenseifner; Thakur, Rabenseifner & Gropp
 * 2005), which switched fabrics (NVSwitch, a fat tree) allow; a ring's 2·(n−1) steps are
 * what only small messages would notice, and libraries switch away from it there (NCCL's
 * tree and NVLS algorithms). All-gather and reduce-scatter take half of each.
 */

#include <moecost/spec/hardware.hpp>
#include <moecost/units.hpp>

namespace moecost {

constexpr byte_rate effective_rate(const link_spec& l) {
    return l.efficiency * l.bandwidth.get();
}

/// A link as the alpha-beta model uses it: α, and the time per byte at the effective rate.
struct link_cost {
    seconds latency{};
    seconds_per_byte per_byte{};
};
constexpr link_cost cost_of(const link_spec& l) {
    return {l.latency.get(), 1.0 / effective_rate(l)};
}

/// ⌈log2 n⌉: the steps of recursive doubling over n GPUs.
constexpr double doubling_steps(int n) {
    double steps = 0;
    for (long long reach = 1; reach < n; reach *= 2)
        steps += 1;
    return steps;
}

/// All-reduce of `message` bytes over n GPUs on link l.
constexpr seconds all_reduce_time(bytes message, int n, const link_cost& l) {
    if (n <= 1 || message.value() <= 0)
        return {};
    return 2.0 * doubling_steps(n) * l.latency + (2.0 * (n - 1) / n) * message * l.per_byte;
}

/// All-gather (or reduce-scatter) where each of n GPUs holds `shard` bytes.
constexpr seconds all_gather_time(bytes shard, int n, const link_cost& l) {
    if (n <= 1 || shard.value() <= 0)
        return {};
    return doubling_steps(n) * l.latency + static_cast<double>(n - 1) * shard * l.per_byte;
}

/// A point-to-point send of `message` bytes.
constexpr seconds send_time(bytes message, const link_cost& l) {
    if (message.value() <= 0)
        return {};
    return l.latency + message * l.per_byte;
}

/**
 * All-to-all where one GPU sends `intra` bytes over the node's links and `inter` bytes over
 * its NIC; both run at once (NVLink and RDMA in parallel, as DeepEP does).
 */
constexpr seconds all_to_all_time(bytes intra, bytes inter, const link_cost& in,
                                  const link_cost& out) {
    const seconds a = intra.value() > 0 ? in.latency + intra * in.per_byte : seconds{};
    const seconds b = inter.value() > 0 ? out.latency + inter * out.per_byte : seconds{};
    return a > b ? a : b;
}

// The same on links as specified.
constexpr seconds all_reduce_time(bytes message, int n, const link_spec& l) {
    return all_reduce_time(message, n, cost_of(l));
}
constexpr seconds all_gather_time(bytes shard, int n, const link_spec& l) {
    return all_gather_time(shard, n, cost_of(l));
}
constexpr seconds send_time(bytes message, const link_spec& l) {
    return send_time(message, cost_of(l));
}
constexpr seconds all_to_all_time(bytes intra, bytes inter, const link_spec& in,
                                  const link_spec& out) {
    return all_to_all_time(intra, inter, cost_of(in), cost_of(out));
}

} // namespace moecost
