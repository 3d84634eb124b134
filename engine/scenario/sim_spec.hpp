#pragma once
// The scenario keys only the simulator reads (`sim:`): a cost profile, inline cost overrides,
// zones and the latency matrix between them. Plain data; the real world refuses a file that
// uses them (real_world_check), the simulator applies them (engine/sim).
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/scenario/cost_profile.hpp"

namespace switchyard::scenario {

/// One zone: the relays and fleets placed in it.
struct zone_spec {
    std::string name;
    std::vector<std::string> relays;  ///< relay ids (from a list, or the next N relays in order)
    std::vector<std::string> fleets;  ///< fleet names: every client of a fleet is in its zone
};

/// One-way delay between two zones (both directions), added to the links that cross them.
struct zone_delay {
    std::string from, to;
    std::chrono::microseconds latency{0};
    std::chrono::microseconds jitter{0};  ///< uniform +/- around `latency`
};

/// The `sim:` section.
struct sim_spec {
    std::string profile;          ///< `sim.profile` as written ("" none)
    std::string profile_path;     ///< resolved against the scenario file's folder
    cost_figures profile_costs;   ///< read from that file
    cost_figures cost_overrides;  ///< `sim.costs`, applied after the profile
    std::vector<zone_spec> zones;
    std::string core_zone;  ///< where the balancer and the bus run (default: the first zone)
    std::vector<zone_delay> latency;  ///< pairs not listed: no added delay

    /// Where each key was written, for the real world's refusal ("sim.zones" -> line:col).
    std::vector<std::pair<std::string, source_mark>> marks;
    bool empty() const noexcept { return marks.empty(); }
};

}  // namespace switchyard::scenario
