#include "engine/load/safety.hpp"

#include <gtest/gtest.h>

namespace switchyard::load {
namespace {

TEST(LoadSafety, LoopbackHosts) {
    EXPECT_TRUE(is_loopback_host("localhost"));
    EXPECT_TRUE(is_loopback_host("127.0.0.1"));
    EXPECT_TRUE(is_loopback_host("127.0.3.9"));
    EXPECT_TRUE(is_loopback_host("::1"));
    EXPECT_TRUE(is_loopback_host("[::1]"));
    EXPECT_FALSE(is_loopback_host("127.example.com"));
    EXPECT_FALSE(is_loopback_host("127.0.0"));
    EXPECT_FALSE(is_loopback_host("10.0.0.1"));
    EXPECT_FALSE(is_loopback_host("staging.example.com"));
}

TEST(LoadSafety, RemoteTargetAboveTheSmallDefaultNeedsYes) {
    EXPECT_FALSE(safety_refusal("staging.example.com", 100, 100, false));
    const auto r = safety_refusal("staging.example.com", 101, 10, false);
    ASSERT_TRUE(r);
    EXPECT_NE(r->find("--yes"), std::string::npos);
    EXPECT_NE(r->find("staging.example.com"), std::string::npos);
    EXPECT_TRUE(safety_refusal("10.0.0.1", 10, 500, false));
    EXPECT_FALSE(safety_refusal("10.0.0.1", 5000, 500, true));
    EXPECT_FALSE(safety_refusal("127.0.0.1", 5000, 500, false));
}

}  // namespace
}  // namespace switchyard::load
