#pragma once
// What one fleet of synthetic clients does: how many, over which transport, how fast they
// connect, what they subscribe to and publish, and how they reconnect. Plain data: the scenario
// parser fills it from YAML, the fleet runner (real sockets) and the simulator both read it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::fleet {

using millis = std::chrono::milliseconds;

/// How a client reaches the relay (through the balancer).
enum class transport : std::uint8_t {
    ws,                    ///< native protocol on `/ws` (Beast WebSocket, plain or TLS)
    sockjs_ws,             ///< `/sockjs/<server>/<session>/websocket`, native mode inside SockJS
    sockjs_xhr_polling,    ///< `/sockjs/<server>/<session>/xhr` + `xhr_send`, native mode
    sockjs_xhr_streaming,  ///< `/sockjs/<server>/<session>/xhr_streaming` + `xhr_send`, native
};

/// Scenario spelling: "ws", "sockjs-ws", "sockjs-xhr-polling", "sockjs-xhr-streaming".
std::string_view to_string(transport t) noexcept;
/// Inverse of to_string (exact spelling); nullopt for anything else.
std::optional<transport> transport_from_string(std::string_view s) noexcept;
/// "ws, sockjs-ws, sockjs-xhr-polling, sockjs-xhr-streaming", for error messages and --help.
std::string known_transports();
/// True for the SockJS xhr transports, where every request may be routed on its own (so the
/// balancer's sticky cookie is what keeps a session on one relay).
bool is_polling(transport t) noexcept;

/// When and how a client reconnects after losing its connection (or failing to connect).
/// Delay before attempt k (k = 0 for the first retry) is
///   base = min(max_backoff, initial_backoff * 2^k), delay = base * (1 - jitter_ratio * u),
/// u uniform in [0, 1) from the run's seeded generator ("equal jitter" when jitter_ratio = 0.5).
struct reconnect_policy {
    millis initial_backoff_ms{100};  ///< delay before the first retry (before jitter)
    millis max_backoff_ms{5000};     ///< the doubling stops here
    double jitter_ratio = 0.5;       ///< 0 = exact backoff, 1 = anywhere in (0, base]; in [0, 1]
    bool resume = true;  ///< on reconnect, ask for every message after the last seq seen
    std::uint32_t max_attempts = 0;  ///< consecutive failed attempts before giving up; 0 = never
    bool enabled = true;             ///< false: a lost client stays down (counts a disconnect)
};

/// One fleet: `count` identical clients. Every field is optional in YAML; defaults below.
struct fleet_config {
    std::string name = "clients";  ///< unique in a scenario; used by set_count/set_publish_rate
    std::uint32_t count = 1;       ///< clients in this fleet at start
    transport kind = transport::ws;

    /// The balancer (or a relay) to connect to: `ws://`, `wss://`, `http://` or `https://`
    /// host:port with an optional path prefix. ws/http mean plain TCP, wss/https mean TLS; the
    /// transport appends its own path (`/ws`, `/sockjs/...`). The engine fills this in once the
    /// cluster is up.
    std::string target_url = "ws://127.0.0.1:8080";
    /// Verify the server certificate (off by default: testbed certificates are self-signed).
    bool tls_verify = false;
    /// Name of the balancer's affinity cookie: a connection whose request carried it is `sticky`
    /// or `failover`, one without it `fresh`. Every Set-Cookie is kept in the client's jar.
    std::string sticky_cookie_name = "server";

    /// First connections are spread evenly over this window (client i starts at
    /// i * ramp / count); 0 = all at once.
    millis connect_ramp_ms{0};
    millis connect_timeout_ms{5000};  ///< TCP + TLS + upgrade/handshake + hello, as one deadline

    std::vector<std::string> channels{"global"};  ///< subscribed on every (re)connect
    /// Channel publishes go to; empty = channels[0] (or "global" when `channels` is empty). Any
    /// valid channel name is allowed: a client may publish where it does not listen.
    std::string publish_channel;
    double publish_rate_hz = 0.0;  ///< publishes per second per client; 0 = this fleet only listens
    std::uint32_t message_bytes = 128;  ///< size of the JSON `data` of each publish, padded; >= 64

    /// Pause after a (re)connection is subscribed before the client publishes again; models a
    /// user reading before they type. Receiving continues meanwhile.
    millis think_time_ms{0};

    reconnect_policy reconnect;

    /// Liveness, every transport: a connected client that receives nothing at all (no message,
    /// pong or SockJS heartbeat) for this long treats the connection as lost and reconnects.
    /// (For xhr transports this bounds how long a poll may hang.)
    millis poll_timeout_ms{30000};
    /// A connected client sends a native `ping` this often, so a quiet but healthy connection
    /// is never silent for poll_timeout_ms; 0 = never (then a quiet channel may trip the timeout).
    millis ping_interval_ms{10000};
};

/// Named limits checked by validate(): a scenario outside these is rejected with exit 2.
struct fleet_limits {
    /// Clients in one fleet: the simulator's scale target in one fleet. A real run is bounded
    /// by the machine's sockets instead (engine/scenario/real_world_check.cpp refuses more).
    static constexpr std::uint32_t count_max = 1'000'000;
    static constexpr std::uint32_t message_bytes_min = 64;  ///< room for id, publisher, time
    static constexpr std::uint32_t message_bytes_max = 1 << 20;
    static constexpr double publish_rate_hz_max = 10000.0;
    static constexpr std::size_t channels_max = 64;
};

/// Checks one fleet; returns "" when valid, else a message naming the field
/// (e.g. "message_bytes: 10 is below the minimum 64").
std::string validate(const fleet_config& config);

}  // namespace switchyard::fleet
