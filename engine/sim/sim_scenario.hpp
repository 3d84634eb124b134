#pragma once
// A scenario file's cluster keys as the simulated world's config (the runner's adapters build
// the same from a run::cluster_plan).
#include "engine/scenario/scenario.hpp"
#include "engine/sim/sim_world.hpp"

namespace switchyard::sim {

/// The balancer keys as switchyard-lb gets them from the engine: --strategy, the cookie,
/// --health-interval-ms, --health-timeout-ms, --rise, --fall (fastinter and downinter keep the
/// balancer's defaults, as they do for real).
balancer_settings balancer_settings_from(const std::string& strategy, bool sticky,
                                         std::chrono::milliseconds interval,
                                         std::chrono::milliseconds timeout, unsigned rise,
                                         unsigned fall);

sim_cluster_config cluster_config_from(const scenario::scenario& s);

}  // namespace switchyard::sim
