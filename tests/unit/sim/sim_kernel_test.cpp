// The kernel's ordering contract and the per-component generator split.
#include "engine/sim/sim_kernel.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/sim/component_rng.hpp"

namespace switchyard::sim {
namespace {

TEST(SimKernel, RunsInTimeOrderAndTiesInInsertionOrder) {
    sim_kernel k;
    std::vector<std::string> order;
    k.at(micros{30}, [&] { order.push_back("c30"); });
    k.at(micros{10}, [&] { order.push_back("a10"); });
    k.at(micros{20}, [&] { order.push_back("b20-first"); });
    k.at(micros{20}, [&] { order.push_back("b20-second"); });
    k.at(micros{20}, [&] { order.push_back("b20-third"); });
    while (k.step()) {
    }
    EXPECT_EQ(order,
              (std::vector<std::string>{"a10", "b20-first", "b20-second", "b20-third", "c30"}));
    EXPECT_EQ(k.now(), micros{30});
    EXPECT_EQ(k.executed(), 5u);
}

TEST(SimKernel, ManyTiesKeepInsertionOrderThroughTheHeap) {
    sim_kernel k;
    std::vector<int> order;
    for (int i = 0; i < 1000; ++i)
        k.at(micros{(i % 3) * 10}, [&order, i] { order.push_back(i); });
    while (k.step()) {
    }
    ASSERT_EQ(order.size(), 1000u);
    for (std::size_t i = 1; i < order.size(); ++i) {
        const int a = order[i - 1], b = order[i];
        if (a % 3 == b % 3)
            EXPECT_LT(a, b) << "tie broken out of insertion order at " << i;
        else
            EXPECT_LT(a % 3, b % 3) << "time order broken at " << i;
    }
}

TEST(SimKernel, PastEventsRunNowAfterTheOnesAlreadyDue) {
    sim_kernel k;
    std::vector<int> order;
    k.at(micros{100}, [&] {
        order.push_back(1);
        k.at(micros{5}, [&] { order.push_back(3); });  // in the past: runs at 100
        EXPECT_EQ(k.now(), micros{100});
    });
    k.at(micros{100}, [&] { order.push_back(2); });
    k.run_until(micros{1000});
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(k.now(), micros{1000});
}

TEST(SimKernel, RunUntilLeavesLaterEventsWaiting) {
    sim_kernel k;
    int ran = 0;
    k.at(micros{10}, [&] { ++ran; });
    k.at(micros{11}, [&] { ++ran; });
    k.run_until(micros{10});
    EXPECT_EQ(ran, 1);
    EXPECT_EQ(k.pending(), 1u);
    EXPECT_EQ(k.next_time(), micros{11});
}

TEST(ComponentRng, SameSeedAndNameSameStreamWhateverTheOrder) {
    auto a = component_rng(42, "relay-7");
    auto other = component_rng(42, "relay-8");
    (void)other();
    auto b = component_rng(42, "relay-7");
    for (int i = 0; i < 100; ++i)
        ASSERT_EQ(a(), b());
}

TEST(ComponentRng, DifferentNamesOrSeedsDiffer) {
    EXPECT_NE(component_rng(42, "relay-7")(), component_rng(42, "relay-8")());
    EXPECT_NE(component_rng(42, "relay-7")(), component_rng(43, "relay-7")());
    // FNV-1a's published vectors: a change here would change every run's replay from its seed.
    EXPECT_EQ(stable_hash(""), 0xcbf29ce484222325ULL);
    EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cULL);
}

}  // namespace
}  // namespace switchyard::sim
