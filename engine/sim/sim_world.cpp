#include "engine/sim/sim_world.hpp"

#include <stdexcept>

#include "engine/sim/component_rng.hpp"
#include "engine/sim/sim_world_state.hpp"

namespace switchyard::sim {
sim_world::sim_world(sim_cluster_config config, sim_costs costs, event_sink sink)
    : config_(std::move(config)),
      costs_(costs),
      sink_(std::move(sink)),
      balancer_(config_.balancer, component_rng(config_.seed, "balancer")),
      bus_(config_.history == 0 ? policy::channel_log::default_history_max : config_.history),
      pending_max_(policy::hub::default_pending_max) {
    if (config_.send_queue_bytes != 0)
        costs_.send_queue_bytes_max = config_.send_queue_bytes;
    links_.emplace_back("client-balancer", costs_.client_link,
                        component_rng(config_.seed, "link:client-balancer"));
    client_link_ = &links_.back();
    link_by_name_.emplace(client_link_->name(), client_link_);
}

sim_world::~sim_world() = default;

std::uint32_t sim_world::channel_index(const std::string& name) {
    const auto it = channel_by_name_.find(name);
    if (it != channel_by_name_.end())
        return it->second;
    const auto i = static_cast<std::uint32_t>(channels_.size());
    channels_.push_back(name);
    channel_by_name_.emplace(name, i);
    for (auto& r : relays_)
        r->bus_channels().resize(channels_.size());
    return i;
}

sim_link* sim_world::find_link(std::string_view name) {
    const auto it = link_by_name_.find(name);
    return it == link_by_name_.end() ? nullptr : it->second;
}

std::uint32_t sim_world::add_relay(const std::string& id) {
    const auto r = static_cast<std::uint32_t>(relays_.size());
    relays_.push_back(std::make_unique<sim_relay>(id, r, pending_max_));
    relays_.back()->bus_channels().resize(channels_.size());
    probe_epoch_.push_back(0);
    bus_cut_epoch_.push_back(0);
    // A relay outside the core zone is farther from the balancer and the bus.
    const auto zone = costs_.zones.relays.find(id);
    auto placed = [&](link_profile p) {
        if (zone != costs_.zones.relays.end()) {
            p.latency += zone->second.latency;
            p.jitter += zone->second.jitter;
        }
        return p;
    };
    for (const auto& [name, profile, out] :
         {std::tuple{"balancer-" + id, placed(costs_.backend_link), &backend_links_},
          std::tuple{id + "-redis", placed(costs_.bus_link), &bus_links_}}) {
        links_.emplace_back(name, profile, component_rng(config_.seed, "link:" + name));
        link_by_name_.emplace(name, &links_.back());
        out->push_back(&links_.back());
    }
    const auto b = balancer_.add_backend(id, now());
    if (b != r)
        throw std::logic_error("relay and backend indices diverged");
    component(id, "relay", "ready");
    schedule_probe(r);
    return r;
}

void sim_world::start_cluster() {
    component("redis", "redis", "ready");
    for (const auto& id : config_.relays)
        add_relay(id);
    component("balancer", "balancer", "ready");
}

void sim_world::component(const std::string& name, const char* kind, const char* state) {
    if (sink_)
        sink_(events::component_changed{now(), name, kind, state, 0, 0, 0});
}

// Health checks: one chain of probes per backend, at the times its tracker asks for. A probe
// crosses the backend link both ways; a dead or stopped relay, or a faulted link, fails it.
void sim_world::schedule_probe(std::uint32_t b) {
    const auto epoch = probe_epoch_[b];
    kernel_.at(balancer_.next_probe_at(b), [this, b, epoch] { probe(b, epoch); });
}

void sim_world::probe(std::uint32_t b, std::uint32_t epoch) {
    if (epoch != probe_epoch_[b])
        return;
    sim_link& link = *backend_links_[b];
    const auto timeout = balancer_.settings().probe_timeout;
    bool ok = relays_[b]->life() == relay_life::up && !relays_[b]->deaf() &&
              link.on_connect(now()).kind == faults::connection_action::proceed;
    micros answered = now() + timeout;
    if (ok) {
        flow_state up, down;  // a probe is its own short connection
        const auto there = link.send(faults::stream_dir::upstream, 100, now(), up);
        const auto back = there.kind == transit::deliver
                              ? link.send(faults::stream_dir::downstream, 100, there.at, down)
                              : there;
        ok = back.kind == transit::deliver && back.at - now() <= timeout;
        if (ok)
            answered = back.at;
    }
    kernel_.at(answered, [this, b, epoch, ok] {
        if (epoch != probe_epoch_[b])
            return;
        note_health(b, balancer_.on_probe(b, ok, now()));
        schedule_probe(b);
    });
}

void sim_world::note_health(std::uint32_t b, const std::optional<policy::health_transition>& t) {
    if (t && sink_)
        sink_(events::health_changed{now(), balancer_.id(b),
                                     std::string(policy::to_string(t->from)),
                                     std::string(policy::to_string(t->to))});
    if (t && (t->to == policy::backend_state::down || t->to == policy::backend_state::disabled))
        close_sessions(b, "balancer: backend down");
}

std::size_t sim_world::relay_clients(const std::string& id) const {
    const auto r = relay_named(id);
    return r ? relays_[*r]->members().size() : 0;
}

std::size_t sim_world::connected_clients() const {
    std::size_t n = 0;
    for (const auto& r : relays_)
        n += r->members().size();
    return n;
}

}  // namespace switchyard::sim
