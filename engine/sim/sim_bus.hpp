#pragma once
// The simulated Redis bus: one fan-out point with its own capacity. Sequence numbers and
// history come from policy::channel_log, the core the memory bus uses (and whose meaning the
// redis bus keeps).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/policy/channel_log.hpp"
#include "engine/sim/sim_costs.hpp"

namespace switchyard::sim {

/// Channel -> subscribed relays (sorted, so fan-out order never depends on a hash), plus the
/// log. `up()` false between a restart_redis and its end: publishes are refused then.
class sim_bus {
  public:
    explicit sim_bus(std::size_t history_max) : log_(history_max) {}

    bool up() const noexcept { return up_; }
    void set_up(bool up) noexcept { up_ = up; }

    /// Gives a message the channel's next seq and keeps it in the history.
    std::uint64_t append(std::string_view channel, std::shared_ptr<const policy::hub_payload> p) {
        return log_.append(channel, std::move(p));
    }
    /// History after `after` (the relay's resume read).
    policy::log_range history(std::string_view channel, std::uint64_t after) const {
        return log_.after(channel, after);
    }
    std::uint64_t latest(std::string_view channel) const { return log_.latest(channel); }

    /// Relay `relay` listens on `channel` from now on (idempotent).
    void subscribe(std::string_view channel, std::uint32_t relay);
    /// Relay `relay` is gone: drops every subscription of it.
    void unsubscribe_all(std::uint32_t relay);
    /// Relays listening on `channel`, ascending.
    const std::vector<std::uint32_t>& relays_of(std::string_view channel) const;

    service_queue& queue() noexcept { return queue_; }

  private:
    policy::channel_log log_;
    std::map<std::string, std::vector<std::uint32_t>, std::less<>> subscribers_;
    service_queue queue_;
    bool up_ = true;
};

}  // namespace switchyard::sim
