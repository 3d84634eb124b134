#pragma once
// Parsing of the scenario's `sim:` section (keys only the simulator reads): kept apart from
// scenario_parser.cpp, which calls it once the cluster and fleets are known.
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/scenario/scenario.hpp"

namespace switchyard::scenario {

/// Fills `s.sim` from `n` (the `sim:` value), checking zone, relay and fleet names against
/// `s` and reading the cost profile it names. Problems go to `errors` as file:line:col.
void parse_sim_section(const YAML::Node& n, scenario& s, std::vector<diagnostic>& errors);

/// The keys of `sim:` and of one zone, for `switchyard list keys` and docs.
std::vector<std::string> known_sim_keys();

}  // namespace switchyard::scenario
