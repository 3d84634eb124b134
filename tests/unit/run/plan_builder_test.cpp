// From a scenario to the run layer's plain data: what the cluster plan reserves and proxies,
// and the order of the timeline.
#include <gtest/gtest.h>

#include "engine/scenario/plan_builder.hpp"
#include "engine/scenario/scenario_parser.hpp"

using namespace switchyard;
using namespace std::chrono_literals;
using events::action_kind;

namespace {

scenario::scenario parse(const std::string& body) {
    const std::string fleets =
        body.find("clients:") == std::string::npos ? "clients: [{count: 1}]\n" : "";
    return scenario::parse_scenario_text("name: plan\nseed: 42\nduration: 10s\n" + fleets + body,
                                         "plan.yaml");
}

std::vector<std::string> strings(std::initializer_list<const char*> v) {
    return {v.begin(), v.end()};
}

}  // namespace

TEST(ClusterPlan, CarriesTheClusterSeedAndStartupTimeout) {
    auto s = parse("cluster: {relays: 2, balancer: {strategy: least-conn}}\n");
    s.startup_timeout = 7s;
    const auto p = scenario::make_cluster_plan(s);
    EXPECT_EQ(p.cluster.relays.names, strings({"relay-1", "relay-2"}));
    EXPECT_EQ(p.cluster.balancer.strategy, "least-conn");
    EXPECT_EQ(p.seed, 42u);
    EXPECT_EQ(p.startup_timeout, 7000ms);
    EXPECT_TRUE(p.future_relays.empty());
    EXPECT_TRUE(p.proxied_links.empty()) << "no fault, no proxy";
    EXPECT_TRUE(p.netns_relays.empty());
}

TEST(ClusterPlan, ProxiesOnlyTheLinksTheTimelineFaults) {
    const auto p = scenario::make_cluster_plan(parse(R"(cluster: {relays: 2}
timeline:
  - at: 1s
    fault: {link: balancer-relay-2, toxic: latency, latency_ms: 100}
  - at: 2s
    fault: {link: relay-1-redis, toxic: partition}
)"));
    EXPECT_EQ(p.proxied_links, strings({"balancer-relay-2", "relay-1-redis"}));
}

TEST(ClusterPlan, ReservesTimelineAddsAndSparesUnderUnusedNames) {
    const auto p = scenario::make_cluster_plan(parse(R"(cluster: {relays: 2}
timeline:
  - at: 1s
    add_relay: relay-3
)"),
                                               {.spare_relays = 2, .proxy_all_links = false});
    // relay-1, relay-2 run; relay-3 is the timeline's; the spares take the next free names.
    EXPECT_EQ(p.future_relays, strings({"relay-3", "relay-4", "relay-5"}));
}

TEST(ClusterPlan, ProxyAllLinksCoversFutureRelaysToo) {
    const auto p = scenario::make_cluster_plan(parse("cluster: {relays: 1}\n"),
                                               {.spare_relays = 1, .proxy_all_links = true});
    EXPECT_EQ(p.proxied_links, strings({"client-balancer", "balancer-relay-1", "relay-1-redis",
                                        "balancer-relay-2", "relay-2-redis"}));
}

TEST(Timeline, KeepsFileOrderAtEqualTimesAndSortsByTime) {
    auto s = parse(R"(cluster: {relays: 3}
timeline:
  - at: 1s
    kill: relay-1
  - at: 1s
    kill: relay-2
  - at: 3s
    restart: relay-1
)");
    // A caller-built scenario may be out of order; the builder restores the invariant.
    std::swap(s.timeline[0], s.timeline[2]);
    const auto t = scenario::make_timeline(s);
    ASSERT_EQ(t.actions.size(), 3u);
    EXPECT_EQ(t.actions[0].at, 1s);
    EXPECT_EQ(t.actions[0].target, "relay-2");  // stable: it came first after the swap
    EXPECT_EQ(t.actions[1].target, "relay-1");
    EXPECT_EQ(t.actions[1].kind, action_kind::kill);
    EXPECT_EQ(t.actions[2].kind, action_kind::restart);
    EXPECT_EQ(t.actions[2].at, 3s);
}

TEST(RunPlan, CarriesPhasesFleetsAndExpectations) {
    const auto p = scenario::make_run_plan(parse(R"(drain: 500ms
cluster: {relays: 1}
clients:
  - {name: a, count: 3}
  - {name: b, count: 2, publish_rate_hz: 4}
expect: {lost: 0, delivery_ratio: {min: 0.99}}
)"));
    EXPECT_EQ(p.name, "plan");
    EXPECT_EQ(p.file, "plan.yaml");
    EXPECT_EQ(p.seed, 42u);
    EXPECT_EQ(p.duration, 10s);
    EXPECT_EQ(p.drain, 500ms);
    ASSERT_EQ(p.fleets.size(), 2u);
    EXPECT_EQ(p.fleets[1].name, "b");
    EXPECT_EQ(p.fleets[1].publish_rate_hz, 4.0);
    ASSERT_EQ(p.expect.size(), 2u);
    EXPECT_EQ(p.expect[0].name, "lost");
}

TEST(Action, DetailSaysTheParametersInWords) {
    run::action a;
    a.kind = action_kind::set_rate;
    a.rate_hz = 2.5;
    EXPECT_EQ(a.detail(), "publish_rate_hz=2.5");
    a.kind = action_kind::kill;
    EXPECT_EQ(a.detail(), "");
    a.target = "redis";
    EXPECT_FALSE(run::targets_relay(a));
    a.target = "relay-7";
    EXPECT_TRUE(run::targets_relay(a));
}

TEST(Action, OnlyAFaultThatStopsEveryByteOnARelaysLinkCutsTheRelayOff) {
    run::action a;
    a.kind = action_kind::fault;
    a.target = "relay-2-redis";
    for (const char* toxic : {"blackhole", "timeout", "partition", "reset"}) {
        a.toxic = toxic;
        EXPECT_EQ(run::relay_cut_off_by(a), "relay-2") << toxic;
    }
    for (const char* toxic : {"latency", "bandwidth", "slow_close"}) {
        a.toxic = toxic;
        EXPECT_EQ(run::relay_cut_off_by(a), "") << toxic;
    }
    a.toxic = "blackhole";
    a.target = "balancer-relay-10";
    EXPECT_EQ(run::relay_cut_off_by(a), "relay-10");
    a.target = "client-balancer";
    EXPECT_EQ(run::relay_cut_off_by(a), "") << "every relay's clients: not one relay's episode";
    a.kind = action_kind::clear_fault;
    a.target = "relay-2-redis";
    EXPECT_EQ(run::relay_cut_off_by(a), "") << "only a fault cuts";
}
