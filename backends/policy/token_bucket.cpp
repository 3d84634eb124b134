#include "backends/policy/token_bucket.hpp"

#include <algorithm>

namespace switchyard::policy {

token_bucket::token_bucket(double rate_per_s, double burst) noexcept
    : rate_(std::max(0.0, rate_per_s)), burst_(std::max(1.0, burst)), tokens_(burst_) {}

void token_bucket::refill(clock::time_point now) noexcept {
    if (!started_) {
        started_ = true;
        last_ = now;
        return;
    }
    if (now <= last_)
        return;
    const double seconds = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + seconds * rate_);
    last_ = now;
}

bool token_bucket::try_take(clock::time_point now) noexcept {
    if (rate_ <= 0)
        return true;
    refill(now);
    if (tokens_ < 1.0)
        return false;
    tokens_ -= 1.0;
    return true;
}

double token_bucket::available(clock::time_point now) noexcept {
    refill(now);
    return tokens_;
}

}  // namespace switchyard::policy
