// The serving planner against published serving figures with their traffic (serving_plans.hpp,
// a held-out set): no measurement may exceed the ideal-mode planner's figure for its
// deployment, and the default-mode prediction must be a finite, positive figure below that
// bound. How close the prediction comes is reported (docs/validation.md), not asserted: nothing
// is fitted on these rows.

#include "serving_plans.hpp"

#include <catch2/catch.hpp>

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
            // a total over the deployment, or a figure per GPU
            CHECK((r.published_gpus == 1 || r.published_gpus == deployment_gpus(r)));
        } else {
            CHECK(r.disaggregated);
            CHECK(r.decode.instances >= 1);
            CHECK(r.published_gpus == r.cluster->gpus_per_node); // a figure per node
        }
    }
}

TEST_CASE("serving plans: a TensorRT-LLM row's memory is the weights and 0.90 of what they leave",
          "[validation][serving_plans]") {
    // Llama 3.1 70B in fp8 (Llama 3 70B: 70.55B parameters, Meta's model card, one byte each,
    // embedding and head included) on one H100 of 80 GB: 0.90 + 0.10 × 70.55/80.
    const plan_row* row = nullptr;
    for (const plan_row& r : plan_rows)
        if (r.what == "Llama 3.1 70B, 1 H100, FP8, TP1, ISL/OSL 128/128 (v0.17)")
            row = &r;
    REQUIRE(row != nullptr);
    CHECK(row->kv_of_free_memory);
    CHECK(runtime_headroom(*row) == Approx(0.90 + 0.10 * 70.55 / 80).epsilon(1e-3));
    CHECK(options_of(*row, false).eval.memory_headroom == runtime_headroom(*row));
    CHECK(options_of(*row, true).eval.memory_headroom == 1.0);
    // DeepSeek's rows keep moecost's default.
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
