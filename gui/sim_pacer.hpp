#pragma once
// Paces a simulation against the wall clock: the simulated world runs in virtual time as fast
// as it can; the dashboard's simulation thread asks the pacer before it hands on each event,
// and the pacer holds it until that event's virtual time is due at the chosen speed. Holding
// the simulation's own thread is what makes a pause a true pause (virtual time stands still).
// No Qt and no engine here, so the timing rules are tested on their own.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace switchyard::gui {

class SimPacer {
  public:
    using wall_clock = std::chrono::steady_clock;
    using micros = std::chrono::microseconds;

    /// Speed is virtual seconds per wall second: 1 real time, 10 ten times faster, 0 as fast as
    /// possible (never waits).
    explicit SimPacer(double speed = 1.0);

    /// Any thread. Takes effect from the current position: what already ran is not re-timed.
    void setSpeed(double speed);
    double speed() const;
    void pause();
    void resume();
    bool paused() const;
    /// Releases every wait for good (the run is being stopped); later waits return at once.
    void stop();
    bool stopped() const;

    /// Simulation thread: blocks until virtual time `at` is due (or the pacer is stopped).
    /// Times that go backwards are due at once.
    void waitUntil(micros at);

    /// The wall time virtual time `at` is due at, for an anchor (`wall`, `virt`) and a speed;
    /// `wall` itself when the speed is 0 or `at` is not after `virt`. The one timing rule.
    static wall_clock::time_point dueAt(micros at, wall_clock::time_point wall, micros virt,
                                        double speed);

  private:
    void reanchor(wall_clock::time_point now);  // mutex held

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    double speed_;
    bool paused_ = false;
    bool stopped_ = false;
    bool anchored_ = false;
    wall_clock::time_point anchorWall_{};
    micros anchorVirt_{0};
    micros position_{0};  ///< virtual time of the last event let through
};

}  // namespace switchyard::gui
