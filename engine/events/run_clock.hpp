#pragma once
// The run's clock: microseconds since the run started, on the steady clock.
#include <chrono>

namespace switchyard::events {

/// Steady time since `start()`. Copyable and lock-free to read, so fleet threads, the timeline
/// and the metrics sampler share one origin. The simulator substitutes its virtual clock.
class run_clock {
  public:
    run_clock() : origin_(std::chrono::steady_clock::now()) {}
    void start() { origin_ = std::chrono::steady_clock::now(); }
    std::chrono::microseconds now() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - origin_);
    }
    std::chrono::steady_clock::time_point origin() const { return origin_; }

  private:
    std::chrono::steady_clock::time_point origin_;
};

}  // namespace switchyard::events
