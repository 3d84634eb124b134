#pragma once
// The real world's fleet driver: fleet::fleet_runner (synthetic clients on real sockets),
// created when the runner starts the fleets.
#include <memory>

#include "engine/fleet/fleet_runner.hpp"
#include "engine/run/fleet_driver.hpp"

namespace switchyard::engine {

/// run::fleet_driver over fleet::fleet_runner; `options.epoch` must be the run clock's origin.
class real_fleet final : public run::fleet_driver {
  public:
    explicit real_fleet(fleet::fleet_runner_options options) : options_(options) {}

    void start(const std::vector<fleet::fleet_config>& fleets,
               fleet::client_observer& observer) override;
    bool set_publish_rate(std::string_view fleet, double hz) override;
    bool set_count(std::string_view fleet, std::uint32_t count) override;
    void pause_publishing() override;
    void stop() override;

  private:
    fleet::fleet_runner_options options_;
    std::unique_ptr<fleet::fleet_runner> runner_;
};

}  // namespace switchyard::engine
