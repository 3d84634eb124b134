#pragma once
// Helpers shared by the balancer integration tests: start real switchyard-lb and sy-test-backend
// processes, talk HTTP/WebSocket to them, poll /stats.
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/cluster/child_process.hpp"

namespace lbtest {

using namespace std::chrono_literals;
using switchyard::cluster::child_process;

/// A fresh temp folder for one test's logs, certs and configs.
std::filesystem::path test_dir();

/// A started server and the ports from its READY line.
struct server {
    std::unique_ptr<child_process> process;
    unsigned short port = 0;
    unsigned short admin = 0;
    std::string log() const;
};

/// Starts sy-test-backend with `id` on `port` (0 = any), plus `extra` flags, and waits for READY.
server start_backend(const std::string& id, unsigned short port = 0,
                     std::vector<std::string> extra = {});
/// Starts switchyard-lb with `args` (plus --port 0 --admin-port 0 unless given) and waits.
server start_lb(std::vector<std::string> args);
/// "--backend id=127.0.0.1:port" pairs for the given backends.
std::vector<std::string> backend_flags(const std::vector<std::pair<std::string, server*>>& list);

/// One HTTP answer, header names lower-cased.
struct reply {
    int status = 0;
    std::multimap<std::string, std::string> headers;
    std::string body;
    std::string header(const std::string& lower_name) const;
};

/// A keep-alive HTTP/1.1 client over one connection (plain or TLS).
class http_client {
  public:
    explicit http_client(unsigned short port, bool tls = false);
    ~http_client();
    /// Sends one request; nullopt when the connection failed or closed.
    std::optional<reply> request(
        const std::string& method, const std::string& target,
        const std::vector<std::pair<std::string, std::string>>& headers = {},
        const std::string& body = {});

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// One request on a fresh connection.
std::optional<reply> fetch(unsigned short port, const std::string& target,
                           const std::vector<std::pair<std::string, std::string>>& headers = {},
                           const std::string& method = "GET");

/// Writes `bytes` (optionally in pieces with a delay between them), then reads until the server
/// closes or `timeout` passes. Returns what was read and whether the server closed.
struct raw_result {
    std::string data;
    bool closed = false;
};
raw_result raw_exchange(unsigned short port, const std::vector<std::string>& pieces,
                        std::chrono::milliseconds gap, std::chrono::milliseconds timeout);

/// GET /stats from the admin port, parsed.
boost::json::object stats(unsigned short admin_port);
/// State string of backend `id` in /stats.
std::string backend_state(unsigned short admin_port, const std::string& id);

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

/// A WebSocket client (through the balancer), plain or TLS.
class ws_client {
  public:
    /// Connects and upgrades at `target`; `cookie` is sent as the Cookie header when non-empty.
    ws_client(unsigned short port, bool tls, const std::string& target = "/ws",
              const std::string& cookie = {});
    ~ws_client();
    /// Set-Cookie of the 101 response (empty if none) and its X-Backend-Id.
    std::string set_cookie() const;
    std::string backend_id() const;
    /// Sends a text message and reads one back; nullopt when the connection failed.
    std::optional<std::string> echo(const std::string& text);
    /// Waits until the server closes the connection (read fails); false on timeout.
    bool wait_closed(std::chrono::milliseconds timeout);

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Generates a self-signed certificate for 127.0.0.1 with the openssl CLI into `dir`.
/// Returns {cert, key}.
std::pair<std::string, std::string> make_self_signed_cert(const std::filesystem::path& dir);

/// A self-signed certificate for the DNS name `dns_name` (CN and subjectAltName). {cert, key}.
std::pair<std::string, std::string> make_named_cert(const std::filesystem::path& dir,
                                                    const std::string& dns_name);

/// The "server=<value>" pair from a Set-Cookie header value.
std::string cookie_pair(const std::string& set_cookie);

}  // namespace lbtest
