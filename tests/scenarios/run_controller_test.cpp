// The engine run in-process, as the GUI runs it: subscribe, start, steer with hand actions,
// stop early, and see a component failure reported as a testbed error. Real processes.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "engine/cli/run_controller.hpp"
#include "engine/scenario/scenario_parser.hpp"
#include "tests/scenarios/event_recorder.hpp"

using namespace switchyard;
using namespace std::chrono_literals;

namespace {

std::filesystem::path runs_dir() {
    return std::filesystem::temp_directory_path() /
           ("switchyard-rc-test-" + std::to_string(::getpid()));
}

scenario::scenario small(const std::string& extra = "", const std::string& duration = "4s") {
    return scenario::parse_scenario_text(R"(
name: in-process
seed: 5
duration: )" + duration + R"(
drain: 500ms
cluster:
  balancer: {health: {interval: 100ms, timeout: 100ms, rise: 1, fall: 1}}
  relays: 2
clients:
  - name: c
    count: 6
    publish_rate_hz: 5
    reconnect: {initial_backoff: 50ms, max_backoff: 300ms, resume: true}
)" + extra,
                                         "in-process.yaml");
}

using recorder = switchyard::test::event_recorder;

}  // namespace

TEST(RunController, HandKillIsAppliedAndTheRunStillPasses) {
    engine::run_options o;
    o.runs_root = runs_dir();
    engine::run_controller rc(small("expect: {lost: 0, duplicates: 0, failover_ms: 2000}\n"), o);
    recorder rec;
    rc.events().subscribe([&](const events::event& e) { rec.on(e); });
    rc.start();
    // Once every client is connected, kill relay-1 by hand, as the GUI's button does.
    ASSERT_TRUE(rec.wait_for<events::metrics>(
        [](const events::metrics& m) { return m.clients_connected == 6 && m.deliveries > 0; },
        20s));
    scenario::action_spec kill;
    kill.kind = events::action_kind::kill;
    kill.target = "relay-1";
    rc.apply(kill);
    ASSERT_TRUE(rec.wait_for<events::action_applied>(
        [](const events::action_applied& a) { return a.source == "hand" && a.ok; }, 10s));
    const auto comps = rc.components();
    const auto r1 =
        std::find_if(comps.begin(), comps.end(), [](const auto& c) { return c.id == "relay-1"; });
    ASSERT_NE(r1, comps.end());
    EXPECT_EQ(r1->state, "killed");
    const auto result = rc.wait();
    EXPECT_EQ(result.verdict, "passed") << result.error;
    EXPECT_EQ(result.exit_code, 0);
    ASSERT_EQ(result.summary.failovers.size(), 1u);
    EXPECT_EQ(result.summary.failovers[0].relay, "relay-1");
    EXPECT_GT(result.summary.failovers[0].affected, 0u);
    EXPECT_EQ(result.summary.failovers[0].recovered, result.summary.failovers[0].affected);
    EXPECT_EQ(rec.all<events::assertion_result>().size(), 3u);
    const auto finished = rec.all<events::run_finished>();
    ASSERT_EQ(finished.size(), 1u);
    EXPECT_EQ(finished[0].verdict, "passed");
    // Every process the run started is gone.
    for (const auto& c : rec.all<events::component_changed>()) {
        if (c.pid > 0) {
            EXPECT_NE(::kill(c.pid, 0), 0) << c.component << " pid " << c.pid << " still alive";
        }
    }
}

TEST(RunController, StopEarlyGivesAnInterruptedPartialResult) {
    engine::run_options o;
    o.runs_root = runs_dir();
    engine::run_controller rc(small("expect: {lost: 0}\n", "60s"), o);
    recorder rec;
    rc.events().subscribe([&](const events::event& e) { rec.on(e); });
    rc.start();
    ASSERT_TRUE(rec.wait_for<events::metrics>(
        [](const events::metrics& m) { return m.deliveries > 0; }, 20s));
    const auto t = std::chrono::steady_clock::now();
    rc.request_stop();
    const auto result = rc.wait();
    EXPECT_LT(std::chrono::steady_clock::now() - t, 10s);
    EXPECT_EQ(result.verdict, "interrupted");
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_EQ(result.assertions.size(), 1u);  // partial, but checked
    EXPECT_GT(result.summary.deliveries, 0u);
}

TEST(RunController, PauseFreezesTheTimeline) {
    engine::run_options o;
    o.runs_root = runs_dir();
    engine::run_controller rc(small("timeline:\n  - at: 1s\n    kill: relay-2\n", "3s"), o);
    recorder rec;
    rc.events().subscribe([&](const events::event& e) { rec.on(e); });
    rc.pause();
    rc.start();
    ASSERT_TRUE(
        rec.wait_for<events::metrics>([](const events::metrics& m) { return m.at > 2500ms; }, 20s));
    EXPECT_TRUE(rec.all<events::action_applied>().empty()) << "timeline ran while paused";
    rc.resume();
    ASSERT_TRUE(rec.wait_for<events::action_applied>(
        [](const events::action_applied& a) { return a.source == "timeline"; }, 10s));
    rc.wait();
}

TEST(RunController, AComponentThatCannotStartIsATestbedError) {
    engine::run_options o;
    o.runs_root = runs_dir();
    auto s = small();
    s.cluster.relays.args = {"--no-such-flag"};
    engine::run_controller rc(std::move(s), o);
    const auto result = rc.run();
    EXPECT_EQ(result.verdict, "error");
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_NE(result.error.find("relay-1"), std::string::npos) << result.error;
}
