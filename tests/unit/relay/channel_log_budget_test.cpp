// The history byte budget of policy::channel_log: idle channels lose their history first.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "backends/policy/channel_log.hpp"
#include "backends/policy/fast_rng.hpp"

using namespace switchyard::policy;

TEST(ChannelLogBudget, IdleChannelsAreEvictedFirstAndSeqsAreKept) {
    channel_log log(1024, 300);
    log.append("idle", nullptr, 100);
    log.append("busy", nullptr, 100);
    log.append("busy", nullptr, 100);
    EXPECT_EQ(log.history_bytes(), 300u);
    EXPECT_EQ(log.evicted_entries(), 0u);
    // One more byte than the budget: the least recently published channel goes, whole.
    log.append("busy", nullptr, 100);
    EXPECT_EQ(log.history_bytes(), 300u);
    EXPECT_EQ(log.evicted_channels(), 1u);
    EXPECT_EQ(log.evicted_entries(), 1u);
    auto idle = log.after("idle", 0);
    EXPECT_TRUE(idle.entries.empty());
    EXPECT_EQ(idle.latest, 1u);
    EXPECT_EQ(idle.oldest, 2u);  // a resume from 0 reports the gap
    EXPECT_EQ(log.after("busy", 0).entries.size(), 3u);
    // The evicted channel's numbering goes on.
    EXPECT_EQ(log.append("idle", nullptr, 10), 2u);
}

TEST(ChannelLogBudget, ASingleChannelOverTheBudgetKeepsItsNewestEntries) {
    channel_log log(1024, 250);
    for (int i = 0; i < 5; ++i)
        log.append("only", nullptr, 100);
    auto r = log.after("only", 0);
    ASSERT_EQ(r.entries.size(), 2u);
    EXPECT_EQ(r.entries.front().seq, 4u);
    EXPECT_EQ(log.history_bytes(), 200u);
    EXPECT_EQ(log.evicted_entries(), 3u);
    EXPECT_EQ(log.evicted_channels(), 0u);
    // An entry larger than the whole budget is still kept alone (the newest is never dropped).
    log.append("only", nullptr, 1000);
    EXPECT_EQ(log.after("only", 0).entries.size(), 1u);
}

TEST(ChannelLogBudget, NoBudgetMeansOnlyTheEntryLimit) {
    channel_log log(2, 0);
    for (int i = 0; i < 10; ++i)
        log.append(std::to_string(i % 3), nullptr, 1'000'000);
    EXPECT_EQ(log.evicted_entries(), 0u);
    EXPECT_EQ(log.after("0", 0).entries.size(), 2u);
    EXPECT_EQ(log.history_bytes(), 6'000'000u);  // 3 channels x 2 entries
}

TEST(ChannelLogBudgetRandomized, BytesStayWithinBudgetAndAccountingIsExact) {
    const std::uint64_t seed = 0x5eed25;
    fast_rng rng(seed);
    channel_log log(8, 5000);
    std::map<std::string, std::uint64_t> latest;
    for (int i = 0; i < 20000; ++i) {
        const std::string ch = "c" + std::to_string(rng.below(50));
        const std::size_t bytes = 1 + rng.below(400);
        EXPECT_EQ(log.append(ch, nullptr, bytes), ++latest[ch]) << "seed " << seed;
        ASSERT_LE(log.history_bytes(), 5000u) << "seed " << seed << " step " << i;
    }
    for (const auto& [ch, seq] : latest) {
        auto r = log.after(ch, 0);
        EXPECT_EQ(r.latest, seq) << "seed " << seed;
        EXPECT_LE(r.entries.size(), 8u);
        // What is held is contiguous and ends at the latest seq.
        if (!r.entries.empty()) {
            EXPECT_EQ(r.entries.back().seq, seq) << "seed " << seed;
        }
    }
}
