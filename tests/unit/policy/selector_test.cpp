#include "backends/policy/selector.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "backends/policy/consistent_hash_selector.hpp"

using namespace switchyard::policy;

namespace {

std::vector<backend_view> make_backends(std::initializer_list<std::uint32_t> weights) {
    std::vector<backend_view> out;
    int i = 0;
    for (auto w : weights)
        out.push_back({"b" + std::to_string(i++), w, backend_state::up, 0});
    return out;
}

std::vector<std::size_t> count_picks(selector& s, const std::vector<backend_view>& backends,
                                     int picks, std::uint64_t seed = 42) {
    fast_rng rng(seed);
    std::vector<std::size_t> counts(backends.size(), 0);
    for (int i = 0; i < picks; ++i) {
        auto idx = s.pick(backends, {}, rng);
        EXPECT_TRUE(idx.has_value());
        if (idx)
            ++counts[*idx];
    }
    return counts;
}

std::vector<std::string> strategy_names() {
    std::vector<std::string> names;
    for (const auto& row : selector_table())
        names.emplace_back(row.name);
    return names;
}

class EveryStrategy : public ::testing::TestWithParam<std::string> {
  protected:
    std::unique_ptr<selector> make() {
        auto s = make_selector(GetParam());
        EXPECT_NE(s, nullptr);
        return s;
    }
};

}  // namespace

TEST(SelectorTable, NamesAllFiveStrategiesAndRejectsUnknown) {
    EXPECT_EQ(selector_names(), "random, round-robin, least-conn, power-of-two, consistent-hash");
    EXPECT_EQ(make_selector("latncy"), nullptr);
    for (const auto& row : selector_table())
        EXPECT_FALSE(row.doc.empty()) << row.name;
}

// Equal weights, 100k picks: every backend within 3% of its fair share. Stateless strategies
// spread by chance; least-conn and power-of-two see no load here and fall back to chance too.
TEST_P(EveryStrategy, SpreadsEvenlyOverEqualBackends) {
    auto s = make();
    auto backends = make_backends({1, 1, 1, 1, 1});
    const int picks = 100'000;
    auto counts = count_picks(*s, backends, picks);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        EXPECT_NEAR(static_cast<double>(counts[i]) / picks, 0.2, 0.03)
            << GetParam() << " backend " << i;
    }
}

TEST_P(EveryStrategy, SkipsDownDrainingDisabledAndZeroWeight) {
    auto s = make();
    auto backends = make_backends({1, 1, 1, 1, 0});
    backends[0].state = backend_state::down;
    backends[1].state = backend_state::draining;
    backends[2].state = backend_state::disabled;
    fast_rng rng(7);
    for (int i = 0; i < 1000; ++i) {
        std::string key = "client-" + std::to_string(i);
        auto idx = s->pick(backends, {key}, rng);
        ASSERT_TRUE(idx);
        EXPECT_EQ(*idx, 3u) << GetParam();
    }
}

TEST_P(EveryStrategy, ReturnsNothingWhenNoBackendServes) {
    auto s = make();
    auto backends = make_backends({1, 1, 0});
    backends[0].state = backend_state::down;
    backends[1].state = backend_state::draining;
    fast_rng rng(1);
    EXPECT_FALSE(s->pick(backends, {"k"}, rng));
    EXPECT_FALSE(s->pick({}, {"k"}, rng));
}

TEST_P(EveryStrategy, UsesSuspectOnlyWhenNothingIsUp) {
    auto s = make();
    auto backends = make_backends({1, 1, 1});
    backends[0].state = backend_state::suspect;
    fast_rng rng(3);
    for (int i = 0; i < 500; ++i) {
        auto idx = s->pick(backends, {"k" + std::to_string(i)}, rng);
        ASSERT_TRUE(idx);
        EXPECT_NE(*idx, 0u) << GetParam();
    }
    backends[1].state = backend_state::down;
    backends[2].state = backend_state::down;
    auto idx = s->pick(backends, {"k"}, rng);
    ASSERT_TRUE(idx);
    EXPECT_EQ(*idx, 0u);
}

INSTANTIATE_TEST_SUITE_P(Strategies, EveryStrategy, ::testing::ValuesIn(strategy_names()),
                         [](const auto& info) {
                             std::string n = info.param;
                             for (auto& c : n)
                                 if (c == '-')
                                     c = '_';
                             return n;
                         });

// Weights 5:3:2 over 100k picks: each share within 2 points of its weight's share.
class WeightedStrategy : public ::testing::TestWithParam<std::string> {};
TEST_P(WeightedStrategy, HonoursWeightsInProportion) {
    auto s = make_selector(GetParam());
    auto backends = make_backends({5, 3, 2});
    const int picks = 100'000;
    auto counts = count_picks(*s, backends, picks);
    const double expected[] = {0.5, 0.3, 0.2};
    for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR(static_cast<double>(counts[i]) / picks, expected[i], 0.02)
            << GetParam() << " backend " << i;
    }
}
INSTANTIATE_TEST_SUITE_P(Strategies, WeightedStrategy,
                         ::testing::Values("random", "round-robin", "consistent-hash"));

TEST(RoundRobin, SmoothInterleavingForWeights511) {
    auto s = make_selector("round-robin");
    auto backends = make_backends({5, 1, 1});
    fast_rng rng(1);
    std::string order;
    for (int i = 0; i < 7; ++i)
        order += static_cast<char>('a' + *s->pick(backends, {}, rng));
    EXPECT_EQ(order, "aabacaa");
}

TEST(RoundRobin, ExactRotationForEqualWeights) {
    auto s = make_selector("round-robin");
    auto backends = make_backends({1, 1, 1});
    fast_rng rng(1);
    for (int round = 0; round < 10; ++round) {
        for (std::size_t i = 0; i < 3; ++i)
            EXPECT_EQ(*s->pick(backends, {}, rng), i);
    }
}

TEST(LeastConn, PicksFewestConnectionsPerWeight) {
    auto s = make_selector("least-conn");
    auto backends = make_backends({1, 2, 1});
    backends[0].active_connections = 5;
    backends[1].active_connections = 8;  // 4 per unit of weight
    backends[2].active_connections = 6;
    fast_rng rng(1);
    EXPECT_EQ(*s->pick(backends, {}, rng), 1u);
}

TEST(LeastConn, FillsTheEmptiestBackendAsLoadArrives) {
    auto s = make_selector("least-conn");
    auto backends = make_backends({1, 1, 1});
    backends[0].active_connections = 10;
    fast_rng rng(9);
    for (int i = 0; i < 20; ++i)
        ++backends[*s->pick(backends, {}, rng)].active_connections;
    EXPECT_EQ(backends[0].active_connections, 10u);
    EXPECT_EQ(backends[1].active_connections + backends[2].active_connections, 20u);
    EXPECT_LE(std::abs(static_cast<int>(backends[1].active_connections) -
                       static_cast<int>(backends[2].active_connections)),
              1);
}

TEST(PowerOfTwo, KeepsLoadBalancedAsConnectionsAccumulate) {
    auto s = make_selector("power-of-two");
    auto backends = make_backends({1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
    fast_rng rng(11);
    for (int i = 0; i < 10'000; ++i)
        ++backends[*s->pick(backends, {}, rng)].active_connections;
    std::uint32_t lo = UINT32_MAX, hi = 0;
    for (const auto& b : backends) {
        lo = std::min(lo, b.active_connections);
        hi = std::max(hi, b.active_connections);
    }
    // Two choices keep the spread tiny (random alone leaves about +-100 here).
    EXPECT_LE(hi - lo, 20u);
}

TEST(ConsistentHash, SameKeySameBackend) {
    auto s = make_selector("consistent-hash");
    auto backends = make_backends({1, 1, 1, 1});
    fast_rng rng(1);
    for (int i = 0; i < 200; ++i) {
        std::string key = "10.0.0." + std::to_string(i);
        auto first = s->pick(backends, {key}, rng);
        for (int again = 0; again < 3; ++again)
            EXPECT_EQ(s->pick(backends, {key}, rng), first);
    }
}

// When one of N backends leaves, only the keys it held move, and those are about 1/N of all.
TEST(ConsistentHash, RemovingOneBackendMovesOnlyItsKeys) {
    for (std::size_t n : {3u, 5u, 10u}) {
        auto s = make_selector("consistent-hash");
        std::vector<backend_view> backends;
        for (std::size_t i = 0; i < n; ++i)
            backends.push_back({"relay-" + std::to_string(i), 1});
        s->on_backends_changed(backends);
        fast_rng rng(5);
        const int keys = 20'000;
        std::vector<std::size_t> before(keys);
        for (int k = 0; k < keys; ++k) {
            before[k] = *s->pick(backends, {"user-" + std::to_string(k)}, rng);
        }
        backends[1].state = backend_state::down;
        int moved = 0;
        for (int k = 0; k < keys; ++k) {
            const auto after = *s->pick(backends, {"user-" + std::to_string(k)}, rng);
            if (after != before[k]) {
                ++moved;
                EXPECT_EQ(before[k], 1u) << "key " << k << " moved off a live backend";
            }
        }
        const double share = static_cast<double>(moved) / keys;
        EXPECT_NEAR(share, 1.0 / n, 0.35 / n) << "n=" << n;
    }
}

TEST(ConsistentHash, ReorderingBackendsKeepsAssignmentsById) {
    auto a = make_selector("consistent-hash");
    auto b = make_selector("consistent-hash");
    auto order1 = make_backends({1, 1, 1, 1});
    std::vector<backend_view> order2{order1[2], order1[0], order1[3], order1[1]};
    fast_rng rng(1);
    for (int k = 0; k < 2000; ++k) {
        const std::string key = "k" + std::to_string(k);
        EXPECT_EQ(order1[*a->pick(order1, {key}, rng)].id, order2[*b->pick(order2, {key}, rng)].id);
    }
}

TEST(ConsistentHash, AddingABackendTakesKeysOnlyForItself) {
    auto s = make_selector("consistent-hash");
    auto backends = make_backends({1, 1, 1, 1});
    s->on_backends_changed(backends);
    fast_rng rng(1);
    std::map<int, std::string> before;
    for (int k = 0; k < 10'000; ++k)
        before[k] = backends[*s->pick(backends, {"k" + std::to_string(k)}, rng)].id;
    backends.push_back({"b-new", 1});
    s->on_backends_changed(backends);
    int moved = 0;
    for (int k = 0; k < 10'000; ++k) {
        const auto& now = backends[*s->pick(backends, {"k" + std::to_string(k)}, rng)].id;
        if (now != before[k]) {
            ++moved;
            EXPECT_EQ(now, "b-new");
        }
    }
    EXPECT_NEAR(moved / 10'000.0, 0.2, 0.07);
}

// A seeded randomized check of the contract for every strategy: random states, weights and loads;
// a pick is never an ineligible backend, and is empty only when nothing may serve.
TEST(SelectorContract, RandomizedStatesNeverPickIneligible) {
    const std::uint64_t seed = 20261125;
    fast_rng world(seed);
    for (const auto& row : selector_table()) {
        auto s = row.make();
        for (int round = 0; round < 2000; ++round) {
            std::vector<backend_view> backends(1 + world.below(8));
            for (std::size_t i = 0; i < backends.size(); ++i) {
                backends[i].id = "b" + std::to_string(i);
                backends[i].weight = static_cast<std::uint32_t>(world.below(4));
                backends[i].state = static_cast<backend_state>(world.below(5));
                backends[i].active_connections = static_cast<std::uint32_t>(world.below(50));
            }
            s->on_backends_changed(backends);
            const bool any = std::any_of(backends.begin(), backends.end(), accepts_new_clients);
            const bool any_up = std::any_of(backends.begin(), backends.end(), [](const auto& b) {
                return b.weight > 0 && b.state == backend_state::up;
            });
            auto idx = s->pick(backends, {"key" + std::to_string(round)}, world);
            ASSERT_EQ(idx.has_value(), any) << row.name << " seed=" << seed << " round=" << round;
            if (idx) {
                ASSERT_TRUE(accepts_new_clients(backends[*idx])) << row.name << " seed=" << seed;
                if (any_up) {
                    ASSERT_EQ(backends[*idx].state, backend_state::up) << row.name;
                }
            }
        }
    }
}
