#pragma once
// HAProxy or nginx in place of switchyard-lb: writes a configuration equivalent to the
// balancer's options (strategy, sticky cookie, HTTP health checks, WebSocket tunnels) and says
// how to start it. The caller runs the command (the engine's child_process does), then waits
// with `wait_listening` because neither server prints a READY line.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace switchyard::external {

/// Which server stands in for switchyard-lb.
enum class balancer_kind { haproxy, nginx };
std::string_view to_string(balancer_kind k) noexcept;
std::optional<balancer_kind> balancer_kind_from_string(std::string_view s) noexcept;

/// One upstream, as in switchyard-lb's `backends` list.
struct backend_address {
    std::string id;
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    unsigned weight = 1;
};

/// The switchyard-lb options both servers can express. Strategy names are switchyard's
/// (see backends/policy selector_table); each kind maps them to its own keyword.
struct balancer_options {
    std::string bind = "127.0.0.1";
    unsigned short port = 0;        ///< 0 = pick a free port
    unsigned short admin_port = 0;  ///< stats page; 0 = pick a free port
    unsigned threads = 1;           ///< HAProxy nbthread / nginx worker_processes
    std::string strategy = "round-robin";
    bool sticky = true;  ///< HAProxy: cookie insert; nginx open source has no cookie insert
    std::string cookie = "server";
    bool health_checks = true;  ///< HAProxy active checks; nginx open source: passive only
    std::string health_method = "HEAD";
    std::string health_path = "/";
    std::chrono::milliseconds health_interval{2000};
    unsigned rise = 2;
    unsigned fall = 3;
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds client_timeout{60000};
    std::chrono::milliseconds server_timeout{30000};
    std::chrono::milliseconds tunnel_timeout{3600000};
    unsigned max_connections = 4096;  ///< HAProxy maxconn needs 2 fds each: stay under ulimit
    unsigned idle_upstream_per_worker = 64;  ///< nginx upstream keepalive
};

/// Everything needed to run one external balancer.
struct launch_plan {
    balancer_kind kind;
    std::vector<std::string> argv;  ///< run in the foreground; SIGTERM/SIGKILL stop it
    std::filesystem::path config_file;
    unsigned short port = 0;
    unsigned short admin_port = 0;
    std::string stats_path;  ///< on admin_port: HAProxy CSV (`;csv`) or nginx stub_status
};

/// A config problem (unknown strategy for this kind, no backends, bad id).
struct plan_error {
    std::string key;
    std::string message;
};

/// The configuration text for `kind`; `work_dir` holds nginx's pid and temp files.
std::string render_haproxy_config(const std::vector<backend_address>& backends,
                                  const balancer_options& options);
std::string render_nginx_config(const std::vector<backend_address>& backends,
                                const balancer_options& options,
                                const std::filesystem::path& work_dir);

/// The HAProxy `balance` / nginx upstream directive for a switchyard strategy, or nullopt when
/// that server cannot express it.
std::optional<std::string> haproxy_balance(std::string_view strategy);
std::optional<std::string> nginx_balance(std::string_view strategy);

/// Writes the config into `work_dir` (ports chosen when 0) and returns how to start it, or the
/// problem. Looks the program up in PATH and /usr/sbin.
std::variant<launch_plan, plan_error> prepare(balancer_kind kind,
                                              const std::vector<backend_address>& backends,
                                              balancer_options options,
                                              const std::filesystem::path& work_dir);

/// Polls until a TCP connect to host:port succeeds or `timeout` passes.
bool wait_listening(const std::string& host, unsigned short port,
                    std::chrono::milliseconds timeout);

/// A free TCP port on `host` right now (bind 0, read, close).
unsigned short free_port(const std::string& host = "127.0.0.1");

}  // namespace switchyard::external
