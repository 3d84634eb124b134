#include "engine/fleet/fleet_runner.hpp"

#include <stdexcept>

namespace switchyard::fleet {

// Placeholder so dependants link while the Asio shell is written.
struct fleet_runner::impl {
    std::vector<fleet_config> fleets;
    fleet_runner_options options;
};

fleet_runner::fleet_runner(std::vector<fleet_config> fleets, client_observer& observer,
                           fleet_runner_options options)
    : impl_(std::make_unique<impl>(impl{std::move(fleets), options})) {
    (void)observer;
}
fleet_runner::~fleet_runner() = default;
void fleet_runner::start() {
    throw std::logic_error("fleet_runner: not implemented yet");
}
void fleet_runner::stop() {}
bool fleet_runner::set_publish_rate(std::string_view, double) {
    return false;
}
void fleet_runner::pause_publishing() {}
bool fleet_runner::set_count(std::string_view, std::uint32_t) {
    return false;
}
fleet_counters fleet_runner::counters() const {
    return {};
}
fleet_counters fleet_runner::counters(std::string_view) const {
    return {};
}
const std::vector<fleet_config>& fleet_runner::configs() const noexcept {
    return impl_->fleets;
}
micros fleet_runner::now() const noexcept {
    return std::chrono::duration_cast<micros>(std::chrono::steady_clock::now() -
                                              impl_->options.epoch);
}

}  // namespace switchyard::fleet
