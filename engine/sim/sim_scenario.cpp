#include "engine/sim/sim_scenario.hpp"

namespace switchyard::sim {

balancer_settings balancer_settings_from(const std::string& strategy, bool sticky,
                                         std::chrono::milliseconds interval,
                                         std::chrono::milliseconds timeout, unsigned rise,
                                         unsigned fall) {
    balancer_settings b;
    b.strategy = strategy;
    b.sticky = sticky;
    b.health.rise = rise;
    b.health.fall = fall;
    b.health.inter = interval;
    b.probe_timeout = timeout;
    return b;
}

sim_cluster_config cluster_config_from(const scenario::scenario& s) {
    sim_cluster_config c;
    c.seed = s.seed;
    c.relays = s.cluster.relays.names;
    c.history = s.cluster.relays.history;
    c.send_queue_bytes = s.cluster.relays.send_queue_bytes;
    const auto& b = s.cluster.balancer;
    c.balancer = balancer_settings_from(b.strategy, b.sticky, b.health.interval, b.health.timeout,
                                        b.health.rise, b.health.fall);
    return c;
}

}  // namespace switchyard::sim
