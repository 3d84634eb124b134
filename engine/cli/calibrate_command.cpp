#include "engine/cli/calibrate_command.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "engine/cli/calibration.hpp"
#include "engine/cluster/cluster.hpp"
#include "engine/cluster/http_get.hpp"
#include "engine/events/event_stream.hpp"
#include "engine/events/run_clock.hpp"
#include "engine/fleet/fleet_runner.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/plan_builder.hpp"
#include "engine/scenario/scenario_parser.hpp"

namespace switchyard::engine {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

const char* calibrate_help =
    "usage: switchyard calibrate [options]\n"
    "\n"
    "Measures the real relay and balancer on this machine and writes a cost profile for\n"
    "`switchyard sim FILE --profile PROFILE`. Starts redis-server, one switchyard-relay and\n"
    "switchyard-lb on 127.0.0.1, drives a known load with the fleet in phases (idle, connect,\n"
    "fan-out, publish), reads each process's CPU time from /proc/<pid>/stat before and after\n"
    "each phase, and divides by the work counted (relay /metrics, fleet connects). One progress\n"
    "line per phase on stderr; every process is killed at the end.\n"
    "\n"
    "options:\n"
    "  --duration D   length of each phase (default 3s; longer is steadier)\n"
    "  --out FILE     write the profile here (default: print it on stdout)\n"
    "  --help         this text\n"
    "exit codes: 0 measured, 2 bad flags, 3 the cluster could not run or a figure could not be\n"
    "            measured (too little work for the clock: try a longer --duration)\n";

/// The cluster calibrate measures: one relay behind switchyard-lb, Redis as the bus.
const char* cluster_yaml =
    "name: calibrate\nseed: 1\nduration: 10s\ncluster:\n  balancer: {strategy: round-robin}\n"
    "  relays: 1\n  bus: redis\nclients:\n  - name: calibrate\n    count: 1\n";

/// Load per phase, per second of --duration. Sized so that a 1 s phase gives each process
/// several 10 ms clock ticks of work on a 2-core machine that also runs the fleet.
constexpr unsigned connects_per_s = 400;
constexpr unsigned fanout_subscribers = 200;
constexpr unsigned fanout_publishers = 5;
constexpr double fanout_rate_hz = 40;  ///< per publisher: 200 publishes/s, 40,000 deliveries/s
constexpr unsigned solo_publishers = 20;
constexpr double solo_rate_hz = 50;  ///< per publisher, each alone on its own channel: fan-out 1

/// The fleet's reports are not needed: calibrate counts work from the counters.
class ignore_observer final : public fleet::client_observer {
  public:
    void on_connect(const fleet::connect_record&) override {}
    void on_disconnect(const fleet::disconnect_record&) override {}
    void on_connect_failure(const fleet::connect_failure_record&) override {}
    void on_publish(const fleet::publish_record&) override {}
    void on_ack(const fleet::ack_record&) override {}
    void on_delivery(const fleet::delivery_record&) override {}
    void on_resume_gap(const fleet::resume_gap_record&) override {}
};

class calibrate_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

double cpu_of(int pid, const char* who) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(in, line);
    const auto s = cpu_seconds_from_stat(line, ::sysconf(_SC_CLK_TCK));
    if (!s)
        throw calibrate_error(std::string("cannot read /proc/") + std::to_string(pid) +
                              "/stat of " + who + " (did it exit?)");
    return *s;
}

std::string machine() {
    std::ifstream in("/proc/cpuinfo");
    std::string line, model = "unknown CPU";
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    return "nproc " + std::to_string(std::thread::hardware_concurrency()) + ", " + model;
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string fixed(double v, int digits = 3) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

/// The three processes and what measuring them needs.
struct measured_cluster {
    int balancer = 0, relay = 0, redis = 0;
    unsigned short relay_admin_port = 0;  ///< where the relay serves /metrics
    std::string url;

    struct sample {
        clock_type::time_point at;
        double balancer = 0, relay = 0, redis = 0;
        double relay_publishes = 0, relay_deliveries = 0;
    };
    sample take() const {
        sample s;
        const auto metrics = cluster::http_request(relay_admin_port, "GET", "/metrics", "", 5s);
        if (!metrics || metrics->status != 200)
            throw calibrate_error("the relay's /metrics did not answer");
        const auto pubs = prometheus_value(metrics->body, "relay_publishes_total");
        const auto dels = prometheus_value(metrics->body, "relay_deliveries_total");
        if (!pubs || !dels)
            throw calibrate_error(
                "the relay's /metrics lacks relay_publishes_total or "
                "relay_deliveries_total");
        s.relay_publishes = *pubs;
        s.relay_deliveries = *dels;
        s.at = clock_type::now();
        s.balancer = cpu_of(balancer, "switchyard-lb");
        s.relay = cpu_of(relay, "switchyard-relay");
        s.redis = cpu_of(redis, "redis-server");
        return s;
    }
};

double seconds(clock_type::duration d) {
    return std::chrono::duration<double>(d).count();
}

/// Polls until `ok()` or `bound` passes; throws naming `what` on timeout.
template <class F>
void wait_for(F ok, clock_type::duration bound, const std::string& what) {
    const auto until = clock_type::now() + bound;
    while (!ok()) {
        if (clock_type::now() > until)
            throw calibrate_error("timed out waiting for " + what);
        std::this_thread::sleep_for(20ms);
    }
}

fleet::fleet_config fleet_of(const std::string& name, std::uint32_t count, const std::string& url) {
    fleet::fleet_config f;
    f.name = name;
    f.count = count;
    f.target_url = url;
    f.reconnect.enabled = false;  // a lost client would be work nobody counts
    return f;
}

struct figures_and_notes {
    std::vector<calibrated_figure> figures;
    std::vector<std::string> not_measured;
};

std::optional<double> need(std::optional<double> v, const std::string& what) {
    if (!v)
        throw calibrate_error(what +
                              ": too little CPU was measured to divide (the clock counts 10 ms "
                              "ticks); try a longer --duration");
    return v;
}

figures_and_notes measure(const measured_cluster& mc, std::chrono::milliseconds phase) {
    figures_and_notes out;
    ignore_observer observer;
    const double phase_s = std::chrono::duration<double>(phase).count();

    // Phase 1, idle: what each process does with no load (health checks, bus pings).
    auto a = mc.take();
    std::this_thread::sleep_for(phase);
    auto b = mc.take();
    const double idle_wall = seconds(b.at - a.at);
    const double idle_lb = (b.balancer - a.balancer) / idle_wall;
    const double idle_relay = (b.relay - a.relay) / idle_wall;
    const double idle_redis = (b.redis - a.redis) / idle_wall;
    std::fprintf(stderr,
                 "calibrate: idle     %.2f s: CPU per second balancer %.4f s, relay %.4f s, "
                 "redis %.4f s\n",
                 idle_wall, idle_lb, idle_relay, idle_redis);

    // Phase 2, connect: clients connect (TCP, upgrade through the balancer, hello, subscribe)
    // spread over the phase; CPU from the first connect until the last one is subscribed.
    {
        const auto n = static_cast<std::uint32_t>(connects_per_s * phase_s) + 1;
        auto f = fleet_of("connect", n, mc.url);
        f.connect_ramp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(phase);
        f.connect_timeout_ms = 20'000ms;
        fleet::fleet_runner runner({f}, observer, {});
        a = mc.take();
        runner.start();
        wait_for(
            [&] { return runner.counters().connected + runner.counters().connect_failures >= n; },
            phase + 60s, "the connect phase's clients");
        b = mc.take();
        const auto c = runner.counters();
        if (c.connect_failures > 0)
            throw calibrate_error(std::to_string(c.connect_failures) + " of " + std::to_string(n) +
                                  " connects failed");
        const double wall = seconds(b.at - a.at);
        const cpu_window lb{b.balancer - a.balancer, wall, idle_lb};
        const cpu_window relay{b.relay - a.relay, wall, idle_relay};
        const double conns = static_cast<double>(c.connects);
        const auto lb_us = *need(per_unit_us(lb, conns), "balancer per connection");
        const auto relay_us = *need(per_unit_us(relay, conns), "relay per connection");
        std::fprintf(stderr,
                     "calibrate: connect  %.2f s: %.0f connections; balancer %.3f s CPU -> %.1f us "
                     "each (accept rate %.0f/s per core), relay %.3f s CPU -> %.1f us each\n",
                     wall, conns, lb.cpu_s, lb_us, 1e6 / lb_us, relay.cpu_s, relay_us);
        out.figures.push_back({"balancer_accept_us", lb_us,
                               "connect phase: " + fixed(conns, 0) + " ws connections over " +
                                   fixed(wall, 2) + " s, switchyard-lb " + fixed(lb.cpu_s) +
                                   " s CPU less idle " + fixed(idle_lb * wall) +
                                   " s; accept rate " + fixed(1e6 / lb_us, 0) +
                                   " connections/s per core"});
        out.figures.push_back({"relay_accept_us", relay_us,
                               "connect phase: the same connections (accept, upgrade, hello, "
                               "subscribe), switchyard-relay " +
                                   fixed(relay.cpu_s) + " s CPU less idle " +
                                   fixed(idle_relay * wall) + " s"});
        runner.stop();
    }

    // Phases 3 and 4: the same relay work at two fan-outs, so publish and delivery separate.
    struct traffic {
        relay_phase relay;
        cpu_window redis;
        double wall = 0;
    };
    auto run_traffic = [&](std::vector<fleet::fleet_config> fleets, std::uint32_t clients,
                           const char* label) {
        fleet::fleet_runner runner(std::move(fleets), observer, {});
        runner.start();
        wait_for([&] { return runner.counters().connected >= clients; }, 60s,
                 std::string(label) + " phase's clients");
        std::this_thread::sleep_for(200ms);  // past the first publishes' start-up
        const auto x = mc.take();
        std::this_thread::sleep_for(phase);
        const auto y = mc.take();
        runner.stop();
        traffic t;
        t.wall = seconds(y.at - x.at);
        t.relay.busy_s = cpu_window{y.relay - x.relay, t.wall, idle_relay}.busy_s();
        t.relay.publishes = y.relay_publishes - x.relay_publishes;
        t.relay.deliveries = y.relay_deliveries - x.relay_deliveries;
        t.redis = {y.redis - x.redis, t.wall, idle_redis};
        std::fprintf(stderr,
                     "calibrate: %-8s %.2f s: %.0f publishes, %.0f deliveries (fan-out %.1f); "
                     "relay %.3f s busy CPU, redis %.3f s busy CPU\n",
                     label, t.wall, t.relay.publishes, t.relay.deliveries,
                     t.relay.publishes > 0 ? t.relay.deliveries / t.relay.publishes : 0.0,
                     t.relay.busy_s, t.redis.busy_s());
        return t;
    };

    auto subs = fleet_of("subscribers", fanout_subscribers, mc.url);
    subs.channels = {"calibrate-fanout"};
    auto pubs = fleet_of("publishers", fanout_publishers, mc.url);
    pubs.channels = {"calibrate-quiet"};  // they listen elsewhere: fan-out is the subscribers
    pubs.publish_channel = "calibrate-fanout";
    pubs.publish_rate_hz = fanout_rate_hz;
    const auto fan = run_traffic({subs, pubs}, fanout_subscribers + fanout_publishers, "fan-out");

    // Each solo publisher listens on its own channel and publishes there: fan-out 1. One fleet
    // per publisher, since a fleet's clients share their channels.
    std::vector<fleet::fleet_config> solos;
    for (unsigned i = 0; i < solo_publishers; ++i) {
        auto s = fleet_of("solo-" + std::to_string(i), 1, mc.url);
        s.channels = {"calibrate-solo-" + std::to_string(i)};
        s.publish_rate_hz = solo_rate_hz;
        solos.push_back(s);
    }
    const auto solo = run_traffic(solos, solo_publishers, "publish");

    const auto split = split_relay_costs(fan.relay, solo.relay);
    if (!split)
        throw calibrate_error(
            "could not separate the relay's publish and delivery costs (a cost came out <= 0: "
            "the noise is larger than the work); try a longer --duration");
    const auto both =
        "relay busy CPU = publishes x p + deliveries x d, solved over the fan-out "
        "phase (" +
        fixed(fan.relay.publishes, 0) + " publishes, " + fixed(fan.relay.deliveries, 0) +
        " deliveries, " + fixed(fan.relay.busy_s) + " s) and the publish phase (" +
        fixed(solo.relay.publishes, 0) + " publishes, " + fixed(solo.relay.deliveries, 0) +
        " deliveries, " + fixed(solo.relay.busy_s) + " s)";
    out.figures.push_back({"relay_publish_us", split->publish_us, both});
    out.figures.push_back({"relay_delivery_us", split->delivery_us, "as relay_publish_us"});

    // Redis with one relay: each publish is sequenced and forwarded to one subscriber, so the
    // figure is bus_publish + one bus_fanout (one relay cannot tell them apart).
    cpu_window redis_all{solo.redis.cpu_s + fan.redis.cpu_s, solo.wall + fan.wall, idle_redis};
    const auto bus = *need(per_unit_us(redis_all, solo.relay.publishes + fan.relay.publishes),
                           "redis per publish");
    out.figures.push_back({"bus_publish_us", bus,
                           "fan-out and publish phases: redis-server " + fixed(redis_all.cpu_s) +
                               " s CPU less idle over " +
                               fixed(solo.relay.publishes + fan.relay.publishes, 0) +
                               " publishes to one subscribed relay (includes that one "
                               "forward)"});
    std::fprintf(stderr,
                 "calibrate: result   relay %.3f us per publish, %.3f us per delivery; redis %.3f "
                 "us per publish\n",
                 split->publish_us, split->delivery_us, bus);
    out.not_measured = {
        "bus_fanout_us (one relay: redis's forward to it is inside bus_publish_us; the built-in "
        "figure stays)",
        "client_link_latency_us, backend_link_latency_us, bus_link_latency_us (loopback here "
        "is not the network being simulated; the built-in LAN figures stay)",
    };
    return out;
}

}  // namespace

int calibrate_command(const std::vector<std::string>& args) {
    std::chrono::milliseconds phase = 3s;
    std::string out_path;
    std::string command = "switchyard calibrate";
    for (const auto& a : args)
        command += " " + a;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a == "--help" || a == "-h") {
            std::cout << calibrate_help;
            return 0;
        }
        if (a == "--duration" || a == "--out") {
            if (i + 1 >= args.size()) {
                std::cerr << "switchyard: " << a << " needs a value\n\n" << calibrate_help;
                return 2;
            }
            const auto& v = args[++i];
            if (a == "--out") {
                out_path = v;
                continue;
            }
            const auto d = scenario::parse_duration(v);
            if (!d || d->count() < 200) {
                std::cerr << "switchyard: --duration: bad duration '" << v
                          << "' (at least 200ms, e.g. 3s)\n\n"
                          << calibrate_help;
                return 2;
            }
            phase = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
            continue;
        }
        std::cerr << "switchyard: unknown option '" << a << "' for calibrate\n\n" << calibrate_help;
        return 2;
    }

    namespace fs = std::filesystem;
    std::error_code ec;
    auto dir = fs::temp_directory_path() / ("switchyard-calibrate-" + std::to_string(::getpid()));
    fs::create_directories(dir, ec);
    events::event_stream events;
    events::run_clock clock;
    std::string yaml;
    try {
        const auto s = scenario::parse_scenario_text(cluster_yaml, "calibrate");
        // The cluster's destructor kills every process it started, by pid, on every exit path.
        cluster::cluster cl(scenario::make_cluster_plan(s), dir, events, clock);
        std::fprintf(stderr,
                     "calibrate: starting redis-server, switchyard-relay, switchyard-lb "
                     "(logs in %s)\n",
                     dir.c_str());
        cl.start();
        measured_cluster mc;
        mc.url = cl.client_url();
        for (const auto& c : cl.components()) {
            if (c.kind == "balancer")
                mc.balancer = c.pid;
            else if (c.kind == "relay") {
                mc.relay = c.pid;
                mc.relay_admin_port = static_cast<unsigned short>(c.admin_port);
            } else if (c.kind == "redis")
                mc.redis = c.pid;
        }
        if (!mc.balancer || !mc.relay || !mc.redis || !mc.relay_admin_port)
            throw calibrate_error("a component has no process id");
        auto measured = measure(mc, phase);
        cl.stop();
        calibration_note note{machine(), utc_now(), command, measured.not_measured};
        yaml = profile_yaml(measured.figures, note);
    } catch (const std::exception& e) {
        std::cerr << "switchyard: calibrate failed: " << e.what() << " (logs in " << dir.string()
                  << ")\n";
        return 3;
    }
    fs::remove_all(dir, ec);
    if (out_path.empty()) {
        std::cout << yaml;
        return 0;
    }
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    out << yaml;
    if (!out.flush()) {
        std::cerr << "switchyard: cannot write " << out_path << "\n";
        return 3;
    }
    std::fprintf(stderr, "calibrate: wrote %s\n", out_path.c_str());
    return 0;
}

}  // namespace switchyard::engine
