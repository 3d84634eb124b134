#pragma once
// A log-bucketed latency histogram in the HDR style: fixed memory, O(1) record, percentiles with
// a bounded relative error, mergeable across threads.
#include <array>
#include <chrono>
#include <cstdint>

namespace switchyard::verify {

/// Records microsecond values. Values below 2^sub_bucket_bits are exact; above, each power of two
/// is split into 2^sub_bucket_bits buckets, so a reported percentile is within 1/64 (1.6 %) of
/// the true value. Values above `max_value_us` (about 12.7 days) land in the top bucket. Not
/// thread-safe: keep one per thread or shard and merge().
class latency_histogram {
  public:
    static constexpr unsigned sub_bucket_bits = 6;
    static constexpr unsigned magnitude_bits = 40;  ///< 2^40 us ~ 12.7 days
    static constexpr std::uint64_t max_value_us = (std::uint64_t{1} << magnitude_bits) - 1;
    static constexpr std::size_t bucket_count = (magnitude_bits - sub_bucket_bits + 1)
                                                << sub_bucket_bits;

    void record(std::chrono::microseconds v) noexcept;
    void merge(const latency_histogram& other) noexcept;
    void clear() noexcept;

    std::uint64_t count() const noexcept { return count_; }
    /// Exact extremes (not bucketed); 0 when empty.
    std::chrono::microseconds min() const noexcept;
    std::chrono::microseconds max() const noexcept;
    /// The value at quantile q in [0, 1] (the bucket's upper edge, clamped to max()); 0 if empty.
    std::chrono::microseconds percentile(double q) const noexcept;
    double mean_us() const noexcept;

    /// Bucket arithmetic, public for tests.
    static std::size_t bucket_of(std::uint64_t v) noexcept;
    static std::uint64_t bucket_upper(std::size_t b) noexcept;

  private:
    std::array<std::uint64_t, bucket_count> buckets_{};
    std::uint64_t count_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
    long double sum_ = 0;
};

}  // namespace switchyard::verify
