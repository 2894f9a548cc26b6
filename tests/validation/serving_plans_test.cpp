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
