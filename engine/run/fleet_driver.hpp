#pragma once
// The runner's handle on the synthetic clients of a world: start the fleets, change their rate
// and size, stop them. What the clients see comes back through fleet::client_observer. The
// real world implements it with fleet::fleet_runner (sockets, Asio threads); the simulated
// world with client_behaviour cores in virtual time.
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/fleet/client_observer.hpp"
#include "engine/fleet/fleet_config.hpp"

namespace switchyard::run {

/// The fleets of one run.
///
/// Contract:
/// - Threading: the runner calls every method from its clock's run() thread (or before and
///   after it), one call at a time. Observer calls may come from any thread, several at once
///   (real fleet threads) or from the run() thread (simulated); the runner's observer is
///   thread-safe. All `micros` in observer records are on the world's clock (clock::now()).
/// - start(fleets, observer): fleets' target_url already filled in by the runner; client
///   indices are dense in fleet order (fleet_runner's numbering). `observer` outlives the
///   driver's stop(). Throws std::invalid_argument for a config it cannot run. Called once.
/// - After stop() (idempotent, no throw, also without start()) the observer is not called
///   again. Records after the runner froze its ledger are ignored there, so stop() may report
///   the closing disconnects.
class fleet_driver {
  public:
    virtual ~fleet_driver() = default;

    /// Begins every fleet now (each fleet's connect ramp starts at this instant).
    virtual void start(const std::vector<fleet::fleet_config>& fleets,
                       fleet::client_observer& observer) = 0;
    /// Per-client publish rate of one fleet from now on; false for an unknown fleet.
    virtual bool set_publish_rate(std::string_view fleet, double hz) = 0;
    /// Grows (new clients connect at once) or shrinks (highest indices close cleanly) one
    /// fleet; false for an unknown fleet.
    virtual bool set_count(std::string_view fleet, std::uint32_t count) = 0;
    /// Every publisher stops; receiving goes on (the drain before the checks).
    virtual void pause_publishing() = 0;
    /// Closes every client.
    virtual void stop() = 0;
};

}  // namespace switchyard::run
