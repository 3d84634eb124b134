// The Redis link watchdog as arithmetic on time points: when an idle link is pinged, when
// silence after a request makes it lost, and that any byte received keeps it alive.
#include "backends/bus/link_watchdog.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <vector>

using namespace std::chrono_literals;
using switchyard::bus::link_verdict;
using switchyard::bus::link_watchdog;
using switchyard::bus::link_watchdog_options;

namespace {

const link_watchdog::time_point t0{std::chrono::seconds{1000}};

link_watchdog connected_at(link_watchdog::time_point t, link_watchdog_options o = {1s, 2s}) {
    link_watchdog w(o);
    w.on_connecting(t);
    w.on_received(t);  // handshake done
    return w;
}

}  // namespace

TEST(LinkWatchdog, IdleLinkIsPingedAfterTheIdleInterval) {
    auto w = connected_at(t0);
    auto d = w.poll(t0 + 999ms);
    EXPECT_EQ(d.verdict, link_verdict::wait);
    EXPECT_EQ(d.wake_at, t0 + 1s);
    d = w.poll(t0 + 1s);
    EXPECT_EQ(d.verdict, link_verdict::ping);
    // One idle interval on (not the PING's deadline at t0 + 3s): an early answer must not
    // delay the next PING.
    EXPECT_EQ(d.wake_at, t0 + 2s);
    EXPECT_TRUE(w.awaiting());
}

// A timer that only ever wakes at the decisions' wake_at, as redis_link does: PINGs answered in
// 10 ms come one idle interval after each answer, not one reply deadline apart.
TEST(LinkWatchdog, FollowingTheWakesPingsOncePerIdleInterval) {
    auto w = connected_at(t0);
    auto at = w.poll(t0).wake_at;
    std::vector<link_watchdog::time_point> pings;
    while (at < t0 + 10s) {
        const auto d = w.poll(at);
        ASSERT_NE(d.verdict, link_verdict::lost);
        if (d.verdict == link_verdict::ping) {
            pings.push_back(at);
            w.on_received(at + 10ms);  // the PONG
        }
        at = d.wake_at;
    }
    ASSERT_GE(pings.size(), 8u);
    for (std::size_t i = 1; i < pings.size(); ++i)
        EXPECT_EQ(pings[i] - pings[i - 1], 1010ms);
}

// The same timer on a link that goes silent (a blackhole) right after an answered PING: it is
// found lost idle interval + reply deadline after its last byte, not later.
TEST(LinkWatchdog, FollowingTheWakesASilentLinkIsLostIdlePlusDeadlineAfterItsLastByte) {
    auto w = connected_at(t0);
    auto at = w.poll(t0).wake_at;
    ASSERT_EQ(w.poll(at).verdict, link_verdict::ping);
    const auto last_byte = at + 10ms;
    w.on_received(last_byte);
    at = at + 1s;  // the wake that PING asked for
    for (int i = 0; i < 10; ++i) {
        const auto d = w.poll(at);
        if (d.verdict == link_verdict::lost)
            break;
        at = d.wake_at;
    }
    EXPECT_EQ(w.poll(at).verdict, link_verdict::lost);
    EXPECT_EQ(at - last_byte, 3s);
}

TEST(LinkWatchdog, UnansweredPingMakesTheLinkLostAtTheDeadline) {
    auto w = connected_at(t0);
    ASSERT_EQ(w.poll(t0 + 1s).verdict, link_verdict::ping);
    EXPECT_EQ(w.poll(t0 + 2999ms).verdict, link_verdict::wait);
    EXPECT_EQ(w.poll(t0 + 3s).verdict, link_verdict::lost);
}

TEST(LinkWatchdog, AnsweredPingStartsTheIdleIntervalOver) {
    auto w = connected_at(t0);
    ASSERT_EQ(w.poll(t0 + 1s).verdict, link_verdict::ping);
    w.on_received(t0 + 1500ms);
    EXPECT_FALSE(w.awaiting());
    const auto d = w.poll(t0 + 2s);
    EXPECT_EQ(d.verdict, link_verdict::wait);
    EXPECT_EQ(d.wake_at, t0 + 2500ms);
    EXPECT_EQ(w.poll(t0 + 2500ms).verdict, link_verdict::ping);
}

TEST(LinkWatchdog, BusyLinkIsNeverPinged) {
    auto w = connected_at(t0);
    for (auto t = t0; t < t0 + 60s; t += 500ms) {
        w.on_received(t);  // pub/sub traffic
        EXPECT_EQ(w.poll(t + 400ms).verdict, link_verdict::wait);
    }
}

TEST(LinkWatchdog, CommandWithoutReplyIsAReadTimeout) {
    auto w = connected_at(t0);
    w.on_sent(t0 + 100ms);
    EXPECT_EQ(w.next_wake(), t0 + 2100ms);
    EXPECT_EQ(w.poll(t0 + 2099ms).verdict, link_verdict::wait);
    EXPECT_EQ(w.poll(t0 + 2100ms).verdict, link_verdict::lost);
}

TEST(LinkWatchdog, AStreamOfRequestsDoesNotPushTheDeadlineOut) {
    auto w = connected_at(t0);
    for (auto t = t0; t < t0 + 2s; t += 100ms)
        w.on_sent(t);
    EXPECT_EQ(w.poll(t0 + 2s).verdict, link_verdict::lost);
}

TEST(LinkWatchdog, AConnectThatNeverCompletesIsLost) {
    link_watchdog w({1s, 2s});
    w.on_connecting(t0);
    EXPECT_EQ(w.poll(t0 + 1s).verdict, link_verdict::wait);  // no PING before the handshake
    EXPECT_EQ(w.poll(t0 + 2s).verdict, link_verdict::lost);
    w.on_connecting(t0 + 3s);  // the next attempt starts over
    EXPECT_EQ(w.poll(t0 + 4s).verdict, link_verdict::wait);
}

// Random sends, receipts and polls against the rule stated in the header: `lost` exactly when
// something was sent (or a PING was due) and no byte came for the deadline.
TEST(LinkWatchdog, RandomHistoriesFollowTheRule) {
    const auto seed = std::random_device{}();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    for (int round = 0; round < 200; ++round) {
        const link_watchdog_options o{std::chrono::milliseconds(1 + rng() % 2000),
                                      std::chrono::milliseconds(1 + rng() % 3000)};
        auto w = connected_at(t0, o);
        auto now = t0;
        auto last_rx = t0;
        std::optional<link_watchdog::time_point> waiting;  // the model's awaiting_since
        for (int step = 0; step < 200; ++step) {
            now += std::chrono::milliseconds(rng() % 700);
            switch (rng() % 3) {
                case 0:
                    w.on_sent(now);
                    if (!waiting)
                        waiting = now;
                    break;
                case 1:
                    w.on_received(now);
                    last_rx = now;
                    waiting.reset();
                    break;
                default:
                    break;
            }
            const auto d = w.poll(now);
            if (waiting && now - *waiting >= o.reply_deadline) {
                ASSERT_EQ(d.verdict, link_verdict::lost);
                break;
            }
            if (!waiting && now - last_rx >= o.ping_idle) {
                ASSERT_EQ(d.verdict, link_verdict::ping);
                waiting = now;
                continue;
            }
            ASSERT_EQ(d.verdict, link_verdict::wait);
            ASSERT_GT(d.wake_at, now);
        }
    }
}
