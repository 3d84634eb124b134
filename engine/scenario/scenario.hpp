#pragma once
// A scenario as plain data: the cluster to start, the fleets to drive, the timeline of actions
// and the assertions. Parsed from YAML by scenario_parser; read by the engine and the simulator.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/events/event.hpp"
#include "engine/faults/toxic.hpp"
#include "engine/fleet/fleet_config.hpp"
#include "engine/run/cluster_plan.hpp"
#include "engine/run/timeline.hpp"
#include "engine/scenario/sim_spec.hpp"
#include "engine/scenario/source_mark.hpp"
#include "engine/verify/expectation.hpp"

namespace switchyard::scenario {

using micros = std::chrono::microseconds;

/// Relays a scenario may ask for by count: thousands, for the simulator. The real world holds
/// far fewer (real_world_check.hpp).
inline constexpr std::uint32_t relays_count_max = 10'000;
using millis = std::chrono::milliseconds;

// The cluster's shape and the actions are the run layer's plain data (engine/run): the
// scenario file is one way to fill them in. The names stay here for scenario readers.
using run::balancer_kind;
using run::balancer_spec;
using run::bus_kind;
using run::bus_spec;
using run::cluster_spec;
using run::health_spec;
using run::relays_spec;
using run::to_string;

/// One timeline entry (or a hand action from the GUI: same shape, `at` ignored), and where the
/// file wrote it. Passes as a run::action wherever one is wanted.
struct action_spec : run::action {
    source_mark mark;
};

/// A whole scenario file.
struct scenario {
    std::string name;  ///< defaults to the file stem
    std::string description;
    std::string file;                    ///< path it was read from ("" for text)
    std::uint64_t seed = 1;              ///< every random choice derives from it
    micros duration{10'000'000};         ///< traffic phase, from the first client's start
    micros drain{2'000'000};             ///< after publishing stops, before the checks
    micros metrics_interval{250'000};    ///< period of the metrics event
    micros startup_timeout{15'000'000};  ///< per component, to print READY
    cluster_spec cluster;
    std::vector<fleet::fleet_config> fleets;
    std::vector<action_spec> timeline;  ///< sorted by `at`, ties in file order
    std::vector<verify::expectation> expect;
    std::vector<source_mark> expect_marks;  ///< one per expectation
    sim_spec sim;                           ///< keys only the simulator reads
    source_mark relays_mark;                ///< where the relays were given (0 = default)
    std::vector<source_mark> fleet_marks;   ///< one per fleet: its `count` (or the fleet)
};

/// Link names a scenario may put faults on, for these relay ids.
using run::link_names;
/// The relay a `balancer-<relay>` or `<relay>-redis` link belongs to ("" for client-balancer).
inline std::string netns_relay_of(const std::string& link) {
    return run::relay_of_link(link);
}
/// Relays some `mode: netns` fault of the timeline names (they must start in a namespace).
std::vector<std::string> netns_relays(const scenario& s);

/// Kinds of actions that name a component, and which components each accepts.
bool action_targets_relay_only(events::action_kind k) noexcept;

}  // namespace switchyard::scenario
