// The serving planner against published serving figures with their traffic (serving_plans.hpp,
// a held-out set): no measurement may exceed the ideal-mode planner's figure for its
// deployment, and the default-mode prediction must be a finite, positive figure below that
// bound. How close the prediction comes is reported (docs/validation.md), not asserted: nothing
// is fitted on these rows.

#include "serving_plans.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

using namespace moecost;
using namespace moecost::validation::serving_plans;

TEST_CASE("serving plans: each row states its deployment and figure consistently",
          "[validation][serving_plans]") {
    for (const plan_row& r : plan_rows) {
        INFO(std::string(r.what));
        CHECK(r.published > 0);
        CHECK(r.load.arrival_rate.value == 0); // offline or at capacity: the planner finds the rate
        CHECK(r.prefill.instances >= 1);
        if (r.metric == plan_metric::output_per_gpu) {
            CHECK_FALSE(r.disaggregated);
            // a total over the deployment, or a figure per GPU; TensorRT-LLM's are totals
            CHECK((r.published_gpus == 1 || r.published_gpus == deployment_gpus(r)));
            if (r.kv_of_free_memory)
                CHECK(r.published_gpus == deployment_gpus(r));
        } else {
            CHECK(r.disaggregated);
            CHECK(r.decode.instances >= 1);
            CHECK(r.published_gpus == r.cluster->gpus_per_node); // a figure per node
        }
    }
}

TEST_CASE("serving plans: a TensorRT-LLM row's memory is the weights and 0.90 of what they leave",
          "[validation][serving_plans]") {
    const auto row = [](std::string_view what) {
        const auto it = std::find_if(plan_rows.begin(), plan_rows.end(),
                                     [&](const plan_row& r) { return r.what == what; });
        REQUIRE(it != plan_rows.end());
        return *it;
    };
    // Llama 3 70B's 70.55B parameters (Meta's model card), one byte each in a v0.17 fp8 engine
    // (its embedding and LM head too).
    const double llama_70b = 70.55e9;
    // One H100 of 80 GB holds them all; two hold half each (TP splits the vocab tables too).
    const plan_row one = row("Llama 3.1 70B, 1 H100, FP8, TP1, ISL/OSL 128/128 (v0.17)");
    const plan_row two = row("Llama 3.1 70B, 2 H100, FP8, TP2, ISL/OSL 128/128 (v0.17)");
    CHECK(runtime_headroom(one) == Approx(0.90 + 0.10 * llama_70b / 80e9).epsilon(1e-3));
    CHECK(runtime_headroom(two) == Approx(0.90 + 0.10 * llama_70b / 2 / 80e9).epsilon(1e-3));
    // Qwen3-235B-A22B on 8 H200s of 141 GB, attention DP8, experts EP8: each GPU holds all
    // attention (94 layers of 4096 × (8192 + 2·512) and 8192 × 4096), the routers (94 × 4096 ×
    // 128) and both vocab tables (151,936 × 4,096, bf16), and an eighth of the experts (94 ×
    // 128 × 3 × 4096 × 1536).
    const double attention = 94 * (4096.0 * (8192 + 2 * 512) + 8192.0 * 4096);
    const double experts = 94 * 128 * 3 * 4096.0 * 1536 / 8;
    const double qwen = attention + experts + 94 * 4096.0 * 128 + 2 * 2 * 151936.0 * 4096;
    const plan_row ep = row("Qwen3-235B-A22B, 8 H200, FP8, attention DP8 EP8, ISL/OSL 128/2048");
    CHECK(runtime_headroom(ep) == Approx(0.90 + 0.10 * qwen / 141e9).epsilon(1e-3));
    // The prediction takes it, the bound all of HBM; DeepSeek's rows keep moecost's default.
    CHECK(options_of(one, false).eval.memory_headroom == runtime_headroom(one));
    CHECK(options_of(one, true).eval.memory_headroom == 1.0);
    CHECK_FALSE(plan_rows.back().kv_of_free_memory);
    CHECK(runtime_headroom(plan_rows.back()) == eval_options{}.memory_headroom);
}

TEST_CASE("serving plans: no published figure exceeds the ideal planner's bound",
          "[validation][serving_plans]") {
    for (const plan_row& r : plan_rows) {
        INFO(std::string(r.what));
        const double bound = moecost_figure(r, true);
        const double measured = measured_per_gpu(r);
        INFO("measured " << measured << " tok/s per GPU, bound " << bound);
        REQUIRE(std::isfinite(bound));
        REQUIRE(bound > 0);
        CHECK(measured <= bound);
    }
}

TEST_CASE("serving plans: the calibrated prediction is finite, positive and within the bound",
          "[validation][serving_plans]") {
    for (const plan_row& r : plan_rows) {
        INFO(std::string(r.what));
        const serve_plan p = plan_of(r, false);
        REQUIRE(p.feasible);
        const double pred = moecost_figure(r, false);
        const double bound = moecost_figure(r, true);
        INFO("prediction " << pred << ", bound " << bound);
        CHECK(std::isfinite(pred));
        CHECK(pred > 0);
        CHECK(pred <= bound * (1 + 1e-9)); // every default-mode term is at most as fast
        // The plan carries the deployment as stated.
        CHECK(p.gpus == deployment_gpus(r));
    }
}
