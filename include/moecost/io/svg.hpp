#pragma once
/**
 * @file
 * A chart as standalone SVG 1.1, drawn by the project's own code (no Graphviz, no script):
 * axes from zero with round ticks, each series' points joined in order of x and marked, the
 * marked point ringed, a legend. `moecost serve --plot` draws the Pareto front of output
 * tokens/s per GPU against tokens/s per user with it.
 *
 * @code
 * moecost::io::chart c{.title = "front", .x_label = "x", .y_label = "y"};
 * c.series.push_back({.name = "a", .points = {{1, 2}, {2, 1}}});
 * const std::string svg = moecost::io::to_svg(c);
 * @endcode
 */

#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace moecost::io {

/// One point of a series; `marked` rings it (the plan chosen).
struct chart_point {
    double x = 0;
    double y = 0;
    bool marked = false;
};

struct chart_series {
    std::string name;
    std::vector<chart_point> points; ///< joined in the order given
};

struct chart {
    std::string title;
    std::string x_label;
    std::string y_label;
    std::vector<chart_series> series;
};

namespace detail {

/// Text with &, <, >, " and ' escaped for XML.
inline std::string svg_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

/// The smallest 1, 2 or 5 × 10^k at least v / 5: a tick step giving about five ticks to v.
inline double svg_tick_step(double v) {
    if (!(v > 0) || !std::isfinite(v))
        return 1.0;
    const double raw = v / 5.0;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw)
            return m * mag;
    return 10.0 * mag;
}

inline std::string svg_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

inline std::string svg_coord(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

} // namespace detail

/// The chart as an SVG document (UTF-8, standalone). Non-finite points are left out.
inline std::string to_svg(const chart& c) {
    constexpr double width = 720, height = 480, left = 80, right = 180, top = 50, bottom = 60;
    constexpr double plot_w = width - left - right, plot_h = height - top - bottom;
    constexpr const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
    double xmax = 0, ymax = 0;
    for (const auto& s : c.series)
        for (const auto& p : s.points)
            if (std::isfinite(p.x) && std::isfinite(p.y)) {
                xmax = p.x > xmax ? p.x : xmax;
                ymax = p.y > ymax ? p.y : ymax;
            }
    const double xs = detail::svg_tick_step(xmax), ys = detail::svg_tick_step(ymax);
    const double xtop = xs * std::ceil((xmax > 0 ? xmax : 1.0) / xs);
    const double ytop = ys * std::ceil((ymax > 0 ? ymax : 1.0) / ys);
    const auto px = [&](double x) { return left + plot_w * x / xtop; };
    const auto py = [&](double y) { return top + plot_h * (1.0 - y / ytop); };
    using detail::svg_coord;
    std::string o;
    o += "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n";
    o += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + svg_coord(width) +
         "\" height=\"" + svg_coord(height) + "\" viewBox=\"0 0 " + svg_coord(width) + " " +
         svg_coord(height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    o += "<title>" + detail::svg_escape(c.title) + "</title>\n";
    o += "<rect x=\"0\" y=\"0\" width=\"" + svg_coord(width) + "\" height=\"" + svg_coord(height) +
         "\" fill=\"white\"/>\n";
    o += "<text x=\"" + svg_coord(width / 2) +
         "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">" + detail::svg_escape(c.title) +
         "</text>\n";
    // grid, ticks and their labels
    o += "<g stroke=\"#dddddd\" stroke-width=\"1\">\n";
    for (double x = 0; x <= xtop * (1 + 1e-9); x += xs)
        o += "<line x1=\"" + svg_coord(px(x)) + "\" y1=\"" + svg_coord(top) + "\" x2=\"" +
             svg_coord(px(x)) + "\" y2=\"" + svg_coord(top + plot_h) + "\"/>\n";
    for (double y = 0; y <= ytop * (1 + 1e-9); y += ys)
        o += "<line x1=\"" + svg_coord(left) + "\" y1=\"" + svg_coord(py(y)) + "\" x2=\"" +
             svg_coord(left + plot_w) + "\" y2=\"" + svg_coord(py(y)) + "\"/>\n";
    o += "</g>\n<g fill=\"#333333\">\n";
    for (double x = 0; x <= xtop * (1 + 1e-9); x += xs)
        o += "<text x=\"" + svg_coord(px(x)) + "\" y=\"" + svg_coord(top + plot_h + 16) +
             "\" text-anchor=\"middle\">" + detail::svg_number(x) + "</text>\n";
    for (double y = 0; y <= ytop * (1 + 1e-9); y += ys)
        o += "<text x=\"" + svg_coord(left - 6) + "\" y=\"" + svg_coord(py(y) + 4) +
             "\" text-anchor=\"end\">" + detail::svg_number(y) + "</text>\n";
    o += "</g>\n";
    o += "<rect x=\"" + svg_coord(left) + "\" y=\"" + svg_coord(top) + "\" width=\"" +
         svg_coord(plot_w) + "\" height=\"" + svg_coord(plot_h) +
         "\" fill=\"none\" stroke=\"#333333\"/>\n";
    o += "<text x=\"" + svg_coord(left + plot_w / 2) + "\" y=\"" + svg_coord(height - 16) +
         "\" text-anchor=\"middle\">" + detail::svg_escape(c.x_label) + "</text>\n";
    o += "<text transform=\"translate(20 " + svg_coord(top + plot_h / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + detail::svg_escape(c.y_label) + "</text>\n";
    // the series and the legend
    for (std::size_t i = 0; i < c.series.size(); ++i) {
        const chart_series& s = c.series[i];
        const std::string colour = colours[i % (sizeof colours / sizeof colours[0])];
        std::string line;
        for (const auto& p : s.points)
            if (std::isfinite(p.x) && std::isfinite(p.y))
                line += (line.empty() ? "" : " ") + svg_coord(px(p.x)) + "," + svg_coord(py(p.y));
        o += "<g>\n<title>" + detail::svg_escape(s.name) + "</title>\n";
        if (!line.empty())
            o += "<polyline points=\"" + line + "\" fill=\"none\" stroke=\"" + colour +
                 "\" stroke-width=\"1.5\"/>\n";
        for (const auto& p : s.points) {
            if (!(std::isfinite(p.x) && std::isfinite(p.y)))
                continue;
            o += "<circle cx=\"" + svg_coord(px(p.x)) + "\" cy=\"" + svg_coord(py(p.y)) +
                 "\" r=\"3.5\" fill=\"" + colour + "\"/>\n";
            if (p.marked)
                o += "<circle cx=\"" + svg_coord(px(p.x)) + "\" cy=\"" + svg_coord(py(p.y)) +
                     "\" r=\"8\" fill=\"none\" stroke=\"black\" stroke-width=\"1.5\"/>\n";
        }
        o += "</g>\n";
        const double ly = top + 16 + 20.0 * static_cast<double>(i);
        const double lx = left + plot_w + 16;
        o += "<circle cx=\"" + svg_coord(lx) + "\" cy=\"" + svg_coord(ly - 4) +
             "\" r=\"4\" fill=\"" + colour + "\"/>\n";
        o += "<text x=\"" + svg_coord(lx + 10) + "\" y=\"" + svg_coord(ly) + "\">" +
             detail::svg_escape(s.name) + "</text>\n";
    }
    o += "</svg>\n";
    return o;
}

} // namespace moecost::io
