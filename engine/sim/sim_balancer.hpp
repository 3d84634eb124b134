#pragma once
// The simulated balancer: the same selector table, sticky codec and health tracker the real
// switchyard-lb runs, driven in virtual time. It decides where a connection goes; the world
// carries the bytes.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/policy/health_tracker.hpp"
#include "backends/policy/selector.hpp"
#include "backends/policy/sticky_codec.hpp"
#include "engine/sim/sim_costs.hpp"

namespace switchyard::sim {

/// The balancer keys a scenario sets (strategy, sticky, health timing), as switchyard-lb reads
/// them from the engine's flags.
struct balancer_settings {
    std::string strategy = "round-robin";
    bool sticky = true;
    policy::health_config health;      ///< rise, fall, inter from the scenario
    micros probe_timeout{200'000};     ///< a probe slower than this failed
    std::uint32_t redispatch_max = 3;  ///< extra backends tried after a refused connect
    std::string cookie_secret = "switchyard-sim";
};

/// One routing decision for a new connection.
struct route {
    std::optional<std::size_t> backend;  ///< nullopt: no backend accepts new clients (503)
    bool cookie_honoured = false;        ///< the request's cookie named the chosen backend
};

/// Backends in a stable order, each with its health tracker; selection with the real selector.
class sim_balancer {
  public:
    sim_balancer(balancer_settings settings, policy::fast_rng rng);

    /// Adds a backend (starts up, probed at once, as the real one). Returns its index.
    std::size_t add_backend(std::string id, micros now);
    std::size_t backend_count() const noexcept { return views_.size(); }
    const std::string& id(std::size_t backend) const { return views_[backend].id; }
    std::optional<std::size_t> find(std::string_view id) const;

    /// Where a connection carrying `cookie` ("" = none) goes, skipping backends in `tried`
    /// (one flag per backend; may be empty).
    route choose(std::string_view cookie, std::string_view hash_key,
                 const std::vector<std::uint8_t>& tried, micros now);
    /// The cookie value pinning a client to `backend`.
    std::string cookie_for(std::size_t backend, micros now) const;

    std::optional<policy::health_transition> on_probe(std::size_t backend, bool ok, micros now);
    std::optional<policy::health_transition> on_passive_error(std::size_t backend, micros now);
    std::optional<policy::health_transition> drain(std::size_t backend, micros now);
    std::optional<policy::health_transition> disable(std::size_t backend, micros now);
    std::optional<policy::health_transition> enable(std::size_t backend, micros now);
    micros next_probe_at(std::size_t backend) const;
    policy::backend_state state(std::size_t backend) const { return trackers_[backend].state(); }

    /// Connection counts feed least-conn and power-of-two.
    void on_opened(std::size_t backend) { ++views_[backend].active_connections; }
    void on_closed(std::size_t backend);

    const balancer_settings& settings() const noexcept { return settings_; }
    service_queue& accept_queue() noexcept { return accept_; }

  private:
    void refresh(micros now);

    balancer_settings settings_;
    policy::fast_rng rng_;
    std::unique_ptr<policy::selector> selector_;
    policy::sticky_codec codec_;
    std::vector<policy::backend_view> views_;
    std::vector<policy::health_tracker> trackers_;
    std::map<std::string, std::size_t, std::less<>> by_id_;
    std::vector<policy::backend_view> scratch_;  ///< views with tried backends weighted 0
    service_queue accept_;
};

/// The wall-clock time a virtual instant stands for (a fixed epoch, so cookies replay).
std::chrono::system_clock::time_point sim_wall_time(micros now) noexcept;

}  // namespace switchyard::sim
