#pragma once
// A run::clock in virtual time for tests: run() jumps from task to task, so a 10 s run takes
// microseconds. Single-threaded like the simulator's kernel; post() is the one locked entry.
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <queue>
#include <vector>

#include "engine/run/clock.hpp"

namespace switchyard::test {

class virtual_clock final : public run::clock {
  public:
    run::micros now() const override { return run::micros{now_us_.load()}; }

    void call_at(run::micros at, task t) override { queue_.push({at, next_seq_++, std::move(t)}); }

    void post(task t) override {
        std::lock_guard lock(inbox_mutex_);
        inbox_.push_back(std::move(t));
    }

    void run() override {
        stop_ = false;
        while (!stop_) {
            take_inbox();
            if (queue_.empty())
                return;
            auto e = queue_.top();
            queue_.pop();
            if (e.at > now())
                now_us_.store(e.at.count());
            ++tasks_run_;
            e.t();
        }
    }

    void stop() override { stop_ = true; }

    std::uint64_t tasks_run() const noexcept { return tasks_run_; }

  private:
    struct entry {
        run::micros at;
        std::uint64_t seq;
        task t;
    };
    struct later {
        bool operator()(const entry& a, const entry& b) const {
            return a.at != b.at ? a.at > b.at : a.seq > b.seq;
        }
    };

    void take_inbox() {
        std::deque<task> in;
        {
            std::lock_guard lock(inbox_mutex_);
            in.swap(inbox_);
        }
        for (auto& t : in)
            call_at(now(), std::move(t));
    }

    std::atomic<std::int64_t> now_us_{0};
    std::priority_queue<entry, std::vector<entry>, later> queue_;
    std::uint64_t next_seq_ = 0;
    std::uint64_t tasks_run_ = 0;
    bool stop_ = false;
    std::mutex inbox_mutex_;
    std::deque<task> inbox_;
};

}  // namespace switchyard::test
