#pragma once
// Progress of a long layout search on stderr: layouts done of the total, the rate and the time
// left, redrawn in place at most ten times a second once the search has run a second, and
// cleared at the end. Only on a terminal: with stderr a file or a pipe nothing is written.
//
// The meter takes its clock and its output as functions, so a test drives it with a fake
// clock and reads what it would have drawn.

#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include <unistd.h>

namespace moecost::cli {

/// "1,234,567": an integer with thousands separators.
inline std::string grouped(long n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

/// A duration for a person: "0.4 s", "12 s", "3 min 05 s", "2 h 07 min".
inline std::string duration_text(double s) {
    if (s < 10)
        return fmt::format("{:.1f} s", s);
    if (s < 60)
        return fmt::format("{:.0f} s", s);
    const long whole = static_cast<long>(s + 0.5);
    if (whole < 3600)
        return fmt::format("{} min {:02} s", whole / 60, whole % 60);
    return fmt::format("{} h {:02} min", whole / 3600, (whole % 3600) / 60);
}

/// A rate for a person: "850/s", "12.3 k/s", "4.5 M/s".
inline std::string rate_text(double per_s) {
    if (per_s < 1e3)
        return fmt::format("{:.0f}/s", per_s);
    if (per_s < 1e6)
        return fmt::format("{:.3g} k/s", per_s / 1e3);
    return fmt::format("{:.3g} M/s", per_s / 1e6);
}

/// Draws a search's progress; see the top of the file.
class progress_meter {
public:
    using clock_fn = std::function<double()>;              ///< seconds, from any origin
    using sink_fn = std::function<void(std::string_view)>; ///< writes raw text

    /// A meter for `total` items named `what` ("layouts"), writing to `sink` (empty: a meter
    /// that never draws). Nothing is drawn before `delay` seconds, nor more often than every
    /// `interval`.
    progress_meter(long total, std::string what, sink_fn sink, clock_fn now, double delay = 1.0,
                   double interval = 0.1)
        : total_(total), what_(std::move(what)), sink_(std::move(sink)), now_(std::move(now)),
          delay_(delay), interval_(interval), start_(now_ ? now_() : 0.0) {}

    /// `done` of the total are done; redraws when it is time to.
    void update(long done) {
        if (!sink_ || !now_)
            return;
        const double t = now_() - start_;
        if (t < delay_ || (drawn_ && t - last_ < interval_))
            return;
        last_ = t;
        drawn_ = true;
        sink_("\r" + line(done, total_, t, what_) + "\x1b[K");
    }

    /// Clears the line, if one was drawn.
    void finish() {
        if (drawn_ && sink_)
            sink_("\r\x1b[K");
        drawn_ = false;
    }

    /// Whether a line is on the screen.
    [[nodiscard]] bool drawn() const { return drawn_; }

    /// "searching: 1,234 of 5,678 layouts (21.7 %), 3.4 k/s, about 1.3 s left".
    static std::string line(long done, long total, double elapsed, std::string_view what) {
        const double fraction = total > 0 ? static_cast<double>(done) / total : 0.0;
        const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
        std::string out = fmt::format("searching: {} of {} {} ({:.1f} %)", grouped(done),
                                      grouped(total), what, 100.0 * fraction);
        if (rate > 0) {
            out += ", " + rate_text(rate);
            if (done < total)
                out +=
                    ", about " + duration_text(static_cast<double>(total - done) / rate) + " left";
        }
        return out;
    }

private:
    long total_;
    std::string what_;
    sink_fn sink_;
    clock_fn now_;
    double delay_;
    double interval_;
    double start_;
    double last_ = 0;
    bool drawn_ = false;
};

/// Whether stderr is a terminal (the progress of a search is drawn only there).
inline bool stderr_is_terminal() {
    return isatty(STDERR_FILENO) == 1;
}

/// A meter on stderr and the steady clock: one that draws when stderr is a terminal.
inline progress_meter stderr_meter(long total, std::string what) {
    progress_meter::sink_fn sink;
    if (stderr_is_terminal())
        sink = [](std::string_view text) {
            std::fwrite(text.data(), 1, text.size(), stderr);
            std::fflush(stderr);
        };
    return {total, std::move(what), std::move(sink), [] {
                return std::chrono::duration<double>(
                           std::chrono::steady_clock::now().time_since_epoch())
                    .count();
            }};
}

} // namespace moecost::cli
