#pragma once
/**
 * @file
 * What every layer shares about an evaluation: the phase, the modelling options (`ideal` and
 * the rest) with their rules, and the service targets.
 */

#include <moecost/spec/violation.hpp>
#include <moecost/units.hpp>

#include <cstdint>

namespace moecost {

/// An inference phase: the prompt's forward pass, or one decode step.
enum class phase : std::uint8_t { prefill, decode };

constexpr const char* name_of(phase p) {
    return p == phase::prefill ? "prefill" : "decode";
}

/**
 * Modelling choices of an evaluation. `ideal` sets every efficiency to 1, overlaps a step's
 * operator groups with each other (max of Σ compute and Σ HBM times) and communication with
 * both, and balances experts perfectly: the results are physical upper bounds
 * (docs/model.md §9.5).
 */
struct eval_options {
    bool ideal = false;
    bool overlap = false;          ///< overlap communication with compute (off by default)
    double expert_imbalance = 1.0; ///< tokens on the busiest EP rank / the mean (1 = perfect)
    double memory_headroom =
        0.9;                   ///< usable fraction of HBM (vLLM's gpu_memory_utilization default)
    bool dispatch_fp8 = false; ///< EP dispatch in fp8 (DeepSeek-V3), combine in activations dtype
    /// Zipf exponent s of expert popularity: expert e (by rank) is picked in proportion to
    /// (e + 1)^−s; 0 is uniform routing. Only the experts a step touches change (docs/model.md
    /// §8); the busiest EP rank's load stays `expert_imbalance`.
    double routing_skew = 0;
    friend constexpr bool operator==(const eval_options&, const eval_options&) = default;
};

/**
 * The busiest of `ep` EP ranks' load over the mean, each rank holding `per_rank` expert slots,
 * for a router that sends each token to `top_k` distinct experts: the option's, at most
 * ep·min(top_k, per_rank)/top_k. A token sends one rank at most min(top_k, per_rank) of its
 * copies, and every token doing so is the busiest a rank can be: 1 on one rank, 32 for
 * DeepSeek-V3 (k = 8) on 256 ranks of one expert each. The option as it is without routed
 * experts (top_k 0), where nothing reads it.
 */
constexpr double imbalance_over(const eval_options& o, double ep, double per_rank, double top_k) {
    if (!(top_k > 0))
        return o.expert_imbalance;
    const double most = ep * (per_rank < top_k ? per_rank : top_k) / top_k;
    return o.expert_imbalance < most ? o.expert_imbalance : most;
}

/// Adds the rules o breaks to `out` (the list `validate` returns).
constexpr void validate_into(violations& out, const eval_options& o) {
    if (!(o.expert_imbalance >= 1.0)) // NaN too
        out.add(rule::at_least, "options.expert_imbalance", o.expert_imbalance, 1);
    if (!(o.memory_headroom > 0.0))
        out.add(rule::positive, "options.memory_headroom", o.memory_headroom);
    if (o.memory_headroom > 1.0)
        out.add(rule::at_most, "options.memory_headroom", o.memory_headroom, 1);
    if (!(o.routing_skew >= 0.0))
        out.add(rule::non_negative, "options.routing_skew", o.routing_skew);
    if (o.routing_skew > 16.0) // beyond, the top k experts take all but 2^-16 of the picks
        out.add(rule::at_most, "options.routing_skew", o.routing_skew, 16);
}

/// Every rule evaluation options must satisfy.
constexpr violations validate(const eval_options& o) {
    violations out;
    validate_into(out, o);
    return out;
}

/// Service targets. A zero field is no target.
struct requirements {
    stored<token_rate> min_prefill_tokens_per_gpu{};
    stored<token_rate> min_decode_tokens_per_gpu{};
    stored<seconds> max_ttft{};
    stored<seconds> max_tpot{};
    stored<bytes> max_memory_per_gpu{};
    friend constexpr bool operator==(const requirements&, const requirements&) = default;
};

/**
 * The options an evaluation runs under: with `ideal`, perfect expert balance (the cluster's
 * efficiencies are set to 1 by `idealized`). The one place ideal mode is set up (inference,
 * training, the DAG).
 */
constexpr eval_options normalised(eval_options o) {
    if (o.ideal)
        o.expert_imbalance = 1.0;
    return o;
}

} // namespace moecost
