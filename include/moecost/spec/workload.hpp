#pragma once
/**
 * @file
 * What the deployment serves: the inference workload and its rules. How an evaluation treats
 * it and the service targets are in <moecost/spec/options.hpp>, included here.
 */

#include <moecost/spec/model.hpp>
#include <moecost/spec/options.hpp>
#include <moecost/spec/violation.hpp>
#include <moecost/units.hpp>

#include <limits>

namespace moecost {

/// An inference workload for the whole deployment.
struct workload {
    int batch = 1;                 ///< concurrent sequences in the whole deployment
    int prompt = 2048;             ///< prompt length s (prefill)
    int context = 0;               ///< decode context c (KV length); 0 means = prompt
    int prefill_micro_batches = 0; ///< pipeline micro-batches of a prefill batch; 0 means = pp
    int decode_micro_batches = 0;  ///< micro-batches in flight in decode; 0 means = pp
    /// Speculative decoding with the model's MTP modules (model_spec::mtp_layers): tokens each
    /// sequence drafts per decode step, which the next step verifies; 0: none.
    int draft_tokens = 0;
    /// The chance a drafted token is accepted once the ones before it were (DeepSeek-V3 §5.4.3:
    /// 0.85 to 0.9 for its one MTP module).
    double draft_acceptance = 0;
    /// Prefix caching: the share of each prompt's tokens whose KV the cache already holds
    /// (vLLM's and DeepSeek's cache hit rate), 0 to below 1. Prefill computes the rest, attending
    /// to the cached ones too; the prefill throughput still counts every prompt token.
    double prefix_cache_hit = 0;
    /// A serving step's token budget per attention (DP) rank: the activations of one step are
    /// sized for at most this many tokens, as continuous-batching runtimes cap a step (vLLM's
    /// `max_num_batched_tokens`, a prefill chunk); 0: one prefill micro-batch's whole prompts.
    int step_tokens = 0;
    friend constexpr bool operator==(const workload&, const workload&) = default;
};

constexpr int context_of(const workload& w) {
    return w.context > 0 ? w.context : w.prompt;
}
namespace detail {
/// The default micro-batch count: pp, but no more than the sequences one of dp ranks holds
/// (⌈B/dp⌉, at least 1): a micro-batch holds at least one sequence.
constexpr int default_micro_batches(const workload& w, int pp, int dp) {
    if (dp <= 0 || w.batch <= 0)
        return 1 < pp ? 1 : pp;
    // ⌈B/dp⌉ ≥ pp exactly when B > (pp − 1)·dp: the common case, without a division
    if (static_cast<long long>(w.batch) > static_cast<long long>(pp - 1) * dp)
        return pp;
    return (w.batch + dp - 1) / dp;
}
} // namespace detail

/// Pipeline micro-batches of a prefill batch on pp stages of dp ranks: as set, else pp, or the
/// sequences a DP rank holds when they are fewer.
constexpr int prefill_micro_batches_of(const workload& w, int pp, int dp = 1) {
    return w.prefill_micro_batches > 0 ? w.prefill_micro_batches
                                       : detail::default_micro_batches(w, pp, dp);
}
/// Micro-batches in flight in decode: as set, else pp, or the sequences a DP rank holds when
/// they are fewer.
constexpr int decode_micro_batches_of(const workload& w, int pp, int dp = 1) {
    return w.decode_micro_batches > 0 ? w.decode_micro_batches
                                      : detail::default_micro_batches(w, pp, dp);
}
/// Expected tokens a sequence gains per decode step: 1 without drafts; with d drafts each
/// accepted with chance α once its predecessors were, Σ_{i=0..d} α^i (Leviathan et al. 2023,
/// Eq. 1: the first rejected draft is replaced by the verifier's own token). Drafts beyond 16,
/// which validate refuses, are not counted.
constexpr double tokens_per_decode_step(const workload& w) {
    double sum = 1.0, p = 1.0;
    for (int i = 0; i < w.draft_tokens && i < 16; ++i)
        sum += (p *= w.draft_acceptance);
    return sum;
}

/**
 * The acceptance α at which `drafts` drafts gain `tokens_per_step` tokens a decode step on
 * average: the α with Σ_{i=0..d} α^i = L, the inverse of tokens_per_decode_step. Runtimes report
 * L ("acceptance length": TensorRT-LLM's "acceptance rate" table, vLLM's and SGLang's mean
 * accept length); a chain whose later drafts are accepted less often (MTP modules reused
 * autoregressively) gains the same tokens a step at this one α, and a step's time depends on
 * its drafts and its tokens only. NaN unless 1 ≤ drafts ≤ 16 and 1 ≤ L ≤ drafts + 1, which
 * validate then refuses as an acceptance.
 */
constexpr double draft_acceptance_for(int drafts, double tokens_per_step) {
    const double none = std::numeric_limits<double>::quiet_NaN();
    if (drafts < 1 || drafts > 16 || !(tokens_per_step >= 1.0 && tokens_per_step <= drafts + 1.0))
        return none;
    if (tokens_per_step == 1.0 || tokens_per_step == drafts + 1.0)
        return tokens_per_step == 1.0 ? 0.0 : 1.0;
    const auto miss = [&](double a) { // E(α) − L, rising with α
        return tokens_per_decode_step({.draft_tokens = drafts, .draft_acceptance = a}) -
               tokens_per_step;
    };
    double lo = 0.0, hi = 1.0; // bisect to adjacent doubles (or 2^-64 apart)
    for (int i = 0; i < 64; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi)
            break;
        (miss(mid) < 0 ? lo : hi) = mid;
    }
    const double below = -miss(lo), above = miss(hi);
    return above <= below ? hi : lo;
}

/// Adds the rules w breaks to `out` (the list `validate` returns).
constexpr void validate_into(violations& out, const workload& w) {
    if (w.batch <= 0)
        out.add(rule::positive, "workload.batch", w.batch);
    if (w.prompt <= 0)
        out.add(rule::positive, "workload.prompt", w.prompt);
    if (w.context < 0)
        out.add(rule::non_negative, "workload.context", w.context);
    if (w.prefill_micro_batches < 0)
        out.add(rule::non_negative, "workload.prefill_micro_batches", w.prefill_micro_batches);
    if (w.decode_micro_batches < 0)
        out.add(rule::non_negative, "workload.decode_micro_batches", w.decode_micro_batches);
    if (w.step_tokens < 0)
        out.add(rule::non_negative, "workload.step_tokens", w.step_tokens);
    // one test each on the evaluation path; which rule, only when one breaks
    if (static_cast<unsigned>(w.draft_tokens) > 16u) { // a bound on the work per step
        if (w.draft_tokens < 0)
            out.add(rule::non_negative, "workload.draft_tokens", w.draft_tokens);
        else
            out.add(rule::at_most, "workload.draft_tokens", w.draft_tokens, 16);
    }
    if (!(w.draft_acceptance >= 0.0 && w.draft_acceptance <= 1.0)) { // NaN too
        if (w.draft_acceptance > 1.0)
            out.add(rule::at_most, "workload.draft_acceptance", w.draft_acceptance, 1);
        else
            out.add(rule::non_negative, "workload.draft_acceptance", w.draft_acceptance);
    }
    validate_cache_hit_into(out, "workload.prefix_cache_hit", w.prefix_cache_hit);
}

/// Every rule a workload must satisfy.
constexpr violations validate(const workload& w) {
    violations out;
    validate_into(out, w);
    return out;
}

} // namespace moecost
