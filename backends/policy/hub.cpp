#include "backends/policy/hub.hpp"

#include <algorithm>

namespace switchyard::policy {

hub::member* hub::find(channel_state& ch, subscriber_id sub) {
    for (member& m : ch.members)
        if (m.sub == sub)
            return &m;
    return nullptr;
}

bool hub::subscribe(subscriber_id sub, std::string_view channel,
                    std::optional<std::uint64_t> resume_after) {
    auto it = channels_.find(channel);
    if (it == channels_.end())
        it = channels_.emplace(std::string(channel), channel_state{}).first;
    if (find(it->second, sub))
        return false;
    member m;
    m.sub = sub;
    m.resume_after = resume_after;
    it->second.members.push_back(std::move(m));
    by_sub_[sub].emplace_back(channel);
    return true;
}

hub_sync_result hub::on_synced(subscriber_id sub, std::string_view channel,
                               const std::vector<hub_entry>& history, std::uint64_t oldest,
                               std::uint64_t latest) {
    hub_sync_result result;
    auto it = channels_.find(channel);
    member* m = it == channels_.end() ? nullptr : find(it->second, sub);
    if (!m || !m->pending) {
        result.stale = true;
        return result;
    }
    channel_state& ch = it->second;
    if (latest > ch.latest)
        ch.latest = latest;
    std::uint64_t last = 0;
    if (m->resume_after && *m->resume_after > ch.latest) {
        result.resume_beyond_latest = true;
        last = latest;
    } else if (m->resume_after) {
        last = *m->resume_after;
        // A gap only exists if something after the resume point was ever published.
        if (latest > last && oldest > last + 1)
            result.missing = hub_sync_result::gap{last, oldest};
        for (const hub_entry& e : history) {
            if (e.seq <= last)
                continue;
            last = e.seq;
            result.deliver.push_back(e);
        }
    } else {
        // A fresh subscription starts after whatever is current: nothing is replayed.
        last = latest;
    }
    for (hub_entry& e : m->buffer) {
        if (e.seq <= last)
            continue;
        last = e.seq;
        result.deliver.push_back(std::move(e));
    }
    // Live messages buffered while pending may reach back further than the history read did
    // (the history was read before they arrived): the gap ends where delivery starts.
    if (result.missing && !result.deliver.empty() &&
        result.deliver.front().seq < result.missing->oldest) {
        if (result.deliver.front().seq <= result.missing->requested + 1)
            result.missing.reset();
        else
            result.missing->oldest = result.deliver.front().seq;
    }
    m->buffer = {};  // release it: a synced subscription never buffers again
    m->pending = false;
    m->last_seq = last;
    result.subscribed_seq = last;
    return result;
}

void hub::erase_member(std::map<std::string, channel_state, std::less<>>::iterator it,
                       subscriber_id sub) {
    auto& members = it->second.members;
    for (std::size_t i = 0; i < members.size(); ++i) {
        if (members[i].sub != sub)
            continue;
        if (i + 1 != members.size())
            members[i] = std::move(members.back());
        members.pop_back();
        break;
    }
    // The channel's latest seq is kept even when empty: it feeds the bus's sequence floor.
}

bool hub::unsubscribe(subscriber_id sub, std::string_view channel) {
    auto it = channels_.find(channel);
    if (it == channels_.end() || !find(it->second, sub))
        return false;
    erase_member(it, sub);
    auto bs = by_sub_.find(sub);
    if (bs != by_sub_.end()) {
        auto& list = bs->second;
        list.erase(std::remove(list.begin(), list.end(), channel), list.end());
        if (list.empty())
            by_sub_.erase(bs);
    }
    return true;
}

void hub::remove(subscriber_id sub) {
    auto bs = by_sub_.find(sub);
    if (bs == by_sub_.end())
        return;
    for (const std::string& channel : bs->second) {
        auto it = channels_.find(channel);
        if (it != channels_.end())
            erase_member(it, sub);
    }
    by_sub_.erase(bs);
}

std::uint64_t hub::latest(std::string_view channel) const {
    auto it = channels_.find(channel);
    return it == channels_.end() ? 0 : it->second.latest;
}

std::size_t hub::subscriber_count(std::string_view channel) const {
    auto it = channels_.find(channel);
    return it == channels_.end() ? 0 : it->second.members.size();
}

std::vector<std::string> hub::channels_of(subscriber_id sub) const {
    auto bs = by_sub_.find(sub);
    if (bs == by_sub_.end())
        return {};
    std::vector<std::string> out = bs->second;
    std::sort(out.begin(), out.end());
    return out;
}

bool hub::is_subscribed(subscriber_id sub, std::string_view channel) const {
    auto bs = by_sub_.find(sub);
    if (bs == by_sub_.end())
        return false;
    return std::find(bs->second.begin(), bs->second.end(), channel) != bs->second.end();
}

}  // namespace switchyard::policy

namespace switchyard::policy {

std::optional<std::uint64_t> hub::last_seq(subscriber_id sub, std::string_view channel) const {
    auto it = channels_.find(channel);
    if (it == channels_.end())
        return std::nullopt;
    for (const member& m : it->second.members)
        if (m.sub == sub)
            return m.pending ? std::nullopt : std::optional<std::uint64_t>(m.last_seq);
    return std::nullopt;
}

}  // namespace switchyard::policy
