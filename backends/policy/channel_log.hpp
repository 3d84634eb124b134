#pragma once
// Per-channel sequence numbers and bounded history in one process: what the memory bus keeps,
// and what the redis bus keeps in Redis with the same meaning (see backends/bus/redis_bus.cpp).
#include <cstddef>
#include <cstdint>
#include <deque>
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

/// Sequence assignment and a bounded history per channel. `history_max` (entries per
/// channel) bounds memory: older entries are dropped and a resume past them reports a gap.
class channel_log {
  public:
    static constexpr std::size_t default_history_max = 1024;

    explicit channel_log(std::size_t history_max = default_history_max)
        : history_max_(history_max == 0 ? 1 : history_max) {}

    /// Gives `payload` the channel's next seq, keeps it in the history and returns the seq.
    std::uint64_t append(std::string_view channel, std::shared_ptr<const hub_payload> payload);
    /// Entries with seq > `after` (all of them from `oldest` when the history starts later).
    log_range after(std::string_view channel, std::uint64_t after) const;
    std::uint64_t latest(std::string_view channel) const;
    std::size_t history_max() const noexcept { return history_max_; }

  private:
    struct log {
        std::uint64_t latest = 0;
        std::deque<hub_entry> entries;
    };
    std::size_t history_max_;
    std::map<std::string, log, std::less<>> logs_;
};

}  // namespace switchyard::policy
