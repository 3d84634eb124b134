#pragma once
// The real world's clock: steady time since the run started, and a task queue whose run()
// sleeps until the next task is due (or until post() wakes it).
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <vector>

#include "engine/events/run_clock.hpp"
#include "engine/run/clock.hpp"

namespace switchyard::engine {

/// run::clock on the steady clock. Every method is thread-safe (call_at too, though the
/// runner only calls it from the run thread). `time_source()` is the events::run_clock the
/// cluster and the fleet stamp their records with, so all share one origin.
class wall_clock final : public run::clock {
  public:
    run::micros now() const override { return source_.now(); }
    void call_at(run::micros at, task t) override;
    void post(task t) override;
    void run() override;
    void stop() override;

    /// Time zero is now. Call before the run begins (nothing queued relies on the old origin).
    void restart() { source_.start(); }
    const events::run_clock& time_source() const noexcept { return source_; }

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

    events::run_clock source_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::priority_queue<entry, std::vector<entry>, later> queue_;
    std::uint64_t next_seq_ = 0;
    bool stop_ = false;
};

}  // namespace switchyard::engine
