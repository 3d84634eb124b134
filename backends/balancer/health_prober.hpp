#pragma once
// Drives the health trackers with real probes: one coroutine per backend sends the configured
// request at the time its tracker asks for, and is woken early by passive errors.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "backends/balancer/balancer_state.hpp"

namespace switchyard::balancer {

/// Probes every backend on one executor (worker 0's). Start once; `stop` ends the loops.
class health_prober {
  public:
    health_prober(boost::asio::any_io_executor executor, balancer_state& state);
    void start();
    void stop();
    /// Probe backend `i` now (thread-safe; posts to the executor).
    void wake(std::size_t i);

  private:
    boost::asio::any_io_executor executor_;
    balancer_state& state_;
    std::vector<std::unique_ptr<boost::asio::steady_timer>> timers_;
    bool stopped_ = false;
};

}  // namespace switchyard::balancer
