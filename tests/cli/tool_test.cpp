// Unit tests of the tool's own pieces that no command line reaches directly: the progress
// meter (with a fake clock), the check that no non-finite number is printed, and a
// violation's numbers. Expectations are worked out by hand below.

#include "../../tools/moecost/output.hpp"
#include "../../tools/moecost/progress.hpp"
#include "../../tools/moecost/violation_out.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace moecost::cli;

namespace {

/// A meter on a clock the test sets, recording what it draws.
struct fake_terminal {
    double now = 100.0; // any origin
    std::vector<std::string> drawn;
    progress_meter meter(long total) {
        return {total, "layouts", [this](std::string_view s) { drawn.emplace_back(s); },
                [this] { return now; }};
    }
};

} // namespace

TEST_CASE("progress: nothing in the first second, then at most every 0.1 s", "[cli][progress]") {
    fake_terminal t;
    progress_meter m = t.meter(1000);
    t.now = 100.5;
    m.update(100);
    CHECK(t.drawn.empty()); // a search that ends within a second shows nothing
    t.now = 101.0;
    m.update(200); // 200 in 1 s: 200/s, 800 left, 4 s
    REQUIRE(t.drawn.size() == 1);
    CHECK(t.drawn[0] ==
          "\rsearching: 200 of 1,000 layouts (20.0 %), 200/s, about 4.0 s left\x1b[K");
    t.now = 101.05;
    m.update(210);
    CHECK(t.drawn.size() == 1); // 50 ms later: not redrawn
    t.now = 101.25;
    m.update(300);
    CHECK(t.drawn.size() == 2);
    m.finish();
    REQUIRE(t.drawn.size() == 3);
    CHECK(t.drawn[2] == "\r\x1b[K"); // cleared
    CHECK_FALSE(m.drawn());
}

TEST_CASE("progress: a search that ends early is never drawn nor cleared", "[cli][progress]") {
    fake_terminal t;
    progress_meter m = t.meter(10);
    t.now = 100.2;
    m.update(10);
    m.finish();
    CHECK(t.drawn.empty());
}

TEST_CASE("progress: the line's numbers", "[cli][progress]") {
    // 1,500,000 of 6,000,000 in 2 s: 750 k/s, 4,500,000 left at that rate: 6 s.
    CHECK(progress_meter::line(1'500'000, 6'000'000, 2.0, "layouts") ==
          "searching: 1,500,000 of 6,000,000 layouts (25.0 %), 750 k/s, about 6.0 s left");
    // 30 M/s with 3.6e9 left: 120 s.
    CHECK(progress_meter::line(60'000'000, 3'660'000'000L, 2.0, "layouts") ==
          "searching: 60,000,000 of 3,660,000,000 layouts (1.6 %), 30 M/s, about 2 min 00 s "
          "left");
    CHECK(progress_meter::line(10, 10, 1.0, "layouts") ==
          "searching: 10 of 10 layouts (100.0 %), 10/s");
    CHECK(duration_text(7322) == "2 h 02 min");
    CHECK(grouped(999) == "999");
    CHECK(grouped(1000) == "1,000");
}

TEST_CASE("output: a non-finite number in JSON is found, with where", "[cli][output]") {
    json j{{"memory", {{"capacity_bytes", 8e10}, {"usable_bytes", 7.2e10}}}, {"list", {1, 2.5}}};
    CHECK_FALSE(find_non_finite(j));
    j["memory"]["usable_bytes"] = std::numeric_limits<double>::infinity();
    REQUIRE(find_non_finite(j));
    CHECK(*find_non_finite(j) == "/memory/usable_bytes");
    j["memory"]["usable_bytes"] = 1.0;
    j["list"][1] = std::nan("");
    CHECK(*find_non_finite(j) == "/list/1");
    CHECK_THROWS_AS(out_json(j), non_finite_output);
}

TEST_CASE("output: a non-finite number in text is found, words that hold one are not",
          "[cli][output]") {
    CHECK_FALSE(find_non_finite_word("info: inference at 12.5 nanoseconds, 3 Infos\n"));
    CHECK(find_non_finite_word("  peak inf YFLOP/s") == 7u);
    CHECK(find_non_finite_word("rate -inf") == 6u);
    CHECK(find_non_finite_word("nan") == 0u);
    CHECK(find_non_finite_word("x = NaN;") == 4u);
    CHECK_THROWS_AS(check_finite_text("GPU h100 inf TFLOP/s\n"), non_finite_output);
    CHECK_NOTHROW(check_finite_text("GPU h100 989 TFLOP/s\n"));
}

TEST_CASE("violations: whole numbers in full, memory with its unit", "[cli][violations]") {
    using moecost::rule;
    CHECK(moecost::describe({rule::heads_vs_tp, "attention.heads", 8, 1048576}) ==
          "attention heads (8) do not divide over tp = 1048576");
    // 443,620 GB = 443.62 TB: three significant digits as the tables print bytes.
    CHECK(moecost::describe({rule::memory, "memory", 443.62e12, 72e9}) ==
          "memory per GPU 444 TB exceeds usable 72 GB");
    const json j = violation_json({rule::memory, "memory", 443620000000000.0, 72e9});
    CHECK(j["rule"] == "memory");
    CHECK(j["value"].is_number_integer());
    CHECK(j["value"].get<std::int64_t>() == 443620000000000);
    CHECK(j["limit"].get<std::int64_t>() == 72000000000);
    CHECK(j["unit"] == "bytes");
    CHECK(violation_json({rule::at_least, "x", 0.5, 1})["value"].is_number_float());
}
