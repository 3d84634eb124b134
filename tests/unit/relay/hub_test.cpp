#include "backends/policy/hub.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "backends/policy/channel_log.hpp"
#include "backends/policy/fast_rng.hpp"

using namespace switchyard::policy;

namespace {
hub_entry entry(std::uint64_t seq) {
    return hub_entry{seq, nullptr};
}
std::vector<std::uint64_t> seqs(const std::vector<hub_entry>& v) {
    std::vector<std::uint64_t> out;
    for (const auto& e : v)
        out.push_back(e.seq);
    return out;
}
struct recorder {
    std::vector<std::pair<subscriber_id, std::uint64_t>> got;
    std::vector<subscriber_id> overflowed;
    void live(hub& h, std::string_view ch, std::uint64_t seq) {
        h.on_message(
            ch, entry(seq), [&](subscriber_id s) { got.emplace_back(s, seq); },
            [&](subscriber_id s) { overflowed.push_back(s); });
    }
};
}  // namespace

TEST(Hub, FreshSubscriptionStartsAfterCurrentAndGetsLiveInOrder) {
    hub h;
    recorder r;
    ASSERT_TRUE(h.subscribe(1, "global", std::nullopt));
    EXPECT_FALSE(h.subscribe(1, "global", std::nullopt));
    r.live(h, "global", 5);  // buffered while pending, but already covered by latest=5
    auto sync = h.on_synced(1, "global", {}, 6, 5);
    EXPECT_FALSE(sync.missing);
    EXPECT_TRUE(sync.deliver.empty());
    EXPECT_EQ(sync.subscribed_seq, 5u);
    r.live(h, "global", 6);
    r.live(h, "global", 7);
    ASSERT_EQ(r.got.size(), 2u);
    EXPECT_EQ(r.got[0].second, 6u);
    EXPECT_EQ(r.got[1].second, 7u);
}

TEST(Hub, ResumeMergesHistoryAndBufferWithoutGapOrDuplicate) {
    hub h;
    recorder r;
    ASSERT_TRUE(h.subscribe(7, "room", 10));
    // Live traffic arrives while the history read is in flight, overlapping it.
    r.live(h, "room", 13);
    r.live(h, "room", 14);
    auto sync = h.on_synced(7, "room", {entry(11), entry(12), entry(13)}, 3, 13);
    EXPECT_FALSE(sync.missing);
    EXPECT_EQ(seqs(sync.deliver), (std::vector<std::uint64_t>{11, 12, 13, 14}));
    EXPECT_EQ(sync.subscribed_seq, 14u);
    r.live(h, "room", 14);  // the bus redelivering: dropped
    r.live(h, "room", 15);
    ASSERT_EQ(r.got.size(), 1u);
    EXPECT_EQ(r.got[0].second, 15u);
}

TEST(Hub, ResumeBeyondHistoryReportsTheGap) {
    hub h;
    ASSERT_TRUE(h.subscribe(1, "global", 2));
    auto sync = h.on_synced(1, "global", {entry(40), entry(41)}, 40, 41);
    ASSERT_TRUE(sync.missing);
    EXPECT_EQ(sync.missing->requested, 2u);
    EXPECT_EQ(sync.missing->oldest, 40u);
    EXPECT_EQ(seqs(sync.deliver), (std::vector<std::uint64_t>{40, 41}));
}

TEST(Hub, TheGapEndsWhereBufferedLiveMessagesStart) {
    // Found by tests/fuzz/hub_fuzz: the history read saw nothing after the resume point (its
    // oldest was 20), but live messages 6 and 7 were buffered while pending. The gap is 3..5,
    // not 3..19: the client receives 6 and 7.
    hub h;
    recorder r;
    ASSERT_TRUE(h.subscribe(1, "room", 2));
    r.live(h, "room", 6);
    r.live(h, "room", 7);
    auto sync = h.on_synced(1, "room", {}, 20, 5);
    ASSERT_TRUE(sync.missing);
    EXPECT_EQ(sync.missing->requested, 2u);
    EXPECT_EQ(sync.missing->oldest, 6u);
    EXPECT_EQ(seqs(sync.deliver), (std::vector<std::uint64_t>{6, 7}));
    // When the buffer starts right after the resume point there is no gap at all.
    hub h2;
    recorder r2;
    ASSERT_TRUE(h2.subscribe(1, "room", 5));
    r2.live(h2, "room", 6);
    auto none = h2.on_synced(1, "room", {}, 20, 9);
    EXPECT_FALSE(none.missing);
    EXPECT_EQ(seqs(none.deliver), (std::vector<std::uint64_t>{6}));
}

TEST(Hub, ResumeAtLatestIsNotAGap) {
    hub h;
    ASSERT_TRUE(h.subscribe(1, "global", 41));
    auto sync = h.on_synced(1, "global", {}, 42, 41);
    EXPECT_FALSE(sync.missing);
    EXPECT_EQ(sync.subscribed_seq, 41u);
}

TEST(Hub, UnsubscribeAndRemoveStopDelivery) {
    hub h;
    recorder r;
    h.subscribe(1, "a", std::nullopt);
    h.subscribe(2, "a", std::nullopt);
    h.subscribe(2, "b", std::nullopt);
    h.on_synced(1, "a", {}, 1, 0);
    h.on_synced(2, "a", {}, 1, 0);
    h.on_synced(2, "b", {}, 1, 0);
    EXPECT_TRUE(h.unsubscribe(1, "a"));
    EXPECT_FALSE(h.unsubscribe(1, "a"));
    r.live(h, "a", 1);
    ASSERT_EQ(r.got.size(), 1u);
    EXPECT_EQ(r.got[0].first, 2u);
    EXPECT_EQ(h.channels_of(2), (std::vector<std::string>{"a", "b"}));
    h.remove(2);
    EXPECT_EQ(h.subscriber_count("a"), 0u);
    EXPECT_EQ(h.subscriber_count("b"), 0u);
    EXPECT_TRUE(h.channels_of(2).empty());
    EXPECT_EQ(h.latest("a"), 1u);  // kept for the bus's sequence floor
}

TEST(Hub, LastSeqIsKnownOnlyOnceSynced) {
    hub h;
    recorder r;
    h.subscribe(1, "a", 3);
    EXPECT_FALSE(h.last_seq(1, "a"));
    h.on_synced(1, "a", {entry(4)}, 1, 4);
    EXPECT_EQ(h.last_seq(1, "a"), std::optional<std::uint64_t>(4));
    r.live(h, "a", 5);
    EXPECT_EQ(h.last_seq(1, "a"), std::optional<std::uint64_t>(5));
    EXPECT_FALSE(h.last_seq(2, "a"));
}

TEST(Hub, SyncAfterUnsubscribeIsStale) {
    hub h;
    h.subscribe(1, "a", 3);
    h.unsubscribe(1, "a");
    EXPECT_TRUE(h.on_synced(1, "a", {entry(4)}, 1, 4).stale);
}

TEST(Hub, ResumeBeyondLatestStartsFromNowAndGetsLiveMessages) {
    hub h;
    recorder r;
    // The channel is at 7; a client claims to have seen 10^18 (never given by this cluster).
    h.subscribe(1, "a", 1'000'000'000'000'000'000ull);
    r.live(h, "a", 8);  // arrives while pending: buffered
    auto sync = h.on_synced(1, "a", {}, 8, 7);
    EXPECT_TRUE(sync.resume_beyond_latest);
    EXPECT_FALSE(sync.missing);
    EXPECT_EQ(sync.subscribed_seq, 8u);  // below the requested seq: where the client stands now
    EXPECT_EQ(seqs(sync.deliver), (std::vector<std::uint64_t>{8}));
    r.live(h, "a", 9);
    ASSERT_EQ(r.got.size(), 1u);
    EXPECT_EQ(r.got[0], (std::pair<subscriber_id, std::uint64_t>{1, 9}));
}

TEST(Hub, ResumeAtOrBelowLatestIsNotBeyond) {
    hub h;
    h.subscribe(1, "a", 7);
    EXPECT_FALSE(h.on_synced(1, "a", {}, 8, 7).resume_beyond_latest);
    h.subscribe(2, "a", 3);
    auto sync = h.on_synced(2, "a", {entry(4), entry(5), entry(6), entry(7)}, 1, 7);
    EXPECT_FALSE(sync.resume_beyond_latest);
    EXPECT_EQ(seqs(sync.deliver), (std::vector<std::uint64_t>{4, 5, 6, 7}));
}

TEST(Hub, PendingBufferIsBounded) {
    hub h(2);
    recorder r;
    h.subscribe(1, "a", 0);
    r.live(h, "a", 1);
    r.live(h, "a", 2);
    r.live(h, "a", 3);
    EXPECT_EQ(r.overflowed, (std::vector<subscriber_id>{1}));
}

TEST(ChannelLog, AssignsSequencesAndKeepsBoundedHistory) {
    channel_log log(3);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(log.append("g", nullptr), static_cast<std::uint64_t>(i + 1));
    EXPECT_EQ(log.latest("g"), 5u);
    auto all = log.after("g", 0);
    EXPECT_EQ(all.oldest, 3u);
    EXPECT_EQ(seqs(all.entries), (std::vector<std::uint64_t>{3, 4, 5}));
    EXPECT_EQ(seqs(log.after("g", 4).entries), (std::vector<std::uint64_t>{5}));
    EXPECT_TRUE(log.after("g", 5).entries.empty());
    EXPECT_TRUE(log.after("g", 99).entries.empty());
    auto none = log.after("other", 0);
    EXPECT_EQ(none.latest, 0u);
    EXPECT_EQ(none.oldest, 1u);
}

// Randomized: subscribers join with and without resume at random points while messages flow,
// with history reads answered late (live traffic buffered meanwhile) and a small history.
// Every subscriber must see a gap-free, duplicate-free ascending run from its start point, or
// an explicit gap notice covering exactly what the history had lost.
TEST(HubRandomized, ReplayAndLiveNeverGapOrDuplicate) {
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        fast_rng rng(seed);
        hub h(1 << 20);
        channel_log log(1 + rng.below(20));
        struct client {
            std::optional<std::uint64_t> start;  // resume point, or nullopt = fresh
            std::vector<std::uint64_t> got;
            std::optional<hub_sync_result::gap> gap;
            std::uint64_t subscribed = 0;
            bool pending = false;
            bool synced = false;
            log_range snapshot;
            std::uint64_t latest_at_sync = 0;
        };
        std::map<subscriber_id, client> clients;
        subscriber_id next_id = 1;
        for (int step = 0; step < 400; ++step) {
            const auto op = rng.below(10);
            if (op < 5) {
                const auto seq = log.append("c", nullptr);
                h.on_message(
                    "c", entry(seq), [&](subscriber_id s) { clients[s].got.push_back(seq); },
                    [&](subscriber_id) { FAIL() << "unexpected overflow"; });
            } else if (op < 7) {
                client c;
                const auto latest = log.latest("c");
                if (rng.below(2))
                    c.start = latest == 0 ? 0 : rng.below(latest + 1);
                c.pending = true;
                h.subscribe(next_id, "c", c.start);
                clients[next_id++] = c;
            } else {
                // Answer one pending history read with a snapshot taken now (the read
                // "happened" at some point after subscribe, as over a real bus).
                for (auto& [id, c] : clients) {
                    if (!c.pending)
                        continue;
                    auto range = log.after("c", c.start.value_or(log.latest("c")));
                    auto sync = h.on_synced(id, "c", range.entries, range.oldest, range.latest);
                    ASSERT_FALSE(sync.stale);
                    c.gap = sync.missing;
                    for (auto& e : sync.deliver)
                        c.got.push_back(e.seq);
                    c.subscribed = sync.subscribed_seq;
                    c.latest_at_sync = range.latest;
                    c.snapshot = range;
                    c.pending = false;
                    c.synced = true;
                    break;
                }
            }
        }
        const auto final_latest = log.latest("c");
        for (auto& [id, c] : clients) {
            if (!c.synced)
                continue;
            std::uint64_t from = c.start ? *c.start + 1 : c.latest_at_sync + 1;
            if (c.gap) {
                ASSERT_EQ(c.gap->requested, *c.start);
                from = c.gap->oldest;
            }
            std::vector<std::uint64_t> want;
            for (auto s = from; s <= final_latest; ++s)
                want.push_back(s);
            ASSERT_EQ(c.got, want) << "client " << id;
        }
    }
}
