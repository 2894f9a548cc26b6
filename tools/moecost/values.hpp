#pragma once
// Option values: CLI11 validators that read the text before conversion, so every malformed
// or out-of-range value is refused with one line naming the option, the value and the range.

#include "command.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace moecost::cli {

// ---- value parsing ---------------------------------------------------------------------

/// The largest integer a count option takes: well inside `int`, so products stay exact.
inline constexpr long long max_count = std::int64_t{1} << 30;
/// The largest parallel degree of one layout dimension, and of a whole layout.
inline constexpr long long max_degree = std::int64_t{1} << 20;
inline constexpr long long max_world = std::int64_t{1} << 24;

/// The whole of `s` as a decimal integer, or nothing.
inline std::optional<long long> to_integer(std::string_view s) {
    long long v = 0;
    const char* end = s.data() + s.size();
    const auto [p, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc{} || p != end)
        return std::nullopt;
    return v;
}

/// The whole of `s` as a finite decimal number, or nothing.
inline std::optional<double> to_number(std::string_view s) {
    double v = 0;
    const char* end = s.data() + s.size();
    const auto [p, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc{} || p != end || !std::isfinite(v))
        return std::nullopt;
    return v;
}

/// How an integer range reads in a message: "an integer from 1 to 1073741824".
inline std::string integer_range_text(long long lo, long long hi) {
    return fmt::format("an integer from {} to {}", lo, hi);
}

/// CLI11 validator: an integer in [lo, hi]. Runs on the text, before conversion, so every
/// malformed or out-of-range value gets one line naming the flag, the value and the range
/// (`--batch: expected an integer from 1 to 1073741824, got '1.5'`).
inline CLI::Validator integer_in(long long lo, long long hi) {
    return {[lo, hi](std::string& s) -> std::string {
                const auto v = to_integer(s);
                const bool digits =
                    !s.empty() &&
                    s.find_first_not_of("0123456789", s[0] == '-' ? 1 : 0) == std::string::npos;
                // Too many digits for any integer: out of range, not malformed.
                if (v ? (*v < lo || *v > hi) : digits)
                    return "expected " + integer_range_text(lo, hi) + ", got " + s;
                if (!v)
                    return "expected " + integer_range_text(lo, hi) + ", got '" + s + "'";
                return {};
            },
            ""};
}
inline CLI::Validator positive_integer() {
    return integer_in(1, max_count);
}

/// The range a number option takes: [lo, hi], either end open, and 0 besides where 0 means
/// "none". Both ends finite: every option has an upper limit that keeps the products the
/// evaluation forms with it finite, and a positive one a lower limit that keeps quotients so.
struct number_range {
    double lo = 0;
    double hi = 0;
    bool lo_open = false;
    bool hi_open = false;
    bool or_zero = false; ///< 0 is accepted too (it means "none")

    [[nodiscard]] bool holds(double v) const {
        if (or_zero && v == 0)
            return true;
        const bool above = lo_open ? v > lo : v >= lo;
        const bool below = hi_open ? v < hi : v <= hi;
        return above && below;
    }
    /// "a number from 0.001 to 1e+09", "0 (none) or a number above 0 and at most 1".
    [[nodiscard]] std::string text() const {
        const std::string low = fmt::format("{} {:g}", lo_open ? "above" : "from", lo);
        const std::string high = fmt::format(
            "{} {:g}",
            lo_open ? (hi_open ? "and below" : "and at most") : (hi_open ? "to below" : "to"), hi);
        return fmt::format("{}a number {} {}", or_zero ? "0 (none) or " : "", low, high);
    }
};

/// CLI11 validator: a finite decimal number in `r`. Runs on the text, before conversion:
/// nan, inf and values that overflow a double are refused with the range.
inline CLI::Validator number_in(number_range r) {
    return {[r](std::string& s) -> std::string {
                const auto v = to_number(s);
                if (!v)
                    return "expected " + r.text() + ", got '" + s + "'";
                if (!r.holds(*v))
                    return "expected " + r.text() + ", got " + s;
                return {};
            },
            ""};
}

/// CLI11 validator: one of `names`. The message lists them (CLI::IsMember's is terser).
inline CLI::Validator one_of(std::vector<std::string> names, std::string what) {
    return {[names, what](std::string& s) -> std::string {
                for (const auto& n : names)
                    if (n == s)
                        return {};
                return "unknown " + what + " '" + s + "' (expected one of: " + join(names) + ")";
            },
            ""};
}

/// `A,B,C`: at most `most` integers in [lo, hi], into `out`. Returns the error message,
/// empty on success.
inline std::string parse_integer_list(std::string_view text, std::size_t most, long long lo,
                                      long long hi, std::vector<int>& out) {
    out.clear();
    if (text.empty())
        return "empty (expected N or N,N,...)";
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t comma = text.find(',', pos);
        const std::string_view item = text.substr(
            pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
        if (item.empty())
            return "empty item in '" + std::string(text) + "' (expected N or N,N,...)";
        const auto v = to_integer(item);
        if (!v || *v < lo || *v > hi)
            return fmt::format("expected integers from {} to {}, got {}", lo, hi,
                               v ? std::string(item) : "'" + std::string(item) + "'");
        if (out.size() == most)
            return "at most " + std::to_string(most) + " values, got more in '" +
                   std::string(text) + "'";
        out.push_back(static_cast<int>(*v));
    }
    return {};
}

/// CLI11 validator around parse_integer_list.
inline CLI::Validator integer_list(std::size_t most, long long lo, long long hi) {
    return {[most, lo, hi](std::string& s) {
                std::vector<int> v;
                return parse_integer_list(s, most, lo, hi, v);
            },
            ""};
}

} // namespace moecost::cli
