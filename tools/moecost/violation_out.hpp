#pragma once
// A violation as the tool prints it. In JSON an object: the rule's name, the field, the
// message and the two numbers (integers where they are whole: layer counts, degrees, byte
// counts). In text the message, its numbers formatted as the tables format them: memory in
// bytes with a unit (444 TB, not 443620 GB), whole numbers in full (tp = 1048576, not
// 1.04858e+06).
//
// moecost::describe builds the sentences with "%.6g" numbers; the sentences here are its
// sentences with the numbers formatted on the tool's side (rule_sentence below falls back to
// describe for a rule it does not know).

#include "format.hpp"
#include "json_out.hpp"

#include <fmt/core.h>
#include <moecost.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace moecost::cli {

/// A rule's name in JSON: the enumerator's.
inline const char* rule_key(rule r) {
    switch (r) {
    case rule::positive:
        return "positive";
    case rule::non_negative:
        return "non_negative";
    case rule::at_most:
        return "at_most";
    case rule::divides:
        return "divides";
    case rule::layers_vs_pp:
        return "layers_vs_pp";
    case rule::experts_vs_ep:
        return "experts_vs_ep";
    case rule::heads_vs_tp:
        return "heads_vs_tp";
    case rule::kv_heads_vs_tp:
        return "kv_heads_vs_tp";
    case rule::ffn_vs_tp:
        return "ffn_vs_tp";
    case rule::expert_ffn_vs_etp:
        return "expert_ffn_vs_etp";
    case rule::batch_vs_dp:
        return "batch_vs_dp";
    case rule::world_mismatch:
        return "world_mismatch";
    case rule::world_vs_cluster:
        return "world_vs_cluster";
    case rule::group_crosses_node:
        return "group_crosses_node";
    case rule::memory:
        return "memory";
    case rule::requirement:
        return "requirement";
    case rule::prompt_vs_cp:
        return "prompt_vs_cp";
    case rule::at_least:
        return "at_least";
    case rule::draft_needs_mtp:
        return "draft_needs_mtp";
    case rule::weight_format:
        return "weight_format";
    case rule::below:
        return "below";
    }
    return "unknown";
}

/// A violation's number in text: a whole number in full (1048576), else 6 significant digits.
inline std::string violation_number(double v) {
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
        return fmt::format("{:.0f}", v);
    return fmt::format("{:.6g}", v);
}

/// The violation's sentence with its numbers formatted for a person.
inline std::string violation_text(const violation& v) {
    const std::string f = v.field;
    const std::string a = violation_number(v.value), b = violation_number(v.limit);
    switch (v.what) {
    case rule::positive:
        return f + " must be > 0 (got " + a + ")";
    case rule::non_negative:
        return f + " must be >= 0 (got " + a + ")";
    case rule::at_most:
        return f + " = " + a + " exceeds " + b;
    case rule::divides:
        return f + ": " + b + " is not divisible by " + a;
    case rule::layers_vs_pp:
        return "layers (" + a + ") do not divide into pp = " + b + " equal stages";
    case rule::experts_vs_ep:
        return "routed experts (" + a + ") do not divide over ep = " + b;
    case rule::heads_vs_tp:
        return "attention heads (" + a + ") do not divide over tp = " + b;
    case rule::kv_heads_vs_tp:
        return "kv heads (" + a + ") and tp = " + b + ": neither divides the other";
    case rule::ffn_vs_tp:
        return "dense ffn hidden (" + a + ") does not divide over tp = " + b;
    case rule::expert_ffn_vs_etp:
        return "expert hidden (" + a + ") does not divide over etp = " + b;
    case rule::batch_vs_dp:
        return "batch (" + a + ") does not divide over " + f + " = " + b;
    case rule::world_mismatch:
        return "expert mesh etp*ep (per stage: " + b +
               ") does not divide the attention mesh tp*cp*dp (per stage: " + a + ")";
    case rule::world_vs_cluster:
        return "layout needs " + a + " GPUs, cluster has " + b;
    case rule::group_crosses_node:
        return f + " group of " + a + " GPUs crosses a node of " + b;
    case rule::memory:
        return "memory per GPU " + pretty(make<bytes>(v.value)) + " exceeds usable " +
               pretty(make<bytes>(v.limit));
    case rule::prompt_vs_cp:
        return "prompt length (" + a + ") does not divide over cp = " + b;
    case rule::at_least:
        return f + " = " + a + " is below " + b;
    case rule::below:
        return f + " = " + a + " must be below " + b;
    case rule::requirement:
    case rule::weight_format:
    case rule::draft_needs_mtp:
        break; // no number a table would format otherwise: the library's sentence
    }
    return describe(v);
}

/// A violation's number in JSON: an integer when it is whole (counts, degrees, bytes).
inline json violation_number_json(double v) {
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15)
        return static_cast<std::int64_t>(v);
    return v;
}

/// A violation as JSON: {"rule", "field", "message", "value", "limit"} (and "unit": "bytes"
/// for memory).
inline json violation_json(const violation& v) {
    json j{{"rule", rule_key(v.what)},
           {"field", v.field},
           {"message", violation_text(v)},
           {"value", violation_number_json(v.value)},
           {"limit", violation_number_json(v.limit)}};
    if (v.what == rule::memory)
        j["unit"] = "bytes";
    return j;
}

/// The violations as a JSON array of objects (those past the list's capacity are counted by
/// violations_dropped_json).
inline json violations_json(const violations& vs) {
    json out = json::array();
    for (const violation& v : vs)
        out.push_back(violation_json(v));
    return out;
}

/// The violations' sentences, one a line, "... and N more" for those past the capacity.
inline std::vector<std::string> violation_lines(const violations& vs) {
    std::vector<std::string> out;
    for (const violation& v : vs)
        out.push_back(violation_text(v));
    if (vs.dropped > 0)
        out.push_back(fmt::format("... and {} more", vs.dropped));
    return out;
}

} // namespace moecost::cli
