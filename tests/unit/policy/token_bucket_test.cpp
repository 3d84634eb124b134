// The per-backend cap on new connections during a reconnect storm.
#include "backends/policy/token_bucket.hpp"

#include <gtest/gtest.h>

using switchyard::policy::token_bucket;
using namespace std::chrono_literals;

TEST(TokenBucket, ABurstThenTheRate) {
    token_bucket b(100, 10);
    const auto t0 = token_bucket::clock::time_point{} + 1h;
    int taken = 0;
    for (int i = 0; i < 50; ++i)
        taken += b.try_take(t0);
    EXPECT_EQ(taken, 10) << "the burst, then nothing at the same instant";
    EXPECT_FALSE(b.try_take(t0 + 5ms)) << "half a token after 5 ms at 100/s";
    EXPECT_TRUE(b.try_take(t0 + 10ms));
    // Over one second the rate holds: 100 more, give or take the rounding of the last one.
    int in_a_second = 0;
    for (int ms = 11; ms <= 1010; ++ms)
        in_a_second += b.try_take(t0 + std::chrono::milliseconds(ms));
    EXPECT_GE(in_a_second, 99);
    EXPECT_LE(in_a_second, 101);
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurstAndIgnoresTimeGoingBack) {
    token_bucket b(10, 3);
    const auto t0 = token_bucket::clock::time_point{} + 1h;
    EXPECT_DOUBLE_EQ(b.available(t0), 3.0);
    EXPECT_DOUBLE_EQ(b.available(t0 + 1h), 3.0);
    EXPECT_TRUE(b.try_take(t0 + 1h));
    EXPECT_DOUBLE_EQ(b.available(t0), 2.0) << "an earlier now adds nothing";
}

TEST(TokenBucket, ZeroRateIsUnlimited) {
    token_bucket b(0, 0);
    EXPECT_FALSE(b.limited());
    const auto t0 = token_bucket::clock::time_point{};
    for (int i = 0; i < 10000; ++i)
        ASSERT_TRUE(b.try_take(t0));
}
