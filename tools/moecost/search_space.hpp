#pragma once
// The options of a layout search (search, and train with --gpus or --max-gpus): the GPU
// budget and degrees tried, the objective and --top; the space and the count as text.

#include "command.hpp"
#include "values.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <moecost.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace moecost::cli {

// ---- layout searches (search, and train with --gpus or --max-gpus) -----------------------

/// Capacity of a search result: --top shows at most max_top layouts (and misses).
inline constexpr int max_top = 50;
/// At most this many batch sizes (search_space::batches).
inline constexpr std::size_t max_batches = std::tuple_size_v<decltype(search_space::batches)>;
/// The largest GPU budget: the enumeration grows faster than linearly with it.
inline constexpr long long max_search_gpus = 4096;

/// The GPU budget and the degrees tried: --gpus, --max-gpus, --min-gpus, --max-cp, --pow2.
struct search_space_options {
    int gpus = 0;     ///< one budget
    int min_gpus = 0; ///< with max_gpus: min_gpus .. max_gpus (0: from 1)
    int max_gpus = 0; ///< 1 .. max_gpus
    int max_cp = 1;
    bool pow2 = false;
    bool pad_experts = false;
    /// A budget was given (`train` searches only then).
    [[nodiscard]] bool given() const { return gpus > 0 || max_gpus > 0; }
};

/// The options of search_space_options, in `group`, --pad-experts only for an inference search
/// (`pad`); returns --max-cp and --pow2 (which a subcommand that also evaluates one layout
/// refuses outside a search).
inline std::array<CLI::Option*, 2> add_search_space_options(CLI::App& app, search_space_options& o,
                                                            const std::string& group,
                                                            bool pad = false) {
    auto* gpus = app.add_option("--gpus", o.gpus, "Exactly this many GPUs")
                     ->type_name("N")
                     ->check(integer_in(1, max_search_gpus))
                     ->group(group);
    auto* max_gpus = app.add_option("--max-gpus", o.max_gpus,
                                    "Every world size up to N (from --min-gpus, default 1)")
                         ->type_name("N")
                         ->check(integer_in(1, max_search_gpus))
                         ->group(group);
    auto* min_gpus =
        app.add_option("--min-gpus", o.min_gpus, "With --max-gpus: world sizes from N (default 1)")
            ->type_name("N")
            ->check(integer_in(1, max_search_gpus))
            ->group(group);
    gpus->excludes(max_gpus);
    max_gpus->excludes(gpus);
    min_gpus->excludes(gpus);
    min_gpus->needs(max_gpus);
    auto* cp = app.add_option("--max-cp", o.max_cp, "Context-parallel degrees tried up to N")
                   ->type_name("N")
                   ->check(integer_in(1, max_degree))
                   ->capture_default_str()
                   ->group(group);
    auto* pow2 =
        app.add_flag("--pow2", o.pow2, "Power-of-two degrees and world sizes only (faster)")
            ->group(group);
    if (pad)
        app.add_flag("--pad-experts", o.pad_experts,
                     "Give an EP degree that does not divide the routed experts the fewest "
                     "redundant experts that make it divide (EPLB replicas: DeepSeek-V3's 256 in "
                     "288 slots on 72 GPUs)")
            ->group(group);
    return {cp, pow2};
}

/// The search space of the options (no budget given: 1 to 8 GPUs) and the batch sizes.
inline search_space make_search_space(const search_space_options& o,
                                      const std::vector<int>& batches) {
    search_space s;
    s.min_gpus = o.gpus > 0 ? o.gpus : (o.min_gpus > 0 ? o.min_gpus : 1);
    s.max_gpus = o.gpus > 0 ? o.gpus : (o.max_gpus > 0 ? o.max_gpus : 8);
    if (s.min_gpus > s.max_gpus)
        throw usage_error(
            fmt::format("--min-gpus: {} is more than --max-gpus {}", s.min_gpus, s.max_gpus));
    for (std::size_t i = 0; i < batches.size() && i < s.batches.size(); ++i)
        s.batches[i] = batches[i];
    s.max_cp = o.max_cp;
    s.pow2_only = o.pow2;
    s.pad_experts = o.pad_experts;
    // the flags' own checks come first; this is the library's rule for what they build
    if (const auto v = validate(s); !v.ok())
        throw usage_error("the search space is invalid: " + describe(*v.begin()));
    return s;
}

/// The search space on one line: `8 GPUs (8 per node); batch 64, 128; cp up to 1; ...`.
inline std::string space_text(const search_space& s, int gpus_per_node, std::string_view batch_word,
                              const std::vector<int>& batches) {
    std::vector<std::string> b;
    for (const int x : batches)
        b.push_back(std::to_string(x));
    return fmt::format(
        "{} GPUs ({} per node); {} {}; cp up to {}; {}",
        s.min_gpus == s.max_gpus ? std::to_string(s.max_gpus)
                                 : fmt::format("{} to {}", s.min_gpus, s.max_gpus),
        gpus_per_node, batch_word, join(b, ", "), s.max_cp,
        std::string(s.pow2_only ? "power-of-two degrees only" : "every degree that divides") +
            (s.pad_experts ? ", EP padded with redundant experts" : ""));
}

/// An objective as the command line names it, and how the table is sorted.
template <class T>
struct named_choice {
    const char* cli;
    T value;
    const char* order;
};

template <class T, std::size_t N>
std::vector<std::string> choice_names(const std::array<named_choice<T>, N>& choices) {
    std::vector<std::string> out;
    for (const auto& c : choices)
        out.emplace_back(c.cli);
    return out;
}

template <class T, std::size_t N>
const named_choice<T>& choice_named(const std::array<named_choice<T>, N>& choices,
                                    std::string_view s) {
    for (const auto& c : choices)
        if (s == c.cli)
            return c;
    throw usage_error("--objective: unknown objective '" + std::string(s) +
                      "' (expected one of: " + join(choice_names(choices)) + ")");
}

/// --objective (one of `names`) and --top, in `group`; returns both.
inline std::array<CLI::Option*, 2> add_ranking_options(CLI::App& app, std::string& objective,
                                                       const std::vector<std::string>& names,
                                                       const std::string& help, int& top,
                                                       const std::string& group) {
    auto* obj = app.add_option("--objective", objective, help)
                    ->type_name("WHAT")
                    ->check(one_of(names, "objective"))
                    ->capture_default_str()
                    ->group(group);
    auto* t = app.add_option("--top", top, fmt::format("Layouts shown (at most {})", max_top))
                  ->type_name("N")
                  ->check(integer_in(1, max_top))
                  ->capture_default_str()
                  ->group(group);
    return {obj, t};
}

/// Seconds since `start` on the steady clock (a search's own wall time).
inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The "searched" line of `search` and of `train`'s layout search.
inline std::string searched_text(long evaluated, long rejected, long feasible, double elapsed) {
    return fmt::format("{} layout{} evaluated in {:.3g} s ({} refused by the division rules); "
                       "{} feasible",
                       evaluated, evaluated == 1 ? "" : "s", elapsed, rejected, feasible);
}

} // namespace moecost::cli
