// SockJS under the relay's first-request and idle rules (docs/security.md, "Relay"): a silent
// or unfinished request is closed, an idle keep-alive connection is closed, a parked poll (a
// session) is not; with a token secret an xhr session's client id needs its token.
#include <fstream>

#include <gtest/gtest.h>

#include "tests/integration/relay/relay_test_support.hpp"

using namespace relay_test;

namespace {

std::string xhr(const std::string& target, const std::string& body = "") {
    return "POST " + target +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

}  // namespace

TEST(SockjsLimits, IdleKeepAliveAndSilentConnectionsAreClosedButAParkedPollStays) {
    relay_proc relay("sockjs-limits-1", "memory",
                     {"--handshake-timeout-ms", "1000", "--idle-timeout-ms", "1500",
                      "--sockjs-heartbeat-ms", "60000", "--sockjs-disconnect-delay-ms", "60000"});
    // The session's first poll answers the open frame; the connection then idles.
    raw_conn opener(relay.port);
    opener.send(xhr("/sockjs/000/k1/xhr"));
    raw_conn unfinished(relay.port);
    unfinished.send("POST /sockjs/000/k2/xhr HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    ASSERT_TRUE(eventually([&] { return opener.closed_by_peer(); }, 20s));
    EXPECT_EQ(opener.received().rfind("HTTP/1.1 200", 0), 0u) << opener.received();
    EXPECT_NE(opener.received().find("o\n"), std::string::npos) << opener.received();
    ASSERT_TRUE(eventually([&] { return unfinished.closed_by_peer(); }, 20s));
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_idle_timeouts_total"), 1);
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_handshake_timeouts_total"), 1);

    // A poll parked waiting for messages belongs to a session: the idle rule does not cut it,
    // even once another connection opened after it has been idle-closed.
    raw_conn poll(relay.port);
    poll.send(xhr("/sockjs/000/k1/xhr"));
    raw_conn later(relay.port);
    later.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    ASSERT_TRUE(eventually([&] { return later.closed_by_peer(); }, 20s));
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_idle_timeouts_total"), 2);
    EXPECT_FALSE(poll.closed_by_peer());
    EXPECT_TRUE(poll.received().empty()) << poll.received();
    raw_conn sender(relay.port);
    sender.send(xhr("/sockjs/000/k1/xhr_send", R"(["hi"])"));
    ASSERT_TRUE(eventually([&] {
        poll.closed_by_peer();
        return poll.received().find("a[") != std::string::npos;
    }));
    EXPECT_NE(poll.received().find("hi"), std::string::npos) << poll.received();
}

TEST(SockjsLimits, WithATokenSecretAnXhrSessionIdNeedsItsToken) {
    const auto secret_file = temp_dir("sockjs-token") / "secret";
    std::ofstream(secret_file) << "s3cret";
    relay_proc relay("sockjs-token-1", "memory",
                     {"--client-token-secret-file", secret_file.string()});
    raw_conn refused(relay.port);
    refused.send(xhr("/sockjs/000/t1/xhr?client=alice"));
    ASSERT_TRUE(eventually([&] { return refused.closed_by_peer(); }));
    EXPECT_EQ(refused.received().rfind("HTTP/1.1 401", 0), 0u) << refused.received();
    // hex(HMAC-SHA256("s3cret", "alice")), from: printf alice | openssl dgst -sha256 -hmac s3cret
    raw_conn accepted(relay.port);
    accepted.send(
        xhr("/sockjs/000/t2/xhr?client=alice&token="
            "765542af1f1d587bc60c218dca532a258f56b9c21a427cc819de2a1ff6d3e146"));
    ASSERT_TRUE(eventually([&] {
        accepted.closed_by_peer();
        return accepted.received().find("o\n") != std::string::npos;
    }));
    EXPECT_EQ(accepted.received().rfind("HTTP/1.1 200", 0), 0u) << accepted.received();
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_token_rejections_total"), 1);
}
