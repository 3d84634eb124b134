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
    /// SIGTERM: time clients get to take the going-away close before the relay exits.
    std::chrono::milliseconds drain_grace{2'000};
    /// A closing handshake (or a slow consumer's stuck write) is cut off after this.
    std::chrono::milliseconds close_timeout{5'000};
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
