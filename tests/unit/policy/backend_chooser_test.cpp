#include "backends/policy/backend_chooser.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace switchyard::policy;

namespace {
backend_chooser make(const char* strategy, std::size_t n, std::uint64_t seed = 1) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < n; ++i)
        ids.push_back("b" + std::to_string(i));
    return backend_chooser(ids, make_selector(strategy), seed);
}
}  // namespace

TEST(FindCookie, FindsTheNamedPairOnly) {
    EXPECT_EQ(find_cookie("server=abc", "server"), "abc");
    EXPECT_EQ(find_cookie("a=1; server=x.y.z; b=2", "server"), "x.y.z");
    EXPECT_EQ(find_cookie("xserver=1; server=2", "server"), "2");
    EXPECT_EQ(find_cookie("server=\"q\"", "server"), "q");
    EXPECT_EQ(find_cookie("a=1;b=2", "server"), "");
    EXPECT_EQ(find_cookie("", "server"), "");
    EXPECT_EQ(find_cookie("server", "server"), "");
    EXPECT_EQ(find_cookie(" server = v ", "server"), "v");
}

TEST(HonoursAffinity, DrainingKeepsPinnedClientsDownDoesNot) {
    EXPECT_TRUE(honours_affinity(backend_state::up));
    EXPECT_TRUE(honours_affinity(backend_state::suspect));
    EXPECT_TRUE(honours_affinity(backend_state::draining));
    EXPECT_FALSE(honours_affinity(backend_state::down));
    EXPECT_FALSE(honours_affinity(backend_state::disabled));
}

TEST(BackendChooser, PinnedBackendWinsWithoutNewCookie) {
    auto c = make("random", 3);
    for (int i = 0; i < 50; ++i) {
        auto ch = c.choose(2, {}, "");
        ASSERT_TRUE(ch);
        EXPECT_EQ(ch->index, 2u);
        EXPECT_FALSE(ch->set_cookie);
    }
}

TEST(BackendChooser, DeadPinnedBackendIsReplacedWithCookie) {
    auto c = make("random", 2);
    c.refresh(0, backend_state::down, 1, 0);
    auto ch = c.choose(0, {}, "");
    ASSERT_TRUE(ch);
    EXPECT_EQ(ch->index, 1u);
    EXPECT_TRUE(ch->set_cookie);
}

TEST(BackendChooser, TriedBackendsAreSkippedEvenWhenPinned) {
    auto c = make("round-robin", 3);
    std::vector<std::uint8_t> tried{1, 0, 1};
    for (int i = 0; i < 20; ++i) {
        auto ch = c.choose(0, tried, "");
        ASSERT_TRUE(ch);
        EXPECT_EQ(ch->index, 1u);
        EXPECT_TRUE(ch->set_cookie);
    }
    tried[1] = 1;
    EXPECT_FALSE(c.choose(std::nullopt, tried, ""));
}

TEST(BackendChooser, NothingUpMeansNoChoice) {
    auto c = make("least-conn", 2);
    c.refresh(0, backend_state::down, 1, 0);
    c.refresh(1, backend_state::disabled, 1, 0);
    EXPECT_FALSE(c.choose(std::nullopt, {}, ""));
    c.refresh(1, backend_state::draining, 1, 0);
    EXPECT_FALSE(c.choose(std::nullopt, {}, "")) << "draining takes no new clients";
    EXPECT_TRUE(c.choose(1, {}, "")) << "but keeps its pinned ones";
}

TEST(BackendChooser, SeededRandomSpreadReplays) {
    auto a = make("random", 4, 42);
    auto b = make("random", 4, 42);
    std::map<std::size_t, int> counts;
    for (int i = 0; i < 4000; ++i) {
        auto x = a.choose(std::nullopt, {}, "");
        auto y = b.choose(std::nullopt, {}, "");
        ASSERT_EQ(x->index, y->index) << "seed 42, pick " << i;
        ++counts[x->index];
    }
    for (const auto& [i, n] : counts)
        EXPECT_NEAR(n, 1000, 150) << "backend " << i << " (seed 42)";
}

TEST(BackendChooser, ASockjsSessionWithoutCookieAlwaysLandsOnOneBackend) {
    // Whatever the strategy, the requests of one session are placed by its id: a first visit's
    // parallel requests (no cookie yet) cannot split a session over two relays.
    auto c = make("random", 5, 7);
    std::map<std::string, std::size_t> first;
    std::set<std::size_t> used;
    for (int round = 0; round < 20; ++round) {
        for (int s = 0; s < 40; ++s) {
            const std::string id = "session-" + std::to_string(s);
            auto ch = c.choose(std::nullopt, {}, "10.0.0.1", id);
            ASSERT_TRUE(ch);
            EXPECT_TRUE(ch->set_cookie);
            auto [it, fresh] = first.emplace(id, ch->index);
            EXPECT_EQ(it->second, ch->index) << id;
            used.insert(ch->index);
        }
    }
    EXPECT_GE(used.size(), 3u) << "sessions spread over the backends";
}

TEST(BackendChooser, AValidCookieStillWinsOverTheSessionId) {
    auto c = make("random", 4, 3);
    auto by_session = c.choose(std::nullopt, {}, "", std::string_view("s1"));
    ASSERT_TRUE(by_session);
    const std::size_t other = (by_session->index + 1) % 4;
    auto ch = c.choose(other, {}, "", std::string_view("s1"));
    ASSERT_TRUE(ch);
    EXPECT_EQ(ch->index, other);
    EXPECT_FALSE(ch->set_cookie);
}

TEST(BackendChooser, ASessionWhoseBackendDiedMovesAndOnlyThoseSessionsMove) {
    auto c = make("round-robin", 4, 1);
    std::map<std::string, std::size_t> before;
    for (int s = 0; s < 200; ++s) {
        const std::string id = "s" + std::to_string(s);
        before[id] = c.choose(std::nullopt, {}, "", id)->index;
    }
    c.refresh(2, backend_state::down, 1, 0);
    for (const auto& [id, was] : before) {
        const auto now = c.choose(std::nullopt, {}, "", id)->index;
        EXPECT_NE(now, 2u);
        if (was != 2) {
            EXPECT_EQ(now, was) << id << " was on a live backend and must stay";
        }
    }
}
