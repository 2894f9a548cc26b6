#pragma once
// A layout search with its progress drawn on a terminal: the library's searches call a progress
// callback after each layout (count_layouts of them); on a terminal it feeds the meter, and
// elsewhere the search runs with the library's no_progress.

#include "progress.hpp"

#include <moecost/search/layouts.hpp>

namespace moecost::cli {

/// Runs `run(progress)` (one search, given its progress callback), drawing the progress of
/// `total` layouts on stderr when it is a terminal.
template <class Result, class Run>
Result search_with_progress(long total, Run run) {
    if (!stderr_is_terminal())
        return run(no_progress{});
    progress_meter meter = stderr_meter(total, "layouts");
    Result r = run([&meter](long done) {
        if ((done & 255) == 0) // the meter reads a clock: not after every layout
            meter.update(done);
    });
    meter.finish();
    return r;
}

} // namespace moecost::cli
