// The simulated world behind the runner's interfaces: the clock interleaves runner tasks with
// world events by (time, insertion), actions throw the world's refusal, components and health
// show up as events and in components(), and a plan the simulator cannot model is refused.
#include "engine/sim/sim_drivers.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "engine/verify/ledger.hpp"

namespace switchyard::sim {
namespace {

run::cluster_plan plan_of(std::uint32_t relays) {
    run::cluster_plan p;
    p.seed = 3;
    for (std::uint32_t i = 1; i <= relays; ++i)
        p.cluster.relays.names.push_back("relay-" + std::to_string(i));
    return p;
}

TEST(SimClock, RunnerTasksRunAtTheirVirtualTimeAndStopReturns) {
    sim_kernel k;
    sim_clock clock(k);
    std::vector<std::int64_t> seen;
    clock.call_at(run::micros{500}, [&] { seen.push_back(clock.now().count()); });
    clock.call_at(run::micros{100}, [&] { seen.push_back(clock.now().count()); });
    clock.call_at(run::micros{900}, [&] {
        seen.push_back(clock.now().count());
        clock.stop();
    });
    clock.call_at(run::micros{1000}, [&] { seen.push_back(-1); });
    clock.run();
    EXPECT_EQ(seen, (std::vector<std::int64_t>{100, 500, 900}));
    clock.run();  // the task left over runs on the next call, then the queue is empty
    EXPECT_EQ(seen.back(), -1);
}

TEST(SimClock, PostFromAnotherThreadRunsAtTheCurrentVirtualTime) {
    sim_kernel k;
    sim_clock clock(k);
    std::int64_t at = -1;
    clock.call_at(run::micros{700}, [&] {
        std::thread([&] { clock.post([&] { at = clock.now().count(); }); }).join();
    });
    clock.run();
    EXPECT_EQ(at, 700);
}

TEST(SimDrivers, ActionsThrowTheRefusalAndEventsReachTheStream) {
    events::event_stream stream;
    std::vector<std::string> names;
    stream.subscribe([&](const events::event& e) { names.emplace_back(events::event_name(e)); });
    simulation sim(plan_of(2), stream);
    auto w = sim.world();
    w.cluster.start();
    EXPECT_THROW(w.cluster.kill("relay-9"), std::runtime_error);
    w.cluster.kill("relay-1");
    try {
        w.cluster.kill("relay-1");
        FAIL() << "killed twice";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "relay-1 is not running");
    }
    w.cluster.set_fault("balancer-relay-2", "latency", {}, false);
    w.clock.call_at(run::micros{3'000'000}, [&] { w.clock.stop(); });
    w.clock.run();
    const auto comps = w.cluster.components();
    ASSERT_GE(comps.size(), 3u);
    bool saw_killed = false, saw_down = false;
    for (const auto& c : comps) {
        saw_killed = saw_killed || (c.id == "relay-1" && c.state == "killed");
        saw_down = saw_down || (c.id == "relay-1" && c.health == "down");
    }
    EXPECT_TRUE(saw_killed);
    EXPECT_TRUE(saw_down) << "probes of a dead relay take it down";
    EXPECT_NE(std::find(names.begin(), names.end(), "fault_changed"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "health_changed"), names.end());
}

TEST(SimDrivers, FleetsRunInVirtualTimeThroughTheDriver) {
    events::event_stream stream;
    simulation sim(plan_of(2), stream);
    auto w = sim.world();
    verify::ledger ledger;
    w.cluster.start();
    fleet::fleet_config f;
    f.count = 6;
    f.publish_rate_hz = 2;
    w.fleet.start({f}, ledger);
    EXPECT_THROW(w.fleet.start({f}, ledger), std::invalid_argument);
    EXPECT_FALSE(w.fleet.set_publish_rate("nobody", 1));
    w.clock.call_at(run::micros{3'000'000}, [&] {
        w.fleet.pause_publishing();
        w.clock.stop();
    });
    w.clock.run();
    w.clock.call_at(run::micros{4'000'000}, [&] { w.clock.stop(); });
    w.clock.run();
    ledger.freeze();
    w.fleet.stop();
    w.fleet.stop();  // idempotent
    const auto s = ledger.summary();
    EXPECT_GT(s.publishes, 0u);
    EXPECT_EQ(s.lost, 0u);
    EXPECT_EQ(s.deliveries, s.publishes * 6);
}

TEST(SimDrivers, RefusesAClusterItCannotModel) {
    events::event_stream stream;
    auto p = plan_of(1);
    p.cluster.balancer.kind = run::balancer_kind::haproxy;
    try {
        simulation sim(p, stream);
        FAIL() << "accepted haproxy";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("real-world only"), std::string::npos);
    }
}

}  // namespace
}  // namespace switchyard::sim
