#pragma once
// The balancer's shared table of backends: health trackers behind one lock, and the counters and
// published state every worker thread reads without locking on each pick.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "backends/balancer/balancer_config.hpp"
#include "backends/policy/backend_state.hpp"
#include "backends/policy/health_tracker.hpp"

namespace switchyard::balancer {

/// Lock-free counters and published state of one backend, read on every pick.
struct backend_counters {
    std::atomic<std::uint8_t> state{static_cast<std::uint8_t>(policy::backend_state::up)};
    std::atomic<std::uint32_t> effective_weight{1};
    std::atomic<std::uint32_t> active_connections{0};  ///< in-flight requests + open tunnels
    std::atomic<std::uint32_t> active_tunnels{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> tunnels{0};
    std::atomic<std::uint64_t> errors{0};  ///< refused/reset/timed-out connections, passive
    std::atomic<std::uint64_t> responses_5xx{0};
    std::atomic<std::uint64_t> connects{0};  ///< new connections opened to the backend
    /// new connections not opened because of limits.max_connects_per_backend_per_s
    std::atomic<std::uint64_t> connects_capped{0};
};

/// What the admin API and /stats report about one backend at one moment.
struct backend_snapshot {
    std::string id;
    std::string address;
    policy::backend_state state;
    policy::backend_state health;
    std::uint32_t weight;
    std::uint32_t effective_weight;
    std::uint32_t active_connections;
    std::uint32_t active_tunnels;
    std::uint64_t requests;
    std::uint64_t tunnels;
    std::uint64_t errors;
    std::uint64_t responses_5xx;
    std::uint64_t connects;
    std::uint64_t connects_capped;
    std::uint64_t state_changes;
    std::optional<std::chrono::milliseconds> last_check_age;
    bool last_check_ok;
    std::optional<std::chrono::milliseconds> last_change_age;
};

/// Owns one health_tracker per backend (mutated under `mutex_`) and publishes each tracker's
/// state into atomics after every change. Thread-safe.
class backend_pool {
  public:
    using clock = std::chrono::steady_clock;
    /// Called (under no lock) for each state change, for logging.
    using transition_sink =
        std::function<void(const std::string& id, const policy::health_transition&)>;

    backend_pool(const std::vector<backend_config>& backends, const health_check_config& health,
                 clock::time_point now);

    std::size_t size() const noexcept { return configs_.size(); }
    const backend_config& config(std::size_t i) const { return configs_[i]; }
    backend_counters& counters(std::size_t i) { return *counters_[i]; }
    std::optional<std::size_t> index_of(std::string_view id) const;

    policy::backend_state state(std::size_t i) const noexcept {
        return static_cast<policy::backend_state>(
            counters_[i]->state.load(std::memory_order_relaxed));
    }

    void on_probe(std::size_t i, bool ok, clock::time_point now);
    /// Live traffic saw a refused/reset connection: counts it and wakes the prober for it.
    void on_passive_error(std::size_t i, clock::time_point now);
    clock::time_point next_probe_at(std::size_t i) const;

    enum class admin_command { drain, disable, enable };
    /// Applies an operator command; false when `id` is unknown.
    bool apply(std::string_view id, admin_command cmd, clock::time_point now);

    std::vector<backend_snapshot> snapshot(clock::time_point now) const;
    void set_transition_sink(transition_sink sink) { sink_ = std::move(sink); }
    /// Called with the index after a passive error so the prober can check it at once.
    void set_wake_prober(std::function<void(std::size_t)> wake) { wake_ = std::move(wake); }

  private:
    void publish(std::size_t i, clock::time_point now);

    std::vector<backend_config> configs_;
    std::vector<std::unique_ptr<backend_counters>> counters_;
    mutable std::mutex mutex_;
    std::vector<policy::health_tracker> trackers_;
    std::vector<std::optional<clock::time_point>> last_change_;
    transition_sink sink_;
    std::function<void(std::size_t)> wake_;
};

}  // namespace switchyard::balancer
