#pragma once
// The runner's clock over the simulated world's kernel: the runner's tasks and the world's
// events share one queue, so "run this at t" is exact and virtual time jumps between events.
#include <atomic>
#include <mutex>
#include <vector>

#include "engine/run/clock.hpp"
#include "engine/sim/sim_kernel.hpp"

namespace switchyard::sim {

/// run::clock on a sim_kernel (see run/clock.hpp for the contract). now() is readable from any
/// thread (a mirror updated after every event); post() is the one thread-safe entry and is
/// taken between two events at the current virtual time. run() returns on stop(), or when no
/// event is left and nothing was posted.
class sim_clock final : public run::clock {
  public:
    explicit sim_clock(sim_kernel& kernel) : kernel_(kernel) {}

    run::micros now() const override { return run::micros{now_.load(std::memory_order_acquire)}; }
    void call_at(run::micros at, task t) override { kernel_.at(at, std::move(t)); }
    void post(task t) override;
    void run() override;
    void stop() override { stop_ = true; }

  private:
    bool take_posted();

    sim_kernel& kernel_;
    std::atomic<std::int64_t> now_{0};
    bool stop_ = false;
    std::mutex posted_mutex_;
    std::vector<task> posted_;
};

}  // namespace switchyard::sim
