#pragma once
// Service targets (--min-prefill-tok-per-gpu, --min-decode-tok-per-gpu, --max-ttft,
// --max-tpot, --max-mem-gb): registered, resolved, named and printed.

#include "values.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <moecost.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace moecost::cli {

/// --max-mem-gb: a memory ceiling per GPU in GB (0: none), for the requirements of `search`
/// and the training search of `train`.
/// The targets' ranges: finite, and far enough from 0 and infinity that a value over its
/// target (the shortfall a search ranks by) stays finite. Memory as --hbm-gb: 1 MB to 1e18 B.
inline constexpr number_range token_rate_range{.lo = 1e-3, .hi = 1e12};
inline constexpr number_range latency_range{.lo = 1e-9, .hi = 1e9};
inline constexpr number_range memory_gb_range{.lo = 1e-3, .hi = 1e9};

inline CLI::Option* add_max_memory_option(CLI::App& app, double& gb, const std::string& group) {
    return app.add_option("--max-mem-gb", gb, "Largest memory per GPU, in GB (1e9 bytes)")
        ->type_name("X")
        ->check(number_in(memory_gb_range))
        ->group(group);
}

/// Service targets: --min-prefill-tok-per-gpu, --min-decode-tok-per-gpu, --max-ttft,
/// --max-tpot, --max-mem-gb. Zero: no target.
struct requirement_options {
    double min_prefill = 0, min_decode = 0, max_ttft = 0, max_tpot = 0, max_mem_gb = 0;
};

inline void add_requirement_options(CLI::App& app, requirement_options& o,
                                    const std::string& group) {
    app.add_option("--min-prefill-tok-per-gpu", o.min_prefill, "Least prefill tokens/s per GPU")
        ->type_name("X")
        ->check(number_in(token_rate_range))
        ->group(group);
    app.add_option("--min-decode-tok-per-gpu", o.min_decode, "Least decode tokens/s per GPU")
        ->type_name("X")
        ->check(number_in(token_rate_range))
        ->group(group);
    app.add_option("--max-ttft", o.max_ttft, "Largest time to first token, in seconds")
        ->type_name("SECONDS")
        ->check(number_in(latency_range))
        ->group(group);
    app.add_option("--max-tpot", o.max_tpot, "Largest time per output token, in seconds")
        ->type_name("SECONDS")
        ->check(number_in(latency_range))
        ->group(group);
    add_max_memory_option(app, o.max_mem_gb, group);
}

inline requirements make_requirements(const requirement_options& o) {
    return {.min_prefill_tokens_per_gpu = make<token_rate>(o.min_prefill),
            .min_decode_tokens_per_gpu = make<token_rate>(o.min_decode),
            .max_ttft = make<seconds>(o.max_ttft),
            .max_tpot = make<seconds>(o.max_tpot),
            .max_memory_per_gpu = make<bytes>(o.max_mem_gb * 1e9)};
}

/// report::requirements is in a fixed order (prefill rate, decode rate, TTFT, TPOT, memory),
/// see evaluate(); these name each entry in JSON and on the command line.
inline constexpr std::array<const char*, 5> requirement_keys{
    "min_prefill_tokens_per_s_per_gpu", "min_decode_tokens_per_s_per_gpu", "max_ttft_s",
    "max_tpot_s", "max_memory_per_gpu_bytes"};
inline constexpr std::array<const char*, 5> requirement_flags{
    "--min-prefill-tok-per-gpu", "--min-decode-tok-per-gpu", "--max-ttft", "--max-tpot",
    "--max-mem-gb"};

/// The index of the memory requirement, the one that needs no times.
inline constexpr std::size_t memory_requirement = 4;

/// Is requirement i a floor (rates) rather than a ceiling (latencies, memory)?
inline constexpr bool requirement_at_least(std::size_t i) {
    return i < 2;
}

/// A requirement's value with its unit.
inline std::string requirement_value(std::size_t i, double v) {
    switch (i) {
    case 0:
    case 1:
        return pretty(make<token_rate>(v));
    case 2:
    case 3:
        return pretty(make<seconds>(v));
    default:
        return pretty(make<bytes>(v));
    }
}

/// The targets given, one phrase each (`TPOT <= 50 ms`); empty when none.
inline std::vector<std::string> requirement_phrases(const requirements& q) {
    const std::array<double, 5> targets{q.min_prefill_tokens_per_gpu.value,
                                        q.min_decode_tokens_per_gpu.value, q.max_ttft.value,
                                        q.max_tpot.value, q.max_memory_per_gpu.value};
    static constexpr std::array<const char*, 5> names{
        "prefill tokens/s per GPU", "decode tokens/s per GPU", "TTFT", "TPOT", "memory per GPU"};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < targets.size(); ++i)
        if (targets[i] > 0)
            out.push_back(fmt::format("{} {} {}", names[i], requirement_at_least(i) ? ">=" : "<=",
                                      requirement_value(i, targets[i])));
    return out;
}

} // namespace moecost::cli
