#include "engine/cli/cli.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <thread>

#include "backends/policy/selector.hpp"
#include "engine/cli/calibrate_command.hpp"
#include "engine/cli/run_controller.hpp"
#include "engine/faults/toxic_table.hpp"
#include "engine/fleet/fleet_config.hpp"
#include "engine/report/console_report.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/real_world_check.hpp"
#include "engine/scenario/scenario_parser.hpp"
#include "engine/sim/sim_command.hpp"
#include "engine/verify/checker_table.hpp"

namespace switchyard::engine {
namespace {

constexpr int exit_bad_input = 2;

const char* main_help =
    "switchyard: run scenario files against a real cluster and get a verdict\n"
    "\n"
    "usage: switchyard <command> [options]\n"
    "\n"
    "commands:\n"
    "  run FILE        start the cluster, drive the clients, apply the timeline, check\n"
    "  sim FILE        the same in the simulated world (virtual time; `sim --help`)\n"
    "  validate FILE.. check files without running them\n"
    "  list [WHAT]     scenarios, checkers, toxics, actions, transports, strategies, keys\n"
    "  calibrate       measure this machine's relay and balancer into a cost profile for sim\n"
    "\n"
    "`switchyard <command> --help` describes each command.\n"
    "exit codes: 0 all assertions held, 1 an assertion failed, 2 bad input (scenario or flags),\n"
    "            3 the testbed could not run (a component did not start) or the run was "
    "interrupted\n";

const char* run_help =
    "usage: switchyard run FILE [options]\n"
    "\n"
    "Starts redis, the relays and the balancer as real processes (logs in a per-run folder),\n"
    "drives the scenario's client fleets, applies its timeline, checks every assertion under\n"
    "`expect:` and prints a table. Ctrl-C stops early and still writes (partial) reports.\n"
    "A file only the simulator can run (`sim:` keys, more than 64 relays or 19,000 clients)\n"
    "is refused with exit 2, each reason at its file:line:col: run it with `switchyard sim`.\n"
    "\n"
    "options:\n"
    "  --json FILE       write the result as JSON\n"
    "  --junit FILE      write JUnit XML (one testcase per assertion)\n"
    "  --events FILE     write every event as NDJSON while running (replayable by the GUI)\n"
    "  --runs-dir DIR    where per-run folders go (default: runs)\n"
    "  --seed N          override the scenario's seed\n"
    "  --duration D      override the scenario's duration (e.g. 30s)\n"
    "  --threads N       client io threads (default 1)\n"
    "  --mode M          real (default) or sim: `--mode sim` is `switchyard sim FILE`\n"
    "  --quiet           no progress output, only the final table\n"
    "  --help            this text\n";

const char* validate_help =
    "usage: switchyard validate FILE...\n"
    "\n"
    "Parses and checks each scenario file without running it: unknown keys, wrong types, bad\n"
    "durations, actions naming unknown components, links, fleets, toxics or checkers.\n"
    "Problems are printed as file:line:col: message. Exit 0 when every file is valid, 2 if not.\n"
    "A valid file that only `switchyard sim` can run is reported as \"simulation only\".\n";

const char* list_help =
    "usage: switchyard list [WHAT] [DIR]\n"
    "\n"
    "WHAT is one of:\n"
    "  scenarios [DIR]   scenario files under DIR (default: scenarios) with their descriptions\n"
    "  checkers          assertions usable under expect:\n"
    "  toxics            network faults usable in timeline fault: actions\n"
    "  actions           timeline actions\n"
    "  transports        client transports\n"
    "  strategies        balancer strategies\n"
    "  keys              every scenario key\n"
    "Without WHAT, everything but scenarios.\n";

bool wants_help(const std::vector<std::string>& args) {
    return std::find_if(args.begin(), args.end(), [](const std::string& a) {
               return a == "--help" || a == "-h";
           }) != args.end();
}

int bad_flag(const std::string& msg, const char* help) {
    std::cerr << "switchyard: " << msg << "\n\n" << help;
    return exit_bad_input;
}

int cmd_validate(const std::vector<std::string>& args) {
    if (wants_help(args)) {
        std::cout << validate_help;
        return 0;
    }
    if (args.empty())
        return bad_flag("validate needs at least one FILE", validate_help);
    int rc = 0;
    for (const auto& file : args) {
        if (file.rfind("--", 0) == 0)
            return bad_flag("unknown option '" + file + "' for validate", validate_help);
        try {
            const auto s = scenario::parse_scenario_file(file);
            std::uint64_t clients = 0;
            for (const auto& f : s.fleets)
                clients += f.count;
            std::cout << file << ": ok (" << s.fleets.size() << " fleet(s), " << clients
                      << " clients, " << s.cluster.relays.names.size() << " relay(s), "
                      << s.timeline.size() << " action(s), " << s.expect.size() << " assertion(s), "
                      << scenario::format_duration(s.duration) << ")\n";
            // A valid file may still be one only the simulator runs: say so, and why.
            const auto refusals = scenario::real_world_refusals(s);
            if (!refusals.empty())
                std::cout << file << ": simulation only (`switchyard run` refuses it: "
                          << refusals.front().message << ")\n";
        } catch (const scenario::scenario_error& e) {
            std::cerr << e.what() << "\n";
            rc = exit_bad_input;
        }
    }
    return rc;
}

void list_section(const std::string& what) {
    if (what == "checkers") {
        std::cout << "checkers (expect: <name>: bound):\n";
        for (const auto& c : verify::checker_table())
            std::printf("  %-18s %s (bare number = %s)\n", std::string(c.name).c_str(),
                        std::string(c.doc).c_str(),
                        c.bare == verify::bare_bound::max ? "max" : "min");
    } else if (what == "toxics") {
        std::cout << "toxics (timeline: - at: 5s\n           fault: {link: L, toxic: T, ...}):\n";
        for (const auto& t : faults::toxic_table()) {
            std::printf("  %-12s %s\n", std::string(t.name).c_str(), std::string(t.doc).c_str());
            for (const auto& p : t.params)
                std::printf("  %-12s   %s (default %g): %s\n", "", std::string(p.name).c_str(),
                            p.default_value, std::string(p.doc).c_str());
        }
    } else if (what == "actions") {
        std::cout << "timeline actions:\n"
                     "  kill: ID            SIGKILL a relay, the balancer or redis\n"
                     "  stop: ID            SIGSTOP (hangs with sockets open)\n"
                     "  cont: ID            SIGCONT after stop\n"
                     "  restart: ID         kill, then start again on the same port\n"
                     "  drain: RELAY        SIGTERM: the relay closes clients with 1001\n"
                     "  add_relay: RELAY    start a new relay (the balancer knows it from the "
                     "start)\n"
                     "  remove_relay: RELAY disable it in the balancer, then drain it\n"
                     "  fault: {link: L, toxic: T, direction: both, <param>: N}\n"
                     "  clear_fault: L      remove every toxic from link L\n"
                     "  set_rate: {fleet: F, publish_rate_hz: N}\n"
                     "  set_count: {fleet: F, count: N}\n"
                     "  restart_redis: redis\n"
                     "links: client-balancer, balancer-<relay>, <relay>-redis\n";
    } else if (what == "transports") {
        std::cout << "transports: " << fleet::known_transports() << "\n";
    } else if (what == "strategies") {
        std::cout << "balancer strategies:\n";
        for (const auto& s : policy::selector_table())
            std::printf("  %-16s %s\n", std::string(s.name).c_str(), std::string(s.doc).c_str());
    } else if (what == "keys") {
        std::cout << "scenario keys:\n";
        for (const auto& k : scenario::known_scenario_keys())
            std::cout << "  " << k << "\n";
    }
}

int cmd_list(const std::vector<std::string>& args) {
    if (wants_help(args)) {
        std::cout << list_help;
        return 0;
    }
    const std::vector<std::string> all{"checkers",   "toxics",     "actions",
                                       "transports", "strategies", "keys"};
    if (args.empty()) {
        for (const auto& w : all) {
            list_section(w);
            std::cout << "\n";
        }
        return 0;
    }
    if (args[0] == "scenarios") {
        const std::filesystem::path dir = args.size() > 1 ? args[1] : "scenarios";
        std::error_code ec;
        std::vector<std::filesystem::path> files;
        for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
            if (it->path().extension() == ".yaml")
                files.push_back(it->path());
        if (ec && files.empty())
            return bad_flag("cannot read directory '" + dir.string() + "'", list_help);
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            try {
                const auto s = scenario::parse_scenario_file(f);
                std::printf("  %-44s %s\n", f.string().c_str(), s.description.c_str());
            } catch (const scenario::scenario_error&) {
                std::printf("  %-44s (invalid: run switchyard validate)\n", f.string().c_str());
            }
        }
        return 0;
    }
    if (std::find(all.begin(), all.end(), args[0]) == all.end())
        return bad_flag("unknown list '" + args[0] + "'", list_help);
    list_section(args[0]);
    return 0;
}

/// A thread that turns SIGINT/SIGTERM into request_stop(); a second signal aborts at once
/// (children die with us through their parent-death signal).
class signal_watch {
  public:
    explicit signal_watch(run_controller& rc) : rc_(rc) {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        sigaddset(&set_, SIGUSR1);  // our own wake-up at the end
        pthread_sigmask(SIG_BLOCK, &set_, nullptr);
        thread_ = std::thread([this] {
            int count = 0;
            while (true) {
                int sig = 0;
                if (sigwait(&set_, &sig) != 0)
                    continue;
                if (sig == SIGUSR1)
                    return;
                if (++count == 1) {
                    std::fprintf(stderr,
                                 "\nswitchyard: stopping (writing partial reports; press Ctrl-C "
                                 "again to abort)\n");
                    rc_.request_stop();
                } else {
                    std::_Exit(3);
                }
            }
        });
    }
    ~signal_watch() {
        pthread_kill(thread_.native_handle(), SIGUSR1);
        thread_.join();
        pthread_sigmask(SIG_UNBLOCK, &set_, nullptr);
    }

  private:
    run_controller& rc_;
    sigset_t set_;
    std::thread thread_;
};

int cmd_run(const std::vector<std::string>& args) {
    if (wants_help(args)) {
        std::cout << run_help;
        return 0;
    }
    if (auto m = std::find(args.begin(), args.end(), "--mode"); m != args.end()) {
        if (m + 1 == args.end() || (m[1] != "sim" && m[1] != "real"))
            return bad_flag("--mode takes real or sim", run_help);
        std::vector<std::string> rest(args.begin(), m);
        rest.insert(rest.end(), m + 2, args.end());
        if (m[1] == "sim")
            return sim::sim_command(rest);
        return cmd_run(rest);
    }
    std::string file;
    run_options o;
    bool quiet = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= args.size())
                return false;
            out = args[++i];
            return true;
        };
        std::string v;
        if (a == "--quiet") {
            quiet = true;
        } else if (a == "--json" || a == "--junit" || a == "--events" || a == "--runs-dir") {
            if (!value(v))
                return bad_flag(a + " needs a value", run_help);
            (a == "--json"     ? o.json_path
             : a == "--junit"  ? o.junit_path
             : a == "--events" ? o.events_path
                               : o.runs_root) = v;
        } else if (a == "--seed" || a == "--threads") {
            std::uint64_t n = 0;
            if (!value(v))
                return bad_flag(a + " needs a value", run_help);
            const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc{} || p != v.data() + v.size() ||
                (a == "--threads" && (n == 0 || n > 64)))
                return bad_flag(a + ": bad number '" + v + "'", run_help);
            if (a == "--seed")
                o.seed = n;
            else
                o.fleet_threads = static_cast<unsigned>(n);
        } else if (a == "--duration") {
            if (!value(v))
                return bad_flag(a + " needs a value", run_help);
            const auto d = scenario::parse_duration(v);
            if (!d || d->count() <= 0)
                return bad_flag("--duration: bad duration '" + v + "' (e.g. 30s, 1m)", run_help);
            o.duration = *d;
        } else if (a.rfind("--", 0) == 0) {
            return bad_flag("unknown option '" + a + "' for run", run_help);
        } else if (file.empty()) {
            file = a;
        } else {
            return bad_flag("run takes one FILE (got '" + file + "' and '" + a + "')", run_help);
        }
    }
    if (file.empty())
        return bad_flag("run needs a scenario FILE", run_help);
    scenario::scenario s;
    try {
        s = scenario::parse_scenario_file(file);
    } catch (const scenario::scenario_error& e) {
        std::cerr << e.what() << "\n";
        return exit_bad_input;
    }
    // Keys only the simulator reads and sizes past this machine: refused before anything starts.
    if (const auto refusals = scenario::real_world_refusals(s); !refusals.empty()) {
        for (const auto& d : refusals)
            std::cerr << d.text() << "\n";
        std::cerr << "switchyard: the real world cannot run " << file
                  << "; run it with `switchyard sim " << file << "`\n";
        return exit_bad_input;
    }
    run_controller rc(std::move(s), o);
    signal_watch watch(rc);  // before any thread starts, so all inherit the blocked mask
    report::run_result result;
    {
        report::console_progress progress(rc.events(), stderr, quiet);
        result = rc.run();
    }
    report::write_console_summary(std::cout, result);
    return result.exit_code;
}

}  // namespace

int run_cli(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << main_help;
        return args.empty() ? exit_bad_input : 0;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "run")
        return cmd_run(rest);
    if (args[0] == "sim")
        return sim::sim_command(rest);
    if (args[0] == "validate")
        return cmd_validate(rest);
    if (args[0] == "list")
        return cmd_list(rest);
    if (args[0] == "calibrate")
        return calibrate_command(rest);
    return bad_flag("unknown command '" + args[0] + "'", main_help);
}

}  // namespace switchyard::engine
