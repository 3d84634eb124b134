// Resume replay under a small send queue: a history longer than the queue is paced out as the
// client reads (not shed as a slow consumer), live messages published during the replay come
// after it with no gap and no duplicate, and a client that stalls while live traffic piles up
// behind its replay is still closed 1008 (memory stays bounded).
#include <gtest/gtest.h>

#include "tests/integration/relay/relay_test_support.hpp"

using namespace relay_test;
using switchyard::cluster::redis_server;

namespace {

constexpr std::size_t payload_bytes = 2000;
// The send queue (bytes) of the relays below: the replay is ten times larger.
constexpr int queue_bytes = 32 * 1024;
constexpr int history_messages = 150;

struct two_relays {
    redis_server redis{temp_dir("redis-replay")};
    std::unique_ptr<relay_proc> publisher_relay, resume_relay;
    two_relays() {
        const std::vector<std::string> extra{"--send-queue-bytes", std::to_string(queue_bytes),
                                             "--send-queue-messages", "1024", "--close-timeout-ms",
                                             "20000",
                                             // Small kernel buffers, so the replay cannot hide
                                             // in the socket: it waits in the relay's backlog.
                                             "--socket-send-buffer", "8192"};
        publisher_relay = std::make_unique<relay_proc>("replay-a-" + std::to_string(::getpid()),
                                                       redis.url(), extra);
        resume_relay = std::make_unique<relay_proc>("replay-b-" + std::to_string(::getpid()),
                                                    redis.url(), extra);
        for (auto* r : {publisher_relay.get(), resume_relay.get()})
            if (!eventually([&] { return metric(r->admin, "relay_bus_up") == 1; }))
                throw std::runtime_error("relay bus did not come up");
    }
};

// Publishes `count` messages numbered from `first`, each acknowledged before the next batch.
void publish(ws_client& pub, int first, int count) {
    const std::string payload(payload_bytes, 'r');
    for (int n = first; n < first + count; ++n)
        pub.send(R"({"type":"publish","channel":"global","id":"r-)" + std::to_string(n) +
                 R"(","data":{"n":)" + std::to_string(n) + R"(,"pad":")" + payload + "\"}}");
    const std::string last = "r-" + std::to_string(first + count - 1);
    if (!pub.wait_type("ack", 20s, [&](auto& o) { return o.at("id") == last.c_str(); }))
        throw std::runtime_error("publish " + last + " was not acknowledged");
}

// Index of the first frame containing `needle`, or -1.
long index_of(const std::vector<std::string>& frames, const std::string& needle) {
    for (std::size_t i = 0; i < frames.size(); ++i)
        if (frames[i].find(needle) != std::string::npos)
            return static_cast<long>(i);
    return -1;
}

}  // namespace

TEST(RelayReplay, HistoryLongerThanTheSendQueueIsPacedThenLiveWithoutGapOrDuplicate) {
    two_relays c;
    ws_client pub(c.publisher_relay->port, "/ws?client=replay-pub");
    ASSERT_TRUE(pub.wait_type("hello"));
    publish(pub, 1, history_messages);  // ~300 kB of history, the queue holds 32 kB

    // A reader with a tiny receive buffer that has stopped reading: the replay cannot go out
    // faster than it reads, so live messages published now arrive while the replay is paced.
    ws_client late(c.resume_relay->port, "/ws?client=replay-late", 4096);
    ASSERT_TRUE(late.wait_type("hello"));
    late.pause_reading();
    late.send(R"({"type":"subscribe","channels":["global"],"resume":{"global":0}})");
    ASSERT_TRUE(eventually(
        [&] { return metric(c.resume_relay->admin, "relay_replayed_total") == history_messages; }));
    constexpr int live_messages = 8;  // 16 kB: within the queue limit while it waits
    publish(pub, history_messages + 1, live_messages);
    // They wait behind the replay the stalled reader has not taken yet (fanned out in the
    // relay's next round, so poll for the count rather than for their arrival).
    ASSERT_TRUE(eventually([&] {
        return metric(c.resume_relay->admin, "relay_replay_live_held_total") == live_messages;
    }));
    late.resume_reading();

    const std::size_t total = history_messages + live_messages;
    ASSERT_TRUE(eventually([&] { return late.messages("global").size() >= total; }, 20s))
        << "got " << late.messages("global").size() << " closed=" << late.closed()
        << " code=" << late.close_code().value_or(0);
    const auto got = late.messages("global");
    ASSERT_EQ(got.size(), total);
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].first, i + 1) << "seq out of order at " << i;
        EXPECT_EQ(got[i].second.as_object().at("n").to_number<std::size_t>(), i + 1);
    }
    // `subscribed` follows the replay and reports its last seq.
    const auto frames = late.frames();
    const long sub_at = index_of(frames, R"("type":"subscribed")");
    const long last_replayed_at =
        index_of(frames, R"("seq":)" + std::to_string(history_messages) + ",");
    ASSERT_GE(sub_at, 0);
    EXPECT_GT(sub_at, last_replayed_at);
    EXPECT_NE(frames[static_cast<std::size_t>(sub_at)].find(R"("seq":)" +
                                                            std::to_string(history_messages)),
              std::string::npos)
        << frames[static_cast<std::size_t>(sub_at)];
    EXPECT_FALSE(late.closed());
    EXPECT_EQ(metric(c.resume_relay->admin, "relay_slow_consumers_total"), 0);
    // And it stays live.
    publish(pub, static_cast<int>(total) + 1, 1);
    EXPECT_TRUE(eventually([&] { return late.messages("global").size() == total + 1; }));
}

TEST(RelayReplay, StalledReaderWithLiveTrafficPilingUpBehindItsReplayIsClosed1008) {
    two_relays c;
    ws_client pub(c.publisher_relay->port, "/ws?client=stall-pub");
    ASSERT_TRUE(pub.wait_type("hello"));
    publish(pub, 1, history_messages);
    ws_client stalled(c.resume_relay->port, "/ws?client=stall-late", 4096);
    ASSERT_TRUE(stalled.wait_type("hello"));
    stalled.pause_reading();
    stalled.send(R"({"type":"subscribe","channels":["global"],"resume":{"global":0}})");
    ASSERT_TRUE(eventually(
        [&] { return metric(c.resume_relay->admin, "relay_replayed_total") == history_messages; }));
    // 40 x 2 kB of live traffic behind a replay that is not moving: more than the queue limit.
    publish(pub, history_messages + 1, 40);
    ASSERT_TRUE(eventually(
        [&] { return metric(c.resume_relay->admin, "relay_slow_consumers_total") == 1; }));
    stalled.resume_reading();
    ASSERT_TRUE(eventually([&] { return stalled.closed(); }, 20s));
    EXPECT_EQ(stalled.close_code(), 1008);
    EXPECT_EQ(metric(c.resume_relay->admin, "relay_connections"), 0);
}
