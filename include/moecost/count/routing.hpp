#pragma once
/**
 * @file
 * Routing counts: how many distinct experts a step's tokens touch (uniform or Zipf-skewed
 * popularity), and how many other nodes one token's expert copies reach (docs/model.md §8,
 * §10.2).
 */

#include <moecost/detail/math.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>

#include <array>
#include <bit>
#include <cstddef>

namespace moecost {

namespace detail {
/**
 * miss^n[i] for several n at once, for 0 <= miss < 1 and real n >= 0 without <cmath>: the
 * integer power by repeated squaring, the squarings its bits select multiplied lowest first;
 * then the fractional part linearly (n is a token count, fractional only from averaging). The
 * squarings are shared, and the products of the n run side by side.
 */
template <std::size_t N>
constexpr std::array<double, N> miss_powers(double miss, const std::array<double, N>& n) {
    std::array<double, N> whole{};
    std::array<unsigned long long, N> bits{};
    unsigned long long any = 0;
    for (std::size_t i = 0; i < N; ++i) {
        whole[i] = n[i] > 0 ? static_cast<double>(static_cast<long long>(n[i])) : 0.0;
        bits[i] = static_cast<unsigned long long>(whole[i]);
        any |= bits[i];
    }
    // pow[j] = miss^(2^j), only as far as the highest bit, or until it is so small that any
    // power it enters leaves 1 − miss^n = 1 exactly (below 2^-54, 1 − x rounds to 1): from
    // there on the power is 0 as far as every use (1 − power) goes.
    constexpr double negligible = 0x1p-54;
    std::array<double, 64> pow; // written before read: no zero-fill
    int len = 0;
    for (double base = miss; any != 0 && base >= negligible; any >>= 1, base *= base)
        pow[static_cast<std::size_t>(len++)] = base;
    std::array<double, N> r{};
    for (std::size_t i = 0; i < N; ++i) {
        r[i] = 1.0;
        for (auto e = bits[i]; e != 0; e &= e - 1) {
            const int j = std::countr_zero(e);
            if (j >= len) { // a negligible power
                r[i] = 0.0;
                break;
            }
            r[i] *= pow[static_cast<std::size_t>(j)];
        }
        r[i] *= 1.0 - (n[i] - whole[i]) * (1.0 - miss);
    }
    return r;
}
} // namespace detail

namespace detail {
/// experts_touched_each's skewed case (skew > 0, E > 0), a function of its own so that the
/// uniform case, every evaluation's, stays small where it is inlined.
template <std::size_t N>
constexpr std::array<double, N>
experts_touched_skewed(double E, double k, const std::array<double, N>& n, double skew) {
    std::array<double, N> out{};
    const int experts = static_cast<int>(E);
    auto weight = [&](double e) { return natural_exp(-skew * natural_log(e + 1.0)); };
    // Beyond the first `exact` experts the sums run over blocks of about 1/block_share of the
    // experts before them, each priced at its midpoint (w and 1 − (1 − c·w)ⁿ are smooth in the
    // rank there): a few thousand terms for any E, not E of them (docs/model.md §8).
    constexpr int exact = 4096;
    constexpr int block_share = 256;
    const int head = experts < exact ? experts : exact;
    auto for_each_block = [&](auto f) { // f(midpoint rank, experts in the block)
        for (int a = head; a < experts;) {
            const int len = a / block_share < experts - a ? a / block_share : experts - a;
            f(a + (len - 1) / 2.0, static_cast<double>(len));
            a += len;
        }
    };
    // suffix[e] = Σ of the weights from e on (the blocks' first, then the head's from the
    // smallest; all positive, so no cancellation), for the first 64 experts: the most popular
    // are capped at certainty, up to k of them.
    constexpr int tracked = 64;
    std::array<double, tracked + 1> suffix{};
    double tail = 0;
    for_each_block([&](double mid, double len) { tail += len * weight(mid); });
    for (int e = head - 1; e >= 0; --e) {
        tail += weight(e);
        if (e <= tracked)
            suffix[static_cast<std::size_t>(e)] = tail;
    }
    int capped = 0; // picked by every token: c·w_e >= 1 with c = (k − capped)/Σ_{f>=e} w_f
    while (capped < k && capped < tracked &&
           (k - capped) * weight(capped) >= suffix[static_cast<std::size_t>(capped)])
        ++capped;
    const double rest = suffix[static_cast<std::size_t>(capped)];
    const double c = capped < k && rest > 0 ? (k - capped) / rest : 0.0;
    for (std::size_t i = 0; i < N; ++i)
        out[i] = n[i] > 0 ? capped * (1.0 - miss_powers<1>(0.0, {n[i]})[0]) : 0.0;
    auto add_touched = [&](double rank, double count) {
        const std::array<double, N> r = miss_powers(1.0 - c * weight(rank), n);
        for (std::size_t i = 0; i < N; ++i)
            if (n[i] > 0)
                out[i] += count * (1.0 - r[i]);
    };
    for (int e = capped; e < head; ++e)
        add_touched(e, 1.0);
    for_each_block(add_touched);
    return out;
}

} // namespace detail

/**
 * experts_touched(E, k, n[i], skew) for several n at once. With skew s > 0, expert e (from
 * 0) is picked by a token with probability π_e = min(1, c·(e + 1)^−s), c such that Σ π_e = k
 * (Zipf popularity, the most popular experts capped at certainty); the expected number of
 * distinct experts n tokens touch is Σ_e 1 − (1 − π_e)^n. s = 0 is uniform routing, π_e = k/E.
 */
template <std::size_t N>
constexpr std::array<double, N>
experts_touched_each(double E, double k, const std::array<double, N>& n, double skew = 0) {
    std::array<double, N> out{};
    if (E <= 0)
        return out;
    if (!(skew > 0)) {
        const std::array<double, N> r = detail::miss_powers(1.0 - k / E, n);
        for (std::size_t i = 0; i < N; ++i)
            if (n[i] > 0)
                out[i] = E * (1.0 - r[i]);
        return out;
    }
    return detail::experts_touched_skewed(E, k, n, skew);
}

/**
 * Expected distinct experts (of E) touched when n tokens each choose k of them uniformly:
 * E·(1 − (1 − k/E)^n). One token touches k; many tokens touch all E. With routing skew s > 0
 * the experts' popularity falls as (rank + 1)^−s (experts_touched_each).
 */
constexpr double experts_touched(double E, double k, double n, double skew = 0) {
    return experts_touched_each<1>(E, k, {n}, skew)[0];
}

/**
 * Expected distinct nodes, other than its own, that one token's k expert copies reach when its
 * EP group spans `nodes` nodes (docs/model.md §10.2). Uniform routing: (N − 1)·(1 − (1 − 1/N)^k).
 * Group-limited routing (moe.group_top_k G of moe.groups n_g) with experts placed contiguously
 * on whole nodes (the EP span and each expert's ETP shards fill whole nodes, no redundant
 * expert breaks the placement): a node is reached only through the chosen groups it holds. Each
 * node holding g = n_g/N whole groups, j of them chosen (hypergeometric): 1 − (1 − j/G)^k; each
 * group spanning N/n_g nodes: (G/n_g)·(1 − (1 − n_g/(N·G))^k). Other shapes keep the uniform
 * figure.
 */
constexpr double remote_nodes_of(const moe_spec& e, const layout& l, int gpus_per_node,
                                 double nodes) {
    if (nodes <= 1)
        return 0.0;
    const int n_g = e.groups, G = e.group_top_k, N = static_cast<int>(nodes);
    const auto uniform = [&] {
        return (nodes - 1.0) * (1.0 - detail::int_pow(1.0 - 1.0 / nodes, e.top_k));
    };
    if (G <= 0 || G >= n_g) // no limit: the common case, without the placement checks
        return uniform();
    const int etp = etp_of(l);
    if ((l.ep * etp) % gpus_per_node != 0 || gpus_per_node % etp != 0 || l.redundant_experts != 0)
        return uniform();
    if (n_g % N == 0) {
        const int g = n_g / N;
        // P(j of the node's g groups among the G chosen) = C(g, j)·C(n_g − g, G − j) / C(n_g, G);
        // products first and one division each, exact for these small integers
        auto choose = [](int n, int r) {
            if (r < 0 || r > n)
                return 0.0;
            double num = 1.0, den = 1.0;
            for (int i = 1; i <= r; ++i) {
                num *= n - r + i;
                den *= i;
            }
            return num / den;
        };
        const double inv_G = 1.0 / G;
        double sum = 0.0;
        for (int j = 1; j <= g && j <= G; ++j)
            sum += choose(g, j) * choose(n_g - g, G - j) *
                   (1.0 - detail::int_pow(1.0 - j * inv_G, e.top_k));
        return (nodes - 1.0) * sum / choose(n_g, G);
    }
    if (N % n_g == 0)
        return (nodes - 1.0) * (static_cast<double>(G) / n_g) *
               (1.0 - detail::int_pow(1.0 - static_cast<double>(n_g) / (nodes * G), e.top_k));
    return uniform();
}

} // namespace moecost
