#include "engine/verify/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace switchyard::verify {

std::size_t latency_histogram::bucket_of(std::uint64_t v) noexcept {
    v = std::min(v, max_value_us);
    constexpr std::uint64_t sub = std::uint64_t{1} << sub_bucket_bits;
    if (v < sub)
        return static_cast<std::size_t>(v);
    // Magnitude m = index of the top bit; keep the sub_bucket_bits bits below it.
    const unsigned m = 63 - static_cast<unsigned>(std::countl_zero(v));
    const unsigned shift = m - sub_bucket_bits;
    const std::uint64_t mantissa = (v >> shift) & (sub - 1);
    return static_cast<std::size_t>(((shift + 1) << sub_bucket_bits) + mantissa);
}

std::uint64_t latency_histogram::bucket_upper(std::size_t b) noexcept {
    constexpr std::uint64_t sub = std::uint64_t{1} << sub_bucket_bits;
    if (b < sub)
        return b;
    const unsigned shift = static_cast<unsigned>(b >> sub_bucket_bits) - 1;
    const std::uint64_t mantissa = b & (sub - 1);
    const std::uint64_t low = (sub | mantissa) << shift;
    return low + ((std::uint64_t{1} << shift) - 1);
}

void latency_histogram::record(std::chrono::microseconds v) noexcept {
    const std::uint64_t x = v.count() < 0 ? 0 : static_cast<std::uint64_t>(v.count());
    ++buckets_[bucket_of(x)];
    ++count_;
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
    sum_ += x;
}

void latency_histogram::merge(const latency_histogram& o) noexcept {
    if (o.count_ == 0)
        return;
    for (std::size_t i = 0; i < bucket_count; ++i)
        buckets_[i] += o.buckets_[i];
    count_ += o.count_;
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
    sum_ += o.sum_;
}

void latency_histogram::clear() noexcept {
    *this = latency_histogram{};
}

std::chrono::microseconds latency_histogram::min() const noexcept {
    return std::chrono::microseconds{count_ ? static_cast<std::int64_t>(min_) : 0};
}

std::chrono::microseconds latency_histogram::max() const noexcept {
    return std::chrono::microseconds{static_cast<std::int64_t>(max_)};
}

double latency_histogram::mean_us() const noexcept {
    return count_ ? static_cast<double>(sum_ / count_) : 0.0;
}

std::chrono::microseconds latency_histogram::percentile(double q) const noexcept {
    if (count_ == 0)
        return std::chrono::microseconds{0};
    q = std::clamp(q, 0.0, 1.0);
    // Rank of the value at q, 1-based: the smallest value with at least q of the samples <= it.
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * count_)));
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < bucket_count; ++b) {
        seen += buckets_[b];
        if (seen >= rank) {
            const auto v = std::clamp(bucket_upper(b), min_, max_);
            return std::chrono::microseconds{static_cast<std::int64_t>(v)};
        }
    }
    return max();
}

}  // namespace switchyard::verify
