#pragma once
// The subcommand registry, usage and run errors, exit statuses, and the one-line and list
// helpers every other piece of the tool uses.

#include <CLI/CLI.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace moecost::cli {

// ---- the subcommand registry -----------------------------------------------------------

/// A registered subcommand: its CLI11 app and what runs once it has been parsed.
struct command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

/// Each subcommand is one function that adds itself to the top-level app.
using registrar = command (*)(CLI::App&);

// ---- errors and exit status ------------------------------------------------------------

/// Exit status: success (violations are results, not failures).
inline constexpr int exit_ok = 0;
/// Exit status: an input file (a model's config, a calibration profile, measurements) could not
/// be loaded, or an unexpected failure.
inline constexpr int exit_failure = 1;
/// Exit status: malformed command line.
inline constexpr int exit_usage = 2;

/// The exit statuses, for --help.
inline constexpr const char* exit_status_text =
    "Exit status: 0 done (a deployment that breaks a rule is reported, not an error);\n"
    "1 an input file (model config, calibration profile, measurements) cannot be loaded, one\n"
    "line on stderr naming it; 2 a malformed command line (one line on stderr).";

/// A malformed command line found after parsing; what() is one line naming the flag.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The inputs parsed but cannot be worked on (exit_failure); what() is one line.
struct run_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// `text` on one line: newlines and tabs become spaces, trailing blanks go.
inline std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text)
        out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

inline std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty())
            out += sep;
        out += s;
    }
    return out;
}

} // namespace moecost::cli
