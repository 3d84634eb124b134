#pragma once
// The bus over Redis: sequence numbers, history and the client registry live in Redis, so any
// relay can serve any client's resume and route any targeted message.
#include <deque>
#include <map>

#include <boost/asio/steady_timer.hpp>

#include "backends/bus/bus.hpp"
#include "backends/bus/delivery_canary.hpp"
#include "backends/bus/redis_link.hpp"

namespace switchyard::bus {

/// Redis layout (prefix `sy:`): `seq:<ch>` counter, `hist:<ch>` capped list of
/// "<seq> <from> <data>", pub/sub channel `ch:<ch>` (every relay PSUBSCRIBEs `ch:*`),
/// `relay:<id>` per-relay channel for targeted messages, `client:<id>` -> relay id with expiry.
/// A Lua script increments the seq, appends the history and publishes in one atomic step, so
/// the history order is the delivery order on every relay. After a Redis restart the counter
/// continues from the highest seq this relay has seen (the script's floor) instead of 1.
/// The delivery canary is published as "<relay id> <n>" on `ch:#canary` (no client channel
/// can contain '#'), so it travels the very pattern subscription client messages use, and
/// never enters a history, a seq counter or the message counters.
class redis_bus final : public bus {
  public:
    redis_bus(bus_options options, boost::asio::any_io_executor executor, std::string host,
              int port);
    ~redis_bus() override;
    void start(bus_listener& listener) override;
    void stop() override;
    void publish(std::string channel, std::string from, std::string data,
                 std::function<void(bus_status, std::uint64_t)> done) override;
    void history(std::string channel, std::optional<std::uint64_t> after,
                 std::function<void(bus_history)> done) override;
    void send(std::string to, std::string from, std::string data,
              std::function<void(bus_status)> done) override;
    void register_client(const std::string& client) override;
    void unregister_client(const std::string& client) override;
    const bus_counters& counters() const override { return counters_; }
    std::string_view kind() const override { return "redis"; }

  private:
    // Per channel: last seq handed to the listener, and messages held while a gap is refilled
    // (at most options_.gap_hold_max; past it they are dropped and `refill_again` is set).
    struct channel_state {
        std::uint64_t last = 0;
        bool refilling = false;
        bool refill_again = false;
        std::deque<message_ptr> held;
    };
    /// Highest seq Redis gave this relay's own publishes, per channel: with `last` it is the
    /// floor a publish passes to the script, so numbering continues after a Redis restart even
    /// when the relay's own message had not come back through the subscription yet.
    std::map<std::string, std::uint64_t, std::less<>> published_max_;
    void on_sub_up();
    void on_sub_message(std::string_view channel, std::string_view payload);
    void on_direct(std::string_view payload);
    void accept(message_ptr msg);
    void deliver(channel_state& st, message_ptr msg);
    void refill(const std::string& channel);
    /// history() without the bus-up check, for refills (the subscription is live then).
    void read_history(std::string channel, std::optional<std::uint64_t> after,
                      std::function<void(bus_history)> done);
    void update_state();
    void refresh_registry();
    void arm_refresh();
    void register_one(const std::string& client);
    void on_canary(std::string_view payload);
    void arm_canary(std::chrono::steady_clock::time_point at);
    void on_canary_timer();

    bus_options options_;
    boost::asio::any_io_executor executor_;
    redis_link cmd_;
    redis_link sub_;
    boost::asio::steady_timer refresh_;
    delivery_canary canary_;
    boost::asio::steady_timer canary_timer_;
    bus_listener* listener_ = nullptr;
    int sub_confirmed_ = 0;
    bool up_ = false;
    bool stopped_ = false;
    std::map<std::string, channel_state, std::less<>> channels_;
    std::map<std::string, int> clients_;
    bus_counters counters_;
};

}  // namespace switchyard::bus
