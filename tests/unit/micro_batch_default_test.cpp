// The default number of pipeline micro-batches in inference (spec/workload.hpp): pp, but never
// more than the sequences one DP rank holds, ⌈B/dp⌉. A micro-batch holds at least one sequence,
// so a batch of one sequence on pp stages is one micro-batch: its batch time is that request's
// time through every stage (TTFT), not pp micro-batches of one sequence each
// ((pp − 1)·slowest + Σ stages, the former default).

#include <moecost/evaluate/inference.hpp>

#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace moecost;

TEST_CASE("default micro-batches: pp, at most the sequences of a DP rank",
          "[evaluate][micro_batches]") {
    // ⌈B/dp⌉ against pp
    CHECK(prefill_micro_batches_of({.batch = 1}, 4, 1) == 1);
    CHECK(prefill_micro_batches_of({.batch = 2}, 4, 1) == 2);
    CHECK(prefill_micro_batches_of({.batch = 6}, 4, 2) == 3);  // 3 a rank
    CHECK(prefill_micro_batches_of({.batch = 7}, 4, 2) == 4);  // ⌈3.5⌉ = 4 a rank
    CHECK(prefill_micro_batches_of({.batch = 64}, 4, 8) == 4); // 8 a rank: pp
    CHECK(decode_micro_batches_of({.batch = 3}, 8, 1) == 3);
    CHECK(decode_micro_batches_of({.batch = 64}, 8, 2) == 8);
    // what the workload sets stays
    CHECK(prefill_micro_batches_of({.batch = 1, .prefill_micro_batches = 4}, 4, 1) == 4);
    CHECK(decode_micro_batches_of({.batch = 1, .decode_micro_batches = 2}, 4, 1) == 2);
}

TEST_CASE("default micro-batches: one sequence on pp 4 is one micro-batch",
          "[evaluate][micro_batches]") {
    // dense4 on 4 stages of one layer each (toy GPU): one sequence of 64 tokens
    const layout l{.pp = 4};
    const workload one{.batch = 1, .prompt = 64};
    const auto r = evaluate(test::dense4, test::toy_cluster, l, one);
    REQUIRE(r.valid());
    // prefill: the batch is that one request, through every stage once: its TTFT
    CHECK(r.prefill.batch_time.value() == Approx(r.prefill.latency.value()).epsilon(1e-12));
    // the slowest stage works 1/(Σ stages) of it, idle the rest
    CHECK(r.prefill.bubble_fraction ==
          Approx(1.0 - r.prefill.slowest.time.value() / r.prefill.latency.value()));
    // (the former default, four micro-batches of one sequence each, took 3·slowest + Σ stages;
    // a workload may not set more micro-batches than sequences)
    // two sequences: two micro-batches of one, slowest + Σ stages
    const auto r2 = evaluate(test::dense4, test::toy_cluster, l, {.batch = 2, .prompt = 64});
    REQUIRE(r2.valid());
    CHECK(r2.prefill.batch_time.value() ==
          Approx(r.prefill.slowest.time.value() + r.prefill.latency.value()));
    // decode: one sequence is one micro-batch in flight, a round is Σ stages, as if set to 1;
    // the LM head makes the last stage the slowest, so four rounds of it (the former default)
    // would be longer
    workload one_set = one;
    one_set.decode_micro_batches = 1;
    const auto d1 = evaluate(test::dense4, test::toy_cluster, l, one_set);
    CHECK(r.decode.batch_time == d1.decode.batch_time);
    CHECK(r.decode.batch_time.value() < 4.0 * r.decode.slowest.time.value());
}

TEST_CASE("default micro-batches: one sequence per DP rank is one micro-batch",
          "[evaluate][micro_batches]") {
    // 4 sequences over dp 4 × pp 4: each rank holds one, so M = 1 and the batch time is one
    // request's time through the stages
    const auto r = evaluate(test::dense4, test::toy_cluster, layout{.dp = 4, .pp = 4},
                            {.batch = 4, .prompt = 64});
    REQUIRE(r.valid());
    CHECK(r.prefill.batch_time.value() == Approx(r.prefill.latency.value()).epsilon(1e-12));
}
