// Cross-origin WebSocket upgrades against the real relay (docs/security.md, "Origins"): a page
// from another origin gets 403 before the upgrade, on /ws and on both SockJS WebSocket paths,
// and is counted; no Origin (the engine's fleet, tools) and the relay's own origin get 101; the
// allow-list opens exact origins; SockJS's HTTP transports keep echoing the Origin (CORS).
#include <gtest/gtest.h>

#include "tests/integration/relay/relay_test_support.hpp"

using namespace relay_test;

namespace {

/// What `c` received once it holds `delim` (or the peer closed, or `timeout` passed).
std::string read_until(raw_conn& c, const std::string& delim, std::chrono::milliseconds timeout) {
    eventually([&] { return c.closed_by_peer() || c.received().find(delim) != std::string::npos; },
               timeout);
    return c.received();
}

/// Sends a WebSocket upgrade of `target` with `origin` ("" = no Origin header) and `host`
/// ("" = 127.0.0.1:<port>); returns the status code of the answer (0 when none came).
int upgrade_with_origin(unsigned short port, const std::string& target, const std::string& origin,
                        std::string host = "") {
    if (host.empty())
        host = "127.0.0.1:" + std::to_string(port);
    raw_conn c(port);
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: " + host +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                      "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    if (!origin.empty())
        req += "Origin: " + origin + "\r\n";
    c.send(req + "\r\n");
    const auto head = read_until(c, "\r\n", 10s);
    if (head.rfind("HTTP/1.1 ", 0) != 0)
        return 0;
    return std::stoi(head.substr(9, 3));
}

const std::vector<std::string> ws_paths{"/ws", "/sockjs/websocket",
                                        "/sockjs/000/origin1/websocket"};

}  // namespace

TEST(RelayOrigin, ByDefaultOnlyNoOriginAndSameOriginUpgradeAndOthersGet403Counted) {
    relay_proc relay("origin-default", "memory");
    const std::string self = "http://127.0.0.1:" + std::to_string(relay.port);
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_origin_rejections_total"), 0);
    for (const auto& path : ws_paths) {
        SCOPED_TRACE(path);
        EXPECT_EQ(upgrade_with_origin(relay.port, path, ""), 101) << "no Origin: not a browser";
        EXPECT_EQ(upgrade_with_origin(relay.port, path, self), 101) << "same origin";
        EXPECT_EQ(upgrade_with_origin(relay.port, path, "http://evil.example"), 403);
        EXPECT_EQ(upgrade_with_origin(relay.port, path, self + "1"), 403) << "another port";
        EXPECT_EQ(upgrade_with_origin(relay.port, path, "null"), 403) << "opaque origin";
    }
    EXPECT_TRUE(eventually(
        [&] { return metric(relay.admin, "switchyard_relay_origin_rejections_total") == 9; }));

    // Behind a balancer the Host is the public name the page was served from: same origin.
    EXPECT_EQ(upgrade_with_origin(relay.port, "/ws", "https://chat.example", "chat.example"), 101);

    // SockJS's HTTP transports keep the protocol's CORS answer: the Origin is echoed.
    raw_conn info(relay.port);
    info.send(
        "OPTIONS /sockjs/info HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example"
        "\r\nConnection: close\r\n\r\n");
    const auto answer = read_until(info, "\r\n\r\n", 10s);
    EXPECT_NE(answer.find("HTTP/1.1 204"), std::string::npos) << answer;
    EXPECT_NE(answer.find("Access-Control-Allow-Origin: http://evil.example"), std::string::npos)
        << answer;
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_origin_rejections_total"), 9);
}

TEST(RelayOrigin, TheAllowListOpensExactOriginsAndStarOpensAll) {
    relay_proc listed("origin-listed", "memory",
                      {"--allowed-origins", "https://app.example, http://localhost:3000"});
    for (const auto& path : ws_paths) {
        SCOPED_TRACE(path);
        EXPECT_EQ(upgrade_with_origin(listed.port, path, "https://app.example"), 101);
        EXPECT_EQ(upgrade_with_origin(listed.port, path, "https://APP.example:443"), 101);
        EXPECT_EQ(upgrade_with_origin(listed.port, path, "http://localhost:3000"), 101);
        EXPECT_EQ(upgrade_with_origin(listed.port, path, "http://app.example"), 403) << "scheme";
        EXPECT_EQ(upgrade_with_origin(listed.port, path, "https://app.example:8443"), 403);
        EXPECT_EQ(upgrade_with_origin(listed.port, path, ""), 101);
    }
    EXPECT_TRUE(eventually(
        [&] { return metric(listed.admin, "switchyard_relay_origin_rejections_total") == 6; }));

    relay_proc any("origin-any", "memory", {"--allowed-origins", "*"});
    EXPECT_EQ(upgrade_with_origin(any.port, "/ws", "http://evil.example"), 101);
    EXPECT_EQ(upgrade_with_origin(any.port, "/sockjs/websocket", "null"), 101);
    EXPECT_EQ(metric(any.admin, "switchyard_relay_origin_rejections_total"), 0);
}

TEST(RelayOrigin, ARefusedUpgradeNeverReachesTheHub) {
    // The 403 comes before anything else: a refused page's connection cannot subscribe, so a
    // publish on the relay reaches only the allowed subscriber.
    relay_proc relay("origin-hub", "memory");
    ws_client ok(relay.port, "/ws?client=ok");
    ok.send(R"({"type":"subscribe","channels":["global"]})");
    ASSERT_TRUE(ok.wait_type("subscribed"));
    EXPECT_EQ(upgrade_with_origin(relay.port, "/ws?client=evil", "http://evil.example"), 403);
    EXPECT_EQ(metric(relay.admin, "relay_connections"), 1);
}
