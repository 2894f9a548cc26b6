#pragma once
/**
 * @file
 * What an inference evaluation finds: memory, the two phases, violations and the verdicts on
 * the service targets.
 */

#include <moecost/spec/violation.hpp>
#include <moecost/time/pipeline.hpp>
#include <moecost/verdict/memory_fit.hpp>
#include <moecost/verdict/requirements.hpp>

#include <array>

namespace moecost {

/// Everything an evaluation finds.
struct report {
    memory_breakdown memory{};
    phase_result prefill{};
    phase_result decode{};
    violations problems{}; ///< division, world-size and memory rules
    std::array<requirement_check, 5> requirements{};
    bool evaluated = false; ///< the phases were costed (false when a spec or a layout rule broke: a
                            ///< deployment that cannot run as laid out has no times)
    int max_batch = 0;      ///< largest batch (multiple of DP) that fits
    double decode_experts_touched = 0; ///< distinct experts per layer per EP group per decode step
    double decode_tokens_per_step = 1; ///< tokens a sequence gains per decode step (drafts: > 1)
    bool ideal = false;

    [[nodiscard]] constexpr bool meets() const {
        for (const auto& r : requirements)
            if (r.applies && !r.pass)
                return false;
        return problems.ok();
    }
    [[nodiscard]] constexpr bool valid() const { return problems.ok(); }
};

} // namespace moecost
