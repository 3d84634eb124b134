// The scenario's actions applied to the simulated world: the timeline and hand actions mean
// here what they mean for real (a kill resets every connection, a stop holds all work, ...).
#include <algorithm>
#include <stdexcept>

#include "engine/sim/sim_world.hpp"
#include "engine/sim/sim_world_state.hpp"
#include "engine/verify/expectation.hpp"

namespace switchyard::sim {
namespace {

constexpr micros relay_restart_time{100'000};  ///< a restarted relay serves again after this

}  // namespace

std::optional<std::uint32_t> sim_world::relay_named(const std::string& id) const {
    if (auto b = balancer_.find(id))
        return static_cast<std::uint32_t>(*b);
    return std::nullopt;
}

std::string sim_world::kill(const std::string& id) {
    const auto r = relay_named(id);
    if (!r)
        return "unknown relay '" + id + "'";
    if (relays_[*r]->life() == relay_life::dead)
        return id + " is not running";
    lose_relay(*r, "connection reset", "killed");
    return {};
}

std::string sim_world::restart(const std::string& id) {
    if (id == "balancer")
        return restart_balancer();
    const auto r = relay_named(id);
    if (!r)
        return "unknown relay '" + id + "'";
    if (relays_[*r]->life() != relay_life::dead)
        lose_relay(*r, "connection reset", "killed");  // a dead one just starts again
    kernel_.after(relay_restart_time, [this, rr = *r, id] {
        relays_[rr]->set_life(relay_life::up);
        component(id, "relay", "ready");
    });
    return {};
}

// Every client connection runs through the balancer (tunnels and polls alike), so a restart
// ends them all at once; the clients reconnect with their cookies, which the new process
// honours, as the engine gives every balancer start of a run one secret. Health checks carry
// on where they were (a simplification: a real restart starts every backend up again).
std::string sim_world::restart_balancer() {
    std::vector<std::uint32_t> all;
    for (const auto& relay : relays_)
        all.insert(all.end(), relay->members().begin(), relay->members().end());
    for (const auto c : all) {
        const auto gen = clients_[c].conn;
        detach(c);
        kernel_.after(client_link_->profile().latency + zone_latency(c),
                      [this, c, gen] { client_closed(c, gen, "connection reset"); });
    }
    component("balancer", "balancer", "killed");
    component("balancer", "balancer", "ready");
    return {};
}

std::string sim_world::drain(const std::string& id) {
    const auto r = relay_named(id);
    if (!r)
        return "unknown relay '" + id + "'";
    if (relays_[*r]->life() == relay_life::dead)
        return id + " is not running";
    lose_relay(*r, "1001 going away", "exited");
    return {};
}

std::string sim_world::remove_relay(const std::string& id) {
    const auto r = relay_named(id);
    if (!r)
        return "unknown relay '" + id + "'";
    note_health(*r, balancer_.disable(*r, now()));
    return relays_[*r]->life() == relay_life::dead ? std::string() : drain(id);
}

std::string sim_world::stop_process(const std::string& id) {
    const auto r = relay_named(id);
    if (!r)
        return "unknown relay '" + id + "'";
    if (relays_[*r]->life() != relay_life::up)
        return id + " is not running";
    relays_[*r]->set_life(relay_life::stopped);
    component(id, "relay", "stopped");
    return {};
}

std::string sim_world::cont(const std::string& id) {
    const auto r = relay_named(id);
    if (!r)
        return "unknown relay '" + id + "'";
    auto& relay = *relays_[*r];
    if (relay.life() != relay_life::stopped)
        return id + " is not stopped";
    relay.set_life(relay_life::up);
    component(id, "relay", "continued");
    for (auto& work : relay.take_held())
        work();
    return {};
}

std::string sim_world::add_relay_named(const std::string& id) {
    if (relay_named(id))
        return "relay '" + id + "' exists";
    add_relay(id);
    return {};
}

std::string sim_world::restart_redis() {
    bus_.set_up(false);
    component("redis", "redis", "killed");
    kernel_.after(costs_.bus_restart, [this] {
        bus_.set_up(true);
        component("redis", "redis", "ready");
    });
    return {};
}

std::string sim_world::set_fault(const std::string& link_name, const std::string& toxic,
                                 const faults::toxic_params& params) {
    sim_link* link = find_link(link_name);
    if (!link)
        return "unknown link '" + link_name + "'";
    try {
        const auto live = link->set_fault(toxic, params, now());
        if (sink_) {
            std::string detail = "toxic=" + toxic;
            for (const auto& [k, v] : params.values)
                detail += " " + k + "=" + verify::format_number(v);
            sink_(events::fault_changed{now(), link_name, toxic, detail, true});
        }
        close_crossing(link_name, live);
        for (std::uint32_t r = 0; r < relays_.size(); ++r)
            if (bus_links_[r] == link)
                cut_bus_link(r, toxic);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

std::string sim_world::clear_fault(const std::string& link_name) {
    sim_link* link = find_link(link_name);
    if (!link)
        return "unknown link '" + link_name + "'";
    link->clear_faults();
    for (std::uint32_t r = 0; r < relays_.size(); ++r)
        if (bus_links_[r] == link) {
            ++bus_cut_epoch_[r];  // a detection still pending finds the link healed
            relays_[r]->set_deaf(false);
        }
    if (sink_)
        sink_(events::fault_changed{now(), link_name, "", "", false});
    release_stalled(link_name);
    return {};
}

// A relay goes away: it forgets its connections and subscriptions at once; each client learns
// of the close one trip later. The balancer learns from its probes and from refused connects.
void sim_world::lose_relay(std::uint32_t r, const char* reason, const char* state) {
    auto& relay = *relays_[r];
    const micros trip = backend_links_[r]->close_delay(faults::stream_dir::downstream, now()) +
                        client_link_->close_delay(faults::stream_dir::downstream, now());
    const std::vector<std::uint32_t> members = relay.members();
    for (const auto c : members) {
        const auto gen = clients_[c].conn;
        detach(c);
        kernel_.after(trip + zone_latency(c),
                      [this, c, gen, why = std::string(reason)] { client_closed(c, gen, why); });
    }
    relay.set_life(relay_life::dead);
    relay.reset(pending_max_);
    relay.bus_channels().resize(channels_.size());
    bus_.unsubscribe_all(r);
    component(relay.id(), "relay", state);
}

// The balancer ends a down backend's sessions (close_sessions_on_down, on in switchyard-lb):
// each client learns of the close one trip over the client link later.
void sim_world::close_sessions(std::uint32_t r, const char* reason) {
    const std::vector<std::uint32_t> members = relays_[r]->members();
    for (const auto c : members) {
        const auto gen = clients_[c].conn;
        detach(c);
        kernel_.after(client_link_->profile().latency + zone_latency(c),
                      [this, c, gen, why = std::string(reason)] { client_closed(c, gen, why); });
    }
}

// The real relay publishes a canary every 250 ms and is deaf when one is not heard back within
// 1 s (backends/bus/delivery_canary.hpp defaults): detection takes the deadline plus up to one
// interval, modelled as the worst case. A reset is not a cut: the links reconnect at once.
void sim_world::cut_bus_link(std::uint32_t r, const std::string& toxic) {
    constexpr micros canary_detection{1'250'000};
    if (toxic != "blackhole" && toxic != "partition" && toxic != "timeout")
        return;
    kernel_.after(canary_detection, [this, r, epoch = bus_cut_epoch_[r]] {
        auto& relay = *relays_[r];
        if (epoch != bus_cut_epoch_[r] || relay.life() != relay_life::up || relay.deaf())
            return;
        relay.set_deaf(true);
        // Its clients are closed 1011 at once; its health says 503 (the probes fail).
        const std::vector<std::uint32_t> members = relay.members();
        for (const auto c : members) {
            const auto gen = clients_[c].conn;
            detach(c);
            kernel_.after(backend_links_[r]->profile().latency + client_link_->profile().latency +
                              zone_latency(c),
                          [this, c, gen] { client_closed(c, gen, "1011 bus unavailable"); });
        }
    });
}

// A fault set on a link acts on the connections already crossing it (reset, timeout).
void sim_world::close_crossing(std::string_view link, faults::connection_action a) {
    using kind = faults::connection_action;
    if (a.kind != kind::reset && a.kind != kind::close_after)
        return;
    std::vector<std::uint32_t> affected;
    if (link == client_link_->name()) {
        for (auto& r : relays_)
            affected.insert(affected.end(), r->members().begin(), r->members().end());
    } else {
        for (std::uint32_t r = 0; r < relays_.size(); ++r)
            if (backend_links_[r]->name() == link)
                affected = relays_[r]->members();
        // A reset of a relay's bus link: the relay reconnects to the bus at once (not modelled
        // as an outage; see docs/simulator.md).
    }
    const char* why = a.kind == kind::reset ? "connection reset" : "timeout";
    for (const auto c : affected) {
        const auto gen = clients_[c].conn;
        kernel_.after(a.after, [this, c, gen, why] {
            if (clients_[c].conn == gen)
                detach(c);
            client_closed(c, gen, why);
        });
    }
}

void sim_world::release_stalled(std::string_view link) {
    const auto it = stalled_.find(link);
    if (it == stalled_.end())
        return;
    auto work = std::move(it->second);
    stalled_.erase(it);
    for (auto& w : work)
        w();
}

bool sim_world::set_publish_rate(std::string_view fleet, double hz) {
    for (auto& f : fleets_) {
        if (f->config.name != fleet)
            continue;
        f->config.publish_rate_hz = hz;
        for (const auto c : f->clients)
            act(c, clients_[c].core.on_rate_changed(now(), f->rng));
        return true;
    }
    return false;
}

void sim_world::pause_publishing() {
    for (auto& f : fleets_)
        set_publish_rate(f->config.name, 0);
}

bool sim_world::set_count(std::string_view fleet, std::uint32_t count) {
    for (std::uint32_t fi = 0; fi < fleets_.size(); ++fi) {
        auto& f = *fleets_[fi];
        if (f.config.name != fleet)
            continue;
        while (f.clients.size() < count) {
            const auto c = static_cast<std::uint32_t>(clients_.size());
            clients_.emplace_back(f.config, fi);
            f.clients.push_back(c);
            start_client(c, micros{0});
        }
        while (f.clients.size() > count) {
            const auto c = f.clients.back();
            f.clients.pop_back();
            act(c, clients_[c].core.stop(now()));
        }
        return true;
    }
    return false;
}

void sim_world::stop_fleets() {
    for (std::uint32_t c = 0; c < clients_.size(); ++c)
        act(c, clients_[c].core.stop(now()));
}

}  // namespace switchyard::sim
