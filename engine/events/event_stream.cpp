#include "engine/events/event_stream.hpp"

#include <algorithm>

namespace switchyard::events {

event_stream::subscription event_stream::subscribe(callback cb) {
    std::lock_guard lock(mutex_);
    const auto id = next_id_++;
    subs_.push_back(entry{id, std::move(cb)});
    return id;
}

void event_stream::unsubscribe(subscription id) {
    std::lock_guard lock(mutex_);
    for (auto& s : subs_)
        if (s.id == id)
            s.removed = true;
    // While dispatching, the vector is being iterated: erase once the outermost dispatch ends.
    if (dispatch_depth_ == 0)
        std::erase_if(subs_, [](const entry& s) { return s.removed; });
}

void event_stream::publish(const event& e) {
    std::lock_guard lock(mutex_);
    ++published_;
    ++dispatch_depth_;
    // Index loop over the subscribers present now: one added by a callback starts with the
    // next event, and push_back may reallocate while we iterate.
    const std::size_t n = subs_.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (subs_[i].removed)
            continue;
        auto cb = subs_[i].cb;  // copy: push_back may reallocate under a running callback
        cb(e);
    }
    if (--dispatch_depth_ == 0)
        std::erase_if(subs_, [](const entry& s) { return s.removed; });
}

std::uint64_t event_stream::published() const {
    std::lock_guard lock(mutex_);
    return published_;
}

}  // namespace switchyard::events
