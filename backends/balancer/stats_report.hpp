#pragma once
// Renders /stats (JSON) and /metrics (Prometheus text) from a snapshot. The JSON shape is a
// contract with the scenario engine: see docs/balancer.md before changing it.
#include <chrono>
#include <string>
#include <vector>

#include "backends/balancer/backend_pool.hpp"

namespace switchyard::balancer {

/// Plain copy of the process totals at one moment.
struct totals_snapshot {
    std::uint32_t connections_active = 0;
    std::uint64_t connections_total = 0;
    std::uint64_t connections_rejected = 0;
    std::uint64_t connections_rejected_per_address = 0;
    std::uint64_t sessions_closed_on_down = 0;
    std::uint32_t connects_pending = 0;
    std::uint64_t connects_refused_by_rate = 0;
    std::uint64_t accepts_peak_per_s = 0;
    std::uint64_t requests = 0;
    std::uint32_t tunnels_active = 0;
    std::uint64_t tunnels = 0;
    std::uint64_t redispatches = 0;
    std::uint64_t no_backend = 0;
    std::uint64_t bad_gateway = 0;
    std::uint64_t bad_requests = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t body_timeouts = 0;
};

/// Everything one /stats or /metrics answer shows.
struct stats_view {
    std::string name;
    std::string strategy;
    std::uint64_t seed = 0;  ///< the selectors' seed in use (drawn at start when set to 0)
    bool draining = false;
    std::chrono::milliseconds uptime{0};
    totals_snapshot totals;
    std::vector<backend_snapshot> backends;
};

std::string render_stats_json(const stats_view& view);
std::string render_metrics(const stats_view& view);

}  // namespace switchyard::balancer
