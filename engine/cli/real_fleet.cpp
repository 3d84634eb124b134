#include "engine/cli/real_fleet.hpp"

namespace switchyard::engine {

void real_fleet::start(const std::vector<fleet::fleet_config>& fleets,
                       fleet::client_observer& observer) {
    runner_ = std::make_unique<fleet::fleet_runner>(fleets, observer, options_);
    runner_->start();
}

bool real_fleet::set_publish_rate(std::string_view fleet, double hz) {
    return runner_ && runner_->set_publish_rate(fleet, hz);
}

bool real_fleet::set_count(std::string_view fleet, std::uint32_t count) {
    return runner_ && runner_->set_count(fleet, count);
}

void real_fleet::pause_publishing() {
    if (runner_)
        runner_->pause_publishing();
}

void real_fleet::stop() {
    if (runner_)
        runner_->stop();
}

}  // namespace switchyard::engine
