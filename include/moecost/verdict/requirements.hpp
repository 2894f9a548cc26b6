#pragma once
/**
 * @file
 * Service targets against what a deployment does: one verdict per target (tokens/s per GPU
 * in prefill and decode, TTFT, TPOT, memory per GPU). A zero target is no target.
 */

#include <moecost/spec/options.hpp>
#include <moecost/time/pipeline.hpp>
#include <moecost/verdict/memory_fit.hpp>

#include <array>

namespace moecost {

/// One service target and how the deployment does against it.
struct requirement_check {
    const char* name = "";
    double value = 0;
    double target = 0;
    bool applies = false;
    bool pass = true;
};

/// The verdicts on `req`, into `out`, of a deployment whose phases and memory are these.
constexpr void check_requirements(std::array<requirement_check, 5>& out,
                                  const phase_result& prefill, const phase_result& decode,
                                  const memory_breakdown& memory, const requirements& req) {
    auto at_least = [](const char* name, double v, double t) {
        return requirement_check{name, v, t, t > 0, t <= 0 || v >= t};
    };
    auto at_most = [](const char* name, double v, double t) {
        return requirement_check{name, v, t, t > 0, t <= 0 || v <= t};
    };
    out[0] = at_least("prefill tokens/s per GPU", prefill.tokens_per_gpu.value(),
                      req.min_prefill_tokens_per_gpu.value);
    out[1] = at_least("decode tokens/s per GPU", decode.tokens_per_gpu.value(),
                      req.min_decode_tokens_per_gpu.value);
    out[2] = at_most("TTFT", prefill.latency.value(), req.max_ttft.value);
    out[3] = at_most("TPOT", decode.latency.value(), req.max_tpot.value);
    out[4] = at_most("memory per GPU", memory.total().value(), req.max_memory_per_gpu.value);
}

} // namespace moecost
