#include "backends/policy/channel_log.hpp"

namespace switchyard::policy {

std::uint64_t channel_log::append(std::string_view channel,
                                  std::shared_ptr<const hub_payload> payload) {
    auto it = logs_.find(channel);
    if (it == logs_.end())
        it = logs_.emplace(std::string(channel), log{}).first;
    log& l = it->second;
    const std::uint64_t seq = ++l.latest;
    l.entries.push_back(hub_entry{seq, std::move(payload)});
    while (l.entries.size() > history_max_)
        l.entries.pop_front();
    return seq;
}

log_range channel_log::after(std::string_view channel, std::uint64_t after) const {
    log_range r;
    auto it = logs_.find(channel);
    if (it == logs_.end())
        return r;
    const log& l = it->second;
    r.latest = l.latest;
    r.oldest = l.entries.empty() ? l.latest + 1 : l.entries.front().seq;
    if (after >= l.latest || l.entries.empty())
        return r;
    // Entries are contiguous, so the first wanted one is found by arithmetic.
    const std::uint64_t first = after + 1 < r.oldest ? r.oldest : after + 1;
    for (std::size_t i = static_cast<std::size_t>(first - r.oldest); i < l.entries.size(); ++i)
        r.entries.push_back(l.entries[i]);
    return r;
}

std::uint64_t channel_log::latest(std::string_view channel) const {
    auto it = logs_.find(channel);
    return it == logs_.end() ? 0 : it->second.latest;
}

}  // namespace switchyard::policy
