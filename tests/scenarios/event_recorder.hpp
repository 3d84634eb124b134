#pragma once
// What the in-process engine tests share: an event stream subscriber that keeps every event and
// lets the test thread wait for one. Header-only, tests only.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <variant>
#include <vector>

#include "engine/events/event.hpp"

namespace switchyard::test {

/// Collects events from the stream's thread for the test thread.
struct event_recorder {
    std::mutex m;
    std::condition_variable cv;
    std::vector<events::event> seen;
    void on(const events::event& e) {
        std::lock_guard lock(m);
        seen.push_back(e);
        cv.notify_all();
    }
    /// Waits until an event of type T satisfying `pred` was seen (true) or `timeout` (false).
    template <class T, class Pred>
    bool wait_for(Pred pred, std::chrono::milliseconds timeout) {
        std::unique_lock lock(m);
        return cv.wait_for(lock, timeout, [&] {
            for (const auto& e : seen)
                if (auto* x = std::get_if<T>(&e); x && pred(*x))
                    return true;
            return false;
        });
    }
    /// Every event of type T so far, in order.
    template <class T>
    std::vector<T> all() {
        std::lock_guard lock(m);
        std::vector<T> out;
        for (const auto& e : seen)
            if (auto* x = std::get_if<T>(&e))
                out.push_back(*x);
        return out;
    }
};

}  // namespace switchyard::test
