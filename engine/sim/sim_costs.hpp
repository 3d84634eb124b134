#pragma once
// What work costs in the simulated world: service times per connection, publish and delivery,
// and the base link profiles. With a cost per unit of work, a component that is asked for more
// than it can do builds a queue, so saturation shows in simulation as it does for real.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "engine/sim/sim_link.hpp"

namespace switchyard::sim {

/// Delay a zone adds on top of a link's own profile (latencies add, jitters add).
struct zone_delay {
    micros latency{0};
    micros jitter{0};  ///< uniform +/- around `latency`
};

/// Where the cluster's parts sit relative to the core zone (the balancer's and the bus's), from
/// the scenario's `sim.zones` and `sim.latency`. A part not named here adds no delay.
struct zone_layout {
    /// relay id -> delay between its zone and the core zone: on its balancer-<relay> and
    /// <relay>-redis links
    std::map<std::string, zone_delay, std::less<>> relays;
    /// fleet name -> delay between its zone and the core zone: on its clients' client-balancer
    /// traffic (one extra hop per fleet, so the per-flow order of the link model holds)
    std::map<std::string, zone_delay, std::less<>> fleets;
    bool empty() const noexcept { return relays.empty() && fleets.empty(); }
};

/// Service times are nanoseconds: a calibrated relay writes a frame in well under a microsecond
/// (0.3 us), and rounding that to 1 us would make it a third as fast in simulation. Event times
/// stay whole microseconds (the kernel's clock); service_queue keeps the exact sum.
using nanos = std::chrono::nanoseconds;

/// Service times and link profiles of one simulated cluster (defaults: a LAN and a relay that
/// writes about a million frames a second).
struct sim_costs {
    nanos balancer_accept{20'000};  ///< per connection the balancer routes: accept rate = 1 / this
    nanos relay_accept{50'000};     ///< per connection (upgrade + hello) a relay accepts
    nanos relay_publish{5'000};     ///< per publish a relay forwards to the bus
    nanos relay_delivery{1'000};    ///< per client frame a relay writes (the fan-out cost)
    nanos bus_publish{5'000};       ///< per publish the bus sequences
    nanos bus_fanout{1'000};        ///< per relay the bus forwards one message to
    micros bus_restart{500'000};    ///< restart_redis: the bus is down this long
    link_profile client_link{micros{500}};    ///< "client-balancer"
    link_profile backend_link{micros{100}};   ///< "balancer-<relay>"
    link_profile bus_link{micros{100}};       ///< "<relay>-redis"
    std::uint32_t frame_overhead_bytes = 64;  ///< headers and JSON around a message's data
    std::uint32_t handshake_bytes = 300;      ///< upgrade request or answer
    /// Per-client send queue (the relay's --send-queue-bytes default): a group whose link backlog
    /// passes it is closed as slow consumers.
    std::uint64_t send_queue_bytes_max = 4 * 1024 * 1024;
    /// What the fault proxy reads ahead of a stalled direction before it stops reading (its
    /// buffer), so a relay's queue starts filling only past it.
    std::uint64_t proxy_buffer_bytes = 64 * 1024;
    zone_layout zones;  ///< none by default: every part in one place
};

/// One server's work queue: a unit of work starts when the previous one is done.
///
/// The queue counts in nanoseconds, so a million 0.3 us frames keep the server busy 0.3 s, not
/// 1 s; what it returns is the kernel's microsecond, rounded up (work is never done before it
/// is). Pure integer arithmetic: a run stays byte-identical from its seed.
class service_queue {
  public:
    /// Takes work costing `cost` that arrives at `now`; returns when it is done.
    micros admit(micros now, nanos cost) noexcept {
        const nanos at = now;
        const nanos start = at > busy_until_ ? at : busy_until_;
        busy_until_ = start + cost;
        return std::chrono::ceil<micros>(busy_until_);
    }
    /// Work waiting at `now`, as time (rounded up to the microsecond).
    micros backlog(micros now) const noexcept {
        const nanos at = now;
        return busy_until_ > at ? std::chrono::ceil<micros>(busy_until_ - at) : micros{0};
    }
    /// When the work taken so far is done, exactly.
    nanos busy_until() const noexcept { return busy_until_; }

  private:
    nanos busy_until_{0};
};

}  // namespace switchyard::sim
