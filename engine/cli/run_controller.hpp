#pragma once
// The engine: runs one scenario for real (cluster, fleet, timeline, checks, reports) and lets a
// caller watch it (the event stream) and steer it (the same actions the timeline has). The CLI
// runs it on its own thread; the GUI runs it in-process with start() and subscribes.
#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "engine/cluster/cluster.hpp"
#include "engine/events/event_stream.hpp"
#include "engine/events/run_clock.hpp"
#include "engine/report/run_result.hpp"
#include "engine/scenario/scenario.hpp"

namespace switchyard::fleet {
class fleet_runner;
class client_observer;
}  // namespace switchyard::fleet
namespace switchyard::verify {
class ledger;
}

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
    /// Put a fault proxy on every link, not only the ones the timeline names, so hand actions
    /// (GUI) can fault any link. Costs one extra hop per link.
    bool proxy_all_links = false;
    /// Relays reserved (ports, balancer backends) for hand add_relay, named after the last one.
    unsigned spare_relays = 0;
    /// Hand actions are accepted and, when false, the timeline still runs. The GUI leaves it so.
    bool run_timeline = true;
};

/// Runs one scenario. Thread safety: every public method may be called from any thread.
///
/// Life: construct, then either run() (blocks, returns the result) or start() (own thread) and
/// later wait(). request_stop() ends the traffic phase early: the run still drains, checks what
/// it has and writes reports, with verdict "interrupted". apply() queues a hand action that the
/// control thread carries out between timeline steps; its outcome is an `action_applied` event.
class run_controller {
  public:
    explicit run_controller(scenario::scenario s, run_options options = {});
    ~run_controller();
    run_controller(const run_controller&) = delete;
    run_controller& operator=(const run_controller&) = delete;

    /// The stream every event of the run goes to. Subscribe before start()/run() to see all.
    events::event_stream& events() noexcept { return events_; }
    const scenario::scenario& scenario() const noexcept { return scenario_; }

    /// Runs to the end on the calling thread.
    report::run_result run();
    /// Runs on a thread of its own.
    void start();
    /// Waits for a start()ed run; returns its result.
    report::run_result wait();
    bool finished() const noexcept { return finished_.load(); }

    /// Ends the traffic phase now (Ctrl-C, GUI stop). Async-signal-safe (one atomic store).
    void request_stop() noexcept { stop_requested_.store(true); }
    /// Freezes the timeline and the duration countdown (traffic keeps flowing).
    void pause();
    void resume();
    bool paused() const noexcept { return paused_.load(); }

    /// Queues a hand action (`at` is ignored). Ignored with a warning event when not running.
    void apply(scenario::action_spec action);

    /// The components and their states now (empty before the cluster starts).
    std::vector<cluster::component_info> components() const;
    /// Microseconds since the run started.
    std::chrono::microseconds now() const { return clock_.now(); }

  private:
    report::run_result execute();
    void traffic_phase();
    void run_action(const scenario::action_spec& a, const char* source);
    void publish_metrics(std::chrono::microseconds period);
    void idle_step(std::chrono::microseconds& last_metrics, std::chrono::microseconds& last_poll);
    std::filesystem::path make_run_dir() const;

    scenario::scenario scenario_;
    run_options options_;
    events::event_stream events_;
    events::run_clock clock_;

    std::unique_ptr<verify::ledger> ledger_;
    std::unique_ptr<fleet::client_observer> observer_;
    std::unique_ptr<cluster::cluster> cluster_;
    std::unique_ptr<fleet::fleet_runner> fleet_;
    mutable std::mutex cluster_mutex_;  // guards the cluster_ pointer for components()

    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> paused_{false};
    std::atomic<bool> running_{false};
    std::atomic<bool> finished_{false};
    std::mutex commands_mutex_;
    std::deque<scenario::action_spec> commands_;
    std::thread thread_;
    report::run_result result_;
};

/// Exit code for a verdict: passed 0, failed 1, bad input 2, error/interrupted 3.
int exit_code_for(const std::string& verdict) noexcept;

}  // namespace switchyard::engine
