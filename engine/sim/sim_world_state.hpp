#pragma once
// Private to the sim_world translation units: a fleet's shared state.
#include <cstdint>
#include <map>
#include <vector>

#include "backends/policy/fast_rng.hpp"
#include "engine/fleet/fleet_config.hpp"
#include "engine/sim/sim_world.hpp"

namespace switchyard::sim {

/// Bytes of a control frame (ack, subscribed, resume_gap, ping, subscribe).
inline constexpr std::size_t small_frame_bytes = 96;

/// Shared by every client of one fleet: the config their cores point at (so a rate change is
/// one write, as in the real fleet), the world's channel indices, and the fleet's generator.
struct sim_world::fleet_state {
    fleet::fleet_config config;
    std::vector<std::uint32_t> channels;  ///< world channel index per config.channels position
    std::uint32_t publish_channel = 0;    ///< world channel index
    policy::fast_rng rng;
    std::vector<std::uint32_t> clients;  ///< client indices, in creation order
    /// The delay between the fleet's zone and the core zone, as one more hop before (up) or
    /// after (down) client-balancer; nullptr when the fleet adds none. Not a fault target.
    sim_link* zone_link = nullptr;
    /// Its flows: per relay, and `balancer_flow` for upgrade requests before a relay is chosen.
    std::map<std::uint32_t, flow_state> zone_up, zone_down;
    static constexpr std::uint32_t balancer_flow = UINT32_MAX;
};

}  // namespace switchyard::sim
