#pragma once
// The run's clock as the scenario runner sees it: what time it is, and "run this at t". The real
// world implements it on the steady clock (wall_clock: sleeps until the next task); the
// simulated world on its event queue (virtual time: jumps to the next task at once). The runner
// never sleeps or reads a clock of its own, so the same runner code is exact in both.
#include <chrono>
#include <functional>

namespace switchyard::run {

using micros = std::chrono::microseconds;

/// A single-threaded task queue ordered by time.
///
/// Contract:
/// - now(): time since the run started, never decreasing. Any thread (the GUI reads it).
/// - call_at(at, task): runs `task` once, on the thread inside run(), when now() >= at. Tasks
///   run in (at, insertion order); `at` in the past means "as soon as possible", after tasks
///   already due. Only from the run() thread (inside a task) or before run() starts: a virtual
///   clock need not lock. There is no cancel: a caller that changes its mind makes its task a
///   no-op (the runner keeps a generation number).
/// - post(task): the one thread-safe entry. From any thread, asks run() to execute `task` as
///   soon as possible (hand actions, pause, resume from the GUI). A real clock wakes its wait; a
///   virtual one takes the task between two events at its current virtual time.
/// - run(): executes tasks until a task calls stop(), then returns with the remaining tasks
///   kept for the next run() (the runner calls it once for traffic, once for drain). Also
///   returns when no task is left and nothing can arrive but post() (a world with no timers
///   of its own: tests); a wall clock waits for post() instead, so it returns only on stop().
///   A real clock sleeps until the next task is due; a virtual clock sets now() to its time.
/// - stop(): from a task; run() returns after that task. Not sticky beyond the return.
/// - Tasks may call call_at and stop, and may block (a real restart waits for READY); time
///   keeps going meanwhile, so late tasks run late, in order, never skipped.
/// The clock owns queued tasks and destroys those never run with itself.
class clock {
  public:
    using task = std::function<void()>;

    virtual ~clock() = default;
    virtual micros now() const = 0;
    virtual void call_at(micros at, task t) = 0;
    virtual void post(task t) = 0;
    virtual void run() = 0;
    virtual void stop() = 0;
};

}  // namespace switchyard::run
