#pragma once
// The engine: runs one scenario for real and lets a caller watch it (the event
// stream) and steer it (the same actions the timeline has). It owns the real
// world (processes, sockets, fault proxies, the wall clock) and hands it to
// run::scenario_runner, which knows the run's life. The CLI runs it on its own
// thread; the GUI runs it in-process with start() and subscribes.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "engine/cli/real_fleet.hpp"
#include "engine/cli/wall_clock.hpp"
#include "engine/cluster/cluster.hpp"
#include "engine/events/event_stream.hpp"
#include "engine/report/run_result.hpp"
#include "engine/run/scenario_runner.hpp"
#include "engine/scenario/scenario.hpp"

namespace switchyard::engine {

/// How to run, apart from what the scenario says.
struct run_options {
    std::filesystem::path runs_root = "runs";           ///< per-run folders go below this
    std::optional<std::uint64_t> seed;                  ///< overrides the scenario's seed
    std::optional<std::chrono::microseconds> duration;  ///< overrides the scenario's duration
    std::filesystem::path json_path;                    ///< --json, empty = none
    std::filesystem::path junit_path;                   ///< --junit
    std::filesystem::path events_path;                  ///< --events (NDJSON, written live)
    unsigned fleet_threads = 1;                         ///< io threads for the synthetic clients
    /// Put a fault proxy on every link, not only the ones the timeline names, so
    /// hand actions (GUI) can fault any link. Costs one extra hop per link.
    bool proxy_all_links = false;
    /// Relays reserved (ports, balancer backends) for hand add_relay, named after
    /// the last one.
    unsigned spare_relays = 0;
    /// Hand actions are accepted and, when false, the timeline still runs. The
    /// GUI leaves it so.
    bool run_timeline = true;
};

/// Runs one scenario. Thread safety: every public method may be called from any
/// thread.
///
/// Life: construct, then either run() (blocks, returns the result) or start()
/// (own thread) and later wait(). request_stop() ends the traffic phase early:
/// the run still drains, checks what it has and writes reports, with verdict
/// "interrupted". apply() queues a hand action that the run thread carries out
/// between timeline steps; its outcome is an `action_applied` event.
class run_controller {
  public:
    explicit run_controller(scenario::scenario s, run_options options = {});
    ~run_controller();
    run_controller(const run_controller&) = delete;
    run_controller& operator=(const run_controller&) = delete;

    /// The stream every event of the run goes to. Subscribe before start()/run()
    /// to see all.
    events::event_stream& events() noexcept { return events_; }
    const scenario::scenario& scenario() const noexcept { return scenario_; }

    /// Runs to the end on the calling thread.
    report::run_result run();
    /// Runs on a thread of its own.
    void start();
    /// Waits for a start()ed run; returns its result.
    report::run_result wait();
    bool finished() const noexcept { return finished_.load(); }

    /// Ends the traffic phase now (Ctrl-C, GUI stop). Async-signal-safe (atomic
    /// stores only).
    void request_stop() noexcept;
    /// Freezes the timeline and the duration countdown (traffic keeps flowing).
    void pause();
    void resume();
    bool paused() const noexcept { return paused_.load(); }

    /// Queues a hand action (`at` is ignored). Ignored with a warning event when
    /// not running.
    void apply(scenario::action_spec action);

    /// The components and their states now (empty before the cluster starts).
    std::vector<cluster::component_info> components() const;
    /// Microseconds since the run started.
    std::chrono::microseconds now() const { return clock_.now(); }

  private:
    report::run_result execute();
    std::filesystem::path make_run_dir() const;

    scenario::scenario scenario_;
    run_options options_;
    events::event_stream events_;
    wall_clock clock_;

    // The real world and the runner, made when the run begins (the cluster needs
    // the run folder). Once made they live as long as the controller, so a
    // pointer read is safe.
    std::unique_ptr<cluster::cluster> cluster_;
    std::unique_ptr<real_fleet> fleet_;
    std::unique_ptr<run::scenario_runner> runner_;
    std::atomic<run::scenario_runner*> live_runner_{nullptr};
    mutable std::mutex cluster_mutex_;  // guards the cluster_ pointer for components()

    // Steering that may come before the runner exists; handed on when it does.
    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> paused_{false};
    std::atomic<bool> finished_{false};
    std::thread thread_;
    report::run_result result_;
};

/// Exit code for a verdict: passed 0, failed 1, bad input 2,
/// error/interrupted 3.
using run::exit_code_for;

}  // namespace switchyard::engine
