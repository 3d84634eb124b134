// bench/macro/sim-scale: one large simulated run, timed. Clients are split into one fleet per
// channel (every client of a fleet listens on its channel and publishes to it at a rate that
// gives `rate` messages per channel per second); `kill` relays die together at `kill_at`.
// Prints simulated events/s, wall time, peak RSS and the ledger's verdict counts.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/sim/sim_scenario.hpp"
#include "engine/sim/sim_world.hpp"
#include "engine/verify/ledger.hpp"

namespace {

using namespace switchyard;

struct options {
    std::uint32_t clients = 1'000'000;
    std::uint32_t relays = 1000;
    /// The target: 10,000 channels at 1 message/s (10,000 messages/s, 1 M deliveries/s).
    std::uint32_t channels = 10'000;
    double rate = 1.0;  ///< messages per second per channel
    double seconds = 60;
    std::uint32_t kill = 100;
    double kill_at = 30;
    std::uint64_t seed = 1;
    /// First connects spread over this long. The balancer accepts 1 / balancer_accept = 50,000
    /// connections/s by default: a faster ramp overloads it (connect timeouts, retries, a
    /// storm that does not settle), as it would for real.
    double ramp = 25;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const char* v = argv[i + 1];
        if (k == "--clients")
            o.clients = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
        else if (k == "--relays")
            o.relays = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
        else if (k == "--channels")
            o.channels = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
        else if (k == "--rate")
            o.rate = std::strtod(v, nullptr);
        else if (k == "--seconds")
            o.seconds = std::strtod(v, nullptr);
        else if (k == "--kill")
            o.kill = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
        else if (k == "--kill-at")
            o.kill_at = std::strtod(v, nullptr);
        else if (k == "--ramp")
            o.ramp = std::strtod(v, nullptr);
        else if (k == "--seed")
            o.seed = std::strtoull(v, nullptr, 10);
        else {
            std::fprintf(stderr, "unknown flag %s\n", k.c_str());
            std::exit(2);
        }
    }
    return o;
}

scenario::scenario make_scenario(const options& o) {
    scenario::scenario s;
    s.seed = o.seed;
    for (std::uint32_t i = 1; i <= o.relays; ++i)
        s.cluster.relays.names.push_back("relay-" + std::to_string(i));
    const std::uint32_t per = o.clients / o.channels;
    for (std::uint32_t c = 0; c < o.channels; ++c) {
        fleet::fleet_config f;
        f.name = "ch-" + std::to_string(c);
        f.count = per + (c < o.clients % o.channels ? 1 : 0);
        f.channels = {f.name};
        f.publish_rate_hz = o.rate / f.count;
        f.connect_ramp_ms = fleet::millis{static_cast<std::int64_t>(o.ramp * 1000)};
        f.think_time_ms = fleet::millis{0};
        s.fleets.push_back(std::move(f));
    }
    return s;
}

double us(sim::micros t) {
    return static_cast<double>(t.count());
}

}  // namespace

int main(int argc, char** argv) {
    const auto o = parse(argc, argv);
    if (o.channels == 0 || o.clients < o.channels) {
        std::fprintf(stderr, "--channels %u: needs 1 .. --clients (%u) channels\n", o.channels,
                     o.clients);
        return 2;
    }
    const auto scenario = make_scenario(o);
    verify::ledger ledger;
    const auto wall0 = std::chrono::steady_clock::now();
    sim::sim_world world(sim::cluster_config_from(scenario), sim::sim_costs{});
    world.start_cluster();
    world.start_fleets(scenario.fleets, ledger);
    const sim::micros end{static_cast<std::int64_t>(o.seconds * 1e6)};
    const sim::micros kill_at{static_cast<std::int64_t>(o.kill_at * 1e6)};
    bool killed = o.kill == 0;
    for (sim::micros t{250'000}; t <= end; t += sim::micros{250'000}) {
        if (!killed && kill_at <= t) {
            world.kernel().run_until(kill_at);
            for (std::uint32_t i = 1; i <= o.kill; ++i) {
                const std::string id = "relay-" + std::to_string(i);
                ledger.mark_relay_lost(id, "kill", world.now());
                if (auto err = world.kill(id); !err.empty())
                    std::fprintf(stderr, "kill: %s\n", err.c_str());
            }
            killed = true;
        }
        world.kernel().run_until(t);
        (void)ledger.take_period();  // as the runner's metrics tick does
    }
    world.pause_publishing();
    ledger.end_traffic(world.now());
    world.kernel().run_until(end + sim::micros{5'000'000});
    ledger.freeze();
    const auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0);
    const auto sum = ledger.summary();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double events = static_cast<double>(world.kernel().executed());
    std::printf(
        "clients=%u relays=%u channels=%u rate=%.3g/s/channel seconds=%.0f kill=%u@%.0fs "
        "ramp=%.0fs seed=%llu\n",
        o.clients, o.relays, o.channels, o.rate, o.seconds, o.kill, o.kill_at, o.ramp,
        static_cast<unsigned long long>(o.seed));
    std::printf("simulated events=%.0f  events/s=%.0f  wall=%.1fs  peak_rss=%.0f MiB\n", events,
                events / wall.count(), wall.count(), static_cast<double>(ru.ru_maxrss) / 1024.0);
    std::printf(
        "publishes=%llu acks=%llu deliveries=%llu expected=%llu lost=%llu duplicates=%llu "
        "order=%llu sticky=%llu replayed=%llu reconnects=%llu connect_failures=%llu "
        "group_events=%llu\n",
        static_cast<unsigned long long>(sum.publishes), static_cast<unsigned long long>(sum.acks),
        static_cast<unsigned long long>(sum.deliveries),
        static_cast<unsigned long long>(sum.expected), static_cast<unsigned long long>(sum.lost),
        static_cast<unsigned long long>(sum.duplicates),
        static_cast<unsigned long long>(sum.order_violations),
        static_cast<unsigned long long>(sum.sticky_violations),
        static_cast<unsigned long long>(sum.replayed),
        static_cast<unsigned long long>(sum.reconnects),
        static_cast<unsigned long long>(sum.connect_failures),
        static_cast<unsigned long long>(world.group_events()));
    std::uint64_t affected = 0, recovered = 0;
    for (const auto& ep : sum.failovers) {
        affected += ep.affected;
        recovered += ep.recovered;
    }
    std::printf("failover: %llu of %llu clients recovered\n",
                static_cast<unsigned long long>(recovered),
                static_cast<unsigned long long>(affected));
    sim::micros worst{0};
    for (const auto& ep : sum.failovers)
        worst = std::max(worst, ep.worst);
    std::printf("failover worst=%.0f ms latency p99=%.1f ms\n", us(worst) / 1000.0,
                us(sum.latency.percentile(0.99)) / 1000.0);
    const bool ok =
        sum.lost == 0 && sum.duplicates == 0 && sum.order_violations == 0 && recovered == affected;
    if (!ok)
        std::printf("FAILED (seed %llu)\n", static_cast<unsigned long long>(o.seed));
    return ok ? 0 : 1;
}
