#pragma once
// switchyard-relay's process: shards (one io_context and hub per thread), the bus, the
// listeners, health and drain.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "backends/bus/bus.hpp"
#include "backends/policy/hub.hpp"
#include "backends/relay/client_id_claims.hpp"
#include "backends/relay/client_token.hpp"
#include "backends/relay/connection_limits.hpp"
#include "backends/relay/origin_check.hpp"
#include "backends/relay/relay_config.hpp"
#include "backends/relay/relay_message.hpp"
#include "backends/relay/relay_metrics.hpp"

namespace switchyard::relay {

class client_session;
class sockjs_registry;
class relay_server;

/// An admitted client connection's place in the connection limits. Held by whatever owns the
/// socket (http_session, then ws_client after an upgrade, on any shard); destroying it frees
/// the place.
class connection_slot {
  public:
    connection_slot(relay_server& server, std::string address)
        : server_(server), address_(std::move(address)) {}
    ~connection_slot();
    connection_slot(const connection_slot&) = delete;
    connection_slot& operator=(const connection_slot&) = delete;

  private:
    relay_server& server_;
    std::string address_;
};

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
    /// One read buffer for every WebSocket client of this shard: a client reads only when the
    /// socket is readable, straight into this, and keeps just an incomplete frame itself, so an
    /// idle client holds no read buffer (was 16 KiB each).
    std::vector<char> read_buffer = std::vector<char>(16 * 1024);
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

    /// Counts a connection just accepted from `address` against --max-connections and
    /// --max-connections-per-address: its slot, or null when refused (counted).
    std::shared_ptr<connection_slot> admit_connection(const std::string& address);
    void release_connection(const std::string& address);
    /// The client id rule: `sub` on shard `shard_index` takes `client_id`; the connection that
    /// held it is closed 4001 on its own shard. Any thread.
    void claim_client_id(const std::string& client_id, policy::subscriber_id sub,
                         std::size_t shard_index);
    void release_client_id(const std::string& client_id, policy::subscriber_id sub);
    /// Signs/checks client tokens; null when no secret is configured.
    const client_token* token_signer() const noexcept { return token_.get(); }
    /// --allowed-origins, parsed.
    const origin_allow_list& allowed_origins() const noexcept { return origins_; }

    // bus_listener (main shard thread)
    void on_bus_message(bus::message_ptr msg) override;
    void on_bus_direct(bus::bus_direct msg) override;
    void on_bus_state(bool up) override;
    void on_bus_deaf() override;

  private:
    /// Health 503, new clients refused, every client closed 1011 so it resumes elsewhere.
    void give_up_bus(const char* why);
    void accept(boost::asio::ip::tcp::acceptor& acceptor, bool admin);
    /// Out of file descriptors: refuses what waits in the backlog (with the reserve fd) and
    /// accepts again after a pause instead of spinning on EMFILE.
    void shed_backlog(boost::asio::ip::tcp::acceptor& acceptor);
    void arm_trim();
    void begin_drain();
    void check_drained();

    relay_config config_;
    relay_metrics metrics_;
    // Declared before the shards: sessions that die with a shard's io_context still release
    // their slot and id here.
    mutable std::mutex limits_mu_;
    connection_limits limits_;
    std::mutex claims_mu_;
    client_id_claims claims_;
    std::unique_ptr<client_token> token_;
    origin_allow_list origins_;
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
    /// An fd kept open to be closed when accept fails with EMFILE, so that one waiting
    /// connection can be accepted and refused with a 503 instead of hanging.
    int reserve_fd_ = -1;
    std::unique_ptr<boost::asio::steady_timer> accept_pause_;
    std::unique_ptr<boost::asio::steady_timer> admin_accept_pause_;
    std::unique_ptr<boost::asio::steady_timer> trim_timer_;
    std::uint64_t released_at_last_trim_ = 0;
};

}  // namespace switchyard::relay
