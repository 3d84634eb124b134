// The delivery canary as arithmetic on time points: canaries go out at the interval, one not
// heard back within the deadline makes the relay deaf, hearing one again ends it, and nothing
// is judged while the bus is down or for canaries sent before it came up.
#include "backends/bus/delivery_canary.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using switchyard::bus::canary_decision;
using switchyard::bus::delivery_canary;

namespace {

const delivery_canary::time_point t0{std::chrono::seconds{500}};

delivery_canary up_at(delivery_canary::time_point t) {
    delivery_canary c({250ms, 1s});
    c.on_up(t);
    return c;
}

/// Polls at every wake the canary asks for up to `t`, then at `t`, as the shell's timer does.
canary_decision poll_until(delivery_canary& c, delivery_canary::time_point from,
                           delivery_canary::time_point t) {
    auto d = c.poll(from);
    while (d.wake_at < t)
        d = c.poll(d.wake_at);
    return c.poll(t);
}

}  // namespace

TEST(DeliveryCanary, SendsOneCanaryPerInterval) {
    auto c = up_at(t0);
    auto d = c.poll(t0);
    ASSERT_TRUE(d.send_seq);
    EXPECT_EQ(*d.send_seq, 1u);
    EXPECT_EQ(d.wake_at, t0 + 250ms);
    EXPECT_FALSE(c.poll(t0 + 100ms).send_seq);  // not yet due
    d = c.poll(t0 + 250ms);
    ASSERT_TRUE(d.send_seq);
    EXPECT_EQ(*d.send_seq, 2u);
    EXPECT_EQ(c.sent(), 2u);
}

TEST(DeliveryCanary, CanariesHeardBackKeepTheRelayHearing) {
    auto c = up_at(t0);
    for (auto t = t0; t < t0 + 10s; t += 250ms) {
        auto d = c.poll(t);
        ASSERT_TRUE(d.send_seq);
        EXPECT_FALSE(d.deaf);
        c.on_heard_own(*d.send_seq);  // back within a millisecond or so
    }
    EXPECT_EQ(c.deaf_episodes(), 0u);
    EXPECT_EQ(c.heard(), c.sent());
}

TEST(DeliveryCanary, ACanaryNotHeardWithinTheDeadlineMakesTheRelayDeaf) {
    auto c = up_at(t0);
    auto d = c.poll(t0);  // seq 1 goes out and never comes back
    for (auto t = t0 + 250ms; t < t0 + 1s; t += 250ms) {
        d = c.poll(t);
        EXPECT_FALSE(d.deaf) << (t - t0).count();
        EXPECT_LE(d.wake_at, t0 + 1s);  // the shell looks again by the deadline
    }
    d = c.poll(t0 + 1s);
    EXPECT_TRUE(d.deaf);
    EXPECT_TRUE(c.deaf());
    EXPECT_EQ(c.deaf_episodes(), 1u);
    EXPECT_TRUE(c.poll(t0 + 2s).deaf);  // still deaf: counted once
    EXPECT_EQ(c.deaf_episodes(), 1u);
}

TEST(DeliveryCanary, HearingALaterCanaryEndsDeafness) {
    auto c = up_at(t0);
    ASSERT_TRUE(poll_until(c, t0, t0 + 1s).deaf);
    auto d = poll_until(c, t0 + 1s, t0 + 1250ms);
    ASSERT_TRUE(d.send_seq);
    c.on_heard_own(*d.send_seq);  // the path healed: the lost ones before it are forgiven
    EXPECT_FALSE(c.deaf());
    EXPECT_FALSE(c.poll(t0 + 1300ms).deaf);
}

TEST(DeliveryCanary, NothingIsJudgedWhileDownOrForCanariesFromBeforeUp) {
    auto c = up_at(t0);
    const auto first = c.poll(t0).send_seq;
    c.on_down();
    EXPECT_FALSE(c.poll(t0 + 5s).send_seq);
    EXPECT_FALSE(c.poll(t0 + 5s).deaf);
    c.on_up(t0 + 6s);
    c.on_heard_own(*first);  // late echo of a canary sent before the outage: ignored
    EXPECT_EQ(c.heard(), 0u);
    auto d = c.poll(t0 + 6s);
    ASSERT_TRUE(d.send_seq);
    EXPECT_GT(*d.send_seq, *first);
    EXPECT_FALSE(poll_until(c, t0 + 6s, t0 + 6900ms).deaf);  // a full deadline of grace
    EXPECT_TRUE(poll_until(c, t0 + 6900ms, t0 + 7s).deaf);
}

TEST(DeliveryCanary, SeqsNotSentAreNotCountedAsHeard) {
    auto c = up_at(t0);
    c.poll(t0);
    c.on_heard_own(99);  // another relay with our id, or garbage: not ours
    EXPECT_EQ(c.heard(), 0u);
    EXPECT_TRUE(poll_until(c, t0, t0 + 1s).deaf);
}

TEST(DeliveryCanary, PeersCountAsHeardForOneDeadline) {
    auto c = up_at(t0);
    c.on_heard_peer("relay-2", t0);
    c.on_heard_peer("relay-3", t0 + 500ms);
    EXPECT_EQ(c.peers_heard(t0 + 900ms), 2u);
    EXPECT_EQ(c.peers_heard(t0 + 1200ms), 1u);
    c.on_heard_peer("relay-2", t0 + 1300ms);
    EXPECT_EQ(c.peers_heard(t0 + 1400ms), 2u);
}

TEST(DeliveryCanary, LongDeafnessKeepsBoundedStateAndTheOldestVerdict) {
    auto c = up_at(t0);
    for (auto t = t0; t < t0 + 600s; t += 250ms)
        EXPECT_EQ(c.poll(t).deaf, t >= t0 + 1s);
    EXPECT_EQ(c.deaf_episodes(), 1u);
    const auto d = c.poll(t0 + 600s);
    ASSERT_TRUE(d.send_seq);
    c.on_heard_own(*d.send_seq);
    EXPECT_FALSE(c.deaf());
}

TEST(DeliveryCanary, ZeroIntervalTurnsItOff) {
    delivery_canary c({0ms, 1s});
    c.on_up(t0);
    for (auto t = t0; t < t0 + 10s; t += 1s) {
        const canary_decision d = c.poll(t);
        EXPECT_FALSE(d.send_seq);
        EXPECT_FALSE(d.deaf);
        EXPECT_GT(d.wake_at, t);
    }
}

TEST(DeliveryCanary, TimeTheRelayItselfDidNotRunDoesNotCountAgainstItsCanaries) {
    auto c = up_at(t0);
    c.poll(t0);  // seq 1 out; the canary asks to be woken at t0 + 250 ms
    // The relay's loop stalls for 3 s (CPU starvation): its canary may be waiting unread in the
    // socket. Waking that late is not deafness.
    auto d = c.poll(t0 + 3s);
    EXPECT_FALSE(d.deaf);
    EXPECT_EQ(c.deaf_episodes(), 0u);
    ASSERT_TRUE(d.send_seq);
    c.on_heard_own(*d.send_seq);  // once the loop runs, the pending canaries are read
    EXPECT_FALSE(c.poll(t0 + 3100ms).deaf);
    EXPECT_EQ(c.deaf_episodes(), 0u);
}

TEST(DeliveryCanary, AfterAStallAFullDeadlineWithoutHearingIsStillDeaf) {
    auto c = up_at(t0);
    c.poll(t0);
    // Stalled from the wake it asked for (t0 + 250 ms) to t0 + 3 s: seq 1 is judged as if sent
    // 2.75 s later, so its deadline ends at t0 + 3.75 s.
    EXPECT_FALSE(c.poll(t0 + 3s).deaf);
    EXPECT_FALSE(poll_until(c, t0 + 3s, t0 + 3740ms).deaf);
    EXPECT_TRUE(poll_until(c, t0 + 3740ms, t0 + 3750ms).deaf);
}
