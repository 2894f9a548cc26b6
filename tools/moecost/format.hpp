#pragma once
// Text formatting: counts, percentages, section headings and aligned tables.

#include "json_out.hpp"
#include "output.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace moecost::cli {

// ---- formatting -------------------------------------------------------------------------

/// A parameter count: `46.70 B`, `512.00 M`, `4096`.
inline std::string count(double n) {
    static constexpr std::array<const char*, 5> suffix{"", " K", " M", " B", " T"};
    std::size_t k = 0;
    double v = n;
    while ((v >= 999.995 || v <= -999.995) && k + 1 < suffix.size()) {
        v /= 1000.0;
        ++k;
    }
    if (k == 0)
        return fmt::format("{:.0f}", n);
    return fmt::format("{:.2f}{}", v, suffix[k]);
}

/// A count as a JSON integer when it is one (parameter counts are), else as a number.
inline json count_json(double n) {
    if (n == std::floor(n) && std::fabs(n) < 9.0e15)
        return static_cast<std::int64_t>(n);
    return n;
}

inline std::string percent(double fraction) {
    const double e = 100.0 * fraction;
    return std::abs(e) < 1e5 ? fmt::format("{:.1f} %", e) : fmt::format("{:.3g} %", e);
}

/// A section heading.
inline void heading(std::string_view title) {
    emit("\n{}\n{}\n", title, std::string(title.size(), '-'));
}

/// A text table: columns sized to their widest cell; `align` holds 'l' for each column
/// aligned left (a column past its end is aligned right). An empty header is not printed.
struct text_table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::string align;

    void add(std::vector<std::string> row) { rows.push_back(std::move(row)); }

    void print(std::string_view indent = "  ") const {
        std::vector<std::size_t> width;
        auto measure = [&](const std::vector<std::string>& r) {
            if (width.size() < r.size())
                width.resize(r.size(), 0);
            for (std::size_t i = 0; i < r.size(); ++i)
                width[i] = std::max(width[i], display_width(r[i]));
        };
        measure(header);
        for (const auto& r : rows)
            measure(r);
        auto line = [&](const std::vector<std::string>& r) {
            std::string out(indent);
            for (std::size_t i = 0; i < width.size(); ++i) {
                const std::string& cell = i < r.size() ? r[i] : std::string();
                const std::string pad(width[i] - display_width(cell), ' ');
                if (i > 0)
                    out += "  ";
                out += i < align.size() && align[i] == 'l' ? cell + pad : pad + cell;
            }
            while (!out.empty() && out.back() == ' ')
                out.pop_back();
            emit("{}\n", out);
        };
        if (!header.empty())
            line(header);
        for (const auto& r : rows)
            line(r);
    }

    /// Characters as a terminal shows them: UTF-8 continuation bytes (µ's second) take none.
    static std::size_t display_width(std::string_view s) {
        std::size_t n = 0;
        for (const char c : s)
            n += (static_cast<unsigned char>(c) & 0xC0) == 0x80 ? 0 : 1;
        return n;
    }
};

inline std::string yes_no(bool b) {
    return b ? "yes" : "no";
}

} // namespace moecost::cli
