#pragma once
// One synthetic client on real sockets: the Asio shell around a client_behaviour. It turns the
// core's actions into transports, frames and one timer, and the relay's frames into core events
// and observer reports.
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/fleet/client_behaviour.hpp"
#include "engine/fleet/cookie_jar.hpp"
#include "engine/fleet/transport.hpp"

namespace switchyard::fleet {

/// Lives on one worker thread from start until that thread's io_context is gone (it is never
/// destroyed while handlers may still refer to it). Not thread-safe: call only on its thread.
class fleet_client final : public client_transport_events {
  public:
    fleet_client(worker_context& worker, fleet_slot& fleet, std::uint32_t index);
    ~fleet_client() override;
    fleet_client(const fleet_client&) = delete;
    fleet_client& operator=(const fleet_client&) = delete;

    /// First connect after `delay` (the ramp).
    void start(micros delay);
    /// Closes for good (graceful close frame), reporting a disconnect if it was connected.
    void stop();
    /// The fleet's publish rate changed (already written to the slot's config).
    void on_rate_changed();

    std::uint32_t index() const noexcept { return index_; }
    std::size_t fleet_index() const noexcept { return fleet_.index; }
    const client_behaviour& behaviour() const noexcept { return core_; }
    bool stopped() const noexcept {
        return core_.state() == client_state::stopped || core_.state() == client_state::given_up;
    }

    void on_transport_frame(std::string_view frame) override;
    void on_transport_closed(std::string_view reason) override;
    void on_transport_bytes(std::size_t in, std::size_t out) override;

  private:
    void apply(const client_actions& a, std::string_view close_reason = {});
    void arm(micros wake_at);
    void open_transport();
    void drop_transport(bool graceful);
    std::size_t channel_index(std::string_view name) const noexcept;
    const std::string& publish_channel() const noexcept;

    worker_context& worker_;
    fleet_slot& fleet_;
    client_behaviour core_;
    boost::asio::steady_timer timer_;
    std::shared_ptr<client_transport> transport_;
    cookie_jar jar_;
    micros armed_at_ = never;
    std::uint32_t index_;
    bool cookie_sent_ = false;  ///< the current connection's first request carried the cookie
    bool counted_alive_ = false;
};

}  // namespace switchyard::fleet
