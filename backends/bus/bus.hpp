#pragma once
// The relay's pub/sub bus: one interface, two implementations (memory, redis). The bus assigns
// each channel message its cluster-wide sequence number, keeps the bounded history that resume
// reads, and knows which relay holds which client for targeted delivery.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "backends/policy/hub.hpp"

namespace switchyard::bus {

/// Result of a bus operation. `unavailable`: the bus is down and the operation did not happen.
enum class bus_status { ok, unavailable, not_found };

/// One published channel message as every relay sees it. `data` is JSON text.
struct bus_message : policy::hub_payload {
    std::string channel;
    std::uint64_t seq = 0;
    std::string from;
    std::string data;
};
using message_ptr = std::shared_ptr<const bus_message>;

/// A targeted message for one client.
struct bus_direct {
    std::string to;
    std::string from;
    std::string data;
};

/// A history read: latest seq, oldest seq still held (latest+1 when none) and the entries after
/// the requested seq, ascending.
struct bus_history {
    bus_status status = bus_status::ok;
    std::uint64_t latest = 0;
    std::uint64_t oldest = 1;
    std::vector<message_ptr> entries;
};

/// Settings every bus understands. Each limit is named and has a unit.
struct bus_options {
    std::string relay_id = "relay";
    /// Entries of history kept per channel (older ones are dropped; resume reports the gap).
    std::size_t history_max = 1024;
    /// Memory bus: bytes of history over all channels, 0 = no budget (policy::channel_log
    /// evicts the least recently published channels first). Redis keeps history in Redis.
    std::size_t history_bytes_max = 0;
    /// How long a registry entry (client -> relay) lives unless refreshed.
    std::chrono::milliseconds registry_ttl{30'000};
    /// Redis: messages of one channel held (in memory) while a gap in the subscription is
    /// refilled from the history. Passing it drops what is held (the history has it too) and
    /// refills once more after the read in flight, so a burst during a refill cannot grow
    /// memory without bound.
    std::size_t gap_hold_max = 4096;
    /// Reconnect backoff: first delay, doubled up to the maximum.
    std::chrono::milliseconds reconnect_min{50};
    std::chrono::milliseconds reconnect_max{2'000};
    /// Redis: a link with no byte received for this long is sent a PING...
    std::chrono::milliseconds ping_idle{1'000};
    /// ...and one whose request (PING, command, connect) has no answer for this long is closed,
    /// reported down and reconnected: a blackholed link is otherwise never noticed.
    std::chrono::milliseconds ping_deadline{2'000};
    /// Redis: a delivery canary goes through the pub/sub path this often (0 = off)...
    std::chrono::milliseconds canary_interval{250};
    /// ...and one not heard back within this long makes the relay deaf (see on_bus_deaf).
    std::chrono::milliseconds canary_deadline{1'000};
};

/// Counters for /metrics, safe to read from any thread.
struct bus_counters {
    std::atomic<bool> up{false};
    std::atomic<std::uint64_t> outages{0};
    std::atomic<std::uint64_t> reconnects{0};
    std::atomic<std::uint64_t> published{0};
    std::atomic<std::uint64_t> publish_failures{0};
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> directs_sent{0};
    std::atomic<std::uint64_t> directs_received{0};
    std::atomic<std::uint64_t> gap_refills{0};
    std::atomic<std::uint64_t> gap_hold_overflows{0};
    /// Redis links closed because a reply (PING or command) missed its deadline.
    std::atomic<std::uint64_t> ping_timeouts{0};
    /// Memory bus history under its byte budget: bytes held, entries and channels evicted.
    std::atomic<std::uint64_t> history_bytes{0};
    std::atomic<std::uint64_t> history_evicted_entries{0};
    std::atomic<std::uint64_t> history_evicted_channels{0};
    /// Delivery canary (Redis): sent, own ones heard back, times the relay went deaf, whether
    /// it is deaf now, and how many peers' canaries were heard within the deadline.
    std::atomic<std::uint64_t> canary_sent{0};
    std::atomic<std::uint64_t> canary_heard{0};
    std::atomic<std::uint64_t> canary_deaf_episodes{0};
    std::atomic<bool> deaf{false};
    std::atomic<std::uint64_t> canary_peers{0};
};

/// Receives what the bus delivers, always on the bus's executor.
class bus_listener {
  public:
    virtual ~bus_listener() = default;
    /// A channel message. Per channel, messages arrive in ascending seq order without
    /// duplicates; a jump means the history could not fill a gap.
    virtual void on_bus_message(message_ptr msg) = 0;
    /// A targeted message for a client this relay registered.
    virtual void on_bus_direct(bus_direct msg) = 0;
    /// The bus went up or down.
    virtual void on_bus_state(bool up) = 0;
    /// The bus looked up but did not deliver (the delivery canary was not heard back): this
    /// relay's clients are missing messages now. The bus reconnects its links next, so
    /// on_bus_state(false) and, once healed, on_bus_state(true) follow.
    virtual void on_bus_deaf() {}
};

/// The pub/sub bus. Contract: every method is called on the executor given at construction
/// and every callback runs there too, exactly once (a bus that is down answers `unavailable`,
/// never silence). Callers may omit nothing; `after` of history may be nullopt for "only the
/// latest seq".
class bus {
  public:
    virtual ~bus() = default;
    virtual void start(bus_listener& listener) = 0;
    /// Disconnects; pending callbacks complete with `unavailable`.
    virtual void stop() = 0;
    /// Assigns the channel's next seq, stores the message in the history and delivers it to
    /// every relay's listener (this one included). `done(status, seq)`.
    virtual void publish(std::string channel, std::string from, std::string data,
                         std::function<void(bus_status, std::uint64_t)> done) = 0;
    /// Reads the channel's history after `after` (nullopt: only latest/oldest).
    virtual void history(std::string channel, std::optional<std::uint64_t> after,
                         std::function<void(bus_history)> done) = 0;
    /// Delivers to the one relay holding `to` (`not_found` when none does).
    virtual void send(std::string to, std::string from, std::string data,
                      std::function<void(bus_status)> done) = 0;
    /// Registry: this relay holds `client` (counted; refreshed until unregistered).
    virtual void register_client(const std::string& client) = 0;
    virtual void unregister_client(const std::string& client) = 0;
    virtual const bus_counters& counters() const = 0;
    virtual std::string_view kind() const = 0;
};

/// Builds a bus from `memory` or `redis://host:port`. Throws std::invalid_argument with a
/// message naming the problem for anything else.
std::unique_ptr<bus> make_bus(std::string_view spec, bus_options options,
                              boost::asio::any_io_executor executor);

}  // namespace switchyard::bus
