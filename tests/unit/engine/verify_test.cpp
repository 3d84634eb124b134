// Checkers tested on literal histories (Maelstrom style): a short list of what clients reported,
// then what each checker must measure.
#include <cmath>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>

#include <gtest/gtest.h>

#include "engine/verify/checker_table.hpp"
#include "engine/verify/latency_histogram.hpp"
#include "engine/verify/ledger.hpp"
#include "engine/verify/name_table.hpp"

using namespace switchyard;
using namespace switchyard::verify;
using namespace std::chrono_literals;
using fleet::placement;

namespace {

/// A tiny script language for histories: every call is one record.
struct history {
    ledger l;
    void connect(std::uint32_t c, std::string relay, micros at = 0us, bool re = false,
                 placement how = placement::fresh) {
        l.on_connect({c, std::move(relay), how, re, at});
    }
    void disconnect(std::uint32_t c, std::string relay, micros at = 0us) {
        l.on_disconnect({c, std::move(relay), "1006", at});
    }
    void publish(std::uint32_t c, std::uint64_t n, std::uint64_t seq, micros at = 0us) {
        const auto id = std::to_string(c) + "-" + std::to_string(n);
        l.on_publish({c, "global", id, at});
        l.on_ack({c, id, seq, "", at});
    }
    void deliver(std::uint32_t c, std::string relay, std::uint64_t seq, micros at = 0us,
                 bool replayed = false, micros sent = 0us) {
        l.on_delivery({c, std::move(relay), "global", seq, "0-" + std::to_string(seq), 0, sent, at,
                       replayed});
    }
    double measure(std::string_view name) {
        return find_checker(name)->factory()->measure(l.summary()).value;
    }
    std::string detail(std::string_view name) {
        return find_checker(name)->factory()->measure(l.summary()).detail;
    }
};

}  // namespace

TEST(LatencyHistogram, ExactBelowSubBucketsAndBoundedErrorAbove) {
    for (std::uint64_t v : {0ull, 1ull, 63ull})
        EXPECT_EQ(latency_histogram::bucket_upper(latency_histogram::bucket_of(v)), v);
    for (std::uint64_t v : {64ull, 100ull, 1000ull, 123456ull, 99999999ull}) {
        const auto up = latency_histogram::bucket_upper(latency_histogram::bucket_of(v));
        EXPECT_GE(up, v);
        EXPECT_LE(static_cast<double>(up - v) / v, 1.0 / 64) << v;
    }
    EXPECT_LT(latency_histogram::bucket_of(latency_histogram::max_value_us * 4),
              latency_histogram::bucket_count);
}

TEST(LatencyHistogram, PercentilesOfAKnownSpread) {
    latency_histogram h;
    for (int i = 1; i <= 1000; ++i)
        h.record(std::chrono::microseconds{i * 1000});  // 1..1000 ms
    EXPECT_EQ(h.count(), 1000u);
    EXPECT_NEAR(h.percentile(0.5).count(), 500000, 500000 / 60);
    EXPECT_NEAR(h.percentile(0.99).count(), 990000, 990000 / 60);
    EXPECT_EQ(h.percentile(1.0), 1000ms);
    EXPECT_EQ(h.max(), 1000ms);
    EXPECT_EQ(h.min(), 1ms);
    latency_histogram other;
    other.record(5s);
    h.merge(other);
    EXPECT_EQ(h.max(), 5s);
    EXPECT_EQ(h.count(), 1001u);
    h.clear();
    EXPECT_EQ(h.percentile(0.5), 0us);
}

TEST(Checkers, CleanBroadcastPasses) {
    history h;
    h.connect(0, "relay-1");
    h.connect(1, "relay-2");
    for (std::uint64_t s = 1; s <= 5; ++s) {
        h.publish(0, s, s);
        h.deliver(0, "relay-1", s);
        h.deliver(1, "relay-2", s);
    }
    EXPECT_EQ(h.measure("lost"), 0);
    EXPECT_EQ(h.measure("duplicates"), 0);
    EXPECT_EQ(h.measure("order_violations"), 0);
    EXPECT_EQ(h.measure("delivery_ratio"), 1.0);
    EXPECT_EQ(h.measure("deliveries"), 10);
    EXPECT_EQ(h.measure("sticky_violations"), 0);
    EXPECT_EQ(h.measure("failover_ms"), 0);
    EXPECT_EQ(h.measure("silent_clients"), 0);
}

TEST(Checkers, AGapIsLoss) {
    history h;
    h.connect(1, "relay-1");
    for (std::uint64_t s : {1, 2, 4, 5})
        h.deliver(1, "relay-1", s);
    EXPECT_EQ(h.measure("lost"), 1);
    EXPECT_NE(h.detail("lost").find("missing seq 3"), std::string::npos) << h.detail("lost");
    EXPECT_DOUBLE_EQ(h.measure("delivery_ratio"), 4.0 / 5.0);
}

TEST(Checkers, MessagesAfterTheLastReceivedAreDueWhileConnected) {
    history h;
    h.connect(1, "relay-1");
    h.connect(0, "relay-2");
    h.publish(0, 1, 1);
    h.publish(0, 2, 2);
    h.publish(0, 3, 3);
    h.deliver(1, "relay-1", 1);
    EXPECT_EQ(h.measure("lost"), 2);  // seq 2 and 3 were acked but never arrived
}

TEST(Checkers, ReconnectWithoutResumeLosesTheOutage) {
    history h;
    h.connect(1, "relay-1");
    h.deliver(1, "relay-1", 1);
    h.deliver(1, "relay-1", 2);
    h.disconnect(1, "relay-1");
    h.connect(1, "relay-2", 0us, true);
    h.deliver(1, "relay-2", 5);  // subscribed afresh: 3 and 4 went by
    EXPECT_EQ(h.measure("lost"), 2);
    EXPECT_EQ(h.measure("reconnects"), 1);
}

TEST(Checkers, ReconnectWithResumeReplaysTheOutage) {
    history h;
    h.connect(1, "relay-1");
    h.deliver(1, "relay-1", 1);
    h.deliver(1, "relay-1", 2);
    h.disconnect(1, "relay-1");
    h.connect(1, "relay-2", 0us, true);
    h.deliver(1, "relay-2", 3, 0us, true);
    h.deliver(1, "relay-2", 4, 0us, true);
    h.deliver(1, "relay-2", 5);
    EXPECT_EQ(h.measure("lost"), 0);
    EXPECT_EQ(h.l.summary().replayed, 2u);
}

TEST(Checkers, AClientDownAtTheEndOwesNothingAfterItLeft) {
    history h;
    h.connect(0, "relay-2");
    h.connect(1, "relay-1");
    h.publish(0, 1, 1);
    h.deliver(1, "relay-1", 1);
    h.disconnect(1, "relay-1");
    h.publish(0, 2, 2);
    h.publish(0, 3, 3);
    EXPECT_EQ(h.measure("lost"), 0);
}

TEST(Checkers, DuplicateAndOutOfOrder) {
    history h;
    h.connect(1, "relay-1");
    for (std::uint64_t s : {1, 2, 4, 3, 4})
        h.deliver(1, "relay-1", s);
    EXPECT_EQ(h.measure("duplicates"), 1);
    EXPECT_EQ(h.measure("order_violations"), 1);
    EXPECT_EQ(h.measure("lost"), 0);
    EXPECT_NE(h.detail("duplicates").find("seq 4 twice"), std::string::npos);
}

TEST(Checkers, PublisherSequencedOutOfSendOrder) {
    history h;
    h.connect(0, "relay-1");
    h.publish(0, 1, 10);
    h.publish(0, 2, 9);
    EXPECT_EQ(h.measure("order_violations"), 1);
}

TEST(Checkers, FailoverIsKillToLastAffectedClientReceiving) {
    history h;
    h.connect(0, "relay-1");
    h.connect(1, "relay-1");
    h.connect(2, "relay-2");
    h.l.mark_relay_lost("relay-1", "kill", 5s);
    h.deliver(2, "relay-2", 1, 5100ms);  // not affected
    h.disconnect(0, "relay-1", 5050ms);
    h.disconnect(1, "relay-1", 5050ms);
    h.connect(0, "relay-2", 5300ms, true, placement::failover);
    h.connect(1, "relay-3", 5200ms, true, placement::failover);
    h.deliver(0, "relay-2", 2, 5400ms);
    h.deliver(1, "relay-3", 2, 5900ms);
    EXPECT_DOUBLE_EQ(h.measure("failover_ms"), 900);
    EXPECT_NE(h.detail("failover_ms").find("2/2 clients back"), std::string::npos)
        << h.detail("failover_ms");
    EXPECT_EQ(h.measure("sticky_violations"), 0);  // moved off a relay that was down
}

TEST(Checkers, RecoveryPercentilesSpreadEveryRecoveredClientOverAllEpisodes) {
    history h;
    EXPECT_EQ(h.measure("recovery_p99_ms"), 0) << "no relay lost: nothing to spread";
    for (std::uint32_t c = 0; c < 10; ++c)
        h.connect(c, c < 9 ? "relay-1" : "relay-2");
    h.l.mark_relay_lost("relay-1", "kill", 5s);
    h.l.mark_relay_lost("relay-2", "stop", 6s);
    // relay-1's nine clients come back 100, 200, ..., 900 ms after the kill; relay-2's one
    // 2 s after its stop.
    for (std::uint32_t c = 0; c < 10; ++c) {
        const auto lost_at = c < 9 ? 5s : 6s;
        const auto back = lost_at + (c < 9 ? std::chrono::milliseconds(100 * (c + 1)) : 2000ms);
        h.disconnect(c, c < 9 ? "relay-1" : "relay-2", lost_at + 10ms);
        h.connect(c, "relay-3", back - 50ms, true, placement::failover);
        h.deliver(c, "relay-3", 2, back);
    }
    EXPECT_NEAR(h.measure("recovery_p50_ms"), 500, 500 * 0.02);
    EXPECT_NEAR(h.measure("recovery_p99_ms"), 2000, 2000 * 0.02);
    EXPECT_DOUBLE_EQ(h.measure("failover_ms"), 2000);
    EXPECT_NE(h.detail("recovery_p50_ms").find("10 of 10 affected clients back over 2"),
              std::string::npos)
        << h.detail("recovery_p50_ms");
}

TEST(Checkers, MovedClientsThatResumedWithoutAGapAndMessagesReplayed) {
    history h;
    EXPECT_EQ(h.measure("resumed_without_gap_ratio"), 1) << "no client moved";
    h.connect(0, "relay-1");
    h.connect(1, "relay-1");
    h.connect(2, "relay-2");
    h.l.on_resume_gap({2, "global", 1, 5, 1s});  // before any episode, on another relay
    h.l.mark_relay_lost("relay-1", "kill", 5s);
    for (std::uint32_t c : {0u, 1u}) {
        h.disconnect(c, "relay-1", 5010ms);
        h.connect(c, "relay-2", 5200ms, true, placement::failover);
    }
    h.l.on_resume_gap({1, "global", 3, 10, 5210ms});  // client 1's history ran out
    h.deliver(0, "relay-2", 2, 5300ms);
    h.deliver(1, "relay-2", 10, 5300ms);
    EXPECT_DOUBLE_EQ(h.measure("resumed_without_gap_ratio"), 0.5);
    EXPECT_NE(h.detail("resumed_without_gap_ratio").find("1 of 2 moved clients"), std::string::npos)
        << h.detail("resumed_without_gap_ratio");
}

TEST(Checkers, AClientThatNeverComesBackMakesFailoverInfinite) {
    history h;
    h.connect(0, "relay-1");
    h.connect(1, "relay-1");
    h.l.mark_relay_lost("relay-1", "kill", 5s);
    h.disconnect(0, "relay-1", 5010ms);
    h.connect(0, "relay-2", 5300ms, true, placement::failover);
    h.deliver(0, "relay-2", 2, 5400ms);
    h.disconnect(1, "relay-1", 5010ms);
    EXPECT_TRUE(std::isinf(h.measure("failover_ms")));
    EXPECT_NE(h.detail("failover_ms").find("client 1 never"), std::string::npos);
    // A delivery on the old connection does not count as recovered.
    history g;
    g.connect(0, "relay-1");
    g.l.mark_relay_lost("relay-1", "drain", 1s);
    g.deliver(0, "relay-1", 1, 1100ms);
    EXPECT_TRUE(std::isinf(g.measure("failover_ms")));
}

TEST(Checkers, StickyViolations) {
    history h;
    h.connect(0, "relay-1");
    h.deliver(0, "relay-2", 1);  // a poll answered by another relay
    EXPECT_EQ(h.measure("sticky_violations"), 1);
    h.disconnect(0, "relay-1");
    h.connect(0, "relay-3", 0us, true, placement::failover);  // relay-1 was up
    EXPECT_EQ(h.measure("sticky_violations"), 2);
    EXPECT_NE(h.detail("sticky_violations").find("relay-2"), std::string::npos);
}

TEST(Checkers, StickyViolationsReportedByPollingTransports) {
    history h;
    h.connect(0, "relay-1");
    h.l.on_disconnect({0, "relay-1", "sticky violation: xhr_send got 404", 1s});
    h.l.on_connect_failure({1, "sticky violation: session opened twice", 1s});
    h.l.on_connect_failure({2, "HTTP 502", 1s});
    EXPECT_EQ(h.measure("sticky_violations"), 2);
    EXPECT_NE(h.detail("sticky_violations").find("xhr_send got 404"), std::string::npos);
    // After its relay was killed, landing elsewhere is failover, not a violation.
    history g;
    g.connect(0, "relay-1");
    g.l.mark_relay_lost("relay-1", "kill", 1s);
    g.l.on_disconnect({0, "relay-1", "sticky violation: xhr_send got 404", 1100ms});
    g.l.on_connect_failure({0, "sticky violation: session opened twice", 1200ms});
    EXPECT_EQ(g.measure("sticky_violations"), 0);
}

TEST(Checkers, LatencyPercentilesInMilliseconds) {
    history h;
    h.connect(1, "relay-1");
    for (std::uint64_t s = 1; s <= 100; ++s)
        h.deliver(1, "relay-1", s, std::chrono::milliseconds{s * 10 + s}, false,
                  std::chrono::milliseconds{s * 10});  // latency s ms
    h.deliver(1, "relay-1", 101, 100s, true, 0us);     // replay: excluded
    EXPECT_NEAR(h.measure("latency_p50_ms"), 50, 1);
    EXPECT_NEAR(h.measure("latency_p99_ms"), 99, 2);
    EXPECT_DOUBLE_EQ(h.measure("latency_max_ms"), 100);
}

TEST(Checkers, ErrorsCountFailedConnectsRefusedPublishesAndGaps) {
    history h;
    h.l.on_connect_failure({3, "HTTP 502", 1s});
    h.l.on_publish({0, "global", "0-1", 0us});
    h.l.on_ack({0, "0-1", 0, "bus_unavailable", 0us});
    h.l.on_resume_gap({1, "global", 3, 10, 0us});
    EXPECT_EQ(h.measure("errors"), 3);
    EXPECT_EQ(h.measure("connect_failures"), 1);
    EXPECT_EQ(h.measure("publish_errors"), 1);
    EXPECT_EQ(h.measure("resume_gaps"), 1);
    EXPECT_NE(h.detail("connect_failures").find("HTTP 502"), std::string::npos);
}

TEST(Checkers, SilentClientIsCounted) {
    history h;
    h.connect(0, "relay-1");
    h.connect(1, "relay-2");
    h.deliver(0, "relay-1", 1);
    EXPECT_EQ(h.measure("silent_clients"), 1);
}

TEST(Checkers, LongestSilenceIsTheWidestGapBetweenDeliveries) {
    history h;
    h.connect(0, "relay-1");
    h.connect(1, "relay-2");
    h.deliver(0, "relay-1", 1, 1s);
    h.deliver(1, "relay-2", 1, 1100ms);
    h.deliver(1, "relay-2", 2, 3900ms);  // 2.8 s with nothing anywhere
    h.deliver(0, "relay-1", 2, 4s);
    h.deliver(1, "relay-2", 3, 4500ms);
    EXPECT_DOUBLE_EQ(h.measure("longest_silence_ms"), 2800);
    // An outage that lasts to the end of the traffic phase counts too.
    h.l.end_traffic(9s);
    EXPECT_DOUBLE_EQ(h.measure("longest_silence_ms"), 4500);
}

TEST(Ledger, FrozenIgnoresShutdownCloses) {
    history h;
    h.connect(0, "relay-1");
    h.deliver(0, "relay-1", 1);
    h.publish(0, 1, 1);
    h.l.freeze();
    h.disconnect(0, "relay-1");
    h.publish(0, 2, 2);
    EXPECT_EQ(h.measure("lost"), 0);
    EXPECT_EQ(h.l.summary().disconnects, 0u);
}

// The soak's question, which seqs and whose: every missing run per client, sorted by client
// (shards interleave them), the tail past a client's last delivery included.
TEST(Ledger, LostRangesNameEachClientsMissingSeqs) {
    history h;
    for (std::uint32_t c : {33u, 1u, 0u})  // 33 and 1 share a shard
        h.connect(c, "relay-1");
    for (std::uint64_t seq : {1, 2, 5, 6})  // every client misses 3..4 (the bus never had them)
        for (std::uint32_t c : {33u, 1u, 0u})
            h.deliver(c, "relay-1", seq);
    h.deliver(33, "relay-1", 9);  // 33 also misses 7..8; 0 and 1 miss 7..9 at the tail
    const auto s = h.l.summary();
    EXPECT_EQ(s.lost, 2u * 3 + 2 + 3 + 3);
    ASSERT_EQ(s.lost_ranges.size(), 6u);
    const std::vector<std::tuple<std::uint32_t, std::uint64_t, std::uint64_t>> want{
        {0, 3, 4}, {0, 7, 9}, {1, 3, 4}, {1, 7, 9}, {33, 3, 4}, {33, 7, 8}};
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto& g = s.lost_ranges[i];
        EXPECT_EQ(std::tie(g.client, g.first, g.last), want[i]) << i;
        EXPECT_EQ(g.channel, "global");
    }
}

TEST(Ledger, LostRangesStopAtTheirMaximumWhileLostCountsAll) {
    history h;
    h.connect(0, "relay-1");
    const std::uint64_t gaps = ledger_summary::lost_ranges_max + 10;
    for (std::uint64_t i = 0; i <= gaps; ++i)
        h.deliver(0, "relay-1", 1 + 2 * i);  // 1, 3, 5, ...: every even seq missing
    const auto s = h.l.summary();
    EXPECT_EQ(s.lost, gaps);
    EXPECT_EQ(s.lost_ranges.size(), ledger_summary::lost_ranges_max);
    EXPECT_EQ(s.lost_ranges.front().first, 2u);
}

TEST(Ledger, PeriodStatsResetAndShareByRelay) {
    history h;
    h.connect(0, "relay-1");
    h.connect(1, "relay-2");
    h.deliver(0, "relay-1", 1, 2ms, false, 1ms);
    h.deliver(1, "relay-2", 1, 3ms, false, 1ms);
    h.deliver(1, "relay-2", 2, 3ms, false, 1ms);
    auto p = h.l.take_period();
    EXPECT_EQ(p.deliveries, 3u);
    EXPECT_EQ(p.connected, 2u);
    ASSERT_EQ(p.relays.size(), 2u);
    EXPECT_EQ(p.relays[1].relay, "relay-2");
    EXPECT_EQ(p.relays[1].deliveries, 2u);
    EXPECT_EQ(p.relays[1].clients, 1u);
    EXPECT_FALSE(p.samples.empty());
    EXPECT_EQ(p.latency.max(), 2ms);
    auto q = h.l.take_period();
    EXPECT_EQ(q.deliveries, 0u);
    EXPECT_EQ(q.deliveries_total, 3u);
}

TEST(Ledger, ConcurrentRecordingAddsUp) {
    ledger l;
    constexpr std::uint32_t clients = 64;
    constexpr std::uint64_t seqs = 2000;
    for (std::uint32_t c = 0; c < clients; ++c)
        l.on_connect({c, "relay-1", placement::fresh, false, 0us});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (std::uint32_t c = t; c < clients; c += 4)
                for (std::uint64_t s = 1; s <= seqs; ++s)
                    l.on_delivery({c, "relay-1", "global", s, "0-1", 0, 0us, 1ms, false});
        });
    std::thread reader([&] {
        for (int i = 0; i < 50; ++i)
            (void)l.take_period();
    });
    for (auto& t : threads)
        t.join();
    reader.join();
    const auto s = l.summary();
    EXPECT_EQ(s.deliveries, clients * seqs);
    EXPECT_EQ(s.lost, 0u);
    EXPECT_EQ(s.expected, clients * seqs);
}

TEST(NameTable, IdsInFirstSeenOrderAndFind) {
    name_table t;
    EXPECT_EQ(t.index("b"), 0u);
    EXPECT_EQ(t.index("a"), 1u);
    EXPECT_EQ(t.index("b"), 0u);
    EXPECT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].name, "b");
    EXPECT_EQ(t[1].name, "a");
    EXPECT_EQ(t.find("a"), std::optional<std::uint32_t>(1));
    EXPECT_EQ(t.find("c"), std::nullopt);
    EXPECT_EQ(t.size(), 2u);  // find never adds
}

TEST(NameTable, NoteKeepsTheHighest) {
    name_table t;
    const auto id = t.index("global");
    t.note(id, 5);
    t.note(id, 3);
    EXPECT_EQ(t[id].max.load(), 5u);
    t.note(id, 9);
    EXPECT_EQ(t[id].max.load(), 9u);
}

TEST(NameTable, MoreThanOneChunkOfNames) {
    name_table t;
    constexpr std::uint32_t n = 3 * name_table::chunk_size + 17;
    for (std::uint32_t i = 0; i < n; ++i)
        ASSERT_EQ(t.index("ch-" + std::to_string(i)), i);
    EXPECT_EQ(t.size(), n);
    for (std::uint32_t i = 0; i < n; ++i) {
        ASSERT_EQ(t[i].name, "ch-" + std::to_string(i));
        ASSERT_EQ(t.find("ch-" + std::to_string(i)), std::optional<std::uint32_t>(i));
    }
}

TEST(NameTable, ConcurrentIndexGivesOneIdPerName) {
    name_table t;
    constexpr std::uint32_t n = 5000;
    constexpr int threads = 4;
    std::vector<std::vector<std::uint32_t>> seen(threads, std::vector<std::uint32_t>(n));
    std::vector<std::thread> pool;
    for (int k = 0; k < threads; ++k)
        pool.emplace_back([&, k] {
            // Each thread walks the names in its own order, so inserts race on every name.
            for (std::uint32_t j = 0; j < n; ++j) {
                const std::uint32_t i = k % 2 == 0 ? j : n - 1 - j;
                seen[k][i] = t.index("name-" + std::to_string(i));
                (void)t[seen[k][i]].name.size();  // reading an entry needs no lock
            }
        });
    for (auto& th : pool)
        th.join();
    EXPECT_EQ(t.size(), n);
    std::set<std::uint32_t> ids;
    for (std::uint32_t i = 0; i < n; ++i) {
        for (int k = 1; k < threads; ++k)
            ASSERT_EQ(seen[k][i], seen[0][i]) << "name-" << i;
        ASSERT_EQ(t[seen[0][i]].name, "name-" + std::to_string(i));
        ids.insert(seen[0][i]);
    }
    EXPECT_EQ(ids.size(), n);
    EXPECT_EQ(*ids.rbegin(), n - 1);  // dense: 0 .. n-1
}

TEST(NameTable, LengthErrorPastTheMaximum) {
    name_table t;
    for (std::size_t i = 0; i < name_table::names_max; ++i)
        t.index(std::to_string(i));
    EXPECT_EQ(t.size(), name_table::names_max);
    EXPECT_THROW(t.index("one more"), std::length_error);
    EXPECT_EQ(t.index("0"), 0u);  // known names still resolve
    EXPECT_EQ(t.size(), name_table::names_max);
}

namespace {

/// Many channels on several relays: client c listens on "ch-<c % channels>" through
/// "relay-<c % relays + 1>"; client k < channels publishes `seqs` messages on channel k and
/// every listener receives them all.
struct wide_run {
    static constexpr std::uint32_t channels = 2500;  // well past the ledger's old 1,024 cap
    static constexpr std::uint32_t relays = 5;
    static constexpr std::uint32_t clients = 2 * channels;
    static constexpr std::uint64_t seqs = 3;
    ledger l;

    static std::string channel_of(std::uint32_t c) { return "ch-" + std::to_string(c % channels); }
    static std::string relay_of(std::uint32_t c) {
        return "relay-" + std::to_string(c % relays + 1);
    }

    void publish(std::uint32_t k, std::uint64_t seq) {
        const auto id = std::to_string(k) + "-" + std::to_string(seq);
        l.on_publish({k, channel_of(k), id, 0us});
        l.on_ack({k, id, seq, "", 0us});
    }
    void deliver(std::uint32_t c, std::uint64_t seq) {
        l.on_delivery({c, relay_of(c), channel_of(c), seq,
                       std::to_string(c % channels) + "-" + std::to_string(seq), c % channels, 0us,
                       1ms, false});
    }
    wide_run() {
        for (std::uint32_t c = 0; c < clients; ++c)
            l.on_connect({c, relay_of(c), placement::fresh, false, 0us});
        for (std::uint64_t s = 1; s <= seqs; ++s) {
            for (std::uint32_t k = 0; k < channels; ++k)
                publish(k, s);
            for (std::uint32_t c = 0; c < clients; ++c)
                deliver(c, s);
        }
    }
};

}  // namespace

TEST(Ledger, ThousandsOfChannelsOnSeveralRelaysAreExact) {
    wide_run w;
    const auto s = w.l.summary();
    EXPECT_EQ(s.clients, wide_run::clients);
    EXPECT_EQ(s.publishes, wide_run::channels * wide_run::seqs);
    EXPECT_EQ(s.deliveries, wide_run::clients * wide_run::seqs);
    EXPECT_EQ(s.expected, wide_run::clients * wide_run::seqs);
    EXPECT_EQ(s.received, s.expected);
    EXPECT_EQ(s.lost, 0u) << s.lost_example;
    EXPECT_EQ(s.duplicates, 0u) << s.duplicate_example;
    EXPECT_EQ(s.order_violations, 0u) << s.order_example;
    EXPECT_EQ(s.sticky_violations, 0u) << s.sticky_example;

    const auto p = w.l.take_period();
    ASSERT_EQ(p.relays.size(), wide_run::relays);
    for (std::uint32_t r = 0; r < wide_run::relays; ++r) {
        EXPECT_EQ(p.relays[r].relay, "relay-" + std::to_string(r + 1));  // sorted by name
        EXPECT_EQ(p.relays[r].clients, wide_run::clients / wide_run::relays);
        EXPECT_EQ(p.relays[r].deliveries, wide_run::clients / wide_run::relays * wide_run::seqs);
    }

    w.l.mark_relay_lost("relay-3", "kill", 1s);
    w.l.mark_relay_lost("relay-never-seen", "kill", 1s);
    const auto f = w.l.summary().failovers;
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].affected, wide_run::clients / wide_run::relays);
    EXPECT_EQ(f[0].connected, wide_run::clients) << "every client, on any relay";
    EXPECT_EQ(f[1].affected, 0u);
    EXPECT_EQ(f[1].connected, wide_run::clients) << "a lost relay's clients count until they go";
}

TEST(Ledger, LossAndDuplicateOnAHighChannelAreItsOwn) {
    wide_run w;
    // Channel 2499 (id far past 1,024) gets seq 4 and 5; its second listener misses seq 4.
    constexpr std::uint32_t k = wide_run::channels - 1;
    w.publish(k, 4);
    w.publish(k, 5);
    w.deliver(k, 4);
    w.deliver(k, 5);
    w.deliver(k + wide_run::channels, 5);
    // A listener of channel 1800 receives seq 2 twice.
    w.deliver(1800, 2);
    const auto s = w.l.summary();
    EXPECT_EQ(s.lost, 1u);
    EXPECT_EQ(s.lost_example, "client 4999 on ch-2499: missing seq 4");
    EXPECT_EQ(s.duplicates, 1u);
    EXPECT_EQ(s.duplicate_example, "client 1800 on ch-1800: seq 2 twice (live)");
    EXPECT_EQ(s.expected, wide_run::clients * wide_run::seqs + 4);
    EXPECT_EQ(s.order_violations, 0u);
}

TEST(CheckerTable, NamesAreUniqueAndEveryFactoryMeasures) {
    std::set<std::string_view> names;
    ledger_summary empty;
    for (const auto& row : checker_table()) {
        EXPECT_TRUE(names.insert(row.name).second) << row.name;
        EXPECT_FALSE(row.doc.empty());
        (void)row.factory()->measure(empty);
    }
    EXPECT_EQ(find_checker("nope"), nullptr);
    EXPECT_NE(known_checkers().find("failover_ms"), std::string::npos);
}

TEST(Evaluate, MeasuredAgainstBounds) {
    history h;
    h.connect(1, "relay-1");
    for (std::uint64_t s : {1, 2, 5})
        h.deliver(1, "relay-1", s);
    const auto s = h.l.summary();
    auto r = evaluate({"lost", std::nullopt, 0.0}, s, 1s);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.measured, 2);
    EXPECT_EQ(r.expected, "<= 0");
    EXPECT_EQ(r.at, 1s);
    r = evaluate({"lost", std::nullopt, 2.0}, s, 1s);
    EXPECT_TRUE(r.passed);
    r = evaluate({"delivery_ratio", 0.5, std::nullopt}, s, 1s);
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.expected, ">= 0.5");
    r = evaluate({"reconnects", 1.0, 3.0}, s, 1s);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.expected, "in [1, 3]");
}
