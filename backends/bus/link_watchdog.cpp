#include "backends/bus/link_watchdog.hpp"

#include <algorithm>

namespace switchyard::bus {

void link_watchdog::on_connecting(time_point now) {
    last_received_ = now;
    awaiting_since_ = now;
}

void link_watchdog::on_sent(time_point now) {
    // Keep the oldest: a stream of requests must not push the deadline out forever.
    if (!awaiting_since_)
        awaiting_since_ = now;
}

void link_watchdog::on_received(time_point now) {
    last_received_ = now;
    // Bytes prove the link carries data; requests still outstanding are covered by the next
    // idle PING, which queues behind them and so cannot be answered before they are.
    awaiting_since_.reset();
}

link_decision link_watchdog::poll(time_point now) {
    if (awaiting_since_) {
        if (now - *awaiting_since_ >= options_.reply_deadline)
            return {link_verdict::lost, now};
        // Look again after at most one idle interval: the answer may come early, and then the
        // next PING is due an idle interval after it, not at this request's deadline.
        return {link_verdict::wait,
                std::min(*awaiting_since_ + options_.reply_deadline, now + options_.ping_idle)};
    }
    if (now - last_received_ >= options_.ping_idle) {
        awaiting_since_ = now;
        return {link_verdict::ping, now + std::min<std::chrono::milliseconds>(
                                              options_.ping_idle, options_.reply_deadline)};
    }
    return {link_verdict::wait, last_received_ + options_.ping_idle};
}

link_watchdog::time_point link_watchdog::next_wake() const {
    return awaiting_since_ ? *awaiting_since_ + options_.reply_deadline
                           : last_received_ + options_.ping_idle;
}

}  // namespace switchyard::bus
