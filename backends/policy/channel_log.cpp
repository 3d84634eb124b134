#include "backends/policy/channel_log.hpp"

namespace switchyard::policy {

void channel_log::drop_front(log& l) {
    l.bytes -= l.entries.front().bytes;
    bytes_ -= l.entries.front().bytes;
    l.entries.pop_front();
}

std::uint64_t channel_log::append(std::string_view channel,
                                  std::shared_ptr<const hub_payload> payload, std::size_t bytes) {
    auto it = logs_.find(channel);
    if (it == logs_.end())
        it = logs_.emplace(std::string(channel), log{}).first;
    log& l = it->second;
    const std::uint64_t seq = ++l.latest;
    l.entries.push_back(held{hub_entry{seq, std::move(payload)}, bytes});
    l.bytes += bytes;
    bytes_ += bytes;
    while (l.entries.size() > history_max_)
        drop_front(l);
    // Most recently published last: the budget evicts from the front.
    if (l.in_recency)
        recency_.splice(recency_.end(), recency_, l.recency_pos);
    else
        l.recency_pos = recency_.insert(recency_.end(), it);
    l.in_recency = true;
    enforce_budget(it);
    return seq;
}

void channel_log::enforce_budget(log_map::iterator current) {
    if (bytes_max_ == 0)
        return;
    while (bytes_ > bytes_max_ && !recency_.empty()) {
        auto victim = recency_.front();
        if (victim == current) {
            // Only the channel just published to is left: it keeps its newest entries.
            log& l = current->second;
            while (bytes_ > bytes_max_ && l.entries.size() > 1) {
                drop_front(l);
                ++evicted_entries_;
            }
            return;
        }
        log& l = victim->second;
        evicted_entries_ += l.entries.size();
        ++evicted_channels_;
        bytes_ -= l.bytes;
        l.bytes = 0;
        // A fresh deque: clear() could keep the old one's blocks.
        std::deque<held>().swap(l.entries);
        recency_.pop_front();
        l.in_recency = false;
    }
}

log_range channel_log::after(std::string_view channel, std::uint64_t after) const {
    log_range r;
    auto it = logs_.find(channel);
    if (it == logs_.end())
        return r;
    const log& l = it->second;
    r.latest = l.latest;
    r.oldest = l.entries.empty() ? l.latest + 1 : l.entries.front().entry.seq;
    if (after >= l.latest || l.entries.empty())
        return r;
    // Entries are contiguous, so the first wanted one is found by arithmetic.
    const std::uint64_t first = after + 1 < r.oldest ? r.oldest : after + 1;
    for (std::size_t i = static_cast<std::size_t>(first - r.oldest); i < l.entries.size(); ++i)
        r.entries.push_back(l.entries[i].entry);
    return r;
}

std::uint64_t channel_log::latest(std::string_view channel) const {
    auto it = logs_.find(channel);
    return it == logs_.end() ? 0 : it->second.latest;
}

}  // namespace switchyard::policy
