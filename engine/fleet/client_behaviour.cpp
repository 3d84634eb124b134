#include "engine/fleet/client_behaviour.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace switchyard::fleet {

std::string_view to_string(client_state s) noexcept {
    switch (s) {
        case client_state::waiting:
            return "waiting";
        case client_state::connecting:
            return "connecting";
        case client_state::subscribing:
            return "subscribing";
        case client_state::connected:
            return "connected";
        case client_state::backoff:
            return "backoff";
        case client_state::stopped:
            return "stopped";
        case client_state::given_up:
            return "given_up";
    }
    return "?";
}

client_behaviour::client_behaviour(const fleet_config& config)
    : config_(&config), last_seq_(config.channels.size(), 0) {
    assert(config.channels.size() <= 64);
}

micros client_behaviour::backoff_delay(const reconnect_policy& policy, std::uint32_t attempt,
                                       policy::fast_rng& rng) {
    const auto initial = std::chrono::duration_cast<micros>(policy.initial_backoff_ms).count();
    const auto cap = std::chrono::duration_cast<micros>(policy.max_backoff_ms).count();
    // Doubling stops at the cap; the shift is bounded so it cannot overflow.
    const std::uint32_t shift = std::min<std::uint32_t>(attempt, 40);
    const double base =
        std::min(static_cast<double>(cap),
                 static_cast<double>(initial) * std::ldexp(1.0, static_cast<int>(shift)));
    // 53 random bits give a uniform double in [0, 1).
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    const double delay = base * (1.0 - policy.jitter_ratio * u);
    return micros{static_cast<std::int64_t>(delay)};
}

micros client_behaviour::publish_interval() const noexcept {
    if (!(config_->publish_rate_hz > 0.0)) {
        return never;
    }
    return micros{
        std::max<std::int64_t>(1, static_cast<std::int64_t>(1e6 / config_->publish_rate_hz))};
}

micros client_behaviour::silence_deadline() const noexcept {
    return last_rx_ + std::chrono::duration_cast<micros>(config_->poll_timeout_ms);
}

micros client_behaviour::next_wake(micros now) const noexcept {
    micros at = never;
    switch (state_) {
        case client_state::waiting:
        case client_state::backoff:
            at = retry_at_;
            break;
        case client_state::connecting:
        case client_state::subscribing:
            at = deadline_;
            break;
        case client_state::connected:
            at = std::min({next_publish_, next_ping_, silence_deadline()});
            break;
        case client_state::stopped:
        case client_state::given_up:
            break;
    }
    return at == never ? never : std::max(at, now);
}

client_actions client_behaviour::start(micros now, micros delay) {
    if (delay <= micros{0}) {
        return begin_connect(now);
    }
    state_ = client_state::waiting;
    retry_at_ = now + delay;
    client_actions a;
    a.wake_at = next_wake(now);
    return a;
}

client_actions client_behaviour::begin_connect(micros now) {
    state_ = client_state::connecting;
    deadline_ = now + std::chrono::duration_cast<micros>(config_->connect_timeout_ms);
    retry_at_ = never;
    next_publish_ = never;
    client_actions a;
    a.connect = true;
    a.wake_at = next_wake(now);
    return a;
}

client_actions client_behaviour::on_wake(micros now, policy::fast_rng& rng) {
    switch (state_) {
        case client_state::waiting:
        case client_state::backoff:
            if (now >= retry_at_) {
                return begin_connect(now);
            }
            break;
        case client_state::connecting:
        case client_state::subscribing:
            if (now >= deadline_) {
                client_actions a = fail_attempt(now, "timeout", rng);
                a.close = true;
                return a;
            }
            break;
        case client_state::connected: {
            if (now >= silence_deadline()) {
                client_actions a = lost_connection(now, rng);
                a.close = true;
                a.disconnect_reason = "silent for poll_timeout_ms";
                return a;
            }
            client_actions a;
            if (now >= next_ping_) {
                a.ping = true;
                next_ping_ = now + std::chrono::duration_cast<micros>(config_->ping_interval_ms);
            }
            if (now >= next_publish_) {
                const micros interval = publish_interval();
                if (interval == never) {
                    next_publish_ = never;
                } else {
                    std::uint32_t due = 0;
                    while (next_publish_ <= now && due < publish_burst_max) {
                        ++due;
                        next_publish_ += interval;
                    }
                    if (next_publish_ <= now) {
                        // Too far behind: skip ahead rather than flood the relay.
                        next_publish_ = now + interval;
                    }
                    a.publish_count = due;
                    a.first_msg_number = next_msg_number_;
                    next_msg_number_ += due;
                }
            }
            a.wake_at = next_wake(now);
            return a;
        }
        case client_state::stopped:
        case client_state::given_up:
            break;
    }
    client_actions a;
    a.wake_at = next_wake(now);
    return a;
}

client_actions client_behaviour::on_hello(micros now, std::string_view relay, bool cookie_sent,
                                          policy::fast_rng& rng) {
    client_actions a;
    if (state_ != client_state::connecting) {
        a.wake_at = next_wake(now);
        return a;
    }
    if (!cookie_sent) {
        pending_how_ = placement::fresh;
    } else {
        pending_how_ = relay == relay_ ? placement::sticky : placement::failover;
    }
    relay_.assign(relay);
    resuming_ = false;
    subscribed_mask_ = 0;
    pending_subscriptions_ = static_cast<std::uint32_t>(config_->channels.size());
    for (std::size_t i = 0; i < config_->channels.size(); ++i) {
        resuming_ = resuming_ || resume_point(i) != 0;
    }
    if (pending_subscriptions_ == 0) {
        state_ = client_state::subscribing;
        return on_subscribed(now, 0, 0, rng);
    }
    state_ = client_state::subscribing;
    a.subscribe = true;
    a.wake_at = next_wake(now);
    return a;
}

client_actions client_behaviour::on_subscribed(micros now, std::size_t channel, std::uint64_t seq,
                                               policy::fast_rng& rng) {
    client_actions a;
    if (state_ != client_state::subscribing) {
        a.wake_at = next_wake(now);
        return a;
    }
    if (channel < last_seq_.size()) {
        const std::uint64_t bit = std::uint64_t{1} << channel;
        if ((subscribed_mask_ & bit) == 0) {
            subscribed_mask_ |= bit;
            --pending_subscriptions_;
        }
        // Without resume, live messages start after `seq`; with resume the replay ended there.
        last_seq_[channel] = std::max(last_seq_[channel], seq);
    }
    if (pending_subscriptions_ > 0) {
        a.wake_at = next_wake(now);
        return a;
    }
    state_ = client_state::connected;
    deadline_ = never;
    failed_attempts_ = 0;
    a.report_connect = true;
    a.how = pending_how_;
    a.reconnect = has_connected_;
    has_connected_ = true;
    last_rx_ = now;
    next_ping_ = config_->ping_interval_ms.count() > 0
                     ? now + std::chrono::duration_cast<micros>(config_->ping_interval_ms)
                     : never;
    plan_publishing(now + std::chrono::duration_cast<micros>(config_->think_time_ms), rng);
    a.wake_at = next_wake(now);
    return a;
}

void client_behaviour::plan_publishing(micros from, policy::fast_rng& rng) {
    const micros interval = publish_interval();
    if (interval == never) {
        next_publish_ = never;
        return;
    }
    // A random phase inside the first interval, so a fleet does not publish in lockstep.
    const auto phase =
        static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(interval.count())));
    next_publish_ = from + micros{phase};
}

bool client_behaviour::on_message(std::size_t channel, std::uint64_t seq) noexcept {
    if (channel >= last_seq_.size()) {
        return false;
    }
    const bool replay = resuming_ && (subscribed_mask_ & (std::uint64_t{1} << channel)) == 0;
    last_seq_[channel] = std::max(last_seq_[channel], seq);
    return replay;
}

std::uint64_t client_behaviour::resume_point(std::size_t channel) const noexcept {
    if (!config_->reconnect.resume || channel >= last_seq_.size()) {
        return 0;
    }
    return last_seq_[channel];
}

client_actions client_behaviour::fail_attempt(micros now, std::string_view reason,
                                              policy::fast_rng& rng) {
    client_actions a;
    a.failure = reason;
    ++failed_attempts_;
    const auto& policy = config_->reconnect;
    if (!policy.enabled || (policy.max_attempts != 0 && failed_attempts_ >= policy.max_attempts)) {
        state_ = client_state::given_up;
        a.gave_up = true;
        a.wake_at = never;
        return a;
    }
    state_ = client_state::backoff;
    deadline_ = never;
    next_publish_ = never;
    retry_at_ = now + backoff_delay(policy, failed_attempts_ - 1, rng);
    a.wake_at = next_wake(now);
    return a;
}

client_actions client_behaviour::lost_connection(micros now, policy::fast_rng& rng) {
    client_actions a;
    a.report_disconnect = true;
    next_publish_ = never;
    next_ping_ = never;
    if (!config_->reconnect.enabled) {
        state_ = client_state::stopped;
        return a;
    }
    // The first retry after losing a working connection is attempt 0: a short, jittered wait,
    // so a whole relay's worth of clients does not reconnect in one instant.
    state_ = client_state::backoff;
    retry_at_ = now + backoff_delay(config_->reconnect, 0, rng);
    a.wake_at = next_wake(now);
    return a;
}

client_actions client_behaviour::on_closed(micros now, policy::fast_rng& rng) {
    switch (state_) {
        case client_state::connecting:
            return fail_attempt(now, "closed before hello", rng);
        case client_state::subscribing:
            return fail_attempt(now, "closed before subscribed", rng);
        case client_state::connected:
            return lost_connection(now, rng);
        default: {
            client_actions a;
            a.wake_at = next_wake(now);
            return a;
        }
    }
}

client_actions client_behaviour::on_rate_changed(micros now, policy::fast_rng& rng) {
    if (state_ == client_state::connected) {
        plan_publishing(now, rng);
    }
    client_actions a;
    a.wake_at = next_wake(now);
    return a;
}

client_actions client_behaviour::stop(micros now) {
    (void)now;
    client_actions a;
    a.close = state_ == client_state::connecting || state_ == client_state::subscribing ||
              state_ == client_state::connected;
    a.report_disconnect = state_ == client_state::connected;
    state_ = client_state::stopped;
    deadline_ = retry_at_ = next_publish_ = next_ping_ = never;
    a.wake_at = never;
    return a;
}

}  // namespace switchyard::fleet
