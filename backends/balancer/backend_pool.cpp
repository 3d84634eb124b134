#include "backends/balancer/backend_pool.hpp"

namespace switchyard::balancer {

backend_pool::backend_pool(const std::vector<backend_config>& backends,
                           const health_check_config& health, clock::time_point now)
    : configs_(backends) {
    for (std::size_t i = 0; i < configs_.size(); ++i) {
        counters_.push_back(std::make_unique<backend_counters>());
        trackers_.emplace_back(health.tracker, now);
        last_change_.emplace_back();
        publish(i, now);
    }
}

std::optional<std::size_t> backend_pool::index_of(std::string_view id) const {
    for (std::size_t i = 0; i < configs_.size(); ++i) {
        if (configs_[i].id == id)
            return i;
    }
    return std::nullopt;
}

void backend_pool::publish(std::size_t i, clock::time_point now) {
    auto& c = *counters_[i];
    c.state.store(static_cast<std::uint8_t>(trackers_[i].state()), std::memory_order_relaxed);
    c.effective_weight.store(trackers_[i].effective_weight(configs_[i].weight, now),
                             std::memory_order_relaxed);
}

void backend_pool::on_probe(std::size_t i, bool ok, clock::time_point now) {
    std::optional<policy::health_transition> t;
    {
        std::lock_guard lock(mutex_);
        t = trackers_[i].on_probe(ok, now);
        publish(i, now);
        if (t)
            last_change_[i] = t->at;
    }
    if (t && sink_)
        sink_(configs_[i].id, *t);
}

void backend_pool::on_passive_error(std::size_t i, clock::time_point now) {
    counters_[i]->errors.fetch_add(1, std::memory_order_relaxed);
    std::optional<policy::health_transition> t;
    {
        std::lock_guard lock(mutex_);
        t = trackers_[i].on_passive_error(now);
        publish(i, now);
        if (t)
            last_change_[i] = t->at;
    }
    if (t && sink_)
        sink_(configs_[i].id, *t);
    if (wake_)
        wake_(i);
}

backend_pool::clock::time_point backend_pool::next_probe_at(std::size_t i) const {
    std::lock_guard lock(mutex_);
    return trackers_[i].next_probe_at();
}

bool backend_pool::apply(std::string_view id, admin_command cmd, clock::time_point now) {
    auto i = index_of(id);
    if (!i)
        return false;
    std::optional<policy::health_transition> t;
    {
        std::lock_guard lock(mutex_);
        auto& tr = trackers_[*i];
        switch (cmd) {
            case admin_command::drain:
                t = tr.drain(now);
                break;
            case admin_command::disable:
                t = tr.disable(now);
                break;
            case admin_command::enable:
                t = tr.enable(now);
                break;
        }
        publish(*i, now);
        if (t)
            last_change_[*i] = t->at;
    }
    if (t && sink_)
        sink_(configs_[*i].id, *t);
    return true;
}

std::vector<backend_snapshot> backend_pool::snapshot(clock::time_point now) const {
    std::vector<backend_snapshot> out;
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < configs_.size(); ++i) {
        const auto& tr = trackers_[i];
        const auto& c = *counters_[i];
        backend_snapshot s{};
        s.id = configs_[i].id;
        s.address = configs_[i].host + ":" + std::to_string(configs_[i].port);
        s.state = tr.state();
        s.health = tr.health_state();
        s.weight = configs_[i].weight;
        s.effective_weight = tr.effective_weight(configs_[i].weight, now);
        s.active_connections = c.active_connections.load(std::memory_order_relaxed);
        s.active_tunnels = c.active_tunnels.load(std::memory_order_relaxed);
        s.requests = c.requests.load(std::memory_order_relaxed);
        s.tunnels = c.tunnels.load(std::memory_order_relaxed);
        s.errors = c.errors.load(std::memory_order_relaxed);
        s.responses_5xx = c.responses_5xx.load(std::memory_order_relaxed);
        s.connects = c.connects.load(std::memory_order_relaxed);
        s.connects_capped = c.connects_capped.load(std::memory_order_relaxed);
        s.state_changes = tr.state_changes();
        if (auto at = tr.last_probe_at())
            s.last_check_age = std::chrono::duration_cast<std::chrono::milliseconds>(now - *at);
        s.last_check_ok = tr.last_probe_ok();
        if (last_change_[i])
            s.last_change_age =
                std::chrono::duration_cast<std::chrono::milliseconds>(now - *last_change_[i]);
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace switchyard::balancer
