#pragma once
// A violation as the tool prints it: in text the library's sentence (moecost::describe, whose
// numbers are formatted as the tables format them); in JSON an object: the rule's name, the
// field, the sentence and the two numbers (integers where they are whole: layer counts,
// degrees, byte counts), and the factor the user set where the limit is a product.

#include "json_out.hpp"

#include <fmt/core.h>
#include <moecost.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace moecost::cli {

/// A violation's number in JSON: an integer when it is whole (counts, degrees, bytes).
inline json violation_number_json(double v) {
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15)
        return static_cast<std::int64_t>(v);
    return v;
}

/// A violation as JSON: {"rule", "field", "message", "value", "limit"} (and "unit": "bytes"
/// for memory).
inline json violation_json(const violation& v) {
    json j{{"rule", key_of(v.what)},
           {"field", v.field},
           {"message", describe(v)},
           {"value", violation_number_json(v.value)},
           {"limit", violation_number_json(v.limit)}};
    if (v.factor > 0)
        j["factor"] = v.factor;
    if (counts_bytes(v.what))
        j["unit"] = "bytes";
    return j;
}

/// The violations as a JSON array of objects (those past the list's capacity are counted in the
/// report's "violations_dropped").
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
        out.push_back(describe(v));
    if (vs.dropped > 0)
        out.push_back(fmt::format("... and {} more", vs.dropped));
    return out;
}

} // namespace moecost::cli
