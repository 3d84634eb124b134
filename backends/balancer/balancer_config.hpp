#pragma once
// Everything switchyard-lb can be told, from one YAML file and/or command-line flags.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/policy/health_tracker.hpp"

namespace switchyard::balancer {

using millis = std::chrono::milliseconds;

/// One upstream server. `id` is stable: the sticky cookie and the admin API name it.
struct backend_config {
    std::string id;
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    std::uint32_t weight = 1;  ///< relative share of new clients; 0 = no new clients
};

/// Active health check settings (HAProxy `check` vocabulary).
struct health_check_config {
    bool enabled = true;
    std::string method = "HEAD";
    std::string path = "/";
    unsigned expect_status = 0;  ///< exact status that passes; 0 = any 2xx or 3xx
    millis timeout{300};         ///< one probe: connect + request + response header
    bool passive_5xx = false;    ///< 5xx answers (but 501, 505) count as passive errors too
    /// When a backend goes down (or is disabled), end its open tunnels and in-flight requests so
    /// their clients reconnect to a live one. Without it a frozen backend's WebSocket clients
    /// would hold their dead tunnels (HAProxy: on-marked-down shutdown-sessions).
    bool close_sessions_on_down = true;
    policy::health_config tracker;
};

/// The signed affinity cookie.
struct sticky_config {
    bool enabled = true;
    std::string cookie = "server";
    std::string secret;  ///< HMAC key; empty = random per process (affinity lost on restart)
    std::chrono::seconds max_age{0};  ///< 0 = session cookie, never expires by itself
    /// SockJS URL prefix: requests `<prefix>/<server>/<session>/...` without a usable cookie
    /// are placed by their session id, so one session stays on one backend on a first visit.
    /// Empty = off; `enabled: false` turns it off too (no affinity of any kind).
    std::string sockjs_prefix = "/sockjs";
};

/// One more certificate for TLS, served to clients whose SNI name it covers.
struct tls_certificate_config {
    std::string cert_file;
    std::string key_file;
};

/// TLS termination. Enabled when a certificate is set (`cert_file` + `key_file`, and/or the
/// `certificates` list); the first certificate is the default for clients without a match.
struct tls_config {
    std::string cert_file;
    std::string key_file;
    std::vector<tls_certificate_config> certificates;  ///< chosen by SNI after cert_file
    std::optional<int> port;  ///< extra HTTPS listener; absent = the main `port` speaks TLS
    bool enabled() const { return !cert_file.empty() || !certificates.empty(); }
};

/// Named limits: every queue, timeout and size the proxy enforces.
struct limits_config {
    millis header_timeout{10000};  ///< whole request header must arrive within this (slowloris)
    millis idle_timeout{60000};    ///< keep-alive client may sit idle this long between requests
    /// A request body must have arrived whole within this of its header (408 after): the idle
    /// timeout bounds each body read only, so a body trickled a byte at a time would not end.
    millis body_timeout{60000};
    millis connect_timeout{2000};            ///< TCP connect to a backend
    millis upstream_timeout{30000};          ///< backend silent this long mid-response = failure
    millis drain_timeout{10000};             ///< SIGTERM: how long open connections may finish
    std::uint32_t max_header_bytes = 16384;  ///< larger request header = 431
    std::uint64_t max_body_bytes = 64ull << 20;  ///< larger request body = 413
    std::uint32_t max_connections = 20000;       ///< client connections over this are closed
    /// Client connections one source address may hold; more are closed at accept. 0 = no
    /// limit. Stops one host from taking every slot of max_connections.
    std::uint32_t max_connections_per_address = 4096;
    std::uint32_t max_idle_upstream_per_backend =
        512;                           ///< pooled keep-alive per backend per thread
    std::uint32_t redispatch_max = 3;  ///< extra backends tried after a refused connect/reset
    /// New backend connections per backend per second (bursts of a second's worth); 0 = no
    /// cap. Spreads a reconnect storm over time so the survivors are not toppled; a request
    /// over it goes to another backend, or gets 503 with Retry-After when all are capped.
    std::uint32_t max_connects_per_backend_per_s = 0;
    std::uint32_t tunnel_buffer_bytes = 16384;  ///< per direction per WebSocket tunnel
};

/// The whole balancer configuration.
struct balancer_config {
    std::string name = "lb";
    std::string bind = "127.0.0.1";
    std::optional<int> port = 8080;  ///< plain HTTP listener (or TLS when tls.port is absent)
    std::string admin_bind = "127.0.0.1";
    std::optional<int> admin_port = 0;  ///< absent = no admin listener
    std::string admin_token;            ///< bearer token for POST commands; empty = commands off
    /// GET /stats and /metrics need the token too (they name every backend and its load);
    /// /healthz stays open. Needs admin_token.
    bool admin_token_for_reads = false;
    unsigned threads = 0;  ///< 0 = one per core
    std::string strategy = "random";
    std::uint64_t seed = 0;  ///< 0 = from the clock; set it to replay random choices
    std::vector<backend_config> backends;
    health_check_config health;
    sticky_config sticky;
    tls_config tls;
    limits_config limits;
};

/// A configuration problem: `key` names the YAML key or flag, `message` the problem.
struct config_error {
    std::string key;
    std::string message;
    std::string where = {};  ///< "file:line:col" when it came from YAML
    std::string text() const;
};

/// Result of reading the command line: a config, a request for help, or an error (exit 2).
struct config_result {
    balancer_config config;
    bool help = false;
    std::optional<config_error> error;
};

/// One backend from its shorthand, "id=host:port" or "id=host:port,weight=N" (the --backend
/// flag and a scalar item of the YAML `backends:` list). nullopt with `problem` set when bad.
std::optional<backend_config> parse_backend_spec(std::string_view spec, std::string& problem);

/// Applies a YAML document (text) on top of `into`. Returns the first problem found.
std::optional<config_error> apply_yaml(const std::string& text, const std::string& file_name,
                                       balancer_config& into);

/// Parses argv: `--config FILE` is read first, then every flag overrides it. Validates the result.
config_result parse_command_line(int argc, const char* const* argv);

/// Checks cross-field rules (at least one backend, unique valid ids, known strategy, TLS files).
std::optional<config_error> validate(const balancer_config& config);

/// The `--help` text, including the strategy table.
std::string help_text();

}  // namespace switchyard::balancer
