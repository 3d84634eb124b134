#pragma once
// A scenario run in the simulated world inside the dashboard: engine/sim's run_simulation on
// its own thread, every event paced to the wall clock (SimPacer) and handed to the pump. The
// simulation never waits on the UI except when the pump's backlog is large, so "as fast as
// possible" means as fast as the dashboard takes the events, with nothing shed.
#include <atomic>
#include <mutex>
#include <thread>

#include "engine/events/event_stream.hpp"
#include "engine/report/run_result.hpp"
#include "engine/scenario/scenario.hpp"
#include "gui/sim_pacer.hpp"

namespace switchyard::run {
class scenario_runner;
}

namespace switchyard::gui {

class EventPump;

class SimSession {
  public:
    /// Past this many queued events the simulation waits for the UI to drain the pump.
    static constexpr std::size_t kMaxBacklog = 50'000;

    SimSession(scenario::scenario s, EventPump& pump, double speed);
    /// Stops the run and joins its thread (what is left runs unpaced and is not shown).
    ~SimSession();
    SimSession(const SimSession&) = delete;
    SimSession& operator=(const SimSession&) = delete;

    void start();
    /// Ends the traffic phase (verdict "interrupted"); the drain and checks run unpaced.
    void stop();
    bool finished() const { return finished_.load(); }
    /// Stops virtual time itself: the simulation thread waits in the pacer.
    void pause() { pacer_.pause(); }
    void resume() { pacer_.resume(); }
    bool paused() const { return pacer_.paused(); }
    void setSpeed(double speed) { pacer_.setSpeed(speed); }
    double speed() const { return pacer_.speed(); }
    /// A hand action, carried out by the simulated world at its next event.
    void apply(scenario::action_spec a);
    /// After finished(): the run's result.
    report::run_result result() const;

  private:
    void onEvent(const events::event& e);

    scenario::scenario scenario_;
    EventPump& pump_;
    SimPacer pacer_;
    events::event_stream stream_;
    std::thread thread_;
    std::atomic<bool> finished_{false};
    std::atomic<bool> closing_{false};
    std::atomic<std::int64_t> now_{0};  ///< virtual time of the last event, microseconds
    mutable std::mutex mutex_;          // guards runner_, stopRequested_, result_
    run::scenario_runner* runner_ = nullptr;
    bool stopRequested_ = false;
    report::run_result result_;
};

}  // namespace switchyard::gui
