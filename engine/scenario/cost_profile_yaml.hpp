#pragma once
// Private to engine/scenario: the figures of one YAML mapping (a profile file's top level, or
// a scenario's inline `sim.costs`).
#include <yaml-cpp/yaml.h>

#include "engine/scenario/cost_profile.hpp"

namespace switchyard::scenario {

/// Reads `map`'s figures; `notes_allowed` lets the profile's note keys through (a scenario's
/// `sim.costs` takes figures only). `where` names the mapping in messages ("sim.costs").
cost_figures cost_figures_from(const YAML::Node& map, const std::string& file,
                               std::string_view where, bool notes_allowed,
                               std::vector<diagnostic>& errors);

}  // namespace switchyard::scenario
