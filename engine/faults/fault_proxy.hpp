#pragma once
// A TCP fault proxy for one link (client-to-balancer, balancer-to-relay, relay-to-redis): listens
// on 127.0.0.1:<port 0>, forwards every accepted connection to an upstream host:port, and
// applies the toxics set on it. Toxics can be added and removed while connections are live.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/faults/toxic.hpp"

namespace switchyard::faults {

struct fault_proxy_options {
    std::string name = "proxy";  ///< for logs and events, e.g. "lb->relay-2"
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 0;  ///< 0 = any free port; read port() after construction
    std::string upstream_host = "127.0.0.1";
    std::uint16_t upstream_port = 0;
    std::uint64_t seed = 1;  ///< for toxic jitter
    /// Bytes read from one side and not yet written to the other before the proxy stops reading
    /// that side (backpressure): keeps a stalled or slowed link from growing memory.
    std::size_t queue_bytes_max = 1 << 20;
    std::size_t read_chunk_bytes = 16 * 1024;  ///< one read's buffer
};

/// Live numbers (snapshot).
struct fault_proxy_counters {
    std::uint64_t accepted = 0;           ///< client connections accepted
    std::uint64_t active = 0;             ///< gauge: connections open now
    std::uint64_t upstream_failures = 0;  ///< upstream connects refused or failed
    std::uint64_t bytes_upstream = 0;     ///< bytes written to the upstream side
    std::uint64_t bytes_downstream = 0;   ///< bytes written to the client side
    std::uint64_t bytes_dropped = 0;      ///< bytes discarded by toxics
    std::uint64_t resets = 0;             ///< connections aborted by a toxic
    std::uint64_t closes = 0;             ///< connections closed by a toxic (timeout)
};

/// Owns its own io_context and thread, so callers need no Asio. Every method is thread-safe.
class fault_proxy {
  public:
    /// Binds and starts accepting. Throws std::system_error if the listen address is unusable.
    explicit fault_proxy(fault_proxy_options options);
    /// Closes the listener and every connection, joins the thread.
    ~fault_proxy();
    fault_proxy(const fault_proxy&) = delete;
    fault_proxy& operator=(const fault_proxy&) = delete;

    std::uint16_t port() const noexcept;
    const std::string& name() const noexcept;

    /// Where new connections go from now on (a restarted relay may have a new port). Live
    /// connections keep their upstream.
    void set_upstream(std::string host, std::uint16_t port);

    /// Adds a toxic under `key` (replacing one with the same key) and applies it to live
    /// connections at once. Returns after the proxy thread has applied it.
    void add_toxic(std::string key, std::unique_ptr<toxic> t);
    /// Removes the toxic under `key`; stalled data flows again. False if there was none.
    bool remove_toxic(std::string_view key);
    /// Removes every toxic.
    void clear_toxics();
    /// Keys of the toxics in application order.
    std::vector<std::string> toxic_keys() const;

    fault_proxy_counters counters() const;

    struct impl;  ///< Asio shell, in fault_proxy.cpp

  private:
    std::shared_ptr<impl> impl_;
};

}  // namespace switchyard::faults
