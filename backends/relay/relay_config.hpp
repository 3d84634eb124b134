#pragma once
// switchyard-relay's settings: every limit named, with its unit, its default and why.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::relay {

/// Everything the relay can be told on its command line. Defaults are what a deployment
/// would start with; tests shrink timeouts.
struct relay_config {
    std::string id = "relay-1";
    std::string bind = "127.0.0.1";
    unsigned short port = 8080;
    unsigned short admin_port = 0;
    bool admin_enabled = true;
    /// `memory` or `redis://host:port`.
    std::string bus = "memory";
    /// Event-loop threads (shards). Connections are spread over them; the bus lives on the first.
    unsigned threads = 1;
    /// Largest client frame (WebSocket message or xhr_send body) accepted; larger closes 1009.
    std::size_t max_message_bytes = 64 * 1024;
    /// Per-client send queue limits: passing either closes the client with 1008 (slow consumer).
    std::size_t send_queue_messages_max = 4096;
    std::size_t send_queue_bytes_max = 4 * 1024 * 1024;
    /// Least time between a shard's write rounds while traffic is dense: frames queued in
    /// between leave together, one gather write per client per round, which is what makes a
    /// delivery cheap (a loopback or LAN write costs microseconds of kernel time however few
    /// bytes it carries). A frame queued after a quieter spell than this goes out at the end of
    /// the current event-loop turn, so sparse traffic gets no added latency; under load a frame
    /// waits at most this long. 0: a round every loop turn (only natural batching).
    std::chrono::milliseconds coalesce{30};
    /// The interval applies only after a round that wrote to at least this many clients (on
    /// one thread): a small fan-out costs little, so it keeps end-of-turn latency; a large one
    /// is where one write per client per message is expensive.
    std::size_t coalesce_min_clients = 32;
    /// SO_SNDBUF for each WebSocket client socket, bytes; 0 leaves the kernel's autotuning
    /// (which may let a few MB per client sit in the kernel). Set it to bound kernel memory
    /// per client; the relay's own queue limits apply on top.
    std::size_t socket_send_buffer = 0;
    /// Redis bus: messages of one channel held while a gap is refilled from history; passing
    /// it drops the held ones and refills again from history (counted).
    std::size_t bus_gap_hold_max = 4096;
    /// Entries of history kept per channel for resume.
    std::size_t history_max = 1024;
    /// Registry entry lifetime (refreshed at a third of it).
    std::chrono::milliseconds registry_ttl{30'000};
    /// SockJS: heartbeat period, session lifetime without a receiving connection, bytes a
    /// streaming response carries before the client must open a new one.
    std::chrono::milliseconds sockjs_heartbeat{25'000};
    std::chrono::milliseconds sockjs_disconnect_delay{5'000};
    std::size_t sockjs_response_limit = 128 * 1024;
    /// A bus outage longer than this closes every client with 1011 (so they reconnect to a
    /// relay that has its bus) and turns health to 503 until the bus is back.
    std::chrono::milliseconds bus_outage_tolerance{10'000};
    /// Redis bus: a link silent this long is PINGed; a PING or command unanswered for
    /// bus_ping_deadline closes the link (bus down) and reconnects.
    std::chrono::milliseconds bus_ping_idle{1'000};
    std::chrono::milliseconds bus_ping_deadline{2'000};
    /// Redis bus: a delivery canary through pub/sub every bus_canary_interval (0 = off); one
    /// not heard back within bus_canary_deadline makes the relay deaf: health 503, clients
    /// closed 1011 at once (they resume on a relay that hears), links reconnected.
    std::chrono::milliseconds bus_canary_interval{250};
    std::chrono::milliseconds bus_canary_deadline{1'000};
    /// SIGTERM: time clients get to take the going-away close before the relay exits.
    std::chrono::milliseconds drain_grace{2'000};
    /// A closing handshake (or a slow consumer's stuck write) is cut off after this.
    std::chrono::milliseconds close_timeout{5'000};

    // Limits on untrusted clients (docs/security.md, "Relay"). 0 means "no maximum" for counts.
    /// A new connection must have sent its first complete request (a WebSocket upgrade or an
    /// HTTP request) within this, or it is closed (slowloris, idle sockets holding fds).
    std::chrono::milliseconds handshake_timeout{10'000};
    /// An HTTP keep-alive connection with no session (between requests, no WebSocket, no parked
    /// SockJS poll) is closed after this long without a request.
    std::chrono::milliseconds idle_timeout{60'000};
    /// Open client connections in total; more are answered 503 and closed at accept. The
    /// default stays below this machine's 20,000 open-file limit with room for the relay's own.
    std::size_t max_connections = 19'000;
    /// Open client connections from one address. 4,096 holds the engine's largest local runs
    /// (1,000 clients from 127.0.0.1, two connections each over SockJS polling). Behind a
    /// balancer every client shares the balancer's address: set 0 there.
    std::size_t max_connections_per_address = 4'096;
    /// Channels one client may hold at once (the fleet uses at most 64).
    std::size_t max_channels_per_client = 256;
    /// Memory bus: bytes of history over all channels; past it the least recently published
    /// channels lose their history first. 0 = only the per-channel entry limit.
    std::size_t history_bytes_max = 64u << 20;
    /// Every this long, the heap is trimmed (malloc_trim) if connections closed or history was
    /// evicted since the last trim, so memory freed after a load goes back to the system.
    /// 0 = never.
    std::chrono::milliseconds trim_interval{10'000};
    /// With a secret, a client id must come with token=hex(HMAC-SHA256(secret, id)); read from
    /// --client-token-secret-file (never a flag value: argv is visible to every local user).
    std::string client_token_secret;
    /// Origins whose pages may open a WebSocket (/ws, /sockjs/websocket, SockJS's websocket
    /// transport): `*`, `null` or `scheme://host[:port]`. Empty (the default): only
    /// requests without an Origin (not a browser) and same-origin pages; any other origin
    /// gets 403 before the upgrade (docs/security.md, "Origins").
    std::vector<std::string> allowed_origins;
};

/// Result of parsing argv: a config, or an exit code with text for stdout/stderr.
struct parse_result {
    std::optional<relay_config> config;
    int exit_code = 0;
    std::string message;
};

/// Parses `--flag value` / `--flag=value` arguments. Unknown flags and bad values give exit
/// code 2 and a message naming the flag; `--help` gives exit 0 and the usage text.
parse_result parse_relay_args(const std::vector<std::string>& args);

/// The usage text (`--help`).
std::string relay_usage();

}  // namespace switchyard::relay
