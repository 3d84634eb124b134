// The scenario's `sim:` keys in the simulated world: cost figures land in sim_costs (profile,
// then sim.costs, or --profile), the repo's default profile is the built-in costs, and a zone's
// latency shows in the measured delivery latency by the delay it adds (virtual time: exact
// up to the histogram's 1.6 % buckets).
#include "engine/sim/sim_profile.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "engine/scenario/scenario_parser.hpp"
#include "engine/sim/sim_run.hpp"

namespace switchyard::sim {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

scenario::cost_figure fig(const std::string& key, double v) {
    return {key, v, {}, "t"};
}

TEST(SimProfile, EveryFigureLandsInItsPlace) {
    const auto c = apply_cost_figures(
        {}, {fig("balancer_accept_us", 11), fig("relay_accept_us", 12), fig("relay_publish_us", 13),
             fig("relay_delivery_us", 14), fig("bus_publish_us", 15), fig("bus_fanout_us", 16),
             fig("client_link_latency_us", 17), fig("backend_link_latency_us", 18),
             fig("bus_link_latency_us", 19)});
    EXPECT_EQ(c.balancer_accept, nanos{11'000});
    EXPECT_EQ(c.relay_accept, nanos{12'000});
    EXPECT_EQ(c.relay_publish, nanos{13'000});
    EXPECT_EQ(c.relay_delivery, nanos{14'000});
    EXPECT_EQ(c.bus_publish, nanos{15'000});
    EXPECT_EQ(c.bus_fanout, nanos{16'000});
    EXPECT_EQ(c.client_link.latency, micros{17});
    EXPECT_EQ(c.backend_link.latency, micros{18});
    EXPECT_EQ(c.bus_link.latency, micros{19});
    // Every key the profile reader knows has a place here.
    for (const auto& k : scenario::cost_keys())
        EXPECT_NO_THROW(apply_cost_figures({}, {fig(std::string(k.name), 1)})) << k.name;
    EXPECT_THROW(apply_cost_figures({}, {fig("warp_us", 1)}), std::invalid_argument);
}

TEST(SimProfile, ServiceTimesKeepNanosecondsLinksRoundToMicrosNeverToZeroAndLaterWins) {
    const auto c = apply_cost_figures(
        {}, {fig("relay_delivery_us", 0.3), fig("bus_fanout_us", 2.6), fig("bus_fanout_us", 7),
             fig("relay_accept_us", 0.0001), fig("client_link_latency_us", 0.3),
             fig("bus_link_latency_us", 2.6)});
    EXPECT_EQ(c.relay_delivery, nanos{300});  // not 1 us: a calibrated sub-us cost runs as itself
    EXPECT_EQ(c.bus_fanout, nanos{7'000});
    EXPECT_EQ(c.relay_accept, nanos{1});  // never free
    EXPECT_EQ(apply_cost_figures({}, {fig("bus_fanout_us", 2.6)}).bus_fanout, nanos{2'600});
    EXPECT_EQ(c.client_link.latency, micros{1});  // the kernel's clock is microseconds
    EXPECT_EQ(c.bus_link.latency, micros{3});
}

TEST(SimProfile, DefaultProfileIsTheBuiltInCosts) {
    std::vector<scenario::diagnostic> errors;
    const auto figures = scenario::read_cost_profile(
        fs::path(SWITCHYARD_SOURCE_DIR) / "profiles/default.yaml", errors);
    ASSERT_TRUE(errors.empty()) << errors.front().text();
    EXPECT_EQ(figures.size(), scenario::cost_keys().size());  // it gives every figure
    sim_costs odd;  // every field off its default, so a figure the file lacks shows
    odd.balancer_accept = odd.relay_accept = odd.relay_publish = odd.relay_delivery =
        odd.bus_publish = odd.bus_fanout = nanos{999};
    odd.client_link.latency = odd.backend_link.latency = odd.bus_link.latency = micros{999};
    const auto c = apply_cost_figures(odd, figures);
    const sim_costs d;
    EXPECT_EQ(c.balancer_accept, d.balancer_accept);
    EXPECT_EQ(c.relay_accept, d.relay_accept);
    EXPECT_EQ(c.relay_publish, d.relay_publish);
    EXPECT_EQ(c.relay_delivery, d.relay_delivery);
    EXPECT_EQ(c.bus_publish, d.bus_publish);
    EXPECT_EQ(c.bus_fanout, d.bus_fanout);
    EXPECT_EQ(c.client_link.latency, d.client_link.latency);
    EXPECT_EQ(c.backend_link.latency, d.backend_link.latency);
    EXPECT_EQ(c.bus_link.latency, d.bus_link.latency);
}

// 20 ws clients on 2 relays, each publishing once a second on `global`.
std::string scenario_text(const std::string& sim) {
    return "name: zones\nseed: 3\nduration: 6s\ndrain: 1s\ncluster:\n  relays: 2\n"
           "clients:\n  - name: near\n    count: 10\n    ramp: 500ms\n    publish_rate_hz: 1\n"
           "  - name: far\n    count: 10\n    ramp: 500ms\n    publish_rate_hz: 1\n" +
           sim;
}

report::run_result simulate(const std::string& sim, const sim_run_options& o = {}) {
    events::event_stream stream;
    return run_simulation(scenario::parse_scenario_text(scenario_text(sim), "zones.yaml"), o,
                          stream);
}

double p50_ms(const report::run_result& r) {
    return static_cast<double>(r.summary.latency.percentile(0.5).count()) / 1000.0;
}

TEST(SimProfile, ZoneLayoutFromTheMatrix) {
    const auto s = scenario::parse_scenario_text(
        scenario_text("sim:\n  zones:\n    - {name: core, relays: [relay-1], fleets: [near]}\n"
                      "    - {name: eu, relays: [relay-2], fleets: [far]}\n"
                      "  latency:\n    eu: {core: {latency: 30ms, jitter: 2ms}}\n"),
        "z.yaml");
    const auto z = zone_layout_from(s.sim);
    ASSERT_EQ(z.relays.size(), 1u);  // relay-1 is in the core zone: no pair, no delay
    EXPECT_EQ(z.relays.at("relay-2").latency, 30ms);
    EXPECT_EQ(z.relays.at("relay-2").jitter, 2ms);
    ASSERT_EQ(z.fleets.size(), 1u);
    EXPECT_EQ(z.fleets.at("far").latency, 30ms);
    EXPECT_TRUE(zone_layout_from(scenario::sim_spec{}).empty());
}

TEST(SimProfile, ClientZoneLatencyAddsToDeliveryLatency) {
    const auto base = simulate("");
    // Both fleets 20 ms from the core zone: a message goes up one client link and down
    // another, so it takes 40 ms more.
    const auto far = simulate(
        "sim:\n  zones:\n    - {name: core}\n    - {name: eu, fleets: [near, far]}\n"
        "  latency: {eu: {core: 20ms}}\n");
    ASSERT_EQ(base.summary.lost, 0u);
    ASSERT_EQ(far.summary.lost, 0u);
    // (Not the same delivery count: far clients subscribe a few trips later, so fewer
    // messages are due to them.)
    EXPECT_EQ(far.summary.duplicates, 0u);
    EXPECT_EQ(far.summary.order_violations, 0u);
    EXPECT_LT(p50_ms(base), 5.0);
    EXPECT_NEAR(p50_ms(far) - p50_ms(base), 40.0, 1.5)
        << "base " << p50_ms(base) << " ms, far " << p50_ms(far) << " ms";
}

TEST(SimProfile, RelayZoneLatencyCrossesBalancerAndBusLinks) {
    const auto base = simulate("");
    // Both relays 10 ms from the core: up balancer->relay and relay->redis, down the same two
    // links: 4 x 10 ms.
    const auto far = simulate(
        "sim:\n  zones:\n    - {name: core}\n    - {name: eu, relays: 2}\n"
        "  latency: {core: {eu: 10ms}}\n");
    ASSERT_EQ(far.summary.lost, 0u);
    EXPECT_NEAR(p50_ms(far) - p50_ms(base), 40.0, 1.5)
        << "base " << p50_ms(base) << " ms, far " << p50_ms(far) << " ms";
}

TEST(SimProfile, OnlyTheFarFleetPaysAndJitterKeepsOrder) {
    const auto r = simulate(
        "sim:\n  zones:\n    - {name: core, fleets: [near]}\n    - {name: eu, fleets: [far]}\n"
        "  latency: {eu: {core: {latency: 50ms, jitter: 10ms}}}\n");
    EXPECT_EQ(r.summary.lost, 0u);
    EXPECT_EQ(r.summary.duplicates, 0u);
    EXPECT_EQ(r.summary.order_violations, 0u);
    // Half the deliveries go to far clients and half the publishes come from them: a quarter
    // of the messages take neither extra trip, so p50 sits at one trip (50 ms) +- jitter.
    EXPECT_GT(p50_ms(r), 35.0);
    EXPECT_LT(p50_ms(r), 65.0);
    EXPECT_GT(r.summary.latency.max().count(), 90'000);  // far to far: two trips
}

TEST(SimProfile, SimCostsOverrideTheProfileAndFlagProfileOverridesTheFile) {
    const auto base = simulate("");
    // The client link 10 ms slower each way: +20 ms per message.
    const auto slower = simulate("sim:\n  costs: {client_link_latency_us: 10500}\n");
    EXPECT_NEAR(p50_ms(slower) - p50_ms(base), 20.0, 1.0);
    // --profile replaces the scenario's profile, but sim.costs still applies on top of it.
    sim_run_options o;
    o.profile = scenario::cost_figures{fig("client_link_latency_us", 5500),
                                       fig("backend_link_latency_us", 5100)};
    const auto flagged = simulate("", o);
    EXPECT_NEAR(p50_ms(flagged) - p50_ms(base), 20.0, 1.0);
    const auto both = simulate("sim:\n  costs: {client_link_latency_us: 500}\n", o);
    EXPECT_NEAR(p50_ms(both) - p50_ms(base), 10.0, 1.0);
}

}  // namespace
}  // namespace switchyard::sim
