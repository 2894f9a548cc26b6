#pragma once
// A layout as the tool prints it: one JSON schema and one line of text, everywhere.

#include "json_out.hpp"

#include <fmt/core.h>
#include <moecost.hpp>

#include <string>

namespace moecost::cli {

/// A layout's degrees as JSON, the one schema every subcommand prints a layout in (evaluate,
/// search, train and its search, dag): the attention mesh tp·cp·dp, the expert mesh
/// etp·ep·edp, pp stages, the redundant expert replicas, the GPUs of one stage and of the
/// whole layout.
inline json layout_json(const layout& l) {
    return {{"tp", l.tp},
            {"cp", l.cp},
            {"dp", l.dp},
            {"pp", l.pp},
            {"etp", etp_of(l)},
            {"ep", l.ep},
            {"edp", edp_of(l)},
            {"redundant_experts", l.redundant_experts},
            {"stage_gpus", stage_gpus(l)},
            {"world_size", world_size(l)}};
}

/// A layout on one line: `attention tp=2 cp=1 dp=4 pp=2 | experts etp=2 ep=8 edp=1`.
inline std::string layout_text(const layout& l) {
    return fmt::format("attention tp={} cp={} dp={} pp={} | experts etp={} ep={} edp={}{}", l.tp,
                       l.cp, l.dp, l.pp, etp_of(l), l.ep, edp_of(l),
                       l.redundant_experts > 0 ? fmt::format(" redundant={}", l.redundant_experts)
                                               : "");
}

} // namespace moecost::cli
