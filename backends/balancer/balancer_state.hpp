#pragma once
// What every worker thread of one switchyard-lb process shares: config, backend table, cookie
// codec, totals and the draining flag.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "backends/balancer/address_quota.hpp"
#include "backends/balancer/backend_pool.hpp"
#include "backends/balancer/balancer_config.hpp"
#include "backends/policy/sticky_codec.hpp"

namespace switchyard::balancer {

/// Process-wide counters, reported under "totals" in /stats.
struct balancer_totals {
    std::atomic<std::uint32_t> connections_active{0};
    std::atomic<std::uint64_t> connections_total{0};
    std::atomic<std::uint64_t> connections_rejected{0};  ///< over max_connections
    /// over max_connections_per_address
    std::atomic<std::uint64_t> connections_rejected_per_address{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint32_t> tunnels_active{0};
    std::atomic<std::uint64_t> tunnels{0};
    std::atomic<std::uint64_t> redispatches{0};  ///< requests moved after a refused/reset backend
    std::atomic<std::uint64_t> no_backend{0};    ///< 503: nothing up
    std::atomic<std::uint64_t> bad_gateway{0};   ///< 502: backend failed mid-request
    std::atomic<std::uint64_t> bad_requests{0};  ///< 400, 413, 431
    std::atomic<std::uint64_t> timeouts{0};      ///< header or idle timeouts that closed a client
    /// request bodies not complete within limits.body_timeout (408)
    std::atomic<std::uint64_t> body_timeouts{0};
    /// requests and tunnels ended because their backend went down or was disabled
    std::atomic<std::uint64_t> sessions_closed_on_down{0};
    std::atomic<std::uint32_t> connects_pending{0};  ///< backend connects in flight
    /// requests turned away because every backend that could take them was at its connect cap
    std::atomic<std::uint64_t> connects_refused_by_rate{0};
    /// most client connections accepted in one second since start
    std::atomic<std::uint64_t> accepts_peak_per_s{0};
};

/// Shared by all workers; immutable after start except for atomics and the pool.
struct balancer_state {
    balancer_state(balancer_config cfg, std::string cookie_secret)
        : config(std::move(cfg)),
          pool(config.backends, config.health, std::chrono::steady_clock::now()),
          codec(std::move(cookie_secret), config.sticky.max_age),
          per_address(config.limits.max_connections_per_address) {}

    balancer_config config;
    backend_pool pool;
    policy::sticky_codec codec;
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;  ///< resolved, same order as backends
    balancer_totals totals;
    address_quota per_address;  ///< client connections per source address
    std::size_t workers = 1;    ///< worker threads (set before they start)
    std::atomic<bool> draining{false};
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace switchyard::balancer
