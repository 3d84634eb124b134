// A backend that stops answering without closing anything (SIGSTOP: a GC pause, a hung host) or
// is disabled by hand: its WebSocket clients must be moved, not left on dead tunnels.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio.hpp>
#include <fstream>
#include <set>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {

std::vector<std::string> with(std::vector<std::string> flags, std::vector<std::string> more) {
    flags.insert(flags.end(), more.begin(), more.end());
    return flags;
}

/// Opens WebSocket clients until one lands on backend `id` (random placement, no cookie).
std::unique_ptr<ws_client> tunnel_to(unsigned short port, const std::string& id) {
    for (int i = 0; i < 100; ++i) {
        auto c = std::make_unique<ws_client>(port, false);
        if (c->backend_id() == id)
            return c;
    }
    return nullptr;
}

/// Resumes a stopped process when the test ends, whatever happened.
struct resume_on_exit {
    child_process& p;
    ~resume_on_exit() { p.signal(SIGCONT); }
};

}  // namespace

TEST(BalancerBackendDown, AFrozenBackendsTunnelsAreClosedAndTheClientReconnectsElsewhere) {
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    auto lb = start_lb(with(backend_flags({{"b1", &b1}, {"b2", &b2}}),
                            {"--health-interval-ms", "100", "--health-timeout-ms", "200", "--fall",
                             "2", "--rise", "2"}));
    auto c = tunnel_to(lb.port, "b1");
    ASSERT_TRUE(c) << "no tunnel landed on b1";
    ASSERT_EQ(c->echo("before"), "before");

    b1.process->signal(SIGSTOP);
    resume_on_exit thaw{*b1.process};
    // The frozen process's kernel still holds the TCP connection open: only the balancer
    // closing the tunnel tells the client to move.
    EXPECT_TRUE(c->wait_closed(15s)) << "tunnel to the frozen backend stayed open";
    EXPECT_EQ(backend_state(lb.admin, "b1"), "down");
    ws_client again(lb.port, false);
    EXPECT_EQ(again.backend_id(), "b2");
    EXPECT_EQ(again.echo("after"), "after");
    EXPECT_GE(stats(lb.admin)["totals"].as_object()["sessions_closed_on_down"].as_int64(), 1);
}

TEST(BalancerBackendDown, DisablingABackendClosesItsTunnels) {
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    auto lb = start_lb(
        with(backend_flags({{"b1", &b1}, {"b2", &b2}}), {"--admin-token", "t", "--no-health"}));
    auto c = tunnel_to(lb.port, "b1");
    ASSERT_TRUE(c);
    auto r = fetch(lb.admin, "/backends/b1/disable", {{"Authorization", "Bearer t"}}, "POST");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    EXPECT_TRUE(c->wait_closed(10s));
}

TEST(BalancerBackendDown, KeepSessionsOnDownLeavesTunnelsOpen) {
    // The opt-out keeps the old behaviour: an operator draining by hand may want that.
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    auto lb = start_lb(with(backend_flags({{"b1", &b1}, {"b2", &b2}}),
                            {"--admin-token", "t", "--no-health", "--keep-sessions-on-down"}));
    auto c = tunnel_to(lb.port, "b1");
    ASSERT_TRUE(c);
    auto r = fetch(lb.admin, "/backends/b1/disable", {{"Authorization", "Bearer t"}}, "POST");
    ASSERT_TRUE(r);
    auto tunnels_active = [&] {
        return stats(lb.admin)["totals"].as_object()["tunnels_active"].as_int64();
    };
    // Several sweeps (at most 250 ms apart) pass in this time; the tunnel still works after.
    EXPECT_FALSE(eventually([&] { return tunnels_active() == 0; }, 1500ms));
    EXPECT_EQ(c->echo("still"), "still");
    EXPECT_EQ(stats(lb.admin)["totals"].as_object()["sessions_closed_on_down"].as_int64(), 0);
}

TEST(BalancerSockjsRouting, CookielessRequestsOfOneSessionLandOnOneBackend) {
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    auto b3 = start_backend("b3");
    auto lb = start_lb(backend_flags({{"b1", &b1}, {"b2", &b2}, {"b3", &b3}}));
    std::set<std::string> backends_seen;
    for (int s = 0; s < 12; ++s) {
        const std::string base = "/sockjs/123/session" + std::to_string(s);
        std::set<std::string> of_session;
        // A first visit: every request without a cookie, as parallel requests would be.
        for (const char* transport : {"/xhr_streaming", "/xhr", "/xhr_send", "/xhr", "/xhr"}) {
            auto r = fetch(lb.port, base + transport);
            ASSERT_TRUE(r);
            of_session.insert(r->header("x-backend-id"));
        }
        EXPECT_EQ(of_session.size(), 1u) << base << " was split over backends";
        backends_seen.insert(of_session.begin(), of_session.end());
    }
    EXPECT_GE(backends_seen.size(), 2u) << "sessions are spread, not all on one backend";
}

TEST(BalancerStickiness, ASecretFromAFileKeepsAffinityAcrossARestart) {
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    const auto secret = test_dir() / "cookie-secret";
    { std::ofstream(secret) << "shared-secret-for-this-test\n"; }
    auto flags =
        with(backend_flags({{"b1", &b1}, {"b2", &b2}}), {"--cookie-secret-file", secret.string()});
    std::string cookie, backend;
    {
        auto lb = start_lb(flags);
        auto r = fetch(lb.port, "/");
        ASSERT_TRUE(r);
        cookie = cookie_pair(r->header("set-cookie"));
        backend = r->header("x-backend-id");
    }
    ASSERT_FALSE(cookie.empty());
    auto lb = start_lb(flags);  // a new process: the same secret, read from the file again
    for (int i = 0; i < 10; ++i) {
        auto r = fetch(lb.port, "/", {{"Cookie", cookie}});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->header("x-backend-id"), backend);
        EXPECT_EQ(r->header("set-cookie"), "") << "the restarted balancer accepted the cookie";
    }
}

TEST(BalancerSeed, SeedZeroIsDrawnPerStartAndAGivenSeedIsKept) {
    auto b1 = start_backend("b1");
    auto flags = backend_flags({{"b1", &b1}});
    std::set<std::uint64_t> drawn;
    for (int i = 0; i < 2; ++i) {
        auto lb = start_lb(flags);
        drawn.insert(stats(lb.admin)["seed"].to_number<std::uint64_t>());
    }
    EXPECT_EQ(drawn.size(), 2u) << "two starts with seed 0 placed clients identically";
    EXPECT_EQ(drawn.count(0), 0u);
    auto fixed = flags;
    fixed.insert(fixed.end(), {"--seed", "42"});
    auto lb = start_lb(fixed);
    EXPECT_EQ(stats(lb.admin)["seed"].to_number<std::uint64_t>(), 42u);
}

TEST(BalancerStorm, NewConnectionsPerBackendAreCappedWithRetryAfterAndCounted) {
    auto b1 = start_backend("b1");
    auto lb = start_lb(with(backend_flags({{"b1", &b1}}),
                            {"--max-connects-per-backend-per-s", "5", "--threads", "1"}));
    // A storm of WebSocket upgrades: each needs a new backend connection.
    const std::string upgrade =
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    // All 30 sent at once (a sequential loop would be paced by the round trips).
    boost::asio::io_context ioc;
    std::vector<boost::asio::ip::tcp::socket> socks;
    for (int i = 0; i < 30; ++i) {
        socks.emplace_back(ioc);
        socks.back().connect({boost::asio::ip::make_address("127.0.0.1"), lb.port});
        boost::asio::write(socks.back(), boost::asio::buffer(upgrade));
    }
    int switched = 0, busy = 0;
    for (auto& s : socks) {
        std::string head;
        char c;
        boost::system::error_code ec;
        while (head.find("\r\n\r\n") == std::string::npos &&
               boost::asio::read(s, boost::asio::buffer(&c, 1), ec) == 1)
            head += c;
        if (head.rfind("HTTP/1.1 101", 0) == 0)
            ++switched;
        if (head.rfind("HTTP/1.1 503", 0) == 0) {
            ++busy;
            EXPECT_NE(head.find("Retry-After: 1"), std::string::npos) << head;
        }
    }
    EXPECT_GE(switched, 5) << "the burst of one second's worth gets through";
    EXPECT_GE(busy, 1) << "30 upgrades in a few seconds exceed 5 a second";
    EXPECT_EQ(switched + busy, 30);
    auto totals = stats(lb.admin)["totals"].as_object();
    EXPECT_EQ(totals["connects_refused_by_rate"].as_int64(), busy);
    EXPECT_GE(totals["accepts_peak_per_s"].as_int64(), 0);
    auto metrics = fetch(lb.admin, "/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find(
                  "switchyard_lb_backend_connects_capped_total{lb=\"lb\",backend=\"b1\"} " +
                  std::to_string(busy)),
              std::string::npos)
        << metrics->body;
    // The cap refills: a later upgrade gets through again.
    EXPECT_TRUE(eventually(
        [&] {
            return raw_exchange(lb.port, {upgrade}, 0ms, 300ms).data.rfind("HTTP/1.1 101", 0) == 0;
        },
        5s));
}

TEST(BalancerStorm, AcceptPeakIsReported) {
    auto b1 = start_backend("b1");
    auto lb = start_lb(backend_flags({{"b1", &b1}}));
    for (int i = 0; i < 40; ++i)
        fetch(lb.port, "/");
    // Sampled once a second by the first worker's sweep.
    EXPECT_TRUE(eventually(
        [&] { return stats(lb.admin)["totals"].as_object()["accepts_peak_per_s"].as_int64() >= 1; },
        5s));
}

TEST(BalancerSockjsRouting, NoStickyMeansNoSessionRoutingEither) {
    // `--no-sticky` is the "what breaks without affinity" setting: round-robin splits a
    // session's requests, as the teaching scenarios show.
    auto b1 = start_backend("b1");
    auto b2 = start_backend("b2");
    auto lb = start_lb(with(backend_flags({{"b1", &b1}, {"b2", &b2}}),
                            {"--no-sticky", "--strategy", "round-robin"}));
    std::set<std::string> seen;
    for (int i = 0; i < 4; ++i) {
        auto r = fetch(lb.port, "/sockjs/1/one-session/xhr");
        ASSERT_TRUE(r);
        seen.insert(r->header("x-backend-id"));
    }
    EXPECT_EQ(seen.size(), 2u);
}
