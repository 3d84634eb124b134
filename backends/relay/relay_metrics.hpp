#pragma once
// Counters behind the admin port's /metrics, shared by every shard (relaxed atomics).
#include <atomic>
#include <cstdint>

namespace switchyard::relay {

/// One relay's counters and gauges. Names match the Prometheus series in relay_server.cpp.
struct relay_metrics {
    std::atomic<std::int64_t> connections{0};
    std::atomic<std::uint64_t> connections_total{0};
    std::atomic<std::int64_t> sockjs_sessions{0};
    std::atomic<std::uint64_t> frames_received{0};
    std::atomic<std::uint64_t> frames_rejected{0};
    std::atomic<std::uint64_t> publishes{0};
    std::atomic<std::uint64_t> publish_errors{0};
    std::atomic<std::uint64_t> deliveries{0};
    std::atomic<std::uint64_t> directs_delivered{0};
    std::atomic<std::uint64_t> slow_consumers{0};
    std::atomic<std::uint64_t> too_large{0};
    std::atomic<std::uint64_t> resumes{0};
    std::atomic<std::uint64_t> resume_gaps{0};
    std::atomic<std::uint64_t> replayed{0};
    std::atomic<std::uint64_t> replay_live_held{0};
    // Limits on untrusted clients (switchyard_relay_* series, docs/security.md).
    std::atomic<std::uint64_t> handshake_timeouts{0};
    std::atomic<std::uint64_t> idle_timeouts{0};
    std::atomic<std::uint64_t> connections_rejected{0};
    std::atomic<std::uint64_t> connections_rejected_per_address{0};
    std::atomic<std::uint64_t> accept_fd_exhausted{0};
    std::atomic<std::uint64_t> connections_shed{0};
    std::atomic<std::uint64_t> client_id_replaced{0};
    std::atomic<std::uint64_t> token_rejections{0};
    std::atomic<std::uint64_t> origin_rejections{0};
    std::atomic<std::uint64_t> channel_limit_rejections{0};
    std::atomic<std::uint64_t> resume_beyond_latest{0};
    std::atomic<std::uint64_t> heap_trims{0};
    /// Client connections closed (any reason): a trim is worth it only after some.
    std::atomic<std::uint64_t> connections_closed{0};
};

}  // namespace switchyard::relay
