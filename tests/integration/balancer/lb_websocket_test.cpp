// WebSocket upgrades through switchyard-lb, plain and TLS, with stickiness and backend death.
#include <gtest/gtest.h>

#include "lb_test_support.hpp"

using namespace lbtest;

TEST(BalancerWebSocket, EchoThroughPlainHttpWithCookieOn101) {
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--backend",
                        "b2=127.0.0.1:" + std::to_string(b2.port), "--cookie-secret", "s"});
    ws_client ws(lb.port, false);
    ASSERT_EQ(ws.echo("hello"), std::optional<std::string>("hello"));
    const auto id = ws.backend_id();
    ASSERT_TRUE(id == "b1" || id == "b2") << id;
    EXPECT_EQ(ws.echo("id"), std::optional<std::string>(id));
    const auto cookie = ws.set_cookie();
    ASSERT_EQ(cookie.rfind("server=" + id + ".", 0), 0u) << cookie;
    // The cookie from the 101 pins later upgrades and plain requests alike.
    for (int i = 0; i < 10; ++i) {
        ws_client again(lb.port, false, "/ws", cookie_pair(cookie));
        EXPECT_EQ(again.backend_id(), id);
        EXPECT_EQ(again.set_cookie(), "");
        auto r = fetch(lb.port, "/", {{"Cookie", cookie_pair(cookie)}});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->header("x-backend-id"), id);
    }
    // Many messages, some large, keep their order and content through the tunnel.
    for (int i = 0; i < 200; ++i) {
        const std::string msg = "m" + std::to_string(i) + std::string(i * 37, 'z');
        ASSERT_EQ(ws.echo(msg), std::optional<std::string>(msg));
    }
    auto s = stats(lb.admin);
    EXPECT_GE(s["totals"].as_object()["tunnels"].as_int64(), 11);
}

TEST(BalancerWebSocket, ClientIsClosedWhenBackendDies) {
    auto b1 = start_backend("b1");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port)});
    ws_client ws(lb.port, false);
    ASSERT_EQ(ws.echo("before"), std::optional<std::string>("before"));
    EXPECT_TRUE(eventually(
        [&] { return stats(lb.admin)["totals"].as_object()["tunnels_active"].as_int64() == 1; },
        5s));
    b1.process->kill_now();
    EXPECT_TRUE(ws.wait_closed(5s)) << "the tunnel must close the client when the backend dies";
    EXPECT_TRUE(eventually(
        [&] { return stats(lb.admin)["totals"].as_object()["tunnels_active"].as_int64() == 0; },
        5s));
}

TEST(BalancerWebSocket, EchoThroughTlsAndHttpsProxying) {
    auto dir = test_dir();
    auto [cert, key] = make_self_signed_cert(dir);
    auto b1 = start_backend("b1");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--tls-cert", cert,
                        "--tls-key", key});
    ws_client ws(lb.port, true);
    ASSERT_EQ(ws.echo("over tls"), std::optional<std::string>("over tls"));
    EXPECT_NE(ws.set_cookie().find("; Secure"), std::string::npos);
    for (int i = 0; i < 50; ++i) {
        const std::string msg(1000 + i * 300, static_cast<char>('a' + i % 26));
        ASSERT_EQ(ws.echo(msg), std::optional<std::string>(msg));
    }
    http_client https(lb.port, true);
    for (int i = 0; i < 5; ++i) {
        auto r = https.request("GET", "/x");
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->header("x-seen-x-forwarded-proto"), "https");
    }
    // Plain HTTP on the TLS port is not served.
    auto plain = raw_exchange(lb.port, {"GET / HTTP/1.1\r\nHost: x\r\n\r\n"}, 0ms, 3s);
    EXPECT_EQ(plain.data.find("HTTP/1.1 200"), std::string::npos);
}
