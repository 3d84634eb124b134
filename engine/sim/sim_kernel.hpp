#pragma once
// The discrete-event kernel of the simulated world: a virtual clock and one event queue ordered
// by (time, insertion sequence). Nothing here reads a wall clock, so a run replays exactly.
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

namespace switchyard::sim {

/// Virtual microseconds since the run started (the same unit as events::micros).
using micros = std::chrono::microseconds;

/// Virtual clock plus event queue.
///
/// Contract:
/// - `now()` only moves forward, and only when the next event is taken.
/// - Events run in (time, insertion sequence) order: two events scheduled for the same time run
///   in the order they were scheduled, whatever the heap does. This is what makes a run
///   byte-identical from its seed.
/// - An event scheduled in the past runs at `now()` (after the ones already due at `now()`).
/// - A task may schedule more tasks (also for `now()`); it may not destroy the kernel.
/// - Single-threaded by design.
class sim_kernel {
  public:
    using task = std::function<void()>;

    micros now() const noexcept { return now_; }

    /// Runs `t` at `when` (clamped to now()).
    void at(micros when, task t);
    /// Runs `t` after `delay` (negative delays count as 0).
    void after(micros delay, task t) { at(now_ + delay, std::move(t)); }

    /// Runs the earliest event; false when none is left.
    bool step();
    /// Runs every event due at or before `end`, then sets the clock to `end` (when later).
    void run_until(micros end);

    /// Events waiting.
    std::size_t pending() const noexcept { return heap_.size(); }
    /// Events run so far.
    std::uint64_t executed() const noexcept { return executed_; }
    /// Time of the earliest waiting event (only meaningful when pending() > 0).
    micros next_time() const noexcept { return heap_.front().at; }

  private:
    /// The heap holds small keys; tasks stay put in a slab, so sifting moves 24 bytes, not a
    /// std::function (the queue's hot loop at a million pending timers).
    struct key {
        micros at;
        std::uint64_t seq;
        std::uint32_t slot;
    };
    /// Heap order: the earliest (time, seq) on top.
    static bool later(const key& a, const key& b) noexcept {
        return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }

    micros now_{0};
    std::uint64_t next_seq_ = 0;
    std::uint64_t executed_ = 0;
    std::vector<key> heap_;
    std::vector<task> tasks_;          ///< slab indexed by key::slot
    std::vector<std::uint32_t> free_;  ///< slab slots to reuse
};

}  // namespace switchyard::sim
