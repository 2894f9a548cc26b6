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

/// CLI11 validator: an integer in [lo, hi]. Runs on the text, before conversion, so every
/// malformed value gets a message naming the flag (`--batch: expected ...`).
inline CLI::Validator integer_in(long long lo, long long hi) {
    return {[lo, hi](std::string& s) -> std::string {
                const auto v = to_integer(s);
                const bool digits =
                    !s.empty() &&
                    s.find_first_not_of("0123456789", s[0] == '-' ? 1 : 0) == std::string::npos;
                if (!v && digits && s[0] != '-')
                    return "expected at most " + std::to_string(hi) + ", got " + s;
                const std::string what = lo == 1   ? "a positive integer"
                                         : lo == 0 ? "a non-negative integer"
                                                   : "an integer >= " + std::to_string(lo);
                if (!v)
                    return "expected " + what + ", got '" + s + "'";
                if (*v < lo)
                    return "expected " + what + ", got " + s;
                if (*v > hi)
                    return "expected at most " + std::to_string(hi) + ", got " + s;
                return {};
            },
            ""};
}
inline CLI::Validator positive_integer() {
    return integer_in(1, max_count);
}

/// CLI11 validator: a finite number above `lo` (or at least, when `inclusive`) and at most `hi`
/// (below it unless `hi_inclusive`).
inline CLI::Validator number_in(double lo, bool inclusive, double hi = HUGE_VAL,
                                bool hi_inclusive = true) {
    return {[lo, inclusive, hi, hi_inclusive](std::string& s) -> std::string {
                const auto v = to_number(s);
                const std::string what =
                    lo == 0 && !inclusive
                        ? std::string("a positive number")
                        : fmt::format("a number {} {:g}", inclusive ? ">=" : ">", lo);
                if (!v)
                    return "expected " + what + ", got '" + s + "'";
                if (inclusive ? *v < lo : *v <= lo)
                    return "expected " + what + ", got " + s;
                if (hi_inclusive ? *v > hi : *v >= hi)
                    return fmt::format("expected {} {:g}, got {}",
                                       hi_inclusive ? "at most" : "below", hi, s);
                return {};
            },
            ""};
}
inline CLI::Validator positive_number() {
    return number_in(0, false);
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
        if (!v || *v < lo)
            return (lo == 1 ? std::string("expected positive integers, got '")
                            : "expected integers >= " + std::to_string(lo) + ", got '") +
                   std::string(item) + "'";
        if (*v > hi)
            return "expected at most " + std::to_string(hi) + ", got " + std::string(item);
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
