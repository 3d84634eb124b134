#include "backends/policy/health_tracker.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace switchyard::policy {

std::string_view to_string(health_reason r) noexcept {
    static constexpr std::array<std::string_view, 6> names{"probe_failed",  "probe_ok",
                                                           "passive_error", "admin_drain",
                                                           "admin_disable", "admin_enable"};
    return names[static_cast<std::size_t>(r)];
}

health_tracker::health_tracker(health_config config, mono_time now)
    : config_(config), next_probe_at_(now) {
    if (config_.rise == 0 || config_.fall == 0) {
        throw std::invalid_argument("health check rise and fall must be at least 1");
    }
    health_ = config_.start_up ? top() : 0;
}

backend_state health_tracker::health_state() const noexcept {
    if (health_ < config_.rise)
        return backend_state::down;
    return health_ == top() ? backend_state::up : backend_state::suspect;
}

backend_state health_tracker::state() const noexcept {
    switch (admin_) {
        case admin_mode::draining:
            return backend_state::draining;
        case admin_mode::disabled:
            return backend_state::disabled;
        case admin_mode::none:
            break;
    }
    return health_state();
}

void health_tracker::count_failure(mono_time) {
    if (health_ >= config_.rise) {
        --health_;
        if (health_ < config_.rise)
            health_ = 0;  // just went down: rising starts from zero
    } else {
        health_ = 0;
    }
}

void health_tracker::count_success(mono_time now) {
    if (health_ >= config_.rise) {
        health_ = top();
        return;
    }
    ++health_;
    if (health_ >= config_.rise) {
        health_ = top();
        up_since_ = now;
    }
}

void health_tracker::schedule_next(mono_time now) {
    const backend_state h = health_state();
    millis wait = config_.inter;
    if (h == backend_state::suspect || (h == backend_state::down && health_ > 0)) {
        wait = config_.fastinter;
    } else if (h == backend_state::down) {
        wait = config_.downinter;
    }
    next_probe_at_ = now + wait;
}

std::optional<health_transition> health_tracker::report(backend_state before, health_reason why,
                                                        mono_time now) {
    const backend_state after = state();
    if (after == before)
        return std::nullopt;
    ++state_changes_;
    return health_transition{before, after, why, now};
}

std::optional<health_transition> health_tracker::on_probe(bool ok, mono_time now) {
    const backend_state before = state();
    last_probe_at_ = now;
    last_probe_ok_ = ok;
    if (ok) {
        count_success(now);
    } else {
        count_failure(now);
    }
    schedule_next(now);
    return report(before, ok ? health_reason::probe_ok : health_reason::probe_failed, now);
}

std::optional<health_transition> health_tracker::on_passive_error(mono_time now) {
    const backend_state before = state();
    count_failure(now);
    // Confirm or clear the suspicion quickly instead of waiting out a full `inter`.
    next_probe_at_ = std::min(next_probe_at_, now);
    return report(before, health_reason::passive_error, now);
}

std::optional<health_transition> health_tracker::drain(mono_time now) {
    const backend_state before = state();
    admin_ = admin_mode::draining;
    return report(before, health_reason::admin_drain, now);
}

std::optional<health_transition> health_tracker::disable(mono_time now) {
    const backend_state before = state();
    admin_ = admin_mode::disabled;
    return report(before, health_reason::admin_disable, now);
}

std::optional<health_transition> health_tracker::enable(mono_time now) {
    const backend_state before = state();
    admin_ = admin_mode::none;
    return report(before, health_reason::admin_enable, now);
}

std::uint32_t health_tracker::effective_weight(std::uint32_t configured,
                                               mono_time now) const noexcept {
    if (configured == 0 || config_.slowstart.count() <= 0 || !up_since_)
        return configured;
    const auto elapsed = now - *up_since_;
    if (elapsed >= config_.slowstart)
        return configured;
    if (elapsed.count() <= 0)
        return 1;
    const double fraction =
        std::chrono::duration<double>(elapsed) / std::chrono::duration<double>(config_.slowstart);
    return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(configured * fraction));
}

}  // namespace switchyard::policy
