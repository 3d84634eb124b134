// `fault: {link: relay-1-redis, toxic: partition, mode: netns}` in a real run: relay-1 starts in
// its own network namespace, iptables cuts its Redis link for 1.5 s, resume closes the gap after.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>

#include <gtest/gtest.h>

#include "engine/cli/run_controller.hpp"
#include "engine/faults/netns_link.hpp"
#include "engine/scenario/scenario_parser.hpp"

using namespace switchyard;
using namespace std::chrono_literals;

TEST(NetnsScenario, RealPartitionOfARelayFromRedisLosesNothing) {
    if (auto why = faults::netns_link::unavailable_reason(); !why.empty())
        GTEST_SKIP() << "netns faults unavailable: " << why;
    const auto s = scenario::parse_scenario_text(R"(
name: netns-partition
seed: 9
duration: 5s
drain: 1500ms
cluster:
  relays: 2
clients:
  - name: c
    count: 10
    ramp: 500ms
    publish_rate_hz: 5
    reconnect: {initial_backoff: 50ms, max_backoff: 500ms, resume: true}
timeline:
  - at: 1500ms
    fault: {link: relay-1-redis, toxic: partition, mode: netns}
  - at: 3s
    clear_fault: relay-1-redis
expect: {lost: 0, duplicates: 0}
)",
                                                 "netns.yaml");
    engine::run_options o;
    o.runs_root = std::filesystem::temp_directory_path() /
                  ("switchyard-netns-scenario-" + std::to_string(::getpid()));
    engine::run_controller rc(s, o);
    std::mutex m;
    std::vector<events::event> seen;
    auto sub = rc.events().subscribe([&](const events::event& e) {
        std::lock_guard lock(m);
        seen.push_back(e);
    });
    const auto r = rc.run();
    rc.events().unsubscribe(sub);
    ASSERT_EQ(r.verdict, "passed") << r.error;

    std::lock_guard lock(m);
    bool cut = false;
    std::optional<std::chrono::microseconds> cut_at;
    std::uint64_t relay1_during = 0, relay2_during = 0;
    for (const auto& e : seen) {
        if (auto* f = std::get_if<events::fault_changed>(&e); f && f->active) {
            cut = f->detail.find("mode=netns") != std::string::npos;
            cut_at = f->at;  // when the iptables rules were in, which on a loaded machine
                             // can be well after the timeline's 1.5 s
        }
        // Only metrics periods that lie wholly inside the partition.
        if (auto* x = std::get_if<events::metrics>(&e);
            x && cut_at && x->at - x->period >= *cut_at + 100ms && x->at < 2900ms) {
            for (const auto& rel : x->relays)
                (rel.relay == "relay-1" ? relay1_during : relay2_during) += rel.deliveries;
        }
    }
    EXPECT_TRUE(cut);
    // Real: nothing reached relay-1's clients through Redis while cut, the rest went on.
    EXPECT_EQ(relay1_during, 0u);
    EXPECT_GT(relay2_during, 0u);
    EXPECT_EQ(r.summary.lost, 0u);
}

TEST(NetnsScenario, WithoutTheToolsTheRunStopsWithTheReason) {
    // No `ip` on PATH stands in for any missing prerequisite (not root, no iptables): the run
    // must refuse before starting anything, saying why, as a testbed error (exit 3).
    const std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
    ::setenv("PATH", "/nonexistent", 1);
    const auto s = scenario::parse_scenario_text(R"(
duration: 2s
cluster: {relays: 2}
clients: [{count: 2}]
timeline:
  - at: 1s
    fault: {link: balancer-relay-2, toxic: partition, mode: netns}
)",
                                                 "netns-missing.yaml");
    engine::run_options o;
    o.runs_root = std::filesystem::temp_directory_path() /
                  ("switchyard-netns-scenario-" + std::to_string(::getpid()));
    engine::run_controller rc(s, o);
    const auto r = rc.run();
    ::setenv("PATH", saved.c_str(), 1);
    EXPECT_EQ(r.verdict, "error");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.error.find("mode netns faults cannot run here"), std::string::npos) << r.error;
}
