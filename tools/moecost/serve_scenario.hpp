#pragma once
// `moecost serve`'s inputs: the options (traffic, SLOs, budget, pools, plan rules), the
// lengths of a CSV of requests, and the scenario they resolve to.

#include "cluster.hpp"
#include "command.hpp"
#include "model.hpp"
#include "modelling.hpp"
#include "values.hpp"

#include <moecost/serve/planner.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

namespace moecost::cli::serve_cmd {

/// The largest GPU budget a plan takes.
inline constexpr long long max_serve_gpus = 4096;

struct options {
    model_options model;
    cluster_options cluster;
    modelling_options modelling;
    std::string prefill_gpu, decode_gpu;
    int gpus = 0, max_gpus = 0, max_cp = 1;
    bool pow2 = false, pad_experts = false;
    int isl = 0, osl = 0;
    double isl_cv = 0, osl_cv = 0;
    std::string lengths;
    double cache_hit = 0;
    double rate = 0;
    double ttft = 0, tpot = 0, percentile = 90;
    double max_utilisation = 0.9;
    bool balanced_dp = false;
    std::string connect = "sglang";
    std::string mode = "both";
    std::string plot;
    bool json = false;
};

/// Means and coefficients of variation of the lengths in a CSV of `input,output` lines (a
/// first line that is not two numbers is a header; blank lines and `#` comments are skipped).
struct length_stats {
    long requests = 0;
    double input_mean = 0, input_cv = 0, output_mean = 0, output_cv = 0;
};

inline length_stats read_lengths(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw run_error("--lengths: cannot read '" + path + "'");
    std::string line;
    long n = 0, line_no = 0;
    double si = 0, si2 = 0, so = 0, so2 = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line[0] == '#')
            continue;
        const auto comma = line.find(',');
        const auto a = comma == std::string::npos ? std::nullopt : to_number(line.substr(0, comma));
        const auto b =
            comma == std::string::npos ? std::nullopt : to_number(line.substr(comma + 1));
        if (!a || !b || !(*a >= 1 && *a <= 1e9) || !(*b >= 1 && *b <= 1e9)) {
            if (n == 0 && line_no == 1)
                continue; // a header
            throw run_error(fmt::format("--lengths: {} line {}: expected input,output token "
                                        "counts from 1 to 1e9, found '{}'",
                                        path, line_no, line));
        }
        ++n;
        si += *a;
        si2 += *a * *a;
        so += *b;
        so2 += *b * *b;
    }
    if (n == 0)
        throw run_error("--lengths: " + path + " holds no requests");
    length_stats s;
    s.requests = n;
    const auto cv = [n](double sum, double sq) {
        const double mean = sum / n;
        const double var = sq / n - mean * mean;
        return var > 0 ? std::sqrt(var) / mean : 0.0;
    };
    s.input_mean = si / n;
    s.output_mean = so / n;
    s.input_cv = cv(si, si2);
    s.output_cv = cv(so, so2);
    return s;
}

/// What a plan is asked, resolved from the options.
struct scenario {
    loaded_model model;
    std::string gpu_name, prefill_name, decode_name;
    serve_hardware hw{};
    serve_options plan{};
    long csv_requests = 0; ///< requests read from --lengths (0: none)
};

inline cluster_spec preset_or_main(const std::string& name, const char* flag,
                                   const cluster_spec& main) {
    if (name.empty())
        return main;
    const cluster_spec* c = presets::find_cluster(name);
    if (c == nullptr)
        throw usage_error(std::string(flag) + ": unknown GPU preset '" + name +
                          "' (expected one of: " + join(cluster_preset_names()) + ")");
    return *c;
}

inline scenario resolve(const options& o) {
    scenario s;
    s.model = resolve_model(o.model);
    if (const auto v = validate(s.model.spec); !v.ok())
        throw run_error(s.model.source + ": the model is invalid: " + describe(*v.begin()));
    resolved_cluster c = resolve_cluster(o.cluster);
    s.gpu_name = c.name;
    s.prefill_name = o.prefill_gpu.empty() ? c.name : o.prefill_gpu;
    s.decode_name = o.decode_gpu.empty() ? c.name : o.decode_gpu;
    s.hw = {preset_or_main(o.prefill_gpu, "--prefill-gpu", c.spec),
            preset_or_main(o.decode_gpu, "--decode-gpu", c.spec), c.spec};
    serve_options& p = s.plan;
    p.max_gpus = o.gpus > 0 ? o.gpus : (o.max_gpus > 0 ? o.max_gpus : 8);
    p.exact_gpus = o.gpus > 0;
    p.max_cp = o.max_cp;
    p.pow2_only = o.pow2;
    p.pad_experts = o.pad_experts;
    if (!o.lengths.empty()) {
        if (o.isl > 0 || o.osl > 0 || o.isl_cv > 0 || o.osl_cv > 0)
            throw usage_error("--lengths: give the lengths as a file or as --isl/--osl, not both");
        const length_stats l = read_lengths(o.lengths);
        s.csv_requests = l.requests;
        p.load.input_mean = make<tokens>(l.input_mean);
        p.load.input_cv = l.input_cv;
        p.load.output_mean = make<tokens>(l.output_mean);
        p.load.output_cv = l.output_cv;
    } else {
        if (o.isl <= 0 || o.osl <= 0)
            throw usage_error("--isl and --osl: both required (or --lengths FILE)");
        p.load.input_mean = make<tokens>(o.isl);
        p.load.output_mean = make<tokens>(o.osl);
        p.load.input_cv = o.isl_cv;
        p.load.output_cv = o.osl_cv;
    }
    p.load.prefix_cache_hit = o.cache_hit;
    p.load.arrival_rate = requests_per_second(o.rate);
    p.target = {.ttft = make<seconds>(o.ttft),
                .tpot = make<seconds>(o.tpot),
                .percentile = o.percentile / 100.0};
    p.max_utilisation = o.max_utilisation;
    p.balanced_dp = o.balanced_dp;
    p.rules = o.connect == "vllm"  ? connect_rules::vllm
              : o.connect == "any" ? connect_rules::any
                                   : connect_rules::sglang;
    p.aggregated = o.mode != "disaggregated";
    p.disaggregated = o.mode != "aggregated";
    p.eval = make_eval_options(o.modelling);
    // the flags' own checks come first; this is the library's rule for what they build
    if (const auto v = validate_serving(s.model.spec, s.hw, p); !v.ok())
        throw usage_error("the plan is invalid: " + describe(*v.begin()));
    return s;
}

inline void add_serve_options(CLI::App& sub, options& o) {
    add_model_options(sub, o.model);
    add_cluster_options(sub, o.cluster);
    const std::string pools = "Pools (default: the --gpu preset for both)";
    sub.add_option("--prefill-gpu", o.prefill_gpu, "GPU preset of the prefill pool")
        ->type_name("NAME")
        ->check(one_of(cluster_preset_names(), "GPU preset"))
        ->group(pools);
    sub.add_option("--decode-gpu", o.decode_gpu,
                   "GPU preset of the decode pool (aggregated instances use --gpu)")
        ->type_name("NAME")
        ->check(one_of(cluster_preset_names(), "GPU preset"))
        ->group(pools);
    const std::string budget = "Budget (at most one of --gpus, --max-gpus; default: up to 8)";
    auto* gpus = sub.add_option("--gpus", o.gpus, "Plans use exactly N GPUs")
                     ->type_name("N")
                     ->check(integer_in(1, max_serve_gpus))
                     ->group(budget);
    auto* max_gpus = sub.add_option("--max-gpus", o.max_gpus, "Plans use at most N GPUs")
                         ->type_name("N")
                         ->check(integer_in(1, max_serve_gpus))
                         ->group(budget);
    gpus->excludes(max_gpus);
    max_gpus->excludes(gpus);
    sub.add_option("--max-cp", o.max_cp, "Context-parallel degrees tried up to N")
        ->type_name("N")
        ->check(integer_in(1, max_degree))
        ->capture_default_str()
        ->group(budget);
    sub.add_flag("--pow2", o.pow2, "Power-of-two degrees and instance sizes only (faster)")
        ->group(budget);
    sub.add_flag("--pad-experts", o.pad_experts,
                 "Give an EP degree that does not divide the routed experts the fewest "
                 "redundant experts that make it divide (EPLB replicas)")
        ->group(budget);
    const std::string traffic_group = "Traffic";
    sub.add_option("--isl", o.isl, "Mean input (prompt) length, tokens")
        ->type_name("N")
        ->check(integer_in(1, 1'000'000'000))
        ->group(traffic_group);
    sub.add_option("--osl", o.osl, "Mean output length, tokens")
        ->type_name("N")
        ->check(integer_in(1, 1'000'000'000))
        ->group(traffic_group);
    sub.add_option("--isl-cv", o.isl_cv, "Coefficient of variation of the input length")
        ->type_name("X")
        ->check(number_in({.lo = 0, .hi = 100}))
        ->group(traffic_group);
    sub.add_option("--osl-cv", o.osl_cv, "Coefficient of variation of the output length")
        ->type_name("X")
        ->check(number_in({.lo = 0, .hi = 100}))
        ->group(traffic_group);
    sub.add_option("--lengths", o.lengths,
                   "CSV of input,output token counts, one request a line (instead of "
                   "--isl/--osl): their means and spreads")
        ->type_name("FILE")
        ->group(traffic_group);
    sub.add_option("--prefix-cache-hit", o.cache_hit,
                   "Share of each prompt's tokens whose KV a prefix cache holds, 0 to below 1")
        ->type_name("X")
        ->check(number_in({.lo = 0, .hi = 0.999999}))
        ->group(traffic_group);
    sub.add_option("--rate", o.rate,
                   "Arrival rate, requests/s (default: the highest the plan meets the SLOs at)")
        ->type_name("R")
        ->check(number_in({.lo = 1e-9, .hi = 1e12}))
        ->group(traffic_group);
    const std::string slo_group = "Service-level objectives (none: offline maximum throughput)";
    sub.add_option("--ttft", o.ttft, "TTFT limit, seconds")
        ->type_name("S")
        ->check(number_in({.lo = 1e-9, .hi = 1e9}))
        ->group(slo_group);
    sub.add_option("--tpot", o.tpot, "TPOT limit, seconds")
        ->type_name("S")
        ->check(number_in({.lo = 1e-9, .hi = 1e9}))
        ->group(slo_group);
    sub.add_option("--percentile", o.percentile,
                   "Percentile of requests that must meet both, above 0 and below 100")
        ->type_name("P")
        ->check(number_in({.lo = 1e-6, .hi = 99.9999}))
        ->capture_default_str()
        ->group(slo_group);
    const std::string plan = "Plan";
    sub.add_option("--mode", o.mode, "aggregated, disaggregated or both")
        ->type_name("MODE")
        ->check(one_of({"aggregated", "disaggregated", "both"}, "mode"))
        ->capture_default_str()
        ->group(plan);
    sub.add_option("--max-utilisation", o.max_utilisation,
                   "A plan whose prefill queue is busier than this is refused")
        ->type_name("X")
        ->check(number_in({.lo = 0.01, .hi = 0.99}))
        ->capture_default_str()
        ->group(plan);
    sub.add_flag("--balanced-dp", o.balanced_dp,
                 "The runtime balances prompts over the attention DP ranks an expert group joins "
                 "(TensorRT-LLM's attention_dp_config.enable_balance); default: each rank admits "
                 "its prompts as they arrive and the others wait for the busiest")
        ->group(plan);
    sub.add_option("--connect", o.connect,
                   "Prefill-decode layout pairs a runtime can connect: sglang (equal TP unless "
                   "a side runs DP attention with EP), vllm (prefill TP <= decode TP, no prefill "
                   "PP) or any")
        ->type_name("RULES")
        ->check(one_of({"sglang", "vllm", "any"}, "connect rules"))
        ->capture_default_str()
        ->group(plan);
    add_modelling_options(sub, o.modelling);
    const std::string out = "Output";
    sub.add_option("--plot", o.plot,
                   "Write the Pareto front (output tokens/s per GPU against tokens/s per user) "
                   "as SVG")
        ->type_name("FILE.svg")
        ->group(out);
    sub.add_flag("--json", o.json,
                 "Print JSON (numbers in base units: requests/s, token/s, s, "
                 "bytes)")
        ->group(out);
}

} // namespace moecost::cli::serve_cmd
