// The SVG chart writer (io/svg.hpp): a well-formed document, text escaped, points placed on
// axes that start at zero with round ticks.

#include <moecost/io/svg.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace moecost;

namespace {

long occurrences(const std::string& s, const std::string& what) {
    long n = 0;
    for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1))
        ++n;
    return n;
}

} // namespace

TEST_CASE("a chart is a well-formed SVG document", "[serve][svg]") {
    io::chart c{.title = "A & B <front>", .x_label = "x", .y_label = "y", .series = {}};
    c.series.push_back({.name = "one", .points = {{1, 4, false}, {2, 3, true}, {4, 1, false}}});
    const std::string svg = io::to_svg(c);
    CHECK(svg.rfind("<?xml version=\"1.0\"", 0) == 0);
    CHECK(occurrences(svg, "<svg ") == 1);
    CHECK(occurrences(svg, "</svg>") == 1);
    CHECK(occurrences(svg, "<g") == occurrences(svg, "</g>"));
    CHECK(svg.find("A &amp; B &lt;front&gt;") != std::string::npos);
    CHECK(svg.find("A & B") == std::string::npos);
    // three points, one ringed, one legend mark: five circles; one line through the points
    CHECK(occurrences(svg, "<circle ") == 5);
    CHECK(occurrences(svg, "<polyline ") == 1);
    // x up to 4: ticks of 1 (the smallest 1, 2 or 5 × 10^k at least 4/5); the plot spans x from
    // 80 to 540 (720 wide, margins 80 and 180), so x = 2 is at 80 + 460·2/4 = 310; y up to 4
    // from 420 (bottom; 480 high, margins 50 and 60) to 50 (top): y = 3 at 50 + 370·(1 − 3/4)
    // = 142.5, y = 1 at 50 + 370·3/4 = 327.5.
    CHECK(svg.find("points=\"195.0,50.0 310.0,142.5 540.0,327.5\"") != std::string::npos);
}

TEST_CASE("tick steps are 1, 2 or 5 times a power of ten", "[serve][svg]") {
    CHECK(io::detail::svg_tick_step(4) == Approx(1));
    CHECK(io::detail::svg_tick_step(9) == Approx(2));
    CHECK(io::detail::svg_tick_step(2400) == Approx(500));
    CHECK(io::detail::svg_tick_step(0) == Approx(1));
}
