#include "backends/bus/delivery_canary.hpp"

#include <algorithm>
#include <iterator>

namespace switchyard::bus {

namespace {
constexpr std::size_t in_flight_max = 64;
}  // namespace

void delivery_canary::on_up(time_point now) {
    up_ = true;
    deaf_ = false;
    in_flight_.clear();
    first_judged_ = next_seq_;
    next_send_ = now;
    expected_wake_ = {};
}

void delivery_canary::on_down() {
    up_ = false;
    deaf_ = false;
    in_flight_.clear();
    expected_wake_ = {};
}

void delivery_canary::on_heard_own(std::uint64_t seq) {
    if (seq < first_judged_ || seq >= next_seq_)
        return;  // from before the bus came up, or not ours to judge
    ++heard_;
    last_heard_ = std::max(last_heard_, seq);
    // Hearing a later canary vouches for the earlier ones: pub/sub keeps one publisher's order,
    // so an earlier one not heard was lost before the path healed, not still on its way.
    in_flight_.erase(in_flight_.begin(), in_flight_.upper_bound(seq));
    deaf_ = false;
}

void delivery_canary::on_heard_peer(const std::string& peer, time_point now) {
    auto it = peers_.find(peer);
    if (it == peers_.end())
        peers_.emplace(peer, now);
    else
        it->second = now;
}

canary_decision delivery_canary::poll(time_point now) {
    canary_decision d;
    if (!up_ || options_.interval.count() <= 0) {
        d.wake_at = now + std::max<std::chrono::milliseconds>(options_.interval,
                                                              std::chrono::milliseconds{1'000});
        return d;
    }
    if (expected_wake_ != time_point{} && now > expected_wake_ + options_.interval) {
        // Woken more than an interval late: this relay's own loop did not run (CPU starvation,
        // a stop, a slow disk write). Its canaries may be sitting unread in its socket, so the
        // stalled time does not count against them; they get the full deadline once it runs.
        const auto late = now - expected_wake_;
        for (auto& entry : in_flight_)
            entry.second += late;
    }
    if (now >= next_send_) {
        d.send_seq = next_seq_;
        // Bounded while deaf for long: the oldest keeps the verdict, the middle is forgotten.
        if (in_flight_.size() >= in_flight_max)
            in_flight_.erase(std::next(in_flight_.begin()));
        in_flight_.emplace(next_seq_, now);
        ++next_seq_;
        next_send_ = now + options_.interval;
    }
    time_point wake = next_send_;
    if (!in_flight_.empty()) {
        const time_point due = in_flight_.begin()->second + options_.deadline;
        if (now >= due) {
            if (!deaf_)
                ++deaf_episodes_;
            deaf_ = true;
        } else {
            wake = std::min(wake, due);
        }
    }
    d.deaf = deaf_;
    d.wake_at = wake;
    expected_wake_ = wake;
    return d;
}

std::size_t delivery_canary::peers_heard(time_point now) const {
    return static_cast<std::size_t>(std::count_if(
        peers_.begin(), peers_.end(), [&](auto& p) { return now - p.second < options_.deadline; }));
}

}  // namespace switchyard::bus
