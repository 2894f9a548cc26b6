#pragma once
// Where the tool's results go: stdout, through one buffer that is checked before it is
// written. Every number the tool prints is finite; a non-finite one (an option range too
// wide, a path that divides by zero) is a bug, and fails loudly (exit 1, one line naming
// where) instead of printing "inf YFLOP/s" or a JSON null.

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace moecost::cli {

/// The output would hold a non-finite number; what() is one line saying where.
struct non_finite_output : std::logic_error {
    using std::logic_error::logic_error;
};

/// The JSON pointer of the first non-finite number in `j`, or nothing.
template <class Json>
std::optional<std::string> find_non_finite(const Json& j, const std::string& at = "") {
    if (j.is_number_float()) {
        if (!std::isfinite(j.template get<double>()))
            return at.empty() ? std::string("/") : at;
        return std::nullopt;
    }
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            if (auto where = find_non_finite(it.value(), at + "/" + it.key()))
                return where;
    } else if (j.is_array()) {
        std::size_t i = 0;
        for (const auto& x : j)
            if (auto where = find_non_finite(x, at + "/" + std::to_string(i++)))
                return where;
    }
    return std::nullopt;
}

/// Where in `text` a non-finite number stands ("inf", "-inf", "nan", "infinity", any case, as
/// a word of its own: "info" and "nano" are words), or nothing.
inline std::optional<std::size_t> find_non_finite_word(std::string_view text) {
    const auto word_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    };
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    std::size_t i = 0;
    while (i < text.size()) {
        if (!word_char(text[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        std::string word;
        while (end < text.size() && word_char(text[end]))
            word += lower(text[end++]);
        if (word == "inf" || word == "nan" || word == "infinity")
            return i;
        i = end;
    }
    return std::nullopt;
}

/// The text written so far by emit(), not yet on stdout.
inline std::string& pending_text() {
    static std::string text;
    return text;
}

/// Appends to the pending text, as fmt::print would print it.
template <class... Args>
void emit(fmt::format_string<Args...> format, Args&&... args) {
    // fmt::format, not format_to a back_inserter: the latter's vformat_to<char> does not link
    // against Debian's libfmt 9 from clang++ 14.
    pending_text() += fmt::format(format, std::forward<Args>(args)...);
}

/// Throws non_finite_output when `text` holds a non-finite number.
inline void check_finite_text(std::string_view text) {
    if (const auto at = find_non_finite_word(text)) {
        const std::size_t line_start =
            text.rfind('\n', *at) == std::string_view::npos ? 0 : text.rfind('\n', *at) + 1;
        const std::size_t line_end = text.find('\n', *at);
        std::string line(text.substr(line_start, line_end == std::string_view::npos
                                                     ? std::string_view::npos
                                                     : line_end - line_start));
        throw non_finite_output("internal error: the output would print a non-finite number, "
                                "in: '" +
                                line + "' (a bug: please report the command line)");
    }
}

/// Throws non_finite_output when `j` holds a non-finite number (nlohmann::json prints it as
/// null), else appends it, indented, to the pending text.
template <class Json>
void out_json(const Json& j) {
    if (const auto where = find_non_finite(j))
        throw non_finite_output("internal error: the JSON would hold a non-finite number at " +
                                *where + " (a bug: please report the command line)");
    emit("{}\n", j.dump(2));
}

/// Checks the pending text and writes it to stdout. Nothing is written when the check fails.
inline void flush_output() {
    std::string text;
    std::swap(text, pending_text());
    check_finite_text(text);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

} // namespace moecost::cli
