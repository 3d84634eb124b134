// Keys only the simulator reads (`sim:`), cost profile files, and the real world's refusal of a
// file it cannot run: good input read completely, every bad input with its exact position.
#include <gtest/gtest.h>

#include <unistd.h>
#include <fstream>

#include "engine/scenario/cost_profile.hpp"
#include "engine/scenario/real_world_check.hpp"
#include "engine/scenario/scenario_parser.hpp"

using namespace switchyard::scenario;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/// A fresh folder per test, so a scenario and its profile sit side by side.
fs::path test_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    auto dir = fs::temp_directory_path() / ("switchyard-simkeys-" + std::to_string(::getpid())) /
               (std::string(info->test_suite_name()) + "." + info->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void write(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

const cost_figure* find(const cost_figures& f, const std::string& key) {
    for (const auto& x : f)
        if (x.key == key)
            return &x;
    return nullptr;
}

// Two fleets and three relays: lines 1-7, so a `sim:` body starts on line 9.
constexpr const char* base =
    "clients:\n  - name: a\n    count: 1\n  - name: b\n    count: 1\ncluster:\n"
    "  relays: {count: 3}\nsim:\n";

std::string first_error(const std::string& yaml, const std::string& file = "bad.yaml") {
    try {
        parse_scenario_text(yaml, file);
    } catch (const scenario_error& e) {
        return e.diagnostics().empty() ? "(none)" : e.diagnostics().front().text();
    }
    return "(no error)";
}

}  // namespace

TEST(SimSection, ReadsProfileCostsZonesCoreZoneAndLatency) {
    const auto dir = test_dir();
    fs::create_directories(dir / "profiles");
    write(dir / "profiles" / "p.yaml",
          "method: by hand\nrelay_delivery_us: 1.5\nbalancer_accept_us: 40\n");
    const auto s = parse_scenario_text(std::string(base) + R"(  profile: profiles/p.yaml
  costs: {relay_delivery_us: 2.5}
  zones:
    - name: eu
      relays: 2
      fleets: [a]
    - name: us
      relays: [relay-3]
      fleets: [b]
  core_zone: us
  latency:
    eu: {us: {latency: 40ms, jitter: 5ms}}
    us: {us: 1ms}
)",
                                       (dir / "s.yaml").string());
    const auto& sim = s.sim;
    EXPECT_EQ(sim.profile, "profiles/p.yaml");
    EXPECT_EQ(fs::path(sim.profile_path), (dir / "profiles" / "p.yaml").lexically_normal());
    ASSERT_EQ(sim.profile_costs.size(), 2u);  // the note is not a figure
    EXPECT_EQ(find(sim.profile_costs, "relay_delivery_us")->value, 1.5);
    EXPECT_EQ(find(sim.profile_costs, "balancer_accept_us")->value, 40);
    ASSERT_EQ(sim.cost_overrides.size(), 1u);
    EXPECT_EQ(sim.cost_overrides[0].key, "relay_delivery_us");
    EXPECT_EQ(sim.cost_overrides[0].value, 2.5);
    EXPECT_EQ(sim.cost_overrides[0].mark.line, 10);
    ASSERT_EQ(sim.zones.size(), 2u);
    EXPECT_EQ(sim.zones[0].name, "eu");
    EXPECT_EQ(sim.zones[0].relays, (std::vector<std::string>{"relay-1", "relay-2"}));
    EXPECT_EQ(sim.zones[0].fleets, (std::vector<std::string>{"a"}));
    EXPECT_EQ(sim.zones[1].relays, (std::vector<std::string>{"relay-3"}));
    EXPECT_EQ(sim.zones[1].fleets, (std::vector<std::string>{"b"}));
    EXPECT_EQ(sim.core_zone, "us");
    ASSERT_EQ(sim.latency.size(), 2u);
    EXPECT_EQ(sim.latency[0].from, "eu");
    EXPECT_EQ(sim.latency[0].to, "us");
    EXPECT_EQ(sim.latency[0].latency, 40ms);
    EXPECT_EQ(sim.latency[0].jitter, 5ms);
    EXPECT_EQ(sim.latency[1].latency, 1ms);
    EXPECT_EQ(sim.latency[1].jitter, 0ms);
    EXPECT_FALSE(sim.empty());
    ASSERT_EQ(sim.marks.size(), 5u);
    EXPECT_EQ(sim.marks[0].first, "sim.profile");
    EXPECT_EQ(sim.marks[0].second.line, 9);
    EXPECT_EQ(sim.marks[0].second.column, 3);
}

TEST(SimSection, CoreZoneDefaultsToTheFirstZoneAndNoSimIsEmpty) {
    const auto s = parse_scenario_text(
        std::string(base) + "  zones:\n    - {name: x, relays: 1}\n    - {name: y}\n", "z.yaml");
    EXPECT_EQ(s.sim.core_zone, "x");
    EXPECT_EQ(s.sim.zones[1].relays.size(), 0u);
    EXPECT_TRUE(parse_scenario_text("clients: [{count: 1}]\n", "n.yaml").sim.empty());
}

TEST(SimSection, KnownKeysIncludeTheSimSection) {
    const auto keys = known_scenario_keys();
    for (const char* k : {"sim.profile", "sim.costs", "sim.zones", "sim.core_zone", "sim.latency",
                          "sim.zones[].fleets"})
        EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k;
}

TEST(SimSection, RelaysByCountGoUpToTenThousand) {
    const auto s = parse_scenario_text("clients: [{count: 1}]\ncluster:\n  relays: 10000\n", "r");
    EXPECT_EQ(s.cluster.relays.names.size(), 10'000u);
    EXPECT_EQ(s.relays_mark.line, 3);
    EXPECT_EQ(s.relays_mark.column, 11);
    EXPECT_NE(first_error("clients: [{count: 1}]\ncluster:\n  relays: 10001\n"), "(no error)");
}

struct sim_bad {
    const char* what;
    const char* body;    // after `base`: line 9 onwards
    const char* expect;  // exact prefix of the first diagnostic
};

class BadSimSection : public ::testing::TestWithParam<sim_bad> {};

TEST_P(BadSimSection, ReportsPositionAndReason) {
    const auto& c = GetParam();
    const auto got = first_error(std::string(base) + c.body);
    EXPECT_EQ(got.substr(0, std::string(c.expect).size()), c.expect) << c.what << "\ngot: " << got;
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadSimSection,
    ::testing::Values(
        sim_bad{"not a mapping", "  - 1\n", "bad.yaml:9:3: sim: must be a mapping"},
        sim_bad{"unknown key", "  zone: []\n",
                "bad.yaml:9:3: unknown key 'zone' in sim; did you mean 'zones'?"},
        sim_bad{"profile not a path", "  profile: [a]\n",
                "bad.yaml:9:12: sim.profile: must be the path of a cost profile file"},
        sim_bad{"profile missing", "  profile: /nonexistent/p.yaml\n",
                "bad.yaml:9:12: sim.profile: cannot read '/nonexistent/p.yaml'"},
        sim_bad{"costs not a mapping", "  costs: 3\n",
                "bad.yaml:9:10: sim.costs: must be a mapping of figures"},
        sim_bad{"costs unknown key", "  costs:\n    relay_delivery: 1\n",
                "bad.yaml:10:5: sim.costs: unknown key 'relay_delivery'; did you mean "
                "'relay_delivery_us'?"},
        sim_bad{"costs note key", "  costs: {method: x}\n",
                "bad.yaml:9:11: sim.costs: unknown key 'method'"},
        sim_bad{"costs not a number", "  costs: {bus_fanout_us: fast}\n",
                "bad.yaml:9:26: sim.costs: bus_fanout_us: must be a number of microseconds, got "
                "'fast'"},
        sim_bad{"costs zero", "  costs: {bus_fanout_us: 0}\n",
                "bad.yaml:9:26: sim.costs: bus_fanout_us: must be more than 0 (got 0)"},
        sim_bad{"costs negative", "  costs: {bus_fanout_us: -2}\n",
                "bad.yaml:9:26: sim.costs: bus_fanout_us: must be more than 0 (got -2)"},
        sim_bad{"costs duplicate", "  costs: {bus_fanout_us: 1, bus_fanout_us: 2}\n",
                "bad.yaml:9:29: sim.costs: duplicate key 'bus_fanout_us'"},
        sim_bad{"zones not a list", "  zones: eu\n", "bad.yaml:9:10: sim.zones: must be a list"},
        sim_bad{"zones empty", "  zones: []\n", "bad.yaml:9:10: sim.zones: must be a list"},
        sim_bad{"zone not a mapping", "  zones: [eu]\n",
                "bad.yaml:9:11: sim.zones: each zone is a mapping"},
        sim_bad{"zone without name", "  zones:\n    - relays: 1\n",
                "bad.yaml:10:7: a zone needs a 'name'"},
        sim_bad{"zone unknown key", "  zones:\n    - {name: eu, relay: 1}\n",
                "bad.yaml:10:18: unknown key 'relay' in a zone; did you mean 'relays'?"},
        sim_bad{"zone twice", "  zones:\n    - name: eu\n    - name: eu\n",
                "bad.yaml:11:13: zone 'eu' given twice"},
        sim_bad{"more relays than left",
                "  zones:\n    - {name: eu, relays: 2}\n"
                "    - {name: us, relays: 2}\n",
                "bad.yaml:11:26: zone 'us': relays: 2 is more than the relays left (1)"},
        sim_bad{"unknown relay", "  zones:\n    - {name: eu, relays: [relay-9]}\n",
                "bad.yaml:10:27: zone 'eu': unknown relay 'relay-9'"},
        sim_bad{"relays neither count nor list", "  zones:\n    - {name: eu, relays: {a: 1}}\n",
                "bad.yaml:10:26: zone 'eu': relays: a number (the next N relays) or a list"},
        sim_bad{"relay in two zones",
                "  zones:\n    - {name: eu, relays: [relay-1]}\n"
                "    - {name: us, relays: [relay-1]}\n",
                "bad.yaml:11:26: relay 'relay-1' is already in zone 'eu'"},
        sim_bad{"fleets not a list", "  zones:\n    - {name: eu, fleets: a}\n",
                "bad.yaml:10:26: zone 'eu': fleets: must be a list of names"},
        sim_bad{"unknown fleet", "  zones:\n    - {name: eu, fleets: [c]}\n",
                "bad.yaml:10:27: zone 'eu': unknown fleet 'c'"},
        sim_bad{"fleet in two zones",
                "  zones:\n    - {name: eu, fleets: [a]}\n"
                "    - {name: us, fleets: [a]}\n",
                "bad.yaml:11:27: fleet 'a' is already in zone 'eu'"},
        sim_bad{"unknown core zone", "  zones: [{name: eu}]\n  core_zone: us\n",
                "bad.yaml:10:14: sim.core_zone: unknown zone 'us'"},
        sim_bad{"latency not a mapping", "  zones: [{name: eu}]\n  latency: [1]\n",
                "bad.yaml:10:12: sim.latency: must map a zone to {other zone: delay, ...}"},
        sim_bad{"latency unknown row zone",
                "  zones: [{name: eu}]\n  latency:\n    us: {eu: 1ms}\n",
                "bad.yaml:11:5: sim.latency: unknown zone 'us'"},
        sim_bad{"latency row not a mapping", "  zones: [{name: eu}]\n  latency:\n    eu: 1ms\n",
                "bad.yaml:11:9: sim.latency.eu: must map zones to delays"},
        sim_bad{"latency unknown cell zone",
                "  zones: [{name: eu}]\n  latency:\n    eu: {us: 1ms}\n",
                "bad.yaml:11:10: sim.latency.eu: unknown zone 'us'"},
        sim_bad{"latency pair twice",
                "  zones: [{name: eu}, {name: us}]\n  latency:\n    eu: {us: 1ms}\n"
                "    us: {eu: 2ms}\n",
                "bad.yaml:12:10: sim.latency.us.eu: this pair is already given"},
        sim_bad{"latency bad duration",
                "  zones: [{name: eu}, {name: us}]\n  latency:\n"
                "    eu: {us: 40}\n",
                "bad.yaml:11:14: sim.latency.eu.us: bad duration; write e.g. 40ms"},
        sim_bad{"jitter bad duration",
                "  zones: [{name: eu}, {name: us}]\n  latency:\n"
                "    eu: {us: {latency: 4ms, jitter: x}}\n",
                "bad.yaml:11:37: sim.latency.eu.us.jitter: bad duration"},
        sim_bad{"delay unknown key",
                "  zones: [{name: eu}, {name: us}]\n  latency:\n"
                "    eu: {us: {latency: 4ms, jiter: 1ms}}\n",
                "bad.yaml:11:29: unknown key 'jiter' in sim.latency.eu.us (known: latency, "
                "jitter)"},
        sim_bad{"jitter above latency",
                "  zones: [{name: eu}, {name: us}]\n  latency:\n"
                "    eu: {us: {latency: 4ms, jitter: 5ms}}\n",
                "bad.yaml:11:14: sim.latency.eu.us: jitter above the latency"}));

TEST(SimSection, ProfileErrorsNameTheProfileFile) {
    const auto dir = test_dir();
    write(dir / "p.yaml", "relay_delivery_us: 1\nbus_fanout_us: none\n");
    const auto got =
        first_error(std::string(base) + "  profile: p.yaml\n", (dir / "s.yaml").string());
    EXPECT_EQ(got, (dir / "p.yaml").string() +
                       ":2:16: cost profile: bus_fanout_us: must be a number of microseconds, got "
                       "'none'");
}

TEST(CostProfile, ReadsAGoodFileWithNotes) {
    const auto dir = test_dir();
    write(dir / "good.yaml",
          "measured_at: 2026-12-06\nhost: ci\nmethod: switchyard calibrate\n"
          "balancer_accept_us: 20\nrelay_accept_us: 50\nrelay_publish_us: 5\n"
          "relay_delivery_us: 0.8\nbus_publish_us: 5\nbus_fanout_us: 1\n"
          "client_link_latency_us: 500\nbackend_link_latency_us: 100\nbus_link_latency_us: 1e2\n");
    std::vector<diagnostic> errors;
    const auto f = read_cost_profile(dir / "good.yaml", errors);
    EXPECT_TRUE(errors.empty()) << errors.front().text();
    ASSERT_EQ(f.size(), cost_keys().size());
    EXPECT_EQ(find(f, "relay_delivery_us")->value, 0.8);
    EXPECT_EQ(find(f, "relay_delivery_us")->mark.line, 7);
    EXPECT_EQ(find(f, "relay_delivery_us")->file, (dir / "good.yaml").string());
    EXPECT_EQ(find(f, "bus_link_latency_us")->value, 100);
}

struct profile_bad {
    const char* what;
    const char* text;
    const char* expect;
};

class BadCostProfile : public ::testing::TestWithParam<profile_bad> {};

TEST_P(BadCostProfile, ReportsPositionAndReason) {
    const auto& c = GetParam();
    std::vector<diagnostic> errors;
    const auto f = read_cost_profile_text(c.text, "p.yaml", errors);
    ASSERT_FALSE(errors.empty()) << c.what;
    const auto got = errors.front().text();
    EXPECT_EQ(got.substr(0, std::string(c.expect).size()), c.expect) << c.what << "\ngot: " << got;
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadCostProfile,
    ::testing::Values(
        profile_bad{"unknown key", "relay_delivery_us: 1\nrelay_delivry_us: 2\n",
                    "p.yaml:2:1: cost profile: unknown key 'relay_delivry_us'; did you mean "
                    "'relay_delivery_us'? (known: balancer_accept_us,"},
        profile_bad{"not a number", "bus_publish_us: 5us\n",
                    "p.yaml:1:17: cost profile: bus_publish_us: must be a number of "
                    "microseconds, got '5us'"},
        profile_bad{"a list", "bus_publish_us: [1]\n",
                    "p.yaml:1:17: cost profile: bus_publish_us: must be a number"},
        profile_bad{"infinite", "bus_publish_us: inf\n",
                    "p.yaml:1:17: cost profile: bus_publish_us: must be a number"},
        profile_bad{"zero", "relay_accept_us: 0\n",
                    "p.yaml:1:18: cost profile: relay_accept_us: must be more than 0 (got 0)"},
        profile_bad{"negative", "relay_accept_us: -1.5\n",
                    "p.yaml:1:18: cost profile: relay_accept_us: must be more than 0 (got -1.5)"},
        profile_bad{"yaml syntax", "relay_accept_us: [1\n", "p.yaml:2:1: YAML syntax"},
        profile_bad{"not a mapping", "- 1\n",
                    "p.yaml:1:1: cost profile: must be a mapping of figures"}));

TEST(CostProfile, UnreadableFileHasNoPosition) {
    std::vector<diagnostic> errors;
    read_cost_profile("/nonexistent/profile.yaml", errors);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].text(), "/nonexistent/profile.yaml:0:0: cannot read the cost profile");
}

TEST(CostProfile, EveryKeyIsDocumented) {
    for (const auto& k : cost_keys()) {
        EXPECT_TRUE(k.name.ends_with("_us")) << k.name;  // the unit is in the name
        EXPECT_FALSE(k.doc.empty()) << k.name;
    }
}

// The real world's refusal ------------------------------------------------------------------

namespace {
std::vector<std::string> refusals_of(const std::string& yaml) {
    std::vector<std::string> out;
    for (const auto& d : real_world_refusals(parse_scenario_text(yaml, "w.yaml")))
        out.push_back(d.text());
    return out;
}
}  // namespace

TEST(RealWorldCheck, AcceptsAPlainFile) {
    EXPECT_TRUE(refusals_of("clients: [{count: 30}]\ncluster: {relays: 3}\n").empty());
    // Exactly at the limits is still real.
    EXPECT_TRUE(
        refusals_of("clients:\n  - {name: a, count: 19000}\ncluster: {relays: 64}\n").empty());
}

TEST(RealWorldCheck, RefusesEverySimKeyAtItsPosition) {
    const auto got = refusals_of(std::string(base) +
                                 "  costs: {relay_delivery_us: 2}\n  zones: [{name: eu}]\n"
                                 "  latency: {eu: {eu: 1ms}}\n");
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0],
              "w.yaml:9:3: costs: only the simulator reads a cost profile (run it with "
              "`switchyard sim`)");
    EXPECT_EQ(got[1],
              "w.yaml:10:3: zones: only the simulator models zones (run it with `switchyard sim`)");
    EXPECT_EQ(got[2],
              "w.yaml:11:3: latency: only the simulator models zones (run it with "
              "`switchyard sim`)");
}

TEST(RealWorldCheck, RefusesMoreThan64Relays) {
    const auto got = refusals_of("clients: [{count: 1}]\ncluster:\n  relays: {count: 65}\n");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0],
              "w.yaml:3:19: relays: 65 relays is more than the real world starts on one "
              "machine (64) (run it with `switchyard sim`)");
}

TEST(RealWorldCheck, CountsRelaysAddedByTheTimeline) {
    const auto got = refusals_of(
        "clients: [{count: 1}]\ncluster:\n  relays: 64\ntimeline:\n  - at: 1s\n"
        "    add_relay: relay-65\n");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].substr(0, 24), "w.yaml:3:11: relays: 65 ");
}

TEST(RealWorldCheck, RefusesMoreThan19000ClientsAtTheFleetThatPassesIt) {
    const auto got =
        refusals_of("clients:\n  - {name: a, count: 10000}\n  - name: b\n    count: 9001\n");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0],
              "w.yaml:4:12: clients: 19001 clients is more than one process holds here "
              "(19000 sockets) (run it with `switchyard sim`)");
}

TEST(RealWorldCheck, RefusesAGrowthBySetCount) {
    const auto got = refusals_of(
        "clients:\n  - {name: a, count: 10000}\n  - {name: b, count: 10}\ntimeline:\n"
        "  - at: 1s\n    set_count: {fleet: b, count: 8000}\n"
        "  - at: 2s\n    set_count: {fleet: a, count: 12000}\n");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0],
              "w.yaml:7:5: set_count: 20000 clients is more than one process holds here "
              "(19000 sockets) (run it with `switchyard sim`)");
    // Shrinking first keeps the peak under the limit.
    EXPECT_TRUE(refusals_of("clients:\n  - {name: a, count: 10000}\n  - {name: b, count: 9000}\n"
                            "timeline:\n  - at: 1s\n    set_count: {fleet: a, count: 1}\n"
                            "  - at: 2s\n    set_count: {fleet: b, count: 18000}\n")
                    .empty());
}

TEST(RealWorldCheck, LimitsAreParameters) {
    real_world_limits tight;
    tight.relays_max = 2;
    tight.clients_max = 5;
    const auto s = parse_scenario_text("clients: [{count: 6}]\ncluster: {relays: 3}\n", "t.yaml");
    EXPECT_EQ(real_world_refusals(s, tight).size(), 2u);
    EXPECT_TRUE(real_world_refusals(s).empty());
}
