#include "engine/sim/sim_run.hpp"

#include <memory>
#include <stdexcept>

#include "engine/report/file_reports.hpp"
#include "engine/run/scenario_runner.hpp"
#include "engine/scenario/plan_builder.hpp"
#include "engine/sim/sim_drivers.hpp"
#include "engine/sim/sim_profile.hpp"

namespace switchyard::sim {

report::run_result run_simulation(scenario::scenario s, const sim_run_options& options,
                                  events::event_stream& events) {
    if (options.seed)
        s.seed = *options.seed;
    if (options.duration)
        s.duration = *options.duration;
    std::unique_ptr<report::ndjson_writer> ndjson;
    if (!options.events_path.empty())
        ndjson = std::make_unique<report::ndjson_writer>(events, options.events_path);
    std::unique_ptr<simulation> sim;
    try {
        const auto costs =
            costs_for(s.sim, options.costs, options.profile ? &*options.profile : nullptr);
        sim = std::make_unique<simulation>(scenario::make_cluster_plan(s), events, costs);
    } catch (const std::invalid_argument& e) {
        report::run_result r;
        r.command = "sim";
        r.scenario = s.name;
        r.file = s.file;
        r.seed = s.seed;
        r.verdict = "error";
        r.error = std::string("cannot simulate: ") + e.what();
        r.exit_code = 2;
        return r;
    }
    run::runner_options ro;
    ro.json_path = options.json_path;
    ro.junit_path = options.junit_path;
    run::scenario_runner runner(scenario::make_run_plan(s), sim->world(), events, ro);
    if (options.on_runner)
        options.on_runner(&runner);
    auto r = runner.run();
    if (options.on_runner)
        options.on_runner(nullptr);
    r.command = "sim";
    return r;
}

}  // namespace switchyard::sim
