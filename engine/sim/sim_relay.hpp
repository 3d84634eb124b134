#pragma once
// A simulated relay: the real subscription core (policy::hub: sequence tracking, resume merge,
// pending limits), its connected clients, its work queue and the flows of its links. The world
// moves messages in and out of it; the decisions about who gets what are the hub's.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "backends/policy/hub.hpp"
#include "engine/sim/sim_costs.hpp"
#include "engine/sim/sim_link.hpp"

namespace switchyard::sim {

/// up: serving. stopped: SIGSTOP (sockets open, nothing processed until cont). dead: killed,
/// drained or removed (connections refused).
enum class relay_life : std::uint8_t { up, stopped, dead };

class sim_relay {
  public:
    sim_relay(std::string id, std::uint32_t index, std::size_t pending_max)
        : id_(std::move(id)), index_(index), hub_(pending_max) {}

    const std::string& id() const noexcept { return id_; }
    std::uint32_t index() const noexcept { return index_; }
    relay_life life() const noexcept { return life_; }
    void set_life(relay_life l) noexcept { life_ = l; }
    /// Deaf: its delivery canary is not heard back (its bus link carries nothing), so, as the
    /// real relay does, it has closed its clients, answers health with 503 and refuses new ones.
    bool deaf() const noexcept { return deaf_; }
    void set_deaf(bool d) noexcept { deaf_ = d; }

    policy::hub& hub() noexcept { return hub_; }
    service_queue& queue() noexcept { return queue_; }

    /// Connected clients (accepted, hello sent). Removal swaps with the last: O(1), and the
    /// order stays a pure function of the event order.
    std::uint32_t add_member(std::uint32_t client) {
        members_.push_back(client);
        return static_cast<std::uint32_t>(members_.size() - 1);
    }
    /// Removes the member at `slot`; returns the client that moved into it (or UINT32_MAX).
    std::uint32_t remove_member(std::uint32_t slot) {
        const std::uint32_t last = members_.back();
        members_[slot] = last;
        members_.pop_back();
        return slot < members_.size() ? last : UINT32_MAX;
    }
    const std::vector<std::uint32_t>& members() const noexcept { return members_; }
    /// Forgets every connection and subscription (kill, drain, restart).
    void reset(std::size_t pending_max) {
        deaf_ = false;
        members_.clear();
        hub_ = policy::hub(pending_max);
        bus_channels_.clear();
        held_.clear();
    }

    /// Channels (world index) this relay has subscribed on the bus.
    std::vector<bool>& bus_channels() noexcept { return bus_channels_; }

    /// Work that arrived while stopped, run in order on cont.
    void hold(std::function<void()> work) { held_.push_back(std::move(work)); }
    std::vector<std::function<void()>> take_held() { return std::exchange(held_, {}); }

    // Flows of this relay's traffic over its links (shared by its clients: one link model).
    flow_state client_up, client_down;    ///< over client-balancer
    flow_state backend_up, backend_down;  ///< over balancer-<relay>
    flow_state bus_up, bus_down;          ///< over <relay>-redis
    /// Bytes of frames to this relay's clients held by a stalled link: what its per-client send
    /// queues hold while the clients cannot read.
    std::uint64_t stalled_down_bytes = 0;

  private:
    std::string id_;
    std::uint32_t index_;
    relay_life life_ = relay_life::up;
    bool deaf_ = false;
    policy::hub hub_;
    service_queue queue_;
    std::vector<std::uint32_t> members_;
    std::vector<bool> bus_channels_;
    std::vector<std::function<void()>> held_;
};

}  // namespace switchyard::sim
