#include "tests/unit/run/fake_world.hpp"

#include <stdexcept>

namespace switchyard::test {

void fake_cluster::start() {
    note("start");
    if (!fail_start.empty())
        throw run::world_error(fail_start);
}

void fake_cluster::act(const std::string& verb, const std::string& id) {
    note(verb + " " + id);
    const auto target = id.substr(0, id.find(' '));
    if (refuse.count(target))
        throw std::runtime_error(target + " is not running");
}

void fake_fleet::start(const std::vector<fleet::fleet_config>& fleets,
                       fleet::client_observer& observer) {
    started = fleets;
    observer_ = &observer;
    for (const auto& f : fleets)
        clients_ += f.count;
    for (std::uint32_t c = 0; c < clients_; ++c)
        observer.on_connect({c, "relay-1", fleet::placement::fresh, false, clock_.now(), "c"});
    publishing_ = true;
    clock_.call_at(clock_.now() + publish_every, [this] { tick(); });
}

// Client 0 publishes on "global"; the relay sequences it and every client receives it 1 ms
// later (at once in virtual time: the record carries the time).
void fake_fleet::tick() {
    if (stopped_)
        return;
    if (publishing_ && clients_ > 0) {
        const auto now = clock_.now();
        const auto seq = ++seq_;
        const auto id = "0-" + std::to_string(seq);
        observer_->on_publish({0, "global", id, now});
        observer_->on_ack({0, id, seq, "", now});
        for (std::uint32_t c = 0; c < clients_; ++c)
            if (!(c == 1 && drop_for_client_1.count(seq)))
                observer_->on_delivery(
                    {c, "relay-1", "global", seq, id, 0, now, now + run::micros{1000}, false});
    }
    clock_.call_at(clock_.now() + publish_every, [this] { tick(); });
}

bool fake_fleet::set_publish_rate(std::string_view fleet, double hz) {
    calls.push_back({clock_.now(), "set_rate " + std::string(fleet) + " " +
                                       std::to_string(static_cast<int>(hz))});
    return fleet == "c";
}

bool fake_fleet::set_count(std::string_view fleet, std::uint32_t count) {
    calls.push_back(
        {clock_.now(), "set_count " + std::string(fleet) + " " + std::to_string(count)});
    return fleet == "c";
}

void fake_fleet::pause_publishing() {
    calls.push_back({clock_.now(), "pause_publishing"});
    publishing_ = false;
}

void fake_fleet::stop() {
    calls.push_back({clock_.now(), "stop"});
    stopped_ = true;
}

}  // namespace switchyard::test
