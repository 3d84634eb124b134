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
};

}  // namespace switchyard::relay
