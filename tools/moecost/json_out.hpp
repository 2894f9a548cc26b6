#pragma once
// The JSON the tool prints.

#include <nlohmann/json.hpp>

namespace moecost::cli {

using json = nlohmann::ordered_json;

} // namespace moecost::cli
