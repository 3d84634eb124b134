// Hostile and careless clients, limits, and the signals an operator sends.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {
struct BalancerRobustness : ::testing::Test {
    server b1 = start_backend("b1");
    server lb =
        start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--header-timeout-ms",
                  "500", "--max-header-bytes", "4096", "--max-body-bytes", "1000"});
    bool still_serves() {
        auto r = fetch(lb.port, "/");
        return r && r->status == 200;
    }
};
}  // namespace

TEST_F(BalancerRobustness, MalformedRequestsGet400AndTheServerLivesOn) {
    for (const std::string& bad : std::vector<std::string>{
             "GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET / HTTP/1.1\r\nHost x\r\n\r\n",
             "GET / HTTP/1.1\r\nContent-Length: -4\r\n\r\n",
             "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
             std::string("GET /\0 HTTP/1.1\r\n\r\n", 20)}) {
        auto r = raw_exchange(lb.port, {bad}, 0ms, 3s);
        EXPECT_TRUE(r.closed) << bad;
        EXPECT_EQ(r.data.rfind("HTTP/1.1 400", 0), 0u) << bad << " -> " << r.data;
    }
    EXPECT_TRUE(still_serves());
    EXPECT_GE(stats(lb.admin)["totals"].as_object()["bad_requests"].as_int64(), 4);
}

TEST_F(BalancerRobustness, MalformedChunkMidBodyGets400) {
    // The first chunk is relayed to the backend before the broken one arrives; no answer has
    // started, so the client is told 400 rather than just cut off.
    const auto before = stats(lb.admin)["totals"].as_object()["bad_requests"].as_int64();
    auto r = raw_exchange(lb.port,
                          {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\nhello\r\n",
                           "not-hex\r\nworld\r\n0\r\n\r\n"},
                          150ms, 3s);
    EXPECT_EQ(r.data.rfind("HTTP/1.1 400", 0), 0u) << r.data;
    EXPECT_TRUE(r.closed);
    EXPECT_EQ(stats(lb.admin)["totals"].as_object()["bad_requests"].as_int64(), before + 1);
    EXPECT_TRUE(still_serves());
}

TEST_F(BalancerRobustness, OversizeHeaderGets431AndOversizeBodyGets413) {
    auto big = raw_exchange(
        lb.port, {"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n"},
        0ms, 3s);
    EXPECT_EQ(big.data.rfind("HTTP/1.1 431", 0), 0u) << big.data;
    auto body = raw_exchange(
        lb.port,
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'b')},
        0ms, 3s);
    EXPECT_EQ(body.data.rfind("HTTP/1.1 413", 0), 0u) << body.data;
    // A chunked body under the limit is relayed; one that grows past it mid-stream gets 413.
    auto small = raw_exchange(lb.port,
                              {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                               "Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
                              0ms, 3s);
    EXPECT_EQ(small.data.rfind("HTTP/1.1 200", 0), 0u) << small.data;
    EXPECT_NE(small.data.find("hello"), std::string::npos) << small.data;
    std::string chunks;
    for (int i = 0; i < 3; ++i)
        chunks += "258\r\n" + std::string(600, 'c') + "\r\n";
    auto grown = raw_exchange(
        lb.port,
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n"},
        0ms, 3s);
    EXPECT_EQ(grown.data.rfind("HTTP/1.1 413", 0), 0u) << grown.data;
    EXPECT_TRUE(still_serves());
}

TEST_F(BalancerRobustness, SlowlorisIsCutOffAtTheHeaderTimeout) {
    const auto start = std::chrono::steady_clock::now();
    // Each piece arrives well inside any per-read timeout, the whole header never in 500 ms.
    std::vector<std::string> pieces{"GET / HTTP/1.1\r\n"};
    for (int i = 0; i < 12; ++i)
        pieces.push_back("X-Slow-" + std::to_string(i) + ": 1\r\n");
    auto r = raw_exchange(lb.port, pieces, 100ms, 5s);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(r.closed);
    EXPECT_EQ(r.data.find("HTTP/1.1 200"), std::string::npos);
    EXPECT_LT(took, 4s);
    // A client that connects and says nothing is closed too.
    auto silent = raw_exchange(lb.port, {}, 0ms, 3s);
    EXPECT_TRUE(silent.closed);
    EXPECT_TRUE(still_serves());
    EXPECT_GE(stats(lb.admin)["totals"].as_object()["timeouts"].as_int64(), 2);
}

TEST(BalancerLimits, IdleKeepAliveClientIsClosedAfterIdleTimeout) {
    auto b1 = start_backend("b1");
    auto lb = start_lb(
        {"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--idle-timeout-ms", "300"});
    const auto start = std::chrono::steady_clock::now();
    auto r = raw_exchange(lb.port, {"GET / HTTP/1.1\r\nHost: x\r\n\r\n"}, 0ms, 5s);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.data.rfind("HTTP/1.1 200", 0), 0u) << r.data;
    EXPECT_TRUE(r.closed) << "an idle keep-alive connection must be closed";
    EXPECT_LT(took, 3s);
}

TEST(BalancerSignals, SigtermDrainsAndExitsZeroSigintStops) {
    auto b1 = start_backend("b1");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port)});
    http_client keep(lb.port);
    ASSERT_TRUE(keep.request("GET", "/"));
    lb.process->signal(SIGTERM);
    auto status = lb.process->wait_exit(5s);
    ASSERT_TRUE(status) << "an idle keep-alive client must not hold the drain open";
    EXPECT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 0);
    EXPECT_NE(lb.log().find("draining"), std::string::npos);

    auto lb2 = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port)});
    ws_client tunnel(lb2.port, false);
    ASSERT_EQ(tunnel.echo("x"), std::optional<std::string>("x"));
    lb2.process->signal(SIGINT);
    auto status2 = lb2.process->wait_exit(5s);
    ASSERT_TRUE(status2) << "SIGINT stops even with a tunnel open";
    EXPECT_EQ(WEXITSTATUS(*status2), 0);
}

TEST(BalancerLimits, ConnectionsOverTheLimitAreClosed) {
    auto b1 = start_backend("b1");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--max-connections",
                        "2", "--threads", "1"});
    http_client a(lb.port), b(lb.port);
    ASSERT_TRUE(a.request("GET", "/"));
    ASSERT_TRUE(b.request("GET", "/"));
    http_client c(lb.port);
    EXPECT_FALSE(c.request("GET", "/")) << "third connection over max_connections=2";
    EXPECT_GE(stats(lb.admin)["totals"].as_object()["connections_rejected"].as_int64(), 1);
    EXPECT_TRUE(a.request("GET", "/"));
}

TEST(BalancerThreads, ManyThreadsShareOnePortWithReusePort) {
    auto b1 = start_backend("b1");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--threads", "4"});
    for (int i = 0; i < 40; ++i) {
        auto r = fetch(lb.port, "/");
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
    }
    EXPECT_EQ(stats(lb.admin)["totals"].as_object()["connections_total"].as_int64(), 40);
}
