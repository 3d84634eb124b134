#pragma once
// switchyard-relay's process: shards (one io_context and hub per thread), the bus, the
// listeners, health and drain.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "backends/bus/bus.hpp"
#include "backends/policy/hub.hpp"
#include "backends/relay/relay_config.hpp"
#include "backends/relay/relay_message.hpp"
#include "backends/relay/relay_metrics.hpp"

namespace switchyard::relay {

class client_session;
class sockjs_registry;

/// One event-loop thread's share of the relay: its io_context, its hub and its sessions.
/// Everything in a shard is touched only from its thread, so fan-out takes no locks.
struct shard {
    explicit shard(std::size_t i, std::size_t pending_max)
        : index(i), hub(pending_max), flush_timer(ioc) {}
    std::size_t index;
    boost::asio::io_context ioc{1};
    policy::hub hub;
    /// A shard works in *rounds*: bus messages that arrived since the last round are fanned
    /// out to this shard's subscribers, then every session with frames queued writes them in
    /// one gather write. One post (or one timer) per shard per round, however many messages
    /// and sessions it covers; each session is touched while it is still in cache.
    std::vector<std::shared_ptr<const relay_message>> arrived;
    std::vector<std::shared_ptr<const relay_message>> fanning;
    std::vector<std::shared_ptr<client_session>> dirty;
    std::vector<std::shared_ptr<client_session>> flushing;
    bool flush_pending = false;
    bool in_round = false;
    boost::asio::steady_timer flush_timer;
    /// `--coalesce-ms`: rounds are at least this far apart while traffic is dense; work
    /// arriving after a quieter spell gets a round at the end of the current turn.
    std::chrono::milliseconds round_interval{0};
    /// The interval only applies after a round that wrote to at least this many sessions
    /// (`--coalesce-min-clients`): small fan-outs are cheap, so they keep the lowest latency.
    std::size_t round_min_sessions = 0;
    /// When the last round ran, and how many sessions it wrote.
    std::chrono::steady_clock::time_point last_flush{};
    std::size_t last_round_sessions = 0;
    /// `s` has frames to write: it joins the next round.
    void want_flush(std::shared_ptr<client_session> s);
    void want_round();
    void run_flush();
    relay_metrics* metrics = nullptr;
    std::unordered_map<policy::subscriber_id, client_session*> sessions;
    std::unordered_multimap<std::string, client_session*> by_client;
    /// A channel message from the bus: fanned out to this shard's subscribers in the next round.
    void on_message(const std::shared_ptr<const relay_message>& msg);
    void fan_out(const std::shared_ptr<const relay_message>& msg);
    void on_direct(const bus::bus_direct& d);
    void close_all(std::uint16_t code, const std::string& reason);
};

/// The relay. run() binds, prints READY, serves until SIGTERM/SIGINT has drained it.
class relay_server final : public bus::bus_listener {
  public:
    explicit relay_server(relay_config config);
    ~relay_server() override;

    /// Returns the process exit code (0 after a drain, 3 when it cannot bind or start).
    int run();

    const relay_config& config() const noexcept { return config_; }
    relay_metrics& metrics() noexcept { return metrics_; }
    bool draining() const noexcept { return draining_; }
    /// True once run() has returned: sessions torn down from here on skip their bookkeeping
    /// (the shards, hubs and bus they would update are being destroyed).
    bool stopping() const noexcept { return stopping_; }
    /// The bus has been down longer than config().bus_outage_tolerance.
    bool bus_lost() const noexcept { return bus_lost_; }
    /// Health: serving unless draining or the bus is lost.
    bool healthy() const noexcept { return !draining_ && !bus_lost_; }
    shard& main_shard() noexcept { return *shards_.front(); }
    /// Round-robin shard for a new WebSocket connection.
    shard& next_shard() noexcept;
    /// Runs `fn` on the bus's thread (the main shard) with the bus.
    void with_bus(std::function<void(bus::bus&)> fn);
    policy::subscriber_id next_subscriber_id() noexcept { return ++next_id_; }
    std::string next_session_name();
    sockjs_registry& sockjs() noexcept { return *sockjs_; }
    std::string metrics_text() const;

    // bus_listener (main shard thread)
    void on_bus_message(bus::message_ptr msg) override;
    void on_bus_direct(bus::bus_direct msg) override;
    void on_bus_state(bool up) override;

  private:
    void accept(boost::asio::ip::tcp::acceptor& acceptor, bool admin);
    void begin_drain();
    void check_drained();

    relay_config config_;
    relay_metrics metrics_;
    std::vector<std::unique_ptr<shard>> shards_;
    std::unique_ptr<bus::bus> bus_;
    std::unique_ptr<sockjs_registry> sockjs_;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> admin_acceptor_;
    std::atomic<bool> draining_{false};
    std::atomic<bool> bus_lost_{false};
    std::atomic<bool> stopping_{false};
    std::unique_ptr<boost::asio::steady_timer> outage_timer_;
    std::unique_ptr<boost::asio::steady_timer> drain_timer_;
    std::chrono::steady_clock::time_point drain_started_;
    std::atomic<std::uint64_t> next_id_{0};
    std::atomic<std::size_t> rr_{0};
};

}  // namespace switchyard::relay
