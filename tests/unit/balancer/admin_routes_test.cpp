#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "backends/balancer/admin_server.hpp"

using namespace switchyard::balancer;

namespace {
balancer_config two_backends(const std::string& token) {
    balancer_config c;
    c.backends = {{"r1", "127.0.0.1", 4001, 1}, {"r2", "127.0.0.1", 4002, 2}};
    c.admin_token = token;
    c.name = "unit";
    return c;
}
}  // namespace

TEST(AdminRoutes, StatsJsonHasTheDocumentedShape) {
    balancer_state st(two_backends("t"), "secret");
    st.totals.requests = 7;
    st.pool.counters(1).requests = 5;
    auto a = handle_admin_request(st, "GET", "/stats", "");
    EXPECT_EQ(a.status, 200u);
    auto v = boost::json::parse(a.body).as_object();
    EXPECT_EQ(v["name"].as_string(), "unit");
    EXPECT_EQ(v["draining"].as_bool(), false);
    EXPECT_EQ(v["totals"].as_object()["requests"].as_int64(), 7);
    EXPECT_EQ(v["totals"].as_object()["backends_up"].as_int64(), 2);
    auto& b = v["backends"].as_array();
    ASSERT_EQ(b.size(), 2u);
    auto& r2 = b[1].as_object();
    EXPECT_EQ(r2["id"].as_string(), "r2");
    EXPECT_EQ(r2["address"].as_string(), "127.0.0.1:4002");
    EXPECT_EQ(r2["weight"].as_int64(), 2);
    EXPECT_EQ(r2["requests"].as_int64(), 5);
    EXPECT_EQ(r2["state"].as_string(), "up");
    EXPECT_TRUE(r2["last_check"].is_null());
    EXPECT_TRUE(r2["last_change_age_ms"].is_null());
    for (const char* k : {"health", "effective_weight", "active_connections", "active_tunnels",
                          "tunnels", "errors", "responses_5xx", "state_changes"})
        EXPECT_TRUE(r2.contains(k)) << k;
}

TEST(AdminRoutes, CommandsChangeStateOnlyWithTheToken) {
    balancer_state st(two_backends("s3cret"), "secret");
    EXPECT_EQ(handle_admin_request(st, "POST", "/backends/r1/drain", "").status, 401u);
    EXPECT_EQ(handle_admin_request(st, "POST", "/backends/r1/drain", "Bearer nope").status, 401u);
    EXPECT_EQ(handle_admin_request(st, "POST", "/backends/r1/drain", "s3cret").status, 401u);
    EXPECT_EQ(st.pool.state(0), switchyard::policy::backend_state::up);
    auto ok = handle_admin_request(st, "POST", "/backends/r1/drain", "Bearer s3cret");
    EXPECT_EQ(ok.status, 200u);
    EXPECT_EQ(st.pool.state(0), switchyard::policy::backend_state::draining);
    EXPECT_EQ(handle_admin_request(st, "POST", "/backends/r1/disable", "Bearer s3cret").status,
              200u);
    EXPECT_EQ(st.pool.state(0), switchyard::policy::backend_state::disabled);
    EXPECT_EQ(handle_admin_request(st, "POST", "/backends/r1/enable", "Bearer s3cret").status,
              200u);
    EXPECT_EQ(st.pool.state(0), switchyard::policy::backend_state::up);
    EXPECT_EQ(handle_admin_request(st, "POST", "/backends/zz/enable", "Bearer s3cret").status,
              404u);
    EXPECT_EQ(handle_admin_request(st, "POST", "/backends/r1/explode", "Bearer s3cret").status,
              404u);
    EXPECT_EQ(handle_admin_request(st, "GET", "/backends/r1/drain", "Bearer s3cret").status, 405u);
    EXPECT_EQ(handle_admin_request(st, "POST", "/stats", "").status, 405u);
}

TEST(AdminRoutes, NoTokenConfiguredRefusesCommands) {
    balancer_state st(two_backends(""), "secret");
    EXPECT_EQ(handle_admin_request(st, "POST", "/backends/r1/drain", "Bearer ").status, 403u);
}

TEST(AdminRoutes, MetricsAreLabelledPerBackend) {
    balancer_state st(two_backends("t"), "secret");
    st.pool.counters(0).errors = 3;
    auto a = handle_admin_request(st, "GET", "/metrics", "");
    EXPECT_EQ(a.status, 200u);
    EXPECT_NE(a.body.find("switchyard_lb_backend_errors_total{lb=\"unit\",backend=\"r1\"} 3"),
              std::string::npos)
        << a.body;
    EXPECT_NE(a.body.find("switchyard_lb_backend_state{lb=\"unit\",backend=\"r2\",state=\"up\"} 1"),
              std::string::npos);
    EXPECT_NE(a.body.find("# TYPE switchyard_lb_requests_total counter"), std::string::npos);
}

TEST(BackendPool, PassiveErrorsTakeABackendDownAfterFall) {
    health_check_config h;
    h.tracker.fall = 2;
    const auto t0 = std::chrono::steady_clock::now();
    backend_pool pool({{"a", "h", 1, 1}}, h, t0);
    std::size_t wakes = 0;
    pool.set_wake_prober([&](std::size_t) { ++wakes; });
    pool.on_passive_error(0, t0);
    EXPECT_EQ(pool.state(0), switchyard::policy::backend_state::suspect);
    pool.on_passive_error(0, t0);
    EXPECT_EQ(pool.state(0), switchyard::policy::backend_state::down);
    EXPECT_EQ(wakes, 2u);
    EXPECT_EQ(pool.counters(0).errors.load(), 2u);
    pool.on_probe(0, true, t0 + std::chrono::seconds(1));
    pool.on_probe(0, true, t0 + std::chrono::seconds(2));
    EXPECT_EQ(pool.state(0), switchyard::policy::backend_state::up);
    EXPECT_EQ(pool.snapshot(t0 + std::chrono::seconds(3))[0].state_changes, 3u);
}

TEST(AdminRoutes, TokenForReadsGuardsStatsAndMetricsButNotHealthz) {
    auto cfg = two_backends("s3cret");
    balancer_state open(cfg, "secret");
    EXPECT_EQ(handle_admin_request(open, "GET", "/stats", "").status, 200u) << "off by default";
    cfg.admin_token_for_reads = true;
    balancer_state st(cfg, "secret");
    for (const char* target : {"/stats", "/metrics", "/stats?x=1"}) {
        auto none = handle_admin_request(st, "GET", target, "");
        EXPECT_EQ(none.status, 401u) << target;
        EXPECT_TRUE(none.www_authenticate) << target;
        EXPECT_EQ(none.body.find("backends"), std::string::npos) << "nothing leaks: " << target;
        EXPECT_EQ(handle_admin_request(st, "GET", target, "Bearer s3cres").status, 401u);
        EXPECT_EQ(handle_admin_request(st, "HEAD", target, "Bearer s3cret1").status, 401u);
        EXPECT_EQ(handle_admin_request(st, "GET", target, "Bearer s3cret").status, 200u);
    }
    EXPECT_EQ(handle_admin_request(st, "GET", "/healthz", "").status, 200u);
}
