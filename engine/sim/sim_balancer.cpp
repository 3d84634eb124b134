#include "engine/sim/sim_balancer.hpp"

#include <stdexcept>

#include "engine/sim/sim_link.hpp"

namespace switchyard::sim {

std::chrono::system_clock::time_point sim_wall_time(micros now) noexcept {
    // 2026-01-01T00:00:00Z: any fixed instant works; a fixed one keeps cookies byte-identical.
    constexpr std::chrono::seconds epoch{1'767'225'600};
    return std::chrono::system_clock::time_point{epoch} +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(now);
}

sim_balancer::sim_balancer(balancer_settings settings, policy::fast_rng rng)
    : settings_(std::move(settings)),
      rng_(rng),
      selector_(policy::make_selector(settings_.strategy)),
      codec_(settings_.cookie_secret, std::chrono::seconds{0}) {
    if (!selector_)
        throw std::invalid_argument("unknown strategy '" + settings_.strategy +
                                    "'; known: " + policy::selector_names());
}

std::size_t sim_balancer::add_backend(std::string id, micros now) {
    const std::size_t index = views_.size();
    by_id_.emplace(id, index);
    policy::backend_view v;
    v.id = std::move(id);
    views_.push_back(std::move(v));
    trackers_.emplace_back(settings_.health, to_mono(now));
    selector_->on_backends_changed(views_);
    return index;
}

std::optional<std::size_t> sim_balancer::find(std::string_view id) const {
    const auto it = by_id_.find(id);
    if (it == by_id_.end())
        return std::nullopt;
    return it->second;
}

void sim_balancer::refresh(micros now) {
    for (std::size_t i = 0; i < views_.size(); ++i) {
        views_[i].state = trackers_[i].state();
        views_[i].weight = trackers_[i].effective_weight(1, to_mono(now));
    }
}

route sim_balancer::choose(std::string_view cookie, std::string_view hash_key,
                           const std::vector<std::uint8_t>& tried, micros now) {
    refresh(now);
    auto skipped = [&](std::size_t i) { return i < tried.size() && tried[i] != 0; };
    if (settings_.sticky && !cookie.empty()) {
        if (auto named = codec_.decode(cookie, sim_wall_time(now))) {
            if (auto idx = find(*named);
                idx && !skipped(*idx) && policy::accepts_new_clients(views_[*idx]))
                return {idx, true};
        }
    }
    scratch_ = views_;
    for (std::size_t i = 0; i < scratch_.size(); ++i)
        if (skipped(i))
            scratch_[i].weight = 0;
    policy::pick_request request;
    request.hash_key = hash_key;
    return {selector_->pick(scratch_, request, rng_), false};
}

std::string sim_balancer::cookie_for(std::size_t backend, micros now) const {
    return codec_.encode(views_[backend].id, sim_wall_time(now));
}

std::optional<policy::health_transition> sim_balancer::on_probe(std::size_t backend, bool ok,
                                                                micros now) {
    return trackers_[backend].on_probe(ok, to_mono(now));
}
std::optional<policy::health_transition> sim_balancer::on_passive_error(std::size_t backend,
                                                                        micros now) {
    return trackers_[backend].on_passive_error(to_mono(now));
}
std::optional<policy::health_transition> sim_balancer::drain(std::size_t backend, micros now) {
    return trackers_[backend].drain(to_mono(now));
}
std::optional<policy::health_transition> sim_balancer::disable(std::size_t backend, micros now) {
    return trackers_[backend].disable(to_mono(now));
}
std::optional<policy::health_transition> sim_balancer::enable(std::size_t backend, micros now) {
    return trackers_[backend].enable(to_mono(now));
}
micros sim_balancer::next_probe_at(std::size_t backend) const {
    return from_mono(trackers_[backend].next_probe_at());
}

void sim_balancer::on_closed(std::size_t backend) {
    if (views_[backend].active_connections > 0)
        --views_[backend].active_connections;
}

}  // namespace switchyard::sim
