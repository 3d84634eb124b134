// The relay's admission cores: connection limits, client id claims, client tokens, channel quota.
#include <gtest/gtest.h>

#include "backends/relay/channel_quota.hpp"
#include "backends/relay/client_id_claims.hpp"
#include "backends/relay/client_token.hpp"
#include "backends/relay/connection_limits.hpp"
#include "backends/relay/relay_config.hpp"

using namespace switchyard::relay;

TEST(ConnectionLimits, PerAddressMaximumLeavesOtherAddressesServed) {
    connection_limits limits(10, 2);
    EXPECT_EQ(limits.admit("10.0.0.1"), admission::accepted);
    EXPECT_EQ(limits.admit("10.0.0.1"), admission::accepted);
    EXPECT_EQ(limits.admit("10.0.0.1"), admission::over_address);
    EXPECT_EQ(limits.admit("10.0.0.2"), admission::accepted);
    EXPECT_EQ(limits.total(), 3u);
    EXPECT_EQ(limits.from("10.0.0.1"), 2u);
    limits.release("10.0.0.1");
    EXPECT_EQ(limits.admit("10.0.0.1"), admission::accepted);
}

TEST(ConnectionLimits, TotalMaximumAndReleaseForgetsEmptyAddresses) {
    connection_limits limits(2, 0);
    EXPECT_EQ(limits.admit("a"), admission::accepted);
    EXPECT_EQ(limits.admit("b"), admission::accepted);
    EXPECT_EQ(limits.admit("c"), admission::over_total);
    EXPECT_EQ(limits.addresses(), 2u);
    limits.release("a");
    limits.release("b");
    EXPECT_EQ(limits.total(), 0u);
    EXPECT_EQ(limits.addresses(), 0u);  // no entry kept per address ever seen
    EXPECT_EQ(limits.admit("c"), admission::accepted);
}

TEST(ConnectionLimits, ZeroMeansNoMaximum) {
    connection_limits limits(0, 0);
    for (int i = 0; i < 5000; ++i)
        ASSERT_EQ(limits.admit("127.0.0.1"), admission::accepted);
    EXPECT_EQ(limits.total(), 5000u);
}

TEST(ClientIdClaims, ANewConnectionReplacesTheHolder) {
    client_id_claims claims;
    EXPECT_FALSE(claims.claim("alice", {1, 0}));
    auto replaced = claims.claim("alice", {2, 1});
    ASSERT_TRUE(replaced);
    EXPECT_EQ(*replaced, (id_holder{1, 0}));
    EXPECT_EQ(claims.holder("alice"), (id_holder{2, 1}));
    // The replaced connection closing later must not free the id its successor holds.
    EXPECT_FALSE(claims.release("alice", 1));
    EXPECT_EQ(claims.holder("alice"), (id_holder{2, 1}));
    EXPECT_TRUE(claims.release("alice", 2));
    EXPECT_FALSE(claims.holder("alice"));
    EXPECT_EQ(claims.size(), 0u);
}

TEST(ClientIdClaims, ClaimingTwiceBySameConnectionReplacesNothing) {
    client_id_claims claims;
    claims.claim("bob", {7, 0});
    EXPECT_FALSE(claims.claim("bob", {7, 0}));
}

TEST(ClientToken, SignIsHmacSha256HexAndVerifyChecksIt) {
    client_token signer("s3cret");
    // Known answer from: printf alice | openssl dgst -sha256 -hmac s3cret
    const std::string token = signer.sign("alice");
    EXPECT_EQ(token.size(), client_token::token_chars);
    EXPECT_EQ(token, "765542af1f1d587bc60c218dca532a258f56b9c21a427cc819de2a1ff6d3e146");
    EXPECT_TRUE(signer.verify("alice", token));
    EXPECT_FALSE(signer.verify("alicf", token));
    EXPECT_FALSE(signer.verify("alice", token.substr(1)));
    std::string flipped = token;
    flipped[10] = flipped[10] == '0' ? '1' : '0';
    EXPECT_FALSE(signer.verify("alice", flipped));
    EXPECT_FALSE(client_token("other").verify("alice", token));
    EXPECT_THROW(client_token(""), std::invalid_argument);
}

TEST(ClientToken, CheckClientIdWithAndWithoutSecret) {
    client_token signer("k");
    const std::string good = signer.sign("bob");
    EXPECT_EQ(check_client_id("bob", "", nullptr), id_check::ok);
    EXPECT_EQ(check_client_id("", "", &signer), id_check::ok);  // the relay invents an id
    EXPECT_EQ(check_client_id("bob", "", &signer), id_check::token_missing);
    EXPECT_EQ(check_client_id("bob", "00", &signer), id_check::bad_token);
    EXPECT_EQ(check_client_id("bob", good, &signer), id_check::ok);
    EXPECT_EQ(check_client_id("b o b", good, &signer), id_check::bad_id);
    EXPECT_EQ(check_client_id(std::string(65, 'x'), "", nullptr), id_check::bad_id);
}

TEST(ChannelQuota, ZeroIsUnlimitedOtherwiseAStrictMaximum) {
    EXPECT_TRUE(may_subscribe(0, 1));
    EXPECT_TRUE(may_subscribe(1, 0));
    EXPECT_FALSE(may_subscribe(1, 1));
    EXPECT_TRUE(may_subscribe(256, 255));
    EXPECT_FALSE(may_subscribe(256, 256));
}

TEST(RelayConfig, LimitFlagsHaveSaneDefaultsAndParse) {
    const relay_config defaults;
    EXPECT_EQ(defaults.handshake_timeout, std::chrono::milliseconds{10'000});
    EXPECT_EQ(defaults.max_connections_per_address, 4'096u);
    EXPECT_EQ(defaults.max_channels_per_client, 256u);
    EXPECT_TRUE(defaults.client_token_secret.empty());
    auto r = parse_relay_args({"--handshake-timeout-ms", "250", "--idle-timeout-ms=900",
                               "--max-connections", "0", "--max-connections-per-address", "7",
                               "--max-channels-per-client", "3", "--history-bytes", "0",
                               "--trim-interval-ms", "0"});
    ASSERT_TRUE(r.config) << r.message;
    EXPECT_EQ(r.config->handshake_timeout, std::chrono::milliseconds{250});
    EXPECT_EQ(r.config->idle_timeout, std::chrono::milliseconds{900});
    EXPECT_EQ(r.config->max_connections, 0u);
    EXPECT_EQ(r.config->max_connections_per_address, 7u);
    EXPECT_EQ(r.config->max_channels_per_client, 3u);
    EXPECT_EQ(r.config->history_bytes_max, 0u);
    EXPECT_EQ(r.config->trim_interval, std::chrono::milliseconds{0});
    // A secret file that cannot be read is a usage error naming the flag.
    auto bad = parse_relay_args({"--client-token-secret-file", "/nonexistent/secret"});
    EXPECT_FALSE(bad.config);
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.message.find("--client-token-secret-file"), std::string::npos);
    EXPECT_NE(relay_usage().find("--max-connections-per-address"), std::string::npos);
}
