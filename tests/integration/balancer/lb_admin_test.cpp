// The admin listener: /stats, /metrics, token-guarded commands and what they do to routing.
#include <gtest/gtest.h>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {
std::optional<reply> post(unsigned short port, const std::string& target,
                          const std::string& token) {
    http_client c(port);
    std::vector<std::pair<std::string, std::string>> h;
    if (!token.empty())
        h.emplace_back("Authorization", "Bearer " + token);
    return c.request("POST", target, h);
}
}  // namespace

TEST(BalancerAdmin, StatsAndMetricsDescribeBackends) {
    auto b1 = start_backend("b1");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--name", "edge"});
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(fetch(lb.port, "/"));
    auto s = stats(lb.admin);
    EXPECT_EQ(s["name"].as_string(), "edge");
    auto& b = s["backends"].as_array().at(0).as_object();
    EXPECT_EQ(b["id"].as_string(), "b1");
    EXPECT_EQ(b["state"].as_string(), "up");
    EXPECT_EQ(b["requests"].as_int64(), 3);
    for (const char* key : {"weight", "active_connections", "errors", "last_check", "state_changes",
                            "address", "health"})
        EXPECT_TRUE(b.contains(key)) << key;
    EXPECT_EQ(s["totals"].as_object()["requests"].as_int64(), 3);
    auto m = fetch(lb.admin, "/metrics");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->status, 200);
    EXPECT_NE(m->body.find("switchyard_lb_backend_requests_total{lb=\"edge\",backend=\"b1\"} 3"),
              std::string::npos)
        << m->body;
    EXPECT_NE(m->body.find("switchyard_lb_backend_up{lb=\"edge\",backend=\"b1\"} 1"),
              std::string::npos);
    auto missing = fetch(lb.admin, "/nope");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
}

TEST(BalancerAdmin, CommandsNeedTheToken) {
    auto b1 = start_backend("b1");
    auto lb = start_lb(
        {"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--admin-token", "t0ken"});
    auto none = post(lb.admin, "/backends/b1/disable", "");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401);
    EXPECT_EQ(none->header("www-authenticate"), "Bearer");
    auto wrong = post(lb.admin, "/backends/b1/disable", "t0kex");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401);
    EXPECT_EQ(backend_state(lb.admin, "b1"), "up") << "a rejected command changed nothing";
    auto unknown = post(lb.admin, "/backends/zz/disable", "t0ken");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);
    auto get = fetch(lb.admin, "/backends/b1/disable");
    ASSERT_TRUE(get);
    EXPECT_EQ(get->status, 405);

    auto lb_no_token = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port)});
    auto off = post(lb_no_token.admin, "/backends/b1/disable", "anything");
    ASSERT_TRUE(off);
    EXPECT_EQ(off->status, 403);
}

TEST(BalancerAdmin, DrainKeepsPinnedClientsDisableMovesEveryoneEnableRestores) {
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--backend",
                        "b2=127.0.0.1:" + std::to_string(b2.port), "--admin-token", "t",
                        "--cookie-secret", "s"});
    // A WebSocket tunnel and a cookie pinned to b1.
    std::unique_ptr<ws_client> tunnel;
    ASSERT_TRUE(eventually(
        [&] {
            tunnel = std::make_unique<ws_client>(lb.port, false);
            return tunnel->backend_id() == "b1";
        },
        5s));
    const auto cookie = cookie_pair(tunnel->set_cookie());

    auto drained = post(lb.admin, "/backends/b1/drain", "t");
    ASSERT_TRUE(drained);
    EXPECT_EQ(drained->status, 200);
    EXPECT_EQ(drained->body, "{\"id\":\"b1\",\"state\":\"draining\"}\n");
    for (int i = 0; i < 20; ++i) {
        auto fresh = fetch(lb.port, "/");
        ASSERT_TRUE(fresh);
        EXPECT_EQ(fresh->header("x-backend-id"), "b2") << "no new clients while draining";
        auto pinned = fetch(lb.port, "/", {{"Cookie", cookie}});
        ASSERT_TRUE(pinned);
        EXPECT_EQ(pinned->header("x-backend-id"), "b1") << "pinned clients stay while draining";
    }
    EXPECT_EQ(tunnel->echo("still"), std::optional<std::string>("still"));

    ASSERT_EQ(post(lb.admin, "/backends/b1/disable", "t")->status, 200);
    EXPECT_EQ(backend_state(lb.admin, "b1"), "disabled");
    auto moved = fetch(lb.port, "/", {{"Cookie", cookie}});
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->header("x-backend-id"), "b2");
    EXPECT_EQ(moved->header("set-cookie").rfind("server=b2.", 0), 0u);

    ASSERT_EQ(post(lb.admin, "/backends/b1/enable", "t")->status, 200);
    EXPECT_EQ(backend_state(lb.admin, "b1"), "up");
    EXPECT_TRUE(eventually(
        [&] {
            auto r = fetch(lb.port, "/");
            return r && r->header("x-backend-id") == "b1";
        },
        5s));
}
