// Failover: backends killed with SIGKILL while traffic flows, refused connects, recovery.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <thread>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {
// Health timing the tests run with: down within fall x inter, up within rise x fastinter.
constexpr int inter_ms = 100;
constexpr int fall = 3;
constexpr int rise = 2;

std::vector<std::string> fast_checks() {
    return {
        "--health-interval-ms", std::to_string(inter_ms), "--fall", std::to_string(fall), "--rise",
        std::to_string(rise)};
}
}  // namespace

TEST(BalancerFailover, KillNineMidTrafficLosesNoGetAndRecovers) {
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    auto flags = backend_flags({{"b1", &b1}, {"b2", &b2}});
    auto checks = fast_checks();
    flags.insert(flags.end(), checks.begin(), checks.end());
    auto lb = start_lb(flags);

    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, bad{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
        clients.emplace_back([&] {
            while (!stop) {
                http_client c(lb.port);
                for (int i = 0; i < 50 && !stop; ++i) {
                    auto r = c.request("GET", "/traffic");
                    if (r && r->status == 200)
                        ++ok;
                    else
                        ++bad;
                    if (!r)
                        break;
                }
            }
        });
    }
    ASSERT_TRUE(eventually([&] { return ok > 200; }, 10s));
    const unsigned short b1_port = b1.port;
    b1.process->kill_now();
    const auto killed_at = std::chrono::steady_clock::now();
    ASSERT_TRUE(eventually([&] { return backend_state(lb.admin, "b1") == "down"; }, 5s));
    const auto down_after = std::chrono::steady_clock::now() - killed_at;
    // Passive detection usually wins; the active checks alone take fall x inter. The margin
    // covers probe timeouts and the /stats polling on a loaded CI machine.
    EXPECT_LE(down_after, std::chrono::milliseconds(fall * inter_ms + 1000));
    const int ok_before = ok;
    ASSERT_TRUE(eventually([&] { return ok > ok_before + 200; }, 10s));

    auto again = start_backend("b1", b1_port);
    ASSERT_TRUE(eventually([&] { return backend_state(lb.admin, "b1") == "up"; }, 5s));
    stop = true;
    for (auto& t : clients)
        t.join();
    EXPECT_EQ(bad.load(), 0) << "a GET saw an error while b2 was up";
    auto s = stats(lb.admin);
    EXPECT_EQ(s["totals"].as_object()["bad_gateway"].as_int64(), 0);
    // b1 serves again after it came back.
    EXPECT_TRUE(eventually(
        [&] {
            auto r = fetch(lb.port, "/");
            return r && r->header("x-backend-id") == "b1";
        },
        5s));
}

TEST(BalancerFailover, RefusedConnectIsRedispatchedAtOnce) {
    auto b2 = start_backend("b2");
    const auto dead = switchyard::cluster::pick_free_port();
    // No active checks: only live traffic can discover that b1 refuses.
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(dead), "--backend",
                        "b2=127.0.0.1:" + std::to_string(b2.port), "--no-health", "--strategy",
                        "round-robin", "--threads", "1"});
    for (int i = 0; i < 10; ++i) {
        auto r = fetch(lb.port, "/");
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->header("x-backend-id"), "b2");
    }
    auto s = stats(lb.admin);
    EXPECT_GE(s["totals"].as_object()["redispatches"].as_int64(), 1);
    EXPECT_NE(backend_state(lb.admin, "b1"), "up") << "a refusing backend is suspect at once";
}

TEST(BalancerFailover, StickyClientOfDeadBackendIsReplacedWithNewCookie) {
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--backend",
                        "b2=127.0.0.1:" + std::to_string(b2.port), "--cookie-secret", "s",
                        "--health-interval-ms", "60000"});
    // Find a cookie for b1.
    std::string cookie;
    ASSERT_TRUE(eventually(
        [&] {
            auto r = fetch(lb.port, "/");
            if (r && r->header("x-backend-id") == "b1")
                cookie = cookie_pair(r->header("set-cookie"));
            return !cookie.empty();
        },
        5s));
    b1.process->kill_now();
    // The probe interval is a minute: only the refused connect can tell the balancer.
    auto r = fetch(lb.port, "/", {{"Cookie", cookie}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("x-backend-id"), "b2");
    EXPECT_EQ(r->header("set-cookie").rfind("server=b2.", 0), 0u);
    // WebSocket upgrade pinned to the dead backend lands on b2 on its first try.
    ws_client ws(lb.port, false, "/ws", cookie);
    EXPECT_EQ(ws.backend_id(), "b2");
    EXPECT_EQ(ws.set_cookie().rfind("server=b2.", 0), 0u);
    EXPECT_EQ(ws.echo("hello"), std::optional<std::string>("hello"));
}
