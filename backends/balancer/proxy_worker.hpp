#pragma once
// One event-loop thread of switchyard-lb: its own io_context, SO_REUSEPORT listeners, backend
// chooser, upstream keep-alive pool and the client sessions it accepted.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "backends/balancer/balancer_state.hpp"
#include "backends/balancer/upstream_pool.hpp"
#include "backends/policy/backend_chooser.hpp"
#include "backends/policy/token_bucket.hpp"

namespace switchyard::balancer {

/// A client session as the worker sees it: SIGTERM closes the idle ones, and the worker's
/// periodic sweep enforces its one coarse deadline (cheaper than a timer re-armed per read).
struct session_slot {
    using time_point = std::chrono::steady_clock::time_point;
    boost::asio::ip::tcp::socket* client = nullptr;    ///< lowest layer of the client stream
    boost::asio::ip::tcp::socket* upstream = nullptr;  ///< backend socket while one is in use
    /// The backend `upstream` leads to, while a request or tunnel uses it (else no_backend).
    std::size_t backend = no_backend;
    static constexpr std::size_t no_backend = static_cast<std::size_t>(-1);
    time_point deadline = time_point::max();  ///< the pending step must end by then
    bool timed_out = false;                   ///< the sweep cancelled the pending step
    bool idle = false;                        ///< between requests on a keep-alive connection
};

/// Owns one io_context and everything that runs on it. All members are touched only from that
/// io_context's thread, except `stop_accepting` and `stop`, which post to it.
class proxy_worker {
  public:
    proxy_worker(balancer_state& state, std::size_t index, boost::asio::ssl::context* tls);
    ~proxy_worker();

    boost::asio::io_context& context() noexcept { return ioc_; }
    balancer_state& state() noexcept { return state_; }
    std::size_t index() const noexcept { return index_; }

    /// Binds a listener (SO_REUSEPORT); returns the port it got. `tls` sessions handshake first.
    unsigned short listen(const boost::asio::ip::tcp::endpoint& at, bool tls, bool reuse_port);
    /// Starts the accept loops and runs the io_context on a new thread.
    void start();
    /// Runs the io_context on the calling thread (worker 0 in the main thread).
    void run();
    void join();
    /// Closes the listeners and every idle keep-alive client (SIGTERM). Thread-safe.
    void stop_accepting();
    /// Stops the event loop at once (SIGINT, or the end of a drain). Thread-safe.
    void stop();

    // Used by the sessions running on this worker.
    policy::backend_chooser& chooser();
    upstream_pool& upstreams() noexcept { return upstreams_; }
    boost::asio::ssl::context* tls_context() noexcept { return tls_; }
    /// The backend a cookie value names when it is valid and the id configured (cached).
    std::optional<std::size_t> decode_cookie(std::string_view value);
    /// `Set-Cookie` value pinning a client to backend `i` (cached per second).
    const std::string& set_cookie_for(std::size_t i, bool secure);
    /// Takes one new-connection token of backend `i` (limits.max_connects_per_backend_per_s,
    /// split evenly over the workers); false when the backend is at its cap right now.
    bool may_connect(std::size_t i);
    std::list<session_slot>::iterator add_session();
    void remove_session(std::list<session_slot>::iterator it);
    /// Sets the session's deadline `timeout` from now (never early, up to two sweeps late).
    void arm(session_slot& s, std::chrono::milliseconds timeout) const noexcept {
        s.deadline = coarse_now_ + timeout + sweep_period_;
        s.timed_out = false;
    }

  private:
    struct listener {
        boost::asio::ip::tcp::acceptor acceptor;
        bool tls;
    };
    struct cookie_cache {
        std::int64_t second = -1;
        std::string plain;
        std::string secure;
    };
    void spawn_accept(listener& l);
    void spawn_sweep();
    /// Ends the requests and tunnels whose backend is down or disabled, so their clients
    /// reconnect to a live one (health.close_sessions_on_down).
    void close_sessions_on_dead_backends();
    /// Worker 0 only: samples the accept rate once a second for accepts_peak_per_s.
    void sample_accept_rate();

    balancer_state& state_;
    std::size_t index_;
    boost::asio::ssl::context* tls_;
    // Every I/O object of a worker lives on its thread; only post() crosses threads, so the
    // reactor can skip its per-descriptor locking.
    boost::asio::io_context ioc_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
    std::vector<std::unique_ptr<listener>> listeners_;
    policy::backend_chooser chooser_;
    upstream_pool upstreams_;
    std::vector<cookie_cache> cookies_;
    std::string last_cookie_value_;
    std::size_t last_cookie_index_ = 0;
    std::int64_t last_cookie_checked_ = -1;
    std::list<session_slot> sessions_;
    std::vector<std::uint8_t> dead_;  ///< scratch for close_sessions_on_dead_backends
    std::vector<policy::token_bucket> connect_buckets_;  ///< one per backend
    std::chrono::steady_clock::time_point rate_sampled_at_ = std::chrono::steady_clock::now();
    std::uint64_t rate_sampled_total_ = 0;
    /// How often deadlines are checked: a quarter of the shortest timeout, 5..250 ms.
    std::chrono::milliseconds sweep_period_;
    /// The clock as of the last sweep; deadlines are set from it without reading the clock.
    std::chrono::steady_clock::time_point coarse_now_ = std::chrono::steady_clock::now();
    std::thread thread_;
};

}  // namespace switchyard::balancer
