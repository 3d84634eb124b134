#pragma once
// Private to the sim_world translation units: a fleet's shared state.
#include <cstdint>
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
};

}  // namespace switchyard::sim
