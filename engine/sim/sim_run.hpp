#pragma once
// A whole scenario run in the simulated world: the scenario's plans, the simulation behind the
// runner's interfaces, the one scenario_runner, and the same reports (JSON, JUnit, NDJSON).
// `switchyard sim FILE` is this plus flag parsing.
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

#include "engine/events/event_stream.hpp"
#include "engine/report/run_result.hpp"
#include "engine/scenario/scenario.hpp"
#include "engine/sim/sim_costs.hpp"

namespace switchyard::run {
class scenario_runner;
}

namespace switchyard::sim {

struct sim_run_options {
    std::optional<std::uint64_t> seed;                  ///< --seed: overrides the scenario's
    std::optional<std::chrono::microseconds> duration;  ///< --duration
    std::filesystem::path json_path;                    ///< --json, empty = none
    std::filesystem::path junit_path;                   ///< --junit
    std::filesystem::path events_path;                  ///< --events (NDJSON)
    /// Base costs; the scenario's `sim:` profile, costs and zones are applied over them.
    sim_costs costs;
    /// --profile: a cost profile read instead of the scenario's `sim.profile`
    std::optional<scenario::cost_figures> profile;
    /// Called on the run thread with the runner just before it runs, and with nullptr once it
    /// has returned: a dashboard keeps it to stop the run or send hand actions from its own
    /// thread (the runner's request_stop/pause/apply are thread-safe).
    std::function<void(run::scenario_runner*)> on_runner;
};

/// Runs `s` in virtual time to its verdict. Same scenario and seed: byte-identical event log
/// and reports. A cluster the simulator cannot model is verdict "error" with exit code 2 and
/// the reason (bad input, not a broken testbed). Costs: `options.costs`, then the profile
/// (`options.profile` or the scenario's), then the scenario's `sim.costs`; zones add delay to
/// the links that cross them (sim_profile.hpp).
report::run_result run_simulation(scenario::scenario s, const sim_run_options& options,
                                  events::event_stream& events);

}  // namespace switchyard::sim
