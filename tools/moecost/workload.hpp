#pragma once
// The inference workload: --batch, --prompt, --context, micro-batches, speculative decoding
// and prefix caching; the workload as text.

#include "values.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <moecost.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace moecost::cli {

/// An option's value before it is given (the validators refuse NaN as a value).
inline constexpr double not_given = std::numeric_limits<double>::quiet_NaN();

/// The inference workload: --batch (unless the subcommand takes its own), --prompt,
/// --context, --micro-batches, --decode-micro-batches.
struct workload_options {
    int batch = 1;
    int prompt = 4096;
    int context = 0;              ///< 0: = prompt
    int micro_batches = 0;        ///< 0: = pp
    int decode_micro_batches = 0; ///< 0: = pp
    int draft_tokens = 0;
    double draft_acceptance = not_given;  ///< NaN: not given
    double acceptance_length = not_given; ///< NaN: not given (else it sets draft_acceptance)
    double prefix_cache_hit = 0.0;
    int step_tokens = 0; ///< 0: one prefill micro-batch's whole prompts
};

inline const std::string workload_group = "Workload";

inline void add_workload_options(CLI::App& app, workload_options& o, bool with_batch = true) {
    if (with_batch)
        app.add_option("--batch", o.batch, "Concurrent sequences in the whole deployment")
            ->type_name("B")
            ->check(positive_integer())
            ->capture_default_str()
            ->group(workload_group);
    app.add_option("--prompt", o.prompt, "Prompt length in tokens (prefill)")
        ->type_name("S")
        ->check(positive_integer())
        ->capture_default_str()
        ->group(workload_group);
    app.add_option("--context", o.context,
                   "Decode context (KV length) in tokens (default: the prompt)")
        ->type_name("C")
        ->check(positive_integer())
        ->group(workload_group);
    app.add_option("--micro-batches", o.micro_batches,
                   "Pipeline micro-batches the prefill batch is split into (default: pp, at most "
                   "the sequences of a DP rank)")
        ->type_name("N")
        ->check(positive_integer())
        ->group(workload_group);
    app.add_option("--decode-micro-batches", o.decode_micro_batches,
                   "Micro-batches in flight in decode (default: pp, at most the sequences of a DP "
                   "rank)")
        ->type_name("N")
        ->check(positive_integer())
        ->group(workload_group);
    auto* drafts = app.add_option("--draft-tokens", o.draft_tokens,
                                  "Speculative decoding: tokens the model's MTP modules draft "
                                  "per decode step (needs a model with them, e.g. "
                                  "deepseek-v3-mtp)")
                       ->type_name("D")
                       ->check(integer_in(0, 16))
                       ->group(workload_group);
    auto* acceptance =
        app.add_option("--draft-acceptance", o.draft_acceptance,
                       "The chance a drafted token is accepted (DeepSeek-V3 reports 0.85 to 0.9)")
            ->type_name("A")
            ->check(number_in({.lo = 0, .hi = 1}))
            ->needs(drafts)
            ->group(workload_group);
    app.add_option("--acceptance-length", o.acceptance_length,
                   "Speculative decoding: the mean tokens a decode step gains, as runtimes report "
                   "it (TensorRT-LLM's DeepSeek-R1 with 3 MTP drafts: 2.82); from 1 to D + 1, "
                   "sets --draft-acceptance")
        ->type_name("L")
        ->check(number_in({.lo = 1, .hi = 17}))
        ->needs(drafts)
        ->excludes(acceptance)
        ->group(workload_group);
    // no silent default for the rate (the model's and the data's): make_workload refuses
    // --draft-tokens without one of the two
    app.add_option("--prefix-cache-hit", o.prefix_cache_hit,
                   "Prefix caching: the share of each prompt whose KV the cache already holds, "
                   "not computed again (DeepSeek reports 0.563); prefill tokens/s still count "
                   "every prompt token")
        ->type_name("H")
        ->check(number_in({.lo = 0, .hi = 1, .hi_open = true}))
        ->capture_default_str()
        ->group(workload_group);
    app.add_option("--step-tokens", o.step_tokens,
                   "A serving step's token budget per DP rank (vLLM's max_num_batched_tokens, "
                   "the prefill chunk): memory holds one such step's activations, as "
                   "continuous-batching runtimes size them (default: one prefill micro-batch's "
                   "whole prompts)")
        ->type_name("N")
        ->check(positive_integer())
        ->group(workload_group);
}

/// The acceptance of the drafts: --draft-acceptance, or the one --acceptance-length gives
/// (drafting nothing, only 1 token a step).
inline double draft_acceptance_of(const workload_options& o) {
    const int d = o.draft_tokens;
    if (!std::isnan(o.acceptance_length)) {
        const double len = o.acceptance_length;
        if (!(len >= 1.0))
            throw usage_error(fmt::format(
                "--acceptance-length: {:g} tokens a step is fewer than the one every step gains",
                len));
        if (len > d + 1.0)
            throw usage_error(fmt::format(
                "--acceptance-length: {:g} tokens a step is more than {} draft{} can gain (at "
                "most {})",
                len, d, d == 1 ? "" : "s", d + 1));
        const double a = draft_acceptance_for(d, len);
        return a >= 0.0 ? a : 0.0; // NaN: no drafts, or more than validate allows (it says so)
    }
    if (std::isnan(o.draft_acceptance)) {
        if (d > 0)
            throw usage_error("--draft-tokens requires --draft-acceptance or --acceptance-length");
        return 0.0;
    }
    return o.draft_acceptance;
}

inline workload make_workload(const workload_options& o) {
    return {.batch = o.batch,
            .prompt = o.prompt,
            .context = o.context,
            .prefill_micro_batches = o.micro_batches,
            .decode_micro_batches = o.decode_micro_batches,
            .draft_tokens = o.draft_tokens,
            .draft_acceptance = draft_acceptance_of(o),
            .prefix_cache_hit = o.prefix_cache_hit,
            .step_tokens = o.step_tokens};
}

/// "; step budget N tokens per DP rank" for a workload with one, else nothing.
inline std::string step_budget_text(const workload& w) {
    return w.step_tokens > 0
               ? fmt::format("; activations of a step of at most {} tokens per DP rank",
                             w.step_tokens)
               : std::string();
}

/// "prompt S tokens", with the share a prefix cache holds when there is one.
inline std::string prompt_text(const workload& w) {
    if (w.prefix_cache_hit > 0)
        return fmt::format("prompt {} tokens ({:.3g}% in the prefix cache)", w.prompt,
                           100.0 * w.prefix_cache_hit);
    return fmt::format("prompt {} tokens", w.prompt);
}

/// "; speculative decoding: …" for a workload with drafts, else nothing. A model without MTP
/// modules cannot draft (rule draft_needs_mtp): it gains one token a step, and says so.
inline std::string drafts_text(const model_spec& m, const workload& w) {
    if (w.draft_tokens <= 0)
        return {};
    if (m.mtp_layers <= 0)
        return fmt::format("; speculative decoding: {} MTP draft token{} asked, none drafted (the "
                           "model has no MTP modules): 1 token per step",
                           w.draft_tokens, w.draft_tokens == 1 ? "" : "s");
    return fmt::format("; speculative decoding: {} MTP draft token{} per step, acceptance {:g}, "
                       "{:.3g} tokens per step",
                       w.draft_tokens, w.draft_tokens == 1 ? "" : "s", w.draft_acceptance,
                       tokens_per_decode_step(w));
}

} // namespace moecost::cli
