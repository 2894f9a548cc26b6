#pragma once
/**
 * @file
 * Alpha-beta times of collectives on one link (docs/model.md §Communication):
 * t = steps·α + bytes sent per GPU / (bandwidth · efficiency).
 * Ring all-reduce of a message of M bytes over n GPUs sends 2·(n−1)/n·M per GPU in
 * 2·(n−1) steps (Patarasuk & Yuan 2009; NCCL's ring); all-gather and reduce-scatter half each.
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

/// Ring all-reduce of `message` bytes over n GPUs on link l.
constexpr seconds all_reduce_time(bytes message, int n, const link_cost& l) {
    if (n <= 1 || message.value() <= 0)
        return {};
    const double steps = 2.0 * (n - 1);
    return steps * l.latency + (steps / n) * message * l.per_byte;
}

/// Ring all-gather (or reduce-scatter) where each of n GPUs holds `shard` bytes.
constexpr seconds all_gather_time(bytes shard, int n, const link_cost& l) {
    if (n <= 1 || shard.value() <= 0)
        return {};
    return static_cast<double>(n - 1) * (l.latency + shard * l.per_byte);
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
