// Validation report: moecost against published results, as the Markdown tables of
// docs/validation.md (scripts/validation-docs regenerates that page from this program's output).
//
// The published figures, their sources and the deployments that reproduce them live in
// tests/validation/published.hpp, shared with the validation tests (tests/validation/*.cpp),
// which check the same comparisons with stated tolerances.
//
// Columns: quantity, published, moecost, ratio, source. The ratio is moecost / published for
// counts (parameters, FLOPs, bytes) and published / moecost's ideal bound for throughputs (the
// implied efficiency: at most 1 when the bound holds; for iteration times, ideal / measured).

#include "../tests/validation/held_out.hpp"
#include "../tests/validation/published.hpp"
#include "../tests/validation/serving_plans.hpp"

#include <fmt/core.h>

#include <cmath>
#include <map>
#include <string>

using namespace moecost;
using namespace moecost::validation;

namespace {

std::string billions(double x, int decimals = 2) {
    return fmt::format("{:.{}f}B", x / 1e9, decimals);
}
std::string ratio_text(double r) {
    return fmt::format("{:.4f}", r);
}

void table_head() {
    fmt::print("| quantity | published | moecost | ratio | source |\n");
    fmt::print("| --- | ---: | ---: | ---: | --- |\n");
}
void row(const std::string& q, const std::string& published, const std::string& ours, double r,
         std::string_view source) {
    fmt::print("| {} | {} | {} | {} | {} |\n", q, published, ours, ratio_text(r), source);
}
// Every bound comparison, for the closing summary.
struct bound_summary {
    int n = 0, above = 0;
    double lo = 1e300, hi = 0;
    std::string hi_what;
    void add(const std::string& what, double r) {
        ++n;
        if (r > 1.0)
            ++above;
        lo = r < lo ? r : lo;
        if (r > hi) {
            hi = r;
            hi_what = what;
        }
    }
};
bound_summary bounds;

void bound_row(const std::string& q, const std::string& published, const std::string& ours,
               double r, std::string_view source) {
    bounds.add(q, r);
    row(q, published, ours, r, source);
}

void section(const char* title, const char* ratio_note) {
    fmt::print("\n### {}\n\nratio: {}\n\n", title, ratio_note);
    table_head();
}
std::string layout_text(const layout& l) {
    std::string s = fmt::format("TP{} PP{} DP{}", l.tp, l.pp, l.dp);
    if (l.ep > 1)
        s += fmt::format(" EP{}", l.ep);
    return s;
}

void parameter_counts() {
    section("Parameter counts of the model presets",
            "moecost / published, in the vendor's convention");
    for (const published_count& c : published_counts) {
        const model_spec* m = find_preset(c.preset);
        if (m == nullptr)
            continue;
        const double x = count_as(*m, c);
        const int decimals = c.step < 0.1e9 ? 3 : 2;
        row(fmt::format("{} {} ({}{})", c.preset, c.active ? "active" : "total", describe(c.conv),
                        c.how == precision::truncated ? "; truncated" : ""),
            std::string(c.text), billions(x, decimals), x / c.value, c.source);
    }
    for (const published_size& c : published_sizes) {
        const model_spec* m = find_preset(c.preset);
        if (m == nullptr)
            continue;
        const double gib = weight_bytes(*m).value() / (1024.0 * 1024.0 * 1024.0);
        row(fmt::format("{} checkpoint (routed experts {}, the rest {})", c.preset,
                        name_of(experts_dtype(m->precision)), name_of(m->precision.weights)),
            std::string(c.text), fmt::format("{:.2f} GiB", gib), gib / c.gib, c.source);
    }
    for (const std::string_view p : unpublished_presets)
        fmt::print("\n`{}` has no model card (a synthetic model): not compared.\n", p);
}

void megatron() {
    constexpr std::string_view src = "Narayanan et al. 2021, Table 1, Eq. (2), (3)";
    section(
        "Megatron-LM (Narayanan et al. 2021), Table 1: A100 80GB, s 2048, V 51,200, full recompute",
        "parameters and FLOPs: moecost / Eq.; TFLOP/s per GPU: measured / moecost's ideal bound");
    for (const megatron_row& r : megatron_table1) {
        const model_spec m = megatron_gpt(r);
        const double p = total_params(m).total();
        row(fmt::format("{:.1f}B: parameters (Eq. 2 published; Table 1 prints {:.1f}B)", r.params_b,
                        r.params_b),
            billions(megatron_eq2_params(r), 3), billions(p, 3), p / megatron_eq2_params(r), src);
    }
    for (const megatron_row& r : megatron_table1) {
        const double f =
            training_flops_per_token(megatron_gpt(r), megatron_seq, recompute::full, false)
                .value() *
            r.batch * megatron_seq;
        row(fmt::format("{:.1f}B: FLOPs per iteration (Eq. 3), batch {}", r.params_b, r.batch),
            pretty(make<flops>(megatron_eq3_flops(r)), 5), pretty(make<flops>(f), 5),
            f / megatron_eq3_flops(r), src);
    }
    for (const megatron_row& r : megatron_table1) {
        const double bound = megatron_bound_tflops(r);
        bound_row(fmt::format("{:.1f}B: TFLOP/s per GPU on {} GPUs, {}, micro-batch {}{}",
                              r.params_b, r.gpus, layout_text(megatron_layout(r)), r.micro_batch,
                              r.virtual_stages > 1 ? fmt::format(", v {}", r.virtual_stages)
                                                   : std::string{}),
                  fmt::format("{:.0f}", r.tflops_per_gpu), fmt::format("≤ {:.1f}", bound),
                  r.tflops_per_gpu / bound,
                  "Table 1; MBS, v: Megatron-LM examples/sc21/run_table_1.sh");
    }
}

void korthikanti() {
    constexpr std::string_view src = "Korthikanti et al. 2022, Table 2";
    section(
        "Korthikanti et al. 2022: activation bytes per layer (s 2048, Table 3 micro-batch, t 8)",
        "moecost / the paper's formula");
    for (const korthikanti_row& r : korthikanti_table3) {
        const model_spec m = megatron_gpt(r.hidden, r.layers, r.heads);
        const korthikanti_formulas k{megatron_seq, static_cast<double>(r.micro_batch),
                                     static_cast<double>(r.hidden), static_cast<double>(r.heads),
                                     static_cast<double>(r.tp)};
        struct cfg {
            const char* name;
            int tp;
            bool sp;
            recompute rc;
            double paper;
        };
        const cfg cfgs[] = {
            {"no parallelism, sbh(34 + 5as/h)", 1, false, recompute::none, k.none()},
            {"TP, sbh(10 + 24/t + 5as/(ht))", r.tp, false, recompute::none, k.tp()},
            {"TP + SP, sbh/t(34 + 5as/h)", r.tp, true, recompute::none, k.tp_sp()},
            {"TP + selective, sbh(10 + 24/t)", r.tp, false, recompute::selective, k.tp_selective()},
            {"TP + SP + selective, 34sbh/t", r.tp, true, recompute::selective, k.tp_sp_selective()},
            {"full recompute, 2sbh", r.tp, false, recompute::full, k.full()},
        };
        for (const cfg& c : cfgs) {
            const activation_options o{.tp = c.tp, .sequence_parallel = c.sp, .rc = c.rc};
            const double x =
                training_activation_bytes_layer(m, 0, megatron_seq, r.micro_batch, o).value();
            row(fmt::format("{}, b {}: {}", r.name, r.micro_batch, c.name),
                pretty(make<bytes>(c.paper), 5), pretty(make<bytes>(x), 5), x / c.paper, src);
        }
    }

    section("Korthikanti et al. 2022: first pipeline stage, SP (Eq. 5, 6, §4.3)",
            "moecost / the paper's total (moecost, like Megatron-LM's estimator, also scales the "
            "embedding dropout mask sbhp/t by the interleaving factor)");
    for (const korthikanti_row& r : korthikanti_table3) {
        for (const bool selective : {false, true}) {
            training_workload w = korthikanti_workload(r, true);
            w.rc = selective ? recompute::selective : recompute::none;
            const training_report t =
                evaluate_training(megatron_gpt(r.hidden, r.layers, r.heads), presets::a100_sxm_80gb,
                                  korthikanti_layout(r), w);
            const double s = megatron_seq, b = r.micro_batch, h = r.hidden, a = r.heads,
                         L = r.layers, tp = r.tp, p = r.pp, v = megatron_vocab;
            const double layers_total =
                selective ? 34.0 * s * b * h * L / tp : s * b * h * L / tp * (34 + 5 * a * s / h);
            const double interleave =
                r.virtual_stages > 1 ? 1 + (p - 1) / (p * r.virtual_stages) : 1.0;
            const double paper = layers_total * interleave +
                                 s * b * h / tp * (p + (r.pp == 1 ? 4 * (1 + v / h) : 0.0));
            row(fmt::format("{} ({}{}): {}", r.name, layout_text(korthikanti_layout(r)),
                            r.virtual_stages > 1 ? fmt::format(", m {}", r.virtual_stages)
                                                 : std::string{},
                            selective ? "Eq. 6, selective" : "Eq. 5, no recompute"),
                pretty(make<bytes>(paper), 4), pretty(t.memory.activations, 4),
                t.memory.activations.value() / paper, "Korthikanti et al. 2022, §4.2.3, §4.3");
        }
    }

    section("Korthikanti et al. 2022, Table 5: model FLOPs utilisation and iteration times",
            "MFU: moecost (Eq. 7 FLOPs over the measured time) / published; times: moecost's ideal "
            "step / measured");
    for (const korthikanti_row& r : korthikanti_table3) {
        const double model = training_flops_per_token(megatron_gpt(r.hidden, r.layers, r.heads),
                                                      megatron_seq, recompute::none, false)
                                 .value() *
                             r.batch * megatron_seq;
        const double mfu = model / (r.present_work_s * r.gpus * 312e12);
        row(fmt::format("{}: MFU, SP + selective", r.name), fmt::format("{:.1f}%", 100 * r.mfu),
            fmt::format("{:.2f}%", 100 * mfu), mfu / r.mfu,
            "Korthikanti et al. 2022, Table 5, Eq. 7");
    }
    for (const korthikanti_row& r : korthikanti_table3) {
        for (const bool present : {false, true}) {
            const training_report t = korthikanti_ideal(r, present);
            const double measured = present ? r.present_work_s : r.full_recompute_s;
            bound_row(fmt::format("{}: iteration time, {} ({} GPUs, {}{})", r.name,
                                  present ? "SP + selective" : "full recompute", r.gpus,
                                  layout_text(korthikanti_layout(r)),
                                  r.virtual_stages > 1 ? fmt::format(", m {}", r.virtual_stages)
                                                       : std::string{}),
                      fmt::format("{:.2f} s", measured),
                      fmt::format("≥ {:.2f} s", t.step_time.value()),
                      t.step_time.value() / measured, "Korthikanti et al. 2022, Table 5");
        }
    }
}

void serving() {
    section("DeepSeek-V3 inference: published throughput against moecost's ideal bound (tokens/s "
            "per GPU)",
            "measured / moecost's ideal bound (at most 1 when the bound holds)");
    for (const serving_case& c : serving_cases) {
        const report r = evaluate_case(c);
        const phase_result& ph = c.decode ? r.decode : r.prefill;
        const double measured = measured_per_gpu(c), bound = bound_per_gpu(c);
        bound_row(std::string(c.what), fmt::format("{:.0f}", measured),
                  fmt::format("≤ {:.0f} ({})", bound, name_of(ph.bottleneck)), measured / bound,
                  c.source);
    }
    serving_case cold = serving_cases[0];
    cold.w.prefix_cache_hit = 0;
    bound_row("DeepSeek-V3 prefill, every prompt token computed (no prefix cache)",
              fmt::format("{:.0f}", measured_per_gpu(cold)),
              fmt::format("≤ {:.0f}", bound_per_gpu(cold)),
              measured_per_gpu(cold) / bound_per_gpu(cold), cold.source);
}

void training() {
    section("DeepSeek-V3 pre-training: 14.8T tokens in 2.664M H800 GPU-hours (tokens/s per GPU)",
            "implied / moecost's ideal bound");
    const double implied = deepseek_implied_tokens_per_gpu();
    const training_report none = deepseek_train_ideal();
    training_workload w = deepseek_train_workload;
    w.rc = recompute::full;
    const training_report full =
        evaluate_training(presets::deepseek_v3_mtp, presets::h800, deepseek_train_layout, w,
                          {.ideal = true, .dispatch_fp8 = true});
    const std::string setting =
        "2048 H800, PP16 EP64 (DP128, EDP2), ZeRO-1, fp8, batch 15,360 x 4,096";
    bound_row(setting + ", no recompute (does not fit as modelled)", fmt::format("{:.0f}", implied),
              fmt::format("≤ {:.0f} ({})", none.tokens_per_gpu.value(), name_of(none.bottleneck)),
              implied / none.tokens_per_gpu.value(), "DeepSeek-V3 report §3.1, §3.2; README");
    bound_row(setting + ", full recompute (fits)", fmt::format("{:.0f}", implied),
              fmt::format("≤ {:.0f} ({})", full.tokens_per_gpu.value(), name_of(full.bottleneck)),
              implied / full.tokens_per_gpu.value(), "DeepSeek-V3 report §3.1, §3.2; README");
}

// ---------------------------------------------------------------------------------------------
// Predictions: the default (calibrated) mode against every end-to-end measurement, fit and
// held-out sets apart. The ratio is predicted / measured speed (for times, measured /
// predicted): above 1 the prediction is optimistic.
// ---------------------------------------------------------------------------------------------

struct error_summary {
    int n = 0, optimistic = 0, outside_half_to_2 = 0;
    double sum = 0, worst = 0;
    std::string worst_what;
    void add(const std::string& what, double ratio) {
        ++n;
        optimistic += ratio > 1.0 ? 1 : 0;
        outside_half_to_2 += ratio < 0.5 || ratio > 2.0 ? 1 : 0;
        const double e = std::abs(ratio - 1.0);
        sum += e;
        if (e > worst) {
            worst = e;
            worst_what = what;
        }
    }
};
// [set][kind]: set 0 fit, 1 held out; kind 0 training, 1 serving
error_summary errors[2][2];

void prediction_head() {
    fmt::print("| row | set | measured | ideal bound | prediction | predicted / measured |\n");
    fmt::print("| --- | --- | ---: | ---: | ---: | ---: |\n");
}
void prediction_row(const std::string& what, bool held_out, bool serving, const std::string& unit,
                    double measured, double bound, double pred, bool time) {
    const double ratio = time ? measured / pred : pred / measured;
    errors[held_out ? 1 : 0][serving ? 1 : 0].add(what, ratio);
    fmt::print("| {} | {} | {:.4g}{} | {:.4g} | {:.4g} | {:.3f} |\n", what,
               held_out ? "held out" : "fit", measured, unit, bound, pred, ratio);
}

void predictions() {
    fmt::print("\n## Predictions\n\n");
    fmt::print("### Fit set (tests/validation/published.hpp)\n\n");
    prediction_head();
    for (const megatron_row& r : megatron_table1) {
        const training_report t = evaluate_training(megatron_gpt(r), presets::a100_sxm_80gb,
                                                    megatron_layout(r), megatron_workload(r));
        const double pred = megatron_eq3_flops(r) / (t.step_time.value() * r.gpus) / 1e12;
        prediction_row(fmt::format("Megatron-LM {:.1f}B, {} A100, {}", r.params_b, r.gpus,
                                   layout_text(megatron_layout(r))),
                       false, false, " TFLOP/s", r.tflops_per_gpu, megatron_bound_tflops(r), pred,
                       false);
    }
    for (const korthikanti_row& r : korthikanti_table3)
        for (const bool present : {false, true}) {
            const training_report t =
                evaluate_training(megatron_gpt(r.hidden, r.layers, r.heads), presets::a100_sxm_80gb,
                                  korthikanti_layout(r), korthikanti_workload(r, present));
            prediction_row(fmt::format("Korthikanti {}, {}", r.name,
                                       present ? "SP + selective" : "full recompute"),
                           false, false, " s", present ? r.present_work_s : r.full_recompute_s,
                           korthikanti_ideal(r, present).step_time.value(), t.step_time.value(),
                           true);
        }
    {
        const training_report t =
            evaluate_training(presets::deepseek_v3_mtp, presets::h800, deepseek_train_layout,
                              deepseek_train_workload, {.dispatch_fp8 = true});
        prediction_row("DeepSeek-V3 pre-training, 2048 H800", false, false, " tok/s",
                       deepseek_implied_tokens_per_gpu(),
                       deepseek_train_ideal().tokens_per_gpu.value(), t.tokens_per_gpu.value(),
                       false);
    }
    for (const serving_case& c : serving_cases) {
        eval_options o = c.o;
        o.ideal = false;
        const report r = evaluate(*c.model, *c.cluster, c.l, c.w, o);
        const double pred = (c.decode ? r.decode : r.prefill).tokens_per_gpu.value();
        prediction_row(std::string(c.what), false, true, " tok/s", measured_per_gpu(c),
                       bound_per_gpu(c), pred, false);
    }

    using namespace held_out;
    fmt::print("\n### Held-out set (tests/validation/held_out.hpp)\n\n");
    prediction_head();
    for (const training_case& c : training_cases)
        prediction_row(std::string(c.what), true, false, " tok/s", measured_tokens_per_gpu(c),
                       evaluate_training_case(c, true).tokens_per_gpu.value(),
                       evaluate_training_case(c, false).tokens_per_gpu.value(), false);
    for (const serving_run& c : serving_runs)
        prediction_row(std::string(c.what), true, true, higher_is_better(c) ? " tok/s" : " s",
                       c.published, moecost_figure(c, true), moecost_figure(c, false),
                       !higher_is_better(c));

    fmt::print("\n### Summary of the predictions\n\n");
    fmt::print("| set | kind | rows | mean error | worst error (row) | optimistic | outside "
               "0.5–2× |\n");
    fmt::print("| --- | --- | ---: | ---: | --- | ---: | ---: |\n");
    for (int set = 0; set < 2; ++set)
        for (int kind = 0; kind < 2; ++kind) {
            const error_summary& e = errors[set][kind];
            fmt::print("| {} | {} | {} | {:.1f}% | {:.1f}% ({}) | {} | {} |\n",
                       set == 0 ? "fit" : "held out", kind == 0 ? "training" : "serving", e.n,
                       100.0 * e.sum / e.n, 100.0 * e.worst, e.worst_what, e.optimistic,
                       e.outside_half_to_2);
        }
}

// ---------------------------------------------------------------------------------------------
// Serving plans: the planner's costing of a published deployment under its published traffic
// (plan_deployment), the default mode against the measurement and the ideal mode as its bound.
// ---------------------------------------------------------------------------------------------

std::string traffic_text(const serving_plans::plan_row& r) {
    std::string s =
        fmt::format("ISL {:.0f}, OSL {:.0f}", r.load.input_mean.value, r.load.output_mean.value);
    if (r.load.prefix_cache_hit > 0)
        s += fmt::format(", {:.1f}% cached", 100 * r.load.prefix_cache_hit);
    if (serving_plans::offline_row(r))
        return s + ", offline";
    if (r.target.ttft.value > 0)
        s += fmt::format(", TTFT ≤ {:g} s", r.target.ttft.value);
    if (r.target.tpot.value > 0)
        s += fmt::format(", TPOT ≤ {:g} ms", 1e3 * r.target.tpot.value);
    return s + fmt::format(" at p{:g}", 100 * r.target.percentile);
}

void serving_plans_section() {
    using namespace serving_plans;
    fmt::print("\n### Serving plans (planner, held out; tests/validation/serving_plans.hpp)\n\n");
    fmt::print("| row | set | traffic | figure | measured | ideal bound | prediction | "
               "predicted / measured |\n");
    fmt::print("| --- | --- | --- | --- | ---: | ---: | ---: | ---: |\n");
    error_summary e;
    std::map<std::string, error_summary> by_kind; // GPU family's profile, dense or MoE
    for (const plan_row& r : plan_rows) {
        const double measured = measured_per_gpu(r);
        const double bound = moecost_figure(r, true), pred = moecost_figure(r, false);
        const std::string what(r.what);
        bounds.add(what + " (planner)", measured / bound);
        e.add(what, pred / measured);
        by_kind[fmt::format("{} GPUs, {} models", r.cluster->gpu.perf.name.view(),
                            is_moe(*r.model) ? "MoE" : "dense")]
            .add(what, pred / measured);
        fmt::print("| {} | {} | {} | {} | {:.0f} | {:.0f} | {:.0f} | {:.3f} |\n", what,
                   r.also_per_step_fit_row ? "held out (figure also a fit-set step row)"
                                           : "held out",
                   traffic_text(r), name_of(r.metric), measured, bound, pred, pred / measured);
    }
    fmt::print("\n{} rows: mean error {:.1f}%, worst {:.1f}% ({}); optimistic: {}; outside "
               "0.5–2×: {}.\n",
               e.n, 100.0 * e.sum / e.n, 100.0 * e.worst, e.worst_what, e.optimistic,
               e.outside_half_to_2);
    for (const auto& [kind, k] : by_kind)
        fmt::print("- {}, {} rows: mean error {:.1f}%, worst {:.1f}%; optimistic: {}.\n", kind, k.n,
                   100.0 * k.sum / k.n, 100.0 * k.worst, k.optimistic);
}

} // namespace

int main() {
    parameter_counts();
    megatron();
    korthikanti();
    serving();
    training();
    predictions();
    serving_plans_section();
    fmt::print(
        "\n### Summary of the bounds\n\n{} published throughputs and iteration times were set "
        "against moecost's "
        "ideal bound for their layout. Measured above the bound (a bug in moecost): {}. Implied "
        "efficiencies (measured / bound) range from {:.2f} to {:.2f}, the highest for {}.\n",
        bounds.n, bounds.above == 0 ? std::string("none") : std::to_string(bounds.above), bounds.lo,
        bounds.hi, bounds.hi_what);
    return bounds.above == 0 ? 0 : 1;
}

// A few of the printed comparisons, proven at compile time.
constexpr bool within(double a, double b, double rel) {
    return (a > b ? a - b : b - a) <= rel * (b > 0 ? b : -b);
}
static_assert(reproduces(total_params(presets::mixtral_8x7b).total(), 46.7e9, 0.1e9,
                         precision::rounded),
              "Mixtral-8x7B: 46.7B total (Mistral)");
static_assert(reproduces(active_params(presets::deepseek_v3).total() -
                             active_params(presets::deepseek_v3).embedding,
                         36.6e9, 0.1e9, precision::rounded),
              "DeepSeek-V3: 36.6B active without the input embedding (README_WEIGHTS.md)");
static_assert(within(training_flops_per_token(megatron_gpt(megatron_table1[6]), megatron_seq,
                                              recompute::full, false)
                             .value() *
                         megatron_table1[6].batch * megatron_seq,
                     megatron_eq3_flops(megatron_table1[6]), 1e-12),
              "Megatron-LM 145.6B: Eq. (3) FLOPs per iteration, to rounding");
static_assert(megatron_table1[9].tflops_per_gpu <= megatron_bound_tflops(megatron_table1[9]),
              "Megatron-LM 1T: 163 TFLOP/s per GPU is below the ideal bound");
static_assert(training_activation_bytes_layer(megatron_gpt(12288, 96, 96), 0, 2048, 1).value() ==
                  2'868'903'936.0,
              "GPT-3 175B: sbh(34 + 5as/h) = 2,868,903,936 B per layer");
static_assert(measured_per_gpu(serving_cases[1]) <= bound_per_gpu(serving_cases[1]),
              "DeepSeek-V3 decode on H800: 14.8k tokens/s per node is below the ideal bound");
static_assert(deepseek_implied_tokens_per_gpu() <= deepseek_train_ideal().tokens_per_gpu.value(),
              "DeepSeek-V3 pre-training: 1,543 tokens/s per GPU is below the ideal bound");
