// Scenario parsing: a good file read completely, and a table of literal bad files each with the
// exact position and message it must produce.
#include <gtest/gtest.h>

#include "engine/scenario/closest_name.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/scenario_parser.hpp"

using namespace switchyard;
using namespace switchyard::scenario;
using namespace std::chrono_literals;

TEST(Duration, ParsesUnitsAndRejectsTheRest) {
    EXPECT_EQ(parse_duration("5s"), 5s);
    EXPECT_EQ(parse_duration("250ms"), 250ms);
    EXPECT_EQ(parse_duration("1m"), 1min);
    EXPECT_EQ(parse_duration("1.5s"), 1500ms);
    EXPECT_EQ(parse_duration("100us"), 100us);
    EXPECT_EQ(parse_duration("2h"), 2h);
    EXPECT_EQ(parse_duration("0"), 0us);
    for (const char* bad : {"5", "", "s", "-1s", "5 s", "5sec", "1.s", ".5s", "5S", "25h", "1e3s"})
        EXPECT_FALSE(parse_duration(bad)) << bad;
    EXPECT_EQ(format_duration(1500ms), "1500ms");
    EXPECT_EQ(format_duration(60s), "1m");
    EXPECT_EQ(format_duration(250us), "250us");
}

TEST(ClosestName, SuggestsOnlyPlausibleTypos) {
    const std::array<std::string_view, 3> names{"duration", "drain", "description"};
    EXPECT_EQ(closest_name("duraton", names), "duration");
    EXPECT_EQ(closest_name("drian", names), "drain");
    EXPECT_EQ(closest_name("banana", names), "");
    EXPECT_EQ(edit_distance("ab", "ba"), 1u);
}

TEST(ScenarioParser, ReadsEveryKeyOfAFullFile) {
    const auto s = parse_scenario_text(R"(
name: failover
description: kill one relay of three
seed: 7
duration: 12s
drain: 1500ms
metrics_interval: 100ms
cluster:
  balancer:
    kind: switchyard
    strategy: least-conn
    sticky: true
    tls: true
    health: {interval: 100ms, timeout: 50ms, rise: 1, fall: 3}
    args: [--threads, "1"]
  relays:
    count: 3
    history: 5000
  bus: redis
clients:
  - name: talkers
    count: 20
    transport: sockjs-xhr-polling
    ramp: 2s
    channels: [global, room-1]
    publish_channel: room-1
    publish_rate_hz: 2.5
    message_bytes: 256
    think_time: 100ms
    ping_interval: 2s
    sticky_cookie: sid
    reconnect: {initial_backoff: 50ms, max_backoff: 1s, jitter: 0.25, resume: false}
  - name: listeners
    count: 5
timeline:
  - at: 6s
    fault: {link: balancer-relay-2, toxic: latency, latency_ms: 200, direction: downstream}
  - at: 5s
    kill: relay-1
  - at: 7s
    add_relay: relay-4
  - at: 8s
    set_rate: {fleet: talkers, publish_rate_hz: 5}
  - at: 9s
    clear_fault: balancer-relay-4
  - at: 10s
    restart_redis: redis
expect:
  lost: 0
  delivery_ratio: 0.99
  failover_ms: "<= 1000"
  reconnects: {min: 1, max: 40}
)",
                                       "full.yaml");
    EXPECT_EQ(s.name, "failover");
    EXPECT_EQ(s.seed, 7u);
    EXPECT_EQ(s.duration, 12s);
    EXPECT_EQ(s.drain, 1500ms);
    EXPECT_EQ(s.cluster.balancer.strategy, "least-conn");
    EXPECT_TRUE(s.cluster.balancer.tls);
    EXPECT_EQ(s.cluster.balancer.health.fall, 3u);
    EXPECT_EQ(s.cluster.balancer.health.timeout, 50ms);
    EXPECT_EQ(s.cluster.balancer.args.size(), 2u);
    EXPECT_EQ(s.cluster.relays.names, (std::vector<std::string>{"relay-1", "relay-2", "relay-3"}));
    EXPECT_EQ(s.cluster.relays.history, 5000u);
    ASSERT_EQ(s.fleets.size(), 2u);
    const auto& f = s.fleets[0];
    EXPECT_EQ(f.kind, fleet::transport::sockjs_xhr_polling);
    EXPECT_EQ(f.connect_ramp_ms, 2s);
    EXPECT_EQ(f.channels.size(), 2u);
    EXPECT_EQ(f.publish_rate_hz, 2.5);
    EXPECT_FALSE(f.reconnect.resume);
    EXPECT_EQ(f.ping_interval_ms, 2s);
    EXPECT_EQ(f.sticky_cookie_name, "sid");
    EXPECT_EQ(f.reconnect.max_backoff_ms, 1s);
    EXPECT_EQ(s.fleets[1].name, "listeners");
    ASSERT_EQ(s.timeline.size(), 6u);
    EXPECT_EQ(s.timeline[0].kind, events::action_kind::kill);  // sorted by time
    EXPECT_EQ(s.timeline[1].toxic, "latency");
    EXPECT_EQ(s.timeline[1].params.values.at("latency_ms"), 200);
    EXPECT_EQ(s.timeline[1].params.direction, faults::toxic_direction::downstream);
    EXPECT_EQ(s.timeline[1].mark.line, 36);
    EXPECT_EQ(s.timeline[3].rate_hz, 5);
    ASSERT_EQ(s.expect.size(), 4u);
    EXPECT_EQ(s.expect[0].max, 0);
    EXPECT_EQ(s.expect[1].min, 0.99);
    EXPECT_EQ(s.expect[2].max, 1000);
    EXPECT_EQ(s.expect[3].text(), "in [1, 40]");
}

TEST(ScenarioParser, DefaultsForAMinimalFile) {
    const auto s = parse_scenario_text("clients:\n  - count: 3\n", "dir/min.yaml");
    EXPECT_EQ(s.name, "min");
    EXPECT_EQ(s.cluster.relays.names, (std::vector<std::string>{"relay-1"}));
    EXPECT_EQ(s.fleets.at(0).name, "clients");
    EXPECT_EQ(s.duration, 10s);
}

struct bad_case {
    const char* what;
    const char* yaml;
    const char* expect;  // exact "file:line:col: message" prefix of the first diagnostic
};

class BadScenario : public ::testing::TestWithParam<bad_case> {};

TEST_P(BadScenario, ReportsPositionAndReason) {
    const auto& c = GetParam();
    try {
        parse_scenario_text(c.yaml, "bad.yaml");
        FAIL() << c.what << ": no error";
    } catch (const scenario_error& e) {
        ASSERT_FALSE(e.diagnostics().empty());
        const auto first = e.diagnostics().front().text();
        EXPECT_EQ(first.substr(0, std::string(c.expect).size()), c.expect)
            << c.what << "\nall: " << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadScenario,
    ::testing::Values(
        bad_case{"unknown top key", "clients: [{count: 1}]\nduraton: 5s\n",
                 "bad.yaml:2:1: unknown key 'duraton' in the top level; did you mean 'duration'?"},
        bad_case{"unknown fleet key", "clients:\n  - count: 1\n    transprot: ws\n",
                 "bad.yaml:3:5: unknown key 'transprot' in a fleet; did you mean 'transport'?"},
        bad_case{"unknown reconnect key", "clients:\n  - reconnect: {resum: false}\n",
                 "bad.yaml:2:17: unknown key 'resum' in reconnect; did you mean 'resume'?"},
        bad_case{"bad duration no unit", "duration: 5\nclients: [{count: 1}]\n",
                 "bad.yaml:1:11: duration: bad duration '5'"},
        bad_case{"bad duration unit", "clients:\n  - ramp: 2sec\n",
                 "bad.yaml:2:11: ramp: bad duration '2sec'"},
        bad_case{"wrong type count", "clients:\n  - count: many\n",
                 "bad.yaml:2:12: count: must be a whole number >= 0, got 'many'"},
        bad_case{"negative count", "clients:\n  - count: -3\n",
                 "bad.yaml:2:12: count: must be a whole number >= 0"},
        bad_case{"wrong type bool", "clients:\n  - reconnect: {resume: maybe}\n",
                 "bad.yaml:2:25: resume: must be true or false, got 'maybe'"},
        bad_case{"channels not a list", "clients:\n  - channels: global\n",
                 "bad.yaml:2:15: channels: must be a list"},
        bad_case{"unknown transport", "clients:\n  - transport: sockjs-xhr-poling\n",
                 "bad.yaml:2:16: unknown transport 'sockjs-xhr-poling'; did you mean "
                 "'sockjs-xhr-polling'?"},
        bad_case{"fleet limit", "clients:\n  - message_bytes: 10\n",
                 "bad.yaml:2:5: fleet 'clients': message_bytes"},
        bad_case{"kill unknown relay",
                 "cluster: {relays: 3}\nclients: [{count: 1}]\ntimeline:\n  - at: 1s\n    kill: "
                 "relay-9\n",
                 "bad.yaml:4:5: at 1s: kill: unknown component 'relay-9'"},
        bad_case{"kill typo",
                 "cluster: {relays: 2}\nclients: [{}]\ntimeline:\n  - at: 1s\n    kill: relay1\n",
                 "bad.yaml:4:5: at 1s: kill: unknown component 'relay1'; did you mean 'relay-1'?"},
        bad_case{"drain removed relay",
                 "cluster: {relays: 2}\nclients: [{}]\ntimeline:\n  - at: 1s\n    remove_relay: "
                 "relay-2\n  - at: 2s\n    drain: relay-2\n",
                 "bad.yaml:6:5: at 2s: drain: unknown relay 'relay-2'"},
        bad_case{"added relay may be killed later (ok) but not added twice",
                 "clients: [{}]\ntimeline:\n  - at: 1s\n    add_relay: relay-1\n",
                 "bad.yaml:3:5: at 1s: add_relay: relay 'relay-1' already exists"},
        bad_case{"unknown action", "clients: [{}]\ntimeline:\n  - at: 1s\n    kil: relay-1\n",
                 "bad.yaml:4:5: unknown action 'kil'; did you mean 'kill'?"},
        bad_case{"two actions",
                 "clients: [{}]\ntimeline:\n  - at: 1s\n    kill: relay-1\n    stop: relay-1\n",
                 "bad.yaml:5:5: one action per timeline entry"},
        bad_case{"no at", "clients: [{}]\ntimeline:\n  - kill: relay-1\n",
                 "bad.yaml:3:5: timeline entry needs 'at'"},
        bad_case{"after the end",
                 "duration: 5s\nclients: [{}]\ntimeline:\n  - at: 6s\n    kill: relay-1\n",
                 "bad.yaml:4:5: at 6s: after the end of the run (duration 5s)"},
        bad_case{"unknown link",
                 "clients: [{}]\ntimeline:\n  - at: 1s\n    fault: {link: balancer-relay-2, toxic: "
                 "latency}\n",
                 "bad.yaml:3:5: at 1s: fault: unknown link 'balancer-relay-2'; did you mean "
                 "'balancer-relay-1'?"},
        bad_case{"unknown toxic",
                 "clients: [{}]\ntimeline:\n  - at: 1s\n    fault: {link: client-balancer, toxic: "
                 "latncy}\n",
                 "bad.yaml:4:43: fault: unknown toxic 'latncy'; did you mean 'latency'?"},
        bad_case{"toxic param",
                 "clients: [{}]\ntimeline:\n  - at: 1s\n    fault: {link: client-balancer, toxic: "
                 "latency, latency: 5}\n",
                 "bad.yaml:4:43: fault: latency:"},
        bad_case{"set_rate unknown fleet",
                 "clients: [{name: a}]\ntimeline:\n  - at: 1s\n    set_rate: {fleet: b, "
                 "publish_rate_hz: 1}\n",
                 "bad.yaml:3:5: at 1s: set_rate: unknown fleet 'b'"},
        bad_case{"unknown assertion", "clients: [{}]\nexpect:\n  lsot: 0\n",
                 "bad.yaml:3:3: unknown assertion 'lsot'; did you mean 'lost'?"},
        bad_case{"bad bound", "clients: [{}]\nexpect:\n  lost: lots\n",
                 "bad.yaml:3:9: lost: must be a number, got 'lots'"},
        bad_case{"memory bus with 2 relays", "cluster: {relays: 2, bus: memory}\nclients: [{}]\n",
                 "bad.yaml:1:27: bus: memory only works with a single relay"},
        bad_case{"bad bus", "cluster: {bus: kafka}\nclients: [{}]\n",
                 "bad.yaml:1:16: bus: must be 'redis'"},
        bad_case{"balancer kind typo", "cluster: {balancer: haproxi}\nclients: [{}]\n",
                 "bad.yaml:1:21: unknown balancer kind 'haproxi'; did you mean 'haproxy'?"},
        bad_case{"strategy typo", "cluster: {balancer: {strategy: round-robbin}}\nclients: [{}]\n",
                 "bad.yaml:1:32: unknown strategy 'round-robbin'; did you mean 'round-robin'?"},
        bad_case{"external without url", "cluster: {balancer: {kind: external}}\nclients: [{}]\n",
                 "bad.yaml:1:21: cluster.balancer: kind external needs 'url'"},
        bad_case{"external with relays",
                 "cluster:\n  balancer: {kind: external, url: \"ws://h:1\"}\n  relays: 3\n"
                 "clients: [{}]\n",
                 "bad.yaml:3:3: cluster.relays: balancer kind external starts nothing; the relays "
                 "and bus are the external cluster's own"},
        bad_case{"external kill",
                 "cluster: {balancer: {kind: external, url: \"ws://h:1\"}}\nclients: [{}]\n"
                 "timeline:\n  - at: 1s\n    kill: relay-1\n",
                 "bad.yaml:4:5: at 1s: kill: balancer kind external runs no relay, balancer or "
                 "redis of the engine's; only set_rate, set_count and client-balancer faults "
                 "apply"},
        bad_case{"external relay link",
                 "cluster: {balancer: {kind: external, url: \"ws://h:1\"}}\nclients: [{}]\n"
                 "timeline:\n  - at: 1s\n    fault: {link: balancer-relay-1, toxic: latency}\n",
                 "bad.yaml:4:5: at 1s: fault: balancer kind external runs no relay"},
        bad_case{"admin_url not external",
                 "cluster: {balancer: {admin_url: \"http://h:1\"}}\nclients: [{}]\n",
                 "bad.yaml:1:22: cluster.balancer.admin_url: only for kind external"},
        bad_case{"admin_url not http",
                 "cluster: {balancer: {kind: external, url: \"ws://h:1\", admin_url: "
                 "\"ws://h:2\"}}\nclients: [{}]\n",
                 "bad.yaml:1:55: cluster.balancer.admin_url: 'ws://h:2' is not an "
                 "http://host:port[/path] URL"},
        bad_case{"netns not a partition",
                 "clients: [{}]\ntimeline:\n  - at: 1s\n    fault: {link: relay-1-redis, toxic: "
                 "latency, mode: netns}\n",
                 "bad.yaml:4:50: fault: mode netns only makes a partition (toxic: partition)"},
        bad_case{"netns client link",
                 "clients: [{}]\ntimeline:\n  - at: 1s\n    fault: {link: client-balancer, toxic: "
                 "partition, mode: netns}\n",
                 "bad.yaml:3:5: at 1s: fault: mode netns works on balancer-<relay> and "
                 "<relay>-redis links"},
        bad_case{"bad mode",
                 "clients: [{}]\ntimeline:\n  - at: 1s\n    fault: {link: relay-1-redis, toxic: "
                 "partition, mode: nets}\n",
                 "bad.yaml:4:52: fault: mode must be proxy (default) or netns, got 'nets'"},
        bad_case{"external bad url",
                 "cluster: {balancer: {kind: external, url: \"h:1\"}}\nclients: [{}]\n",
                 "bad.yaml:1:38: cluster.balancer.url: 'h:1' is not a ws://, wss://, http:// or "
                 "https:// host:port URL"},
        bad_case{"duplicate fleet", "clients: [{name: a}, {name: a}]\n",
                 "bad.yaml:1:22: fleet name 'a' used twice"},
        bad_case{"missing clients", "seed: 1\n", "bad.yaml:1:1: missing key 'clients'"},
        bad_case{"yaml syntax", "clients: [{count: 1}\n", "bad.yaml:2:1: YAML syntax"},
        bad_case{"not a mapping", "- 1\n- 2\n", "bad.yaml:1:1: a scenario is a mapping"}));

TEST(ScenarioParser, ReportsEveryProblemSortedByLine) {
    try {
        parse_scenario_text("clients:\n  - count: x\nseeed: 1\nduration: 1\n", "m.yaml");
        FAIL();
    } catch (const scenario_error& e) {
        ASSERT_EQ(e.diagnostics().size(), 3u) << e.what();
        EXPECT_EQ(e.diagnostics()[0].mark.line, 2);
        EXPECT_EQ(e.diagnostics()[2].mark.line, 4);
    }
}

TEST(ScenarioParser, UnreadableFile) {
    EXPECT_THROW(parse_scenario_file("/nonexistent/x.yaml"), scenario_error);
}

TEST(ScenarioParser, KnownKeysListsNestedSections) {
    const auto keys = known_scenario_keys();
    EXPECT_NE(std::find(keys.begin(), keys.end(), "clients[].reconnect.resume"), keys.end());
    EXPECT_NE(std::find(keys.begin(), keys.end(), "cluster.balancer.health.rise"), keys.end());
}

TEST(ScenarioParser, ExternalClusterOwnsNoRelaysAndAllowsClientFaults) {
    const auto s = scenario::parse_scenario_text(
        "cluster:\n  balancer: {kind: external, url: \"wss://lb.example:8443/rt\", admin_url: "
        "\"http://127.0.0.1:9000/stats;csv\"}\nclients: [{name: a}]\ntimeline:\n  - at: 1s\n"
        "    fault: {link: client-balancer, toxic: latency}\n  - at: 2s\n    set_rate: {fleet: "
        "a, publish_rate_hz: 1}\n",
        "ok.yaml");
    EXPECT_EQ(s.cluster.balancer.kind, scenario::balancer_kind::external);
    EXPECT_EQ(s.cluster.balancer.admin_url, "http://127.0.0.1:9000/stats;csv");
    EXPECT_TRUE(s.cluster.relays.names.empty());
    EXPECT_EQ(s.timeline.size(), 2u);
}
