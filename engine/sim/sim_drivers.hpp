#pragma once
// The simulated world behind the runner's three interfaces (engine/run): a cluster driver and
// a fleet driver over one sim_world, and the clock over its kernel. `simulation` owns them all
// and hands the runner a run::world.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/events/event_stream.hpp"
#include "engine/run/cluster_driver.hpp"
#include "engine/run/cluster_plan.hpp"
#include "engine/run/fleet_driver.hpp"
#include "engine/run/world.hpp"
#include "engine/sim/sim_clock.hpp"
#include "engine/sim/sim_world.hpp"

namespace switchyard::sim {

/// run::cluster_driver on a sim_world. Actions act at the current virtual time and throw
/// std::runtime_error with the world's refusal text. components() is safe from any thread: it
/// reads a snapshot kept from the world's own component and health events.
class sim_cluster_driver final : public run::cluster_driver {
  public:
    explicit sim_cluster_driver(sim_world& world) : world_(world) {}

    void start() override;
    void stop() override {}
    std::string client_url() const override { return "sim://balancer"; }

    void kill(const std::string& id) override;
    void stop_process(const std::string& id) override;
    void cont(const std::string& id) override;
    void restart(const std::string& id) override;
    void drain(const std::string& id) override;
    void add_relay(const std::string& id) override;
    void remove_relay(const std::string& id) override;
    void restart_redis() override;
    /// `netns` partitions are plain partitions here: every simulated link takes every fault.
    void set_fault(const std::string& link, const std::string& toxic,
                   const faults::toxic_params& params, bool netns) override;
    void clear_fault(const std::string& link) override;

    std::vector<run::component_info> components() const override;

    /// The world's component and health events pass through here on their way to the stream.
    void note(const events::event& e);

  private:
    sim_world& world_;
    mutable std::mutex mutex_;
    std::vector<run::component_info> components_;  ///< in first-seen order
};

/// run::fleet_driver on a sim_world.
class sim_fleet_driver final : public run::fleet_driver {
  public:
    explicit sim_fleet_driver(sim_world& world) : world_(world) {}

    void start(const std::vector<fleet::fleet_config>& fleets,
               fleet::client_observer& observer) override;
    bool set_publish_rate(std::string_view fleet, double hz) override {
        return world_.set_publish_rate(fleet, hz);
    }
    bool set_count(std::string_view fleet, std::uint32_t count) override {
        return world_.set_count(fleet, count);
    }
    void pause_publishing() override { world_.pause_publishing(); }
    void stop() override;

  private:
    sim_world& world_;
    bool started_ = false;
    bool stopped_ = false;
};

/// The simulated world of one run, built from the same cluster_plan as the real one.
/// Throws std::invalid_argument for a cluster the simulator cannot model (an external or
/// HAProxy/nginx balancer, an external or memory bus), naming the key.
class simulation {
  public:
    simulation(const run::cluster_plan& plan, events::event_stream& events, sim_costs costs = {});
    ~simulation();

    run::world world() noexcept { return {cluster_, fleet_, clock_}; }
    sim_world& model() noexcept { return *world_; }

  private:
    events::event_stream& events_;
    std::unique_ptr<sim_world> world_;
    sim_cluster_driver cluster_;
    sim_fleet_driver fleet_;
    sim_clock clock_;
};

/// The simulated world's config from a cluster plan (the same keys the real world reads).
sim_cluster_config cluster_config_from(const run::cluster_plan& plan);

}  // namespace switchyard::sim
