// Whole scenario files through the one scenario_runner in the simulated world: the CI
// scenarios' verdicts, and the same file and seed giving byte-identical NDJSON and JSON.
#include "engine/sim/sim_run.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/scenario/scenario_parser.hpp"

namespace switchyard::sim {
namespace {

namespace fs = std::filesystem;

const fs::path scenarios_dir = fs::path(SWITCHYARD_SOURCE_DIR) / "scenarios" / "ci";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct outcome {
    report::run_result result;
    std::string ndjson;
    std::string json;
};

outcome simulate(const std::string& file, const std::string& tag, std::uint64_t seed = 0) {
    const auto dir = fs::temp_directory_path() / ("sim_run_test_" + tag);
    fs::create_directories(dir);
    sim_run_options o;
    if (seed != 0)
        o.seed = seed;
    o.events_path = dir / "events.ndjson";
    o.json_path = dir / "result.json";
    events::event_stream stream;
    outcome out;
    out.result = run_simulation(scenario::parse_scenario_file(scenarios_dir / file), o, stream);
    out.ndjson = slurp(o.events_path);
    out.json = slurp(o.json_path);
    fs::remove_all(dir);
    return out;
}

/// Every CI scenario the simulator can model passes in simulation, as it does for real.
class SimRunCi : public testing::TestWithParam<const char*> {};

TEST_P(SimRunCi, PassesInSimulation) {
    const auto o = simulate(GetParam(), std::string("ci-") + GetParam());
    EXPECT_EQ(o.result.verdict, "passed") << o.result.error;
    EXPECT_EQ(o.result.exit_code, 0);
    EXPECT_EQ(o.result.summary.lost, 0u) << o.result.summary.lost_example;
    for (const auto& a : o.result.assertions)
        EXPECT_TRUE(a.passed) << a.name << " measured " << a.measured << " expected " << a.expected
                              << ": " << a.detail;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, SimRunCi,
                         testing::Values("basic-broadcast.yaml", "every-action.yaml",
                                         "failover-kill.yaml", "partition-redis.yaml",
                                         "redis-restart.yaml", "rolling-restart.yaml",
                                         "slow-consumer.yaml", "sticky-polling-kill.yaml",
                                         "tls-balancer.yaml", "frozen-relay.yaml",
                                         "frozen-relay-resumed.yaml", "deaf-relay.yaml",
                                         "reconnect-storm.yaml", "balancer-restart-polling.yaml"));

TEST(SimRun, SlowConsumersAreShedAndResume) {
    const auto o = simulate("slow-consumer.yaml", "slow");
    EXPECT_GE(o.result.summary.disconnects, 1u);
    EXPECT_GT(o.result.summary.replayed, 0u);
    EXPECT_EQ(o.result.summary.lost, 0u);
}

TEST(SimRun, SameFileSameSeedSameBytes) {
    const auto a = simulate("failover-kill.yaml", "det-a");
    const auto b = simulate("failover-kill.yaml", "det-b");
    ASSERT_GT(a.ndjson.size(), 1000u);
    EXPECT_TRUE(a.ndjson == b.ndjson) << "event logs differ";
    EXPECT_TRUE(a.json == b.json) << "JSON reports differ";
    const auto c = simulate("failover-kill.yaml", "det-c", 99);
    EXPECT_NE(a.ndjson, c.ndjson) << "--seed must change the run";
    EXPECT_EQ(c.result.seed, 99u);
}

TEST(SimRun, ARealWorldOnlyBalancerIsBadInput) {
    const auto o = simulate("haproxy-failover.yaml", "haproxy");
    EXPECT_EQ(o.result.verdict, "error");
    EXPECT_EQ(o.result.command, "sim");
    EXPECT_EQ(o.result.exit_code, 2);
    EXPECT_NE(o.result.error.find("real-world only"), std::string::npos) << o.result.error;
}

}  // namespace
}  // namespace switchyard::sim
