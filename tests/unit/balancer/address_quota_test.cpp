// Connections per client address: the count, the limit, and slots given back.
#include "backends/balancer/address_quota.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using switchyard::balancer::address_quota;
namespace ip = boost::asio::ip;

TEST(AddressQuota, CountsPerAddressUpToTheLimitAndReleasesOnDestruction) {
    address_quota q(2);
    const auto a = ip::make_address("10.0.0.1");
    const auto b = ip::make_address("10.0.0.2");
    address_quota::lease l1, l2, l3, other;
    EXPECT_TRUE(q.try_acquire(a, l1));
    EXPECT_TRUE(q.try_acquire(a, l2));
    EXPECT_FALSE(q.try_acquire(a, l3));
    EXPECT_TRUE(q.try_acquire(b, other));
    EXPECT_EQ(q.count(a), 2u);
    EXPECT_EQ(q.addresses(), 2u);
    l1.reset();
    EXPECT_EQ(q.count(a), 1u);
    EXPECT_TRUE(q.try_acquire(a, l3));
    {
        address_quota::lease moved = std::move(l3);
        EXPECT_EQ(q.count(a), 2u) << "a move hands the slot over, it does not free it";
    }
    EXPECT_EQ(q.count(a), 1u);
    l2.reset();
    other.reset();
    EXPECT_EQ(q.addresses(), 0u) << "an address with nothing open is forgotten";
}

TEST(AddressQuota, Ipv4AndItsMappedIpv6FormAreOneClient) {
    address_quota q(1);
    address_quota::lease l1, l2;
    EXPECT_TRUE(q.try_acquire(ip::make_address("127.0.0.1"), l1));
    EXPECT_FALSE(q.try_acquire(ip::make_address("::ffff:127.0.0.1"), l2));
}

TEST(AddressQuota, ZeroMeansNoLimit) {
    address_quota q(0);
    std::vector<address_quota::lease> leases(100);
    for (auto& l : leases)
        EXPECT_TRUE(q.try_acquire(ip::make_address("10.0.0.1"), l));
}

TEST(AddressQuota, ConcurrentAcquireNeverPassesTheLimit) {
    address_quota q(50);
    const auto a = ip::make_address("10.0.0.9");
    std::vector<std::vector<address_quota::lease>> held(4);
    std::vector<std::thread> threads;
    std::atomic<int> granted{0};
    for (auto& mine : held)
        threads.emplace_back([&] {
            for (int i = 0; i < 100; ++i) {
                address_quota::lease l;
                if (q.try_acquire(a, l)) {
                    ++granted;
                    mine.push_back(std::move(l));
                }
            }
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(granted.load(), 50);
    EXPECT_EQ(q.count(a), 50u);
}
