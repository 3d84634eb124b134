#pragma once
// A world, as the scenario runner sees it: a cluster, fleets and a clock that agree on time.
#include "engine/run/clock.hpp"
#include "engine/run/cluster_driver.hpp"
#include "engine/run/fleet_driver.hpp"

namespace switchyard::run {

/// References to one world's three drivers. The owner (run_controller for the real world, the
/// simulator for its own) builds them from one cluster_plan and seed, keeps them alive longer
/// than the runner, and gives them the same event stream as the runner. Every `micros` a
/// driver reports (events, observer records) is on `clock`.
struct world {
    cluster_driver& cluster;
    fleet_driver& fleet;
    run::clock& clock;
};

}  // namespace switchyard::run
