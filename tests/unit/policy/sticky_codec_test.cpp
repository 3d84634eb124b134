#include "backends/policy/sticky_codec.hpp"

#include <gtest/gtest.h>

using namespace switchyard::policy;
using namespace std::chrono_literals;

namespace {
const sticky_codec::wall_time t0{std::chrono::seconds{1'800'000'000}};
}

TEST(StickyCodec, RoundTripNamesTheBackend) {
    sticky_codec codec("s3cret", 0s);
    const std::string cookie = codec.encode("relay-2", t0);
    EXPECT_EQ(codec.decode(cookie, t0), std::optional<std::string>("relay-2"));
}

TEST(StickyCodec, TamperedIdIsRejected) {
    sticky_codec codec("s3cret", 0s);
    std::string cookie = codec.encode("relay-2", t0);
    cookie[6] = '3';  // "relay-3.<issued>.<mac of relay-2>"
    sticky_reject why{};
    EXPECT_FALSE(codec.decode(cookie, t0, &why));
    EXPECT_EQ(why, sticky_reject::bad_signature);
}

TEST(StickyCodec, TamperedMacIsRejected) {
    sticky_codec codec("s3cret", 0s);
    std::string cookie = codec.encode("a", t0);
    cookie.back() = cookie.back() == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.decode(cookie, t0));
}

TEST(StickyCodec, WrongKeyIsRejected) {
    sticky_codec writer("key-one", 0s);
    sticky_codec reader("key-two", 0s);
    sticky_reject why{};
    EXPECT_FALSE(reader.decode(writer.encode("relay-1", t0), t0, &why));
    EXPECT_EQ(why, sticky_reject::bad_signature);
}

TEST(StickyCodec, ExpiredCookieIsRejected) {
    sticky_codec codec("s3cret", 60s);
    const std::string cookie = codec.encode("relay-1", t0);
    EXPECT_TRUE(codec.decode(cookie, t0 + 60s));
    sticky_reject why{};
    EXPECT_FALSE(codec.decode(cookie, t0 + 61s, &why));
    EXPECT_EQ(why, sticky_reject::expired);
}

TEST(StickyCodec, IssuedTimeIsCoveredBySignature) {
    sticky_codec codec("s3cret", 60s);
    std::string cookie = codec.encode("relay-1", t0);
    // Push the issued time forward to extend the cookie's life: the MAC must break.
    const auto first = cookie.find('.');
    cookie[first + 1] = cookie[first + 1] == 'f' ? 'e' : 'f';
    EXPECT_FALSE(codec.decode(cookie, t0));
}

struct malformed_case {
    const char* value;
};
class StickyCodecMalformed : public ::testing::TestWithParam<malformed_case> {};

TEST_P(StickyCodecMalformed, CountsAsAbsent) {
    sticky_codec codec("s3cret", 0s);
    sticky_reject why{};
    EXPECT_FALSE(codec.decode(GetParam().value, t0, &why));
    EXPECT_NE(why, sticky_reject::none);
}

INSTANTIATE_TEST_SUITE_P(Values, StickyCodecMalformed,
                         ::testing::Values(malformed_case{""}, malformed_case{"relay-1"},
                                           malformed_case{"relay-1.abc"}, malformed_case{"."},
                                           malformed_case{".."}, malformed_case{"a.zz.mac"},
                                           malformed_case{"a b.1.mac"},
                                           malformed_case{"a.11111111111111111.x"},
                                           malformed_case{"\xff\xfe.1.x"}));

TEST(StickyCodec, ValidIds) {
    EXPECT_TRUE(sticky_codec::valid_id("relay_1-A"));
    EXPECT_FALSE(sticky_codec::valid_id(""));
    EXPECT_FALSE(sticky_codec::valid_id("has.dot"));
    EXPECT_FALSE(sticky_codec::valid_id(std::string(65, 'a')));
}

TEST(StickyCodec, EmptySecretIsRefused) {
    EXPECT_THROW(sticky_codec("", 0s), std::invalid_argument);
}
