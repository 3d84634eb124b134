// HAProxy and nginx standing in for switchyard-lb, configured by backends/external.
#include <gtest/gtest.h>

#include "backends/external/external_balancer.hpp"
#include "lb_test_support.hpp"

using namespace lbtest;
namespace ext = switchyard::external;

namespace {
/// A started external balancer.
struct external {
    ext::launch_plan plan;
    std::unique_ptr<child_process> process;
};

external start_external(ext::balancer_kind kind, std::vector<ext::backend_address> backends,
                        ext::balancer_options options) {
    const auto dir = test_dir() / std::string(ext::to_string(kind));
    auto prepared = ext::prepare(kind, backends, options, dir);
    if (auto* err = std::get_if<ext::plan_error>(&prepared))
        throw std::runtime_error(err->key + ": " + err->message);
    external e{std::get<ext::launch_plan>(prepared), nullptr};
    e.process = std::make_unique<child_process>(e.plan.argv, dir / "server.log");
    if (!ext::wait_listening("127.0.0.1", e.plan.port, 10s) ||
        !ext::wait_listening("127.0.0.1", e.plan.admin_port, 10s))
        throw std::runtime_error(std::string(ext::to_string(kind)) + " did not start");
    return e;
}

std::vector<ext::backend_address> addresses(server& b1, server& b2) {
    return {{"b1", "127.0.0.1", b1.port, 1}, {"b2", "127.0.0.1", b2.port, 1}};
}
}  // namespace

TEST(ExternalBalancer, StrategyNamesMapOrAreRefused) {
    EXPECT_EQ(ext::haproxy_balance("round-robin"), std::optional<std::string>("roundrobin"));
    EXPECT_EQ(ext::nginx_balance("least-conn"), std::optional<std::string>("least_conn;"));
    EXPECT_FALSE(ext::haproxy_balance("fastest"));
    auto r = ext::prepare(ext::balancer_kind::haproxy, {{"a", "127.0.0.1", 1, 1}},
                          ext::balancer_options{.strategy = "fastest"}, test_dir());
    ASSERT_TRUE(std::holds_alternative<ext::plan_error>(r));
    EXPECT_EQ(std::get<ext::plan_error>(r).key, "strategy");
    EXPECT_TRUE(std::holds_alternative<ext::plan_error>(
        ext::prepare(ext::balancer_kind::nginx, {}, {}, test_dir())));
}

TEST(ExternalBalancer, HaproxyKeepsCookieStickinessAndFailsOver) {
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    ext::balancer_options o;
    o.health_interval = 100ms;
    o.fall = 2;
    auto hap = start_external(ext::balancer_kind::haproxy, addresses(b1, b2), o);

    // Round-robin spreads fresh clients; each gets a cookie naming its server.
    std::map<std::string, std::string> cookie_for;
    for (int i = 0; i < 10; ++i) {
        auto r = fetch(hap.plan.port, "/");
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 200);
        cookie_for[r->header("x-backend-id")] = cookie_pair(r->header("set-cookie"));
    }
    ASSERT_EQ(cookie_for.size(), 2u);
    EXPECT_EQ(cookie_for["b1"], "server=b1");
    http_client c(hap.plan.port);
    for (int i = 0; i < 30; ++i) {
        auto r = c.request("GET", "/", {{"Cookie", cookie_for["b1"]}});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->header("x-backend-id"), "b1");
        EXPECT_EQ(r->header("x-seen-cookie"), "") << "indirect: the cookie is not forwarded";
    }
    b1.process->kill_now();
    // Every request with b1's cookie still succeeds, landing on b2 with a new cookie.
    for (int i = 0; i < 20; ++i) {
        auto r = fetch(hap.plan.port, "/", {{"Cookie", cookie_for["b1"]}});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->header("x-backend-id"), "b2");
    }
    EXPECT_TRUE(eventually(
        [&] {
            auto csv = fetch(hap.plan.admin_port, hap.plan.stats_path);
            return csv && csv->body.find("switchyard_backends,b1,") != std::string::npos &&
                   csv->body.find("DOWN") != std::string::npos;
        },
        5s));
    // WebSocket upgrades pass through HAProxy too.
    ws_client ws(hap.plan.port, false);
    EXPECT_EQ(ws.echo("via haproxy"), std::optional<std::string>("via haproxy"));
}

TEST(ExternalBalancer, NginxSpreadsAndTunnelsWebSockets) {
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    auto ngx = start_external(ext::balancer_kind::nginx, addresses(b1, b2), {});
    std::map<std::string, int> seen;
    http_client c(ngx.plan.port);
    for (int i = 0; i < 20; ++i) {
        auto r = c.request("GET", "/");
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->header("x-seen-x-forwarded-for"), "127.0.0.1");
        ++seen[r->header("x-backend-id")];
    }
    EXPECT_EQ(seen["b1"], 10);
    EXPECT_EQ(seen["b2"], 10);
    ws_client ws(ngx.plan.port, false);
    EXPECT_EQ(ws.echo("via nginx"), std::optional<std::string>("via nginx"));
    auto status = fetch(ngx.plan.admin_port, ngx.plan.stats_path);
    ASSERT_TRUE(status);
    EXPECT_NE(status->body.find("Active connections"), std::string::npos);
}
