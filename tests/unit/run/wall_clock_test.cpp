// The real world's clock keeps the run::clock contract on the steady clock: order by (time,
// insertion), no task before its time, post() wakes an idle run() from another thread, stop()
// ends run() and keeps what is left for the next one.
#include <thread>

#include <gtest/gtest.h>

#include "engine/cli/wall_clock.hpp"

using namespace switchyard;
using namespace std::chrono_literals;

TEST(WallClock, RunsTasksInTimeThenInsertionOrderAndNeverEarly) {
    engine::wall_clock c;
    std::vector<std::string> order;
    std::vector<run::micros> ran_at;
    const auto t0 = c.now();
    auto note = [&](std::string name) {
        return [&, name] {
            order.push_back(name);
            ran_at.push_back(c.now());
        };
    };
    c.call_at(t0 + 30ms, note("c"));
    c.call_at(t0 + 10ms, note("a"));
    c.call_at(t0 + 10ms, note("b"));
    c.call_at(t0 + 30ms, [&] { c.stop(); });
    c.call_at(t0 + 300ms, note("next run"));
    c.run();
    EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_GE(ran_at[0], t0 + 10ms);
    EXPECT_GE(ran_at[2], t0 + 30ms);
    c.call_at(c.now(), [&] { c.stop(); });  // due long before the 300 ms task
    c.run();
    EXPECT_EQ(order.size(), 3u) << "stop() is not sticky and later tasks wait for their time";
    c.call_at(t0 + 300ms, [&] { c.stop(); });
    c.run();
    EXPECT_EQ(order.back(), "next run");
}

TEST(WallClock, PostFromAnotherThreadWakesAnIdleRun) {
    engine::wall_clock c;
    bool ran = false;
    std::thread gui([&] {
        c.post([&] {
            ran = true;
            c.stop();
        });
    });
    const auto t0 = std::chrono::steady_clock::now();
    c.run();  // nothing queued before the post: waits for it
    gui.join();
    EXPECT_TRUE(ran);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}
