#pragma once
// The one place that knows a run's life: cluster up, fleets on, the timeline and hand actions
// during the traffic phase (with pause), the drain, the checkers, the verdict, the reports and
// the event stream. It acts on a world only through its drivers and asks the world's clock to
// run things at a time, so the same code runs the real world and the simulated one.
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>

#include "engine/events/event_stream.hpp"
#include "engine/report/run_result.hpp"
#include "engine/run/run_observer.hpp"
#include "engine/run/run_plan.hpp"
#include "engine/run/world.hpp"
#include "engine/verify/ledger.hpp"

namespace switchyard::run {

using namespace std::chrono_literals;

/// How to run, apart from the plan.
struct runner_options {
    /// The run's folder (component logs), reported in run_started and the result; result.json
    /// is written there at the end. "" = no folder (tests).
    std::string run_dir;
    std::filesystem::path json_path;   ///< --json, "" = none
    std::filesystem::path junit_path;  ///< --junit, "" = none
    /// false: the timeline is not run (hand actions still are).
    bool run_timeline = true;
    micros poll_interval = 100ms;  ///< cluster_driver::poll() period
    /// How soon request_stop() is noticed (it is one atomic store, so it cannot wake the clock).
    micros stop_check_interval = 5ms;
};

/// Runs one plan on one world.
///
/// Life: construct, run() once on the thread that will run the world's clock (it blocks until
/// the verdict). Thread safety: request_stop(), pause(), resume(), apply(), paused() and
/// in_traffic() may be called from any thread at any time, also before run().
///
/// Time: the traffic phase lasts plan.duration of unpaused time. Timeline actions run when the
/// unpaused time since the traffic phase began reaches their `at`; an action at or after the
/// duration never runs. While paused, the timeline and the countdown stand still; traffic,
/// metrics and hand actions go on. Then the drain (plan.drain, publishers stopped, not
/// pausable), then the checks.
///
/// Verdict: "error" (the world could not start; result.error says why), else "interrupted"
/// when request_stop() came (the checks still run on what was measured), else "passed" or
/// "failed" by the expectations.
class scenario_runner {
  public:
    scenario_runner(run_plan plan, run::world world, events::event_stream& events,
                    runner_options options = {});
    scenario_runner(const scenario_runner&) = delete;
    scenario_runner& operator=(const scenario_runner&) = delete;

    /// Runs the whole life on the calling thread; the result is also in the reports.
    report::run_result run();

    /// Ends the traffic phase early (Ctrl-C, GUI stop). Async-signal-safe (one atomic store).
    void request_stop() noexcept { stop_requested_.store(true); }
    /// Freezes the timeline and the duration countdown (traffic keeps flowing).
    void pause();
    void resume();
    bool paused() const noexcept { return paused_.load(); }
    /// Carries out a hand action (`at` ignored) on the run thread as soon as possible; its
    /// outcome is an `action_applied` event with source "hand". Outside the traffic phase it
    /// is ignored with a `log` warning.
    void apply(action a);
    bool in_traffic() const noexcept { return phase_.load() == phase::traffic; }

  private:
    enum class phase { before, traffic, drain, done };

    void traffic_phase();
    void drain_phase();
    void end_traffic();
    void schedule_plan();
    void run_due_timeline(std::uint64_t generation);
    void on_pause_changed();
    void on_metrics_due();
    void on_poll_due();
    void on_stop_check_due();
    void run_action(const action& a, const char* source);
    void publish_metrics(micros period);
    void warn_ignored(const action& a);
    void judge(report::run_result& r, bool ran);
    void write_reports(const report::run_result& r);

    run_plan plan_;
    run::world world_;
    events::event_stream& events_;
    runner_options options_;
    verify::ledger ledger_;
    run_observer observer_;

    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> paused_{false};
    std::atomic<phase> phase_{phase::before};

    // Run-thread state (touched only inside the clock's run()).
    micros traffic_start_{};
    micros paused_total_{};
    micros paused_since_{};
    bool is_paused_ = false;
    std::uint64_t plan_generation_ = 0;  ///< bumps on pause/resume: older plan tasks are void
    std::size_t next_action_ = 0;
    micros last_metrics_{};
    /// Links whose fault cut a relay off (relay_cut_off_by), to the relay: clearing the fault
    /// ends that relay's lost state.
    std::map<std::string, std::string> cut_links_;
};

/// Exit code for a verdict: passed 0, failed 1, bad input 2, error/interrupted 3.
int exit_code_for(const std::string& verdict) noexcept;

}  // namespace switchyard::run
