#pragma once
// A token bucket: at most `rate` events per second on average, bursts up to `burst`. The
// balancer caps new connections per backend with it, so a reconnect storm (a relay holding
// thousands of clients dies, all of them come back at once) is spread over time instead of
// toppling the survivors. Pure: the caller passes `now`.
#include <chrono>
#include <cstdint>

namespace switchyard::policy {

class token_bucket {
  public:
    using clock = std::chrono::steady_clock;

    /// `rate_per_s` 0 means unlimited. `burst` is the bucket size (at least 1 when limited).
    token_bucket(double rate_per_s, double burst) noexcept;

    /// Takes one token if there is one at `now`. Time going backwards is treated as no time.
    bool try_take(clock::time_point now) noexcept;
    /// Tokens available at `now` (for tests and stats).
    double available(clock::time_point now) noexcept;
    bool limited() const noexcept { return rate_ > 0; }

  private:
    void refill(clock::time_point now) noexcept;

    double rate_;
    double burst_;
    double tokens_;
    clock::time_point last_{};
    bool started_ = false;
};

}  // namespace switchyard::policy
