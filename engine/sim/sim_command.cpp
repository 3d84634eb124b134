#include "engine/sim/sim_command.hpp"

#include <charconv>
#include <cstdio>
#include <iostream>

#include "engine/report/console_report.hpp"
#include "engine/scenario/cost_profile.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/scenario_parser.hpp"
#include "engine/sim/sim_run.hpp"

namespace switchyard::sim {

const char* const sim_help =
    "usage: switchyard sim FILE [options]\n"
    "\n"
    "Runs the scenario in the simulated world: virtual time, simulated links, and balancer,\n"
    "relays, bus and clients built on the same cores as the real binaries. Same assertions,\n"
    "reports and exit codes as `run`; the same file and seed give byte-identical event logs\n"
    "and reports.\n"
    "\n"
    "options:\n"
    "  --json FILE       write the result as JSON\n"
    "  --junit FILE      write JUnit XML (one testcase per assertion)\n"
    "  --events FILE     write every event as NDJSON (replayable by the GUI)\n"
    "  --seed N          override the scenario's seed\n"
    "  --duration D      override the scenario's duration (e.g. 30s)\n"
    "  --profile FILE    cost profile to use instead of the scenario's `sim.profile`\n"
    "                    (none: the built-in costs, the same as profiles/default.yaml)\n"
    "  --quiet           no progress output, only the final table\n"
    "  --help            this text\n";

namespace {

constexpr int exit_bad_input = 2;

int bad_flag(const std::string& msg) {
    std::cerr << "switchyard: " << msg << "\n\n" << sim_help;
    return exit_bad_input;
}

}  // namespace

int sim_command(const std::vector<std::string>& args) {
    std::string file;
    sim_run_options o;
    bool quiet = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a == "--help" || a == "-h") {
            std::cout << sim_help;
            return 0;
        }
        // --threads and --runs-dir are `run`'s: accepted so `run --mode sim` takes the same
        // flags, and ignored (no client threads, no component logs in simulation).
        const bool ignored = a == "--threads" || a == "--runs-dir";
        const bool takes_value = a == "--json" || a == "--junit" || a == "--events" ||
                                 a == "--seed" || a == "--duration" || a == "--profile" || ignored;
        if (takes_value && i + 1 >= args.size())
            return bad_flag(a + " needs a value");
        if (ignored) {
            ++i;
        } else if (a == "--quiet") {
            quiet = true;
        } else if (a == "--json") {
            o.json_path = args[++i];
        } else if (a == "--junit") {
            o.junit_path = args[++i];
        } else if (a == "--events") {
            o.events_path = args[++i];
        } else if (a == "--seed") {
            const auto& v = args[++i];
            std::uint64_t n = 0;
            const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc{} || p != v.data() + v.size())
                return bad_flag("--seed: bad number '" + v + "'");
            o.seed = n;
        } else if (a == "--duration") {
            const auto& v = args[++i];
            const auto d = scenario::parse_duration(v);
            if (!d || d->count() <= 0)
                return bad_flag("--duration: bad duration '" + v + "' (e.g. 30s, 1m)");
            o.duration = *d;
        } else if (a == "--profile") {
            std::vector<scenario::diagnostic> errors;
            auto figures = scenario::read_cost_profile(args[++i], errors);
            if (!errors.empty()) {
                for (const auto& e : errors)
                    std::cerr << e.text() << "\n";
                return exit_bad_input;
            }
            o.profile = std::move(figures);
        } else if (a.rfind("--", 0) == 0) {
            return bad_flag("unknown option '" + a + "' for sim");
        } else if (file.empty()) {
            file = a;
        } else {
            return bad_flag("sim takes one FILE (got '" + file + "' and '" + a + "')");
        }
    }
    if (file.empty())
        return bad_flag("sim needs a scenario FILE");
    scenario::scenario s;
    try {
        s = scenario::parse_scenario_file(file);
    } catch (const scenario::scenario_error& e) {
        std::cerr << e.what() << "\n";
        return exit_bad_input;
    }
    events::event_stream events;
    report::run_result result;
    try {
        report::console_progress progress(events, stderr, quiet);
        result = run_simulation(std::move(s), o, events);
    } catch (const std::exception& e) {  // a report file that cannot be opened
        std::cerr << "switchyard: " << e.what() << "\n";
        return 3;
    }
    if (result.exit_code == exit_bad_input && !result.error.empty())
        std::cerr << "switchyard: " << result.error << "\n";
    report::write_console_summary(std::cout, result);
    return result.exit_code;
}

}  // namespace switchyard::sim
