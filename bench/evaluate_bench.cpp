// Speed of the evaluation path: one full evaluation (model × cluster × layout × workload →
// report) and a full search. Run the Release build: build/release/bin/bench_evaluate_bench.

#include <moecost.hpp>

#include <benchmark/benchmark.h>

using namespace moecost;

namespace {

void full_evaluation(benchmark::State& state) {
    const workload w{.batch = 128, .prompt = 10240};
    layout l = seed_layout(8, 2, 4, 2);
    for (auto _ : state) {
        benchmark::DoNotOptimize(l);
        report r = evaluate(presets::seed_moe, presets::seed_gpu, l, w);
        benchmark::DoNotOptimize(r);
    }
    state.counters["evaluations/s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                         benchmark::Counter::kIsRate);
}
BENCHMARK(full_evaluation);

void full_evaluation_deepseek_v3(benchmark::State& state) {
    const workload w{.batch = 4096, .prompt = 4096, .context = 4989};
    layout l{.tp = 1, .dp = 32, .pp = 1, .ep = 32};
    for (auto _ : state) {
        benchmark::DoNotOptimize(l);
        report r = evaluate(presets::deepseek_v3, presets::h800, l, w);
        benchmark::DoNotOptimize(r);
    }
    state.counters["evaluations/s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                         benchmark::Counter::kIsRate);
}
BENCHMARK(full_evaluation_deepseek_v3);

void search_1024_gpus_8_batches(benchmark::State& state) {
    const search_space space{.min_gpus = 1024, .max_gpus = 1024,
                             .batches = {128, 256, 512, 1024, 2048, 4096, 8192, 16384}};
    long evaluated = 0;
    for (auto _ : state) {
        auto r = search(presets::seed_moe, presets::seed_gpu, space, {.batch = 128, .prompt = 10240});
        evaluated = r.evaluated;
        benchmark::DoNotOptimize(r);
    }
    state.counters["layouts"] = static_cast<double>(evaluated);
    state.counters["evaluations/s"] = benchmark::Counter(static_cast<double>(evaluated * state.iterations()),
                                                         benchmark::Counter::kIsRate);
}
BENCHMARK(search_1024_gpus_8_batches)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
