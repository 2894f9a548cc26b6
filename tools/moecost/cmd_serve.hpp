#pragma once
// `moecost serve`: traffic and SLOs in, the best aggregated or disaggregated deployment of a
// GPU budget out (moecost::plan_serving), with the Pareto front of output tokens/s per GPU
// against tokens/s per user and the counts of what was evaluated and pruned.

#include "command.hpp"
#include "serve_out.hpp"
#include "serve_scenario.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

namespace moecost::cli {

/// Layouts a pool above which a disaggregated plan is announced as slow (Mixtral on H100s: 38,097
/// a pool up to 256 GPUs, planned in 14 s; 94,081 up to 512, in 59 s).
inline constexpr long large_pool_layouts = 50000;

inline command add_serve(CLI::App& app) {
    using namespace serve_cmd;
    auto o = std::make_shared<options>();
    CLI::App* sub = app.add_subcommand(
        "serve", "Plan serving for a traffic and its SLOs: every aggregated and disaggregated "
                 "deployment of a GPU budget, the best by goodput per GPU, the Pareto front");
    add_serve_options(*sub, *o);
    sub->footer(
        "Aggregated: instances of one layout with continuous batching and chunked prefill (a\n"
        "token budget per DP rank shared by decode tokens and prefill chunks). Disaggregated:\n"
        "prefill and decode instances of their own layouts, the KV cache sent between them.\n"
        "Goodput: requests/s within both SLO percentiles; plans are ranked by it per GPU. A\n"
        "disaggregated pair is skipped only when an upper bound on its goodput per GPU is below\n"
        "the best found and its point could not join the front. docs/serving.md derives it.\n" +
        std::string(exit_status_text) +
        "\nExamples:\n"
        "  moecost serve --preset deepseek-v3 --gpu h100-sxm --max-gpus 1024 --isl 4096 --osl "
        "1024 --ttft 2 --tpot 0.05\n"
        "  moecost serve --preset mixtral-8x7b --gpu h100-sxm --max-gpus 16 --isl 2048 --osl 256 "
        "--mode aggregated --json");
    return {sub, [o] {
                const scenario s = resolve(*o);
                // the disaggregated pairs grow with the square of a pool's layouts: say so
                // before a plan that takes minutes (Mixtral on 512 H100s: 59 s)
                if (s.plan.disaggregated) {
                    const long n = std::max(count_pool_layouts(s.model.spec, s.hw.prefill, s.plan),
                                            count_pool_layouts(s.model.spec, s.hw.decode, s.plan));
                    if (n > large_pool_layouts)
                        std::fprintf(stderr,
                                     "moecost serve: %ld layouts a pool, planned in pairs: this "
                                     "can take minutes; %sa smaller budget is faster\n",
                                     n, s.plan.pow2_only ? "" : "--pow2 or ");
                }
                const auto start = std::chrono::steady_clock::now();
                const result r = plan_serving<32>(s.model.spec, s.hw, s.plan);
                const double elapsed =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                if (!o->plot.empty())
                    write_plot(o->plot, s, r);
                if (o->json)
                    out_json(to_json(s, r, elapsed));
                else
                    print_text(s, r, elapsed);
                return exit_ok;
            }};
}

} // namespace moecost::cli
