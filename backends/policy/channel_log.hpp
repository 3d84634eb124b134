#pragma once
// Per-channel sequence numbers and bounded history in one process: what the memory bus keeps,
// and what the redis bus keeps in Redis with the same meaning (see backends/bus/redis_bus.cpp).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "backends/policy/hub.hpp"

namespace switchyard::policy {

/// What a history read returns: the channel's latest seq, the oldest seq still held
/// (latest+1 when nothing is held) and the held entries after the requested seq, ascending.
struct log_range {
    std::uint64_t latest = 0;
    std::uint64_t oldest = 1;
    std::vector<hub_entry> entries;
};

/// Sequence assignment and a bounded history per channel. Two limits bound memory:
/// `history_max` (entries per channel: older entries are dropped) and `history_bytes_max`
/// (bytes of all channels together, 0 = no budget). Past the budget, the channel published to
/// least recently loses its whole history first (an idle channel, typically one nobody
/// subscribes to), then the next; a single channel larger than the budget keeps only its
/// newest entries. A resume past dropped entries reports a gap; sequence numbers are never
/// forgotten.
class channel_log {
  public:
    static constexpr std::size_t default_history_max = 1024;

    explicit channel_log(std::size_t history_max = default_history_max,
                         std::size_t history_bytes_max = 0)
        : history_max_(history_max == 0 ? 1 : history_max), bytes_max_(history_bytes_max) {}
    // recency_ holds iterators into logs_: a copy would point into the original. Moving
    // keeps them valid (the nodes move with the map).
    channel_log(const channel_log&) = delete;
    channel_log& operator=(const channel_log&) = delete;
    channel_log(channel_log&&) = default;
    channel_log& operator=(channel_log&&) = default;

    /// Gives `payload` the channel's next seq, keeps it in the history (counting `bytes`
    /// against the budget) and returns the seq.
    std::uint64_t append(std::string_view channel, std::shared_ptr<const hub_payload> payload,
                         std::size_t bytes = 0);
    /// Entries with seq > `after` (all of them from `oldest` when the history starts later).
    log_range after(std::string_view channel, std::uint64_t after) const;
    std::uint64_t latest(std::string_view channel) const;
    std::size_t history_max() const noexcept { return history_max_; }
    /// Bytes held in every channel's history now.
    std::size_t history_bytes() const noexcept { return bytes_; }
    /// Entries dropped to keep within the byte budget, and channels whose whole history was.
    std::uint64_t evicted_entries() const noexcept { return evicted_entries_; }
    std::uint64_t evicted_channels() const noexcept { return evicted_channels_; }

  private:
    struct held {
        hub_entry entry;
        std::size_t bytes = 0;
    };
    struct log;
    using log_map = std::map<std::string, log, std::less<>>;
    struct log {
        std::uint64_t latest = 0;
        std::deque<held> entries;
        std::size_t bytes = 0;
        /// Position in recency_ while the channel holds entries.
        std::list<log_map::iterator>::iterator recency_pos{};
        bool in_recency = false;
    };
    void drop_front(log& l);
    void enforce_budget(log_map::iterator current);

    std::size_t history_max_;
    std::size_t bytes_max_;
    std::size_t bytes_ = 0;
    std::uint64_t evicted_entries_ = 0;
    std::uint64_t evicted_channels_ = 0;
    log_map logs_;
    /// Channels holding entries, least recently published first.
    std::list<log_map::iterator> recency_;
};

}  // namespace switchyard::policy
