#pragma once
// The run's publish/subscribe hub: every part publishes events, reports and the GUI subscribe.
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/events/event.hpp"

namespace switchyard::events {

/// Thread-safe fan-out of events to subscribers.
///
/// Contract: `publish` may be called from any thread; callbacks run on the publishing thread, one
/// event at a time across the whole stream (publishes are serialised), so every subscriber sees
/// the same total order. A callback must be quick (hand the event to its own queue or thread if
/// it needs to do real work: the GUI posts it to its event loop). After `unsubscribe` returns,
/// that callback is not running and will not be called again; a callback may unsubscribe itself
/// (or others) from inside a call. Events are low rate by design (metrics are aggregated), so one
/// lock is cheaper than anything cleverer.
class event_stream {
  public:
    using callback = std::function<void(const event&)>;
    using subscription = std::uint64_t;

    subscription subscribe(callback cb);
    void unsubscribe(subscription id);
    void publish(const event& e);
    /// Number of events published so far.
    std::uint64_t published() const;

  private:
    struct entry {
        subscription id;
        callback cb;
        bool removed = false;
    };
    mutable std::recursive_mutex mutex_;  // recursive: callbacks may (un)subscribe or publish
    std::vector<entry> subs_;
    subscription next_id_ = 1;
    std::uint64_t published_ = 0;
    int dispatch_depth_ = 0;
};

}  // namespace switchyard::events
