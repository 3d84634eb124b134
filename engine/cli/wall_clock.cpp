#include "engine/cli/wall_clock.hpp"

namespace switchyard::engine {

void wall_clock::call_at(run::micros at, task t) {
    {
        std::lock_guard lock(mutex_);
        queue_.push({at, next_seq_++, std::move(t)});
    }
    wake_.notify_one();  // the new task may be due before the one run() waits for
}

void wall_clock::post(task t) {
    call_at(now(), std::move(t));
}

void wall_clock::stop() {
    std::lock_guard lock(mutex_);
    stop_ = true;
}

void wall_clock::run() {
    std::unique_lock lock(mutex_);
    stop_ = false;
    while (!stop_) {
        if (queue_.empty()) {
            wake_.wait(lock);
            continue;
        }
        const auto due = queue_.top().at;
        const auto now = source_.now();
        if (due > now) {
            wake_.wait_for(lock, due - now);
            continue;
        }
        auto t = queue_.top().t;
        queue_.pop();
        lock.unlock();
        t();  // may block (a restart waits for READY): later tasks then run late, in order
        lock.lock();
    }
}

}  // namespace switchyard::engine
