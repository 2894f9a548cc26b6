// Speed of the evaluation path: one full evaluation (model × cluster × layout × workload →
// report) and a full search. Run the Release build: build/release/bin/bench_evaluate_bench.
// Each benchmark prints evaluations per second (the counter evaluations/s); docs/performance.md
// records the figures and the machine.

#include <moecost.hpp>

#include <benchmark/benchmark.h>

using namespace moecost;

namespace {

/// evaluate() on inputs the optimiser cannot see through: a run-time figure, not a folded one.
void time_evaluation(benchmark::State& state, model_spec m, cluster_spec c, layout l, workload w) {
    for (auto _ : state) {
        benchmark::DoNotOptimize(m);
        benchmark::DoNotOptimize(c);
        benchmark::DoNotOptimize(l);
        benchmark::DoNotOptimize(w);
        report r = evaluate(m, c, l, w);
        benchmark::DoNotOptimize(r);
    }
    state.counters["evaluations/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

/// The seed plan: 128 GPUs (EP8·PP2·DP4·TP2), batch 128, 10,240-token prompts.
void full_evaluation(benchmark::State& state) {
    time_evaluation(state, presets::seed_moe, presets::seed_gpu, seed_layout(8, 2, 4, 2),
                    {.batch = 128, .prompt = 10240});
}
BENCHMARK(full_evaluation);

/// DeepSeek-V3 on 32 H800s (DP32·EP32), DeepSeek's decode workload: 61 layers, MLA, 256 experts.
void full_evaluation_deepseek_v3(benchmark::State& state) {
    time_evaluation(state, presets::deepseek_v3, presets::h800,
                    {.tp = 1, .dp = 32, .pp = 1, .ep = 32},
                    {.batch = 4096, .prompt = 4096, .context = 4989});
}
BENCHMARK(full_evaluation_deepseek_v3);

/// Every layout of 1,024 GPUs for the seed model, at 8 batch sizes.
void search_1024_gpus_8_batches(benchmark::State& state) {
    model_spec m = presets::seed_moe;
    cluster_spec c = presets::seed_gpu;
    const search_space space{.min_gpus = 1024,
                             .max_gpus = 1024,
                             .batches = {128, 256, 512, 1024, 2048, 4096, 8192, 16384}};
    long evaluated = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(m);
        benchmark::DoNotOptimize(c);
        auto r = search(m, c, space, {.batch = 128, .prompt = 10240});
        evaluated = r.evaluated;
        benchmark::DoNotOptimize(r);
    }
    state.counters["layouts"] = static_cast<double>(evaluated);
    state.counters["evaluations/s"] = benchmark::Counter(
        static_cast<double>(evaluated * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(search_1024_gpus_8_batches)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
