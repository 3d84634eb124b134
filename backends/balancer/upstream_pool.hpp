#pragma once
// Idle keep-alive connections to each backend, owned by one worker thread (no locking).
#include <cstddef>
#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace switchyard::balancer {

/// One connection to a backend, with the bytes read past the last response.
struct upstream_connection {
    explicit upstream_connection(boost::asio::any_io_executor ex, std::size_t backend_index)
        : socket(ex), backend(backend_index) {}
    boost::asio::ip::tcp::socket socket;
    boost::beast::flat_buffer buffer;
    std::size_t backend;
    bool reused = false;  ///< came from the pool: a failure may just mean the backend closed it
};

/// Per-worker, per-backend stacks of idle connections; at most `max_idle_per_backend` each
/// (the newest is kept: LIFO reuse keeps the warmest sockets busy and lets old ones time out).
class upstream_pool {
  public:
    upstream_pool(std::size_t backends, std::size_t max_idle_per_backend);

    /// An idle connection to `backend`, or nullptr.
    std::unique_ptr<upstream_connection> take(std::size_t backend);
    /// Returns a connection whose last response ended cleanly with keep-alive.
    void put(std::unique_ptr<upstream_connection> connection);
    /// True when an idle connection can no longer carry a request: the backend closed it (or
    /// sent bytes nobody asked for). One non-blocking peek; used before sending a body, which
    /// could not be replayed if the connection turned out dead.
    static bool is_stale(upstream_connection& connection);
    /// Closes every idle connection to `backend` (it went down).
    void flush(std::size_t backend);
    std::size_t idle(std::size_t backend) const { return idle_[backend].size(); }

  private:
    std::vector<std::vector<std::unique_ptr<upstream_connection>>> idle_;
    std::size_t max_idle_;
};

}  // namespace switchyard::balancer
