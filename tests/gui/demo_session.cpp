#include "demo_session.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace switchyard::gui::testing {

namespace ev = switchyard::events;

namespace {
ev::micros us(double s) {
    return ev::micros{static_cast<std::int64_t>(s * 1e6)};
}

/// Two fleets: every fourth client is a "mobile" one, the others are "web".
std::string fleetOf(std::uint32_t c) {
    return c % 4 == 3 ? "mobile" : "web";
}
}  // namespace

std::vector<ev::event> makeDemoSession(const DemoOptions& o) {
    std::vector<ev::event> out;
    const std::vector<std::string> relays{"relay-1", "relay-2", "relay-3"};
    out.push_back(ev::run_started{us(0), "failover-kill", "scenarios/ci/failover-kill.yaml", 42,
                                  "runs/demo", us(o.durationS)});
    out.push_back(ev::component_changed{us(0.05), "redis", "redis", "ready", 4100, 6379, 0});
    for (std::size_t i = 0; i < relays.size(); ++i)
        out.push_back(ev::component_changed{us(0.2 + 0.05 * static_cast<double>(i)), relays[i],
                                            "relay", "ready", static_cast<int>(4200 + i),
                                            static_cast<unsigned>(7001 + i),
                                            static_cast<unsigned>(7101 + i)});
    out.push_back(
        ev::component_changed{us(0.4), "balancer", "balancer", "ready", 4300, 8080, 8081});
    for (const auto& r : relays)
        out.push_back(ev::health_changed{us(0.5), r, "", "up"});

    // Clients ramp up over the first 3 s, spread round-robin; every seventh is sticky.
    std::map<std::uint32_t, std::string> where;
    std::vector<ev::event> timed;
    for (std::uint32_t c = 0; c < o.clients; ++c) {
        const double at = 0.6 + 2.4 * c / o.clients;
        const std::string& r = relays[c % relays.size()];
        timed.push_back(
            ev::client_connected{us(at), c, r, c % 7 == 0 ? "sticky" : "fresh", false, fleetOf(c)});
        where[c] = r;
    }
    // relay-2 is killed at 12 s; its clients drop, one in ten sees a 502, all fail over.
    timed.push_back(
        ev::action_applied{us(12), "timeline", ev::action_kind::kill, "relay-2", "", true, ""});
    timed.push_back(
        ev::component_changed{us(12.001), "relay-2", "relay", "killed", 4201, 7002, 7102});
    timed.push_back(ev::log_message{us(12.002), "warn", "relay-2 exited with signal 9"});
    int moved = 0;
    for (auto& [c, r] : where) {
        if (r != "relay-2")
            continue;
        const double drop = 12.01 + 0.0005 * moved;
        timed.push_back(
            ev::client_disconnected{us(drop), c, "relay-2", "closed 1006 (abnormal)", fleetOf(c)});
        if (moved % 10 == 0)
            timed.push_back(ev::connect_failed{us(drop + 0.1), c, "502 bad gateway", fleetOf(c)});
        const std::string to = moved % 2 == 0 ? "relay-1" : "relay-3";
        timed.push_back(ev::client_connected{us(drop + 0.25 + 0.002 * moved), c, to, "failover",
                                             true, fleetOf(c)});
        r = to;
        ++moved;
    }
    timed.push_back(ev::health_changed{us(13.1), "relay-2", "up", "suspect"});
    timed.push_back(ev::health_changed{us(13.6), "relay-2", "suspect", "down"});
    timed.push_back(ev::fault_changed{us(16), "relay-3-redis", "latency", "latency=150ms", true});
    timed.push_back(ev::action_applied{us(16), "timeline", ev::action_kind::fault, "relay-3-redis",
                                       "toxic=latency latency=150ms", true, ""});
    timed.push_back(ev::fault_changed{us(19), "relay-3-redis", "latency", "", false});
    timed.push_back(
        ev::action_applied{us(20), "timeline", ev::action_kind::restart, "relay-2", "", true, ""});
    timed.push_back(ev::component_changed{us(20.5), "relay-2", "relay", "ready", 4400, 7002, 7102});
    timed.push_back(ev::health_changed{us(21.5), "relay-2", "down", "up"});
    // Redis restarted by hand at 25 s: the bus is gone for 80 ms.
    timed.push_back(
        ev::action_applied{us(25), "hand", ev::action_kind::restart_redis, "redis", "", true, ""});
    timed.push_back(ev::component_changed{us(25), "redis", "redis", "killed", 4100, 6379, 0});
    timed.push_back(ev::component_changed{us(25.08), "redis", "redis", "ready", 4500, 6379, 0});
    std::stable_sort(timed.begin(), timed.end(), [](const ev::event& a, const ev::event& b) {
        return ev::event_time(a) < ev::event_time(b);
    });

    // Metrics every 250 ms, with counts that follow the clients above.
    std::map<std::uint32_t, std::string> live;
    std::size_t next = 0;
    std::uint64_t deliveriesTotal = 0, failuresTotal = 0;
    std::uint32_t sampleSeq = 0;
    for (double t = 0.25; t <= o.durationS + 1e-9; t += 0.25) {
        while (next < timed.size() && ev::event_time(timed[next]) <= us(t)) {
            const ev::event& e = timed[next++];
            if (const auto* c = std::get_if<ev::client_connected>(&e))
                live[c->client] = c->relay;
            else if (const auto* d = std::get_if<ev::client_disconnected>(&e))
                live.erase(d->client);
            else if (std::holds_alternative<ev::connect_failed>(e))
                ++failuresTotal;
            out.push_back(e);
        }
        ev::metrics m;
        m.at = us(t);
        m.period = us(0.25);
        const auto n = static_cast<std::uint32_t>(live.size());
        m.publishes = static_cast<std::uint64_t>(n * o.publishPerClientS * 0.25);
        m.acks = m.publishes;
        const bool gap = t > 12 && t <= 12.5;  // messages in flight to relay-2's clients are late
        const bool slow = t > 16 && t <= 19;
        m.deliveries = m.publishes * n;
        if (gap)
            m.deliveries = m.deliveries * 9 / 10;
        m.publishes_per_s = static_cast<double>(m.publishes) / 0.25;
        m.deliveries_per_s = static_cast<double>(m.deliveries) / 0.25;
        m.latency_p50 =
            us(slow ? 0.0021 + 0.05 : 0.0018 + 0.0002 * ((static_cast<int>(t * 4) % 5)));
        m.latency_p99 = us(slow  ? 0.162
                           : gap ? 0.41
                                 : 0.0062 + 0.0008 * ((static_cast<int>(t * 4) % 3)));
        m.latency_max = m.latency_p99 + us(0.003);
        m.clients_connected = n;
        deliveriesTotal += m.deliveries;
        m.deliveries_total = deliveriesTotal;
        m.connect_failures_total = failuresTotal;
        std::map<std::string, std::uint32_t> per;
        for (const auto& r : relays)
            per[r] = 0;
        for (const auto& [c, r] : live)
            ++per[r];
        for (const auto& [r, count] : per)
            m.relays.push_back(ev::relay_load{r, count, n > 0 ? m.deliveries * count / n : 0});
        out.push_back(m);
        // A few sampled deliveries per period, spread over live clients.
        if (!live.empty() && m.publishes > 0) {
            for (int s = 0; s < o.samplesPerPeriod; ++s) {
                auto it = live.begin();
                std::advance(it, static_cast<long>((sampleSeq * 37u) % live.size()));
                const auto pub = static_cast<std::uint32_t>((sampleSeq * 11u) % o.clients);
                out.push_back(ev::delivery_sample{us(t + 0.03 * s), pub, it->first, it->second,
                                                  "global", ++sampleSeq, m.latency_p50,
                                                  gap && s == 0});
            }
        }
    }
    const double end = o.durationS;
    out.push_back(ev::assertion_result{us(end + 0.1), "delivery_ratio", true, 1.0, ">= 0.999", ""});
    out.push_back(ev::assertion_result{us(end + 0.1), "lost", true, 0, "<= 0", ""});
    out.push_back(ev::assertion_result{us(end + 0.1), "duplicates", true, 0, "<= 0", ""});
    out.push_back(
        ev::assertion_result{us(end + 0.1), "failover_ms", true, 612, "<= 1000",
                             "slowest affected client receiving again 612 ms after the kill"});
    out.push_back(ev::assertion_result{us(end + 0.1), "latency_p99_ms", false, 410, "<= 250",
                                       "p99 410 ms over the run (the kill and the latency fault)"});
    out.push_back(ev::assertion_result{us(end + 0.1), "connect_failures", true,
                                       static_cast<double>(failuresTotal), "<= 20", ""});
    out.push_back(ev::run_finished{us(end + 0.2), "failed", 1, "1 of 6 assertions failed"});
    return out;
}

}  // namespace switchyard::gui::testing
