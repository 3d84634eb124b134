#pragma once
// Which world a scenario needs: the one place that decides whether the real world (processes
// on this machine) can run a file, or only the simulator can. Pure: a scenario in, reasons out.
#include <cstdint>
#include <vector>

#include "engine/scenario/scenario.hpp"

namespace switchyard::scenario {

/// What one machine holds when the scenario runs for real.
struct real_world_limits {
    /// Relays the engine starts as processes (each with ports, a log and a fault proxy per
    /// faulted link); the parser's limit before the simulator needed thousands.
    std::uint32_t relays_max = 64;
    /// Clients in all: the fleet runs in the engine's own process, one socket per client, and
    /// one process may open at most 20,000 files here (hard RLIMIT_NOFILE), less headroom.
    std::uint64_t clients_max = 19'000;
};

/// Why the real world cannot run `s`, one diagnostic per key (file:line:col of the key), each
/// saying to run it with `switchyard sim`. Empty: the real world can run it.
std::vector<diagnostic> real_world_refusals(const scenario& s,
                                            const real_world_limits& limits = {});

}  // namespace switchyard::scenario
