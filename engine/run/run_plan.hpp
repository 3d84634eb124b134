#pragma once
// What the scenario runner carries out, as plain data: the run's name and seed, its phases,
// the fleets, the timeline and the expectations. engine/scenario builds it (make_run_plan in
// plan_builder.hpp); the runner never reads a scenario.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/fleet/fleet_config.hpp"
#include "engine/run/timeline.hpp"
#include "engine/verify/expectation.hpp"

namespace switchyard::run {

struct run_plan {
    std::string name;                  ///< for events and reports
    std::string file;                  ///< scenario path, "" when not from a file
    std::uint64_t seed = 1;            ///< reported; the world was built with the same seed
    micros duration{10'000'000};       ///< traffic phase, pauses excluded
    micros drain{2'000'000};           ///< after publishing stops, before the checks
    micros metrics_interval{250'000};  ///< period of the metrics event
    /// Every fleet as the scenario wrote it; the runner fills in target_url.
    std::vector<fleet::fleet_config> fleets;
    run::timeline timeline;
    std::vector<verify::expectation> expect;  ///< evaluated after the drain, in this order
};

}  // namespace switchyard::run
