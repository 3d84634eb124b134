#include "engine/sim/sim_drivers.hpp"

#include <stdexcept>

#include "engine/sim/sim_scenario.hpp"

namespace switchyard::sim {
namespace {

void or_throw(const std::string& error) {
    if (!error.empty())
        throw std::runtime_error(error);
}

}  // namespace

void sim_cluster_driver::start() {
    world_.start_cluster();
}
void sim_cluster_driver::kill(const std::string& id) {
    or_throw(world_.kill(id));
}
void sim_cluster_driver::stop_process(const std::string& id) {
    or_throw(world_.stop_process(id));
}
void sim_cluster_driver::cont(const std::string& id) {
    or_throw(world_.cont(id));
}
void sim_cluster_driver::restart(const std::string& id) {
    or_throw(world_.restart(id));
}
void sim_cluster_driver::drain(const std::string& id) {
    or_throw(world_.drain(id));
}
void sim_cluster_driver::add_relay(const std::string& id) {
    or_throw(world_.add_relay_named(id));
}
void sim_cluster_driver::remove_relay(const std::string& id) {
    or_throw(world_.remove_relay(id));
}
void sim_cluster_driver::restart_redis() {
    or_throw(world_.restart_redis());
}
void sim_cluster_driver::set_fault(const std::string& link, const std::string& toxic,
                                   const faults::toxic_params& params, bool /*netns*/) {
    or_throw(world_.set_fault(link, toxic, params));
}
void sim_cluster_driver::clear_fault(const std::string& link) {
    or_throw(world_.clear_fault(link));
}

std::vector<run::component_info> sim_cluster_driver::components() const {
    std::lock_guard lock(mutex_);
    return components_;
}

void sim_cluster_driver::note(const events::event& e) {
    std::lock_guard lock(mutex_);
    auto row = [&](const std::string& id) -> run::component_info& {
        for (auto& c : components_)
            if (c.id == id)
                return c;
        components_.push_back({});
        components_.back().id = id;
        return components_.back();
    };
    if (const auto* c = std::get_if<events::component_changed>(&e)) {
        auto& r = row(c->component);
        r.kind = c->kind;
        r.state = c->state;
    } else if (const auto* h = std::get_if<events::health_changed>(&e)) {
        row(h->backend).health = h->to;
    }
}

void sim_fleet_driver::start(const std::vector<fleet::fleet_config>& fleets,
                             fleet::client_observer& observer) {
    if (started_)
        throw std::invalid_argument("fleets already started");
    started_ = true;
    world_.start_fleets(fleets, observer);
}

void sim_fleet_driver::stop() {
    if (!started_ || stopped_)
        return;
    stopped_ = true;
    world_.stop_fleets();
}

sim_cluster_config cluster_config_from(const run::cluster_plan& plan) {
    const auto& b = plan.cluster.balancer;
    if (b.kind != run::balancer_kind::switchyard)
        throw std::invalid_argument("balancer: kind " + std::string(run::to_string(b.kind)) +
                                    " is real-world only; the simulator models switchyard-lb");
    if (plan.cluster.bus.kind != run::bus_kind::redis)
        throw std::invalid_argument("bus: only the engine-started redis is simulated");
    sim_cluster_config c;
    c.seed = plan.seed;
    c.relays = plan.cluster.relays.names;
    c.history = plan.cluster.relays.history;
    c.send_queue_bytes = plan.cluster.relays.send_queue_bytes;
    c.balancer = balancer_settings_from(b.strategy, b.sticky, b.health.interval, b.health.timeout,
                                        b.health.rise, b.health.fall);
    return c;
}

simulation::simulation(const run::cluster_plan& plan, events::event_stream& events, sim_costs costs)
    : events_(events),
      world_(std::make_unique<sim_world>(cluster_config_from(plan), costs,
                                         [this](const events::event& e) {
                                             cluster_.note(e);
                                             events_.publish(e);
                                         })),
      cluster_(*world_),
      fleet_(*world_),
      clock_(world_->kernel()) {}

simulation::~simulation() = default;

}  // namespace switchyard::sim
