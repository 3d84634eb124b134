// Who can reach the admin listener: loopback only unless admin.bind says otherwise, and with
// admin.token_for_reads the token guards /stats and /metrics as well as the commands.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <fstream>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {

/// True when a TCP connection to `address`:`port` is accepted.
bool accepts_on(const std::string& address, unsigned short port) {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect({boost::asio::ip::make_address(address), port}, ec);
    return !ec;
}

}  // namespace

TEST(BalancerAdminAccess, StatsAndMetricsNeedTheTokenWhenTokenForReadsIsSet) {
    auto b1 = start_backend("b1");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--admin-token",
                        "r3ad", "--admin-token-reads"});
    for (const char* target : {"/stats", "/metrics"}) {
        auto none = fetch(lb.admin, target);
        ASSERT_TRUE(none) << target;
        EXPECT_EQ(none->status, 401) << target;
        EXPECT_EQ(none->header("www-authenticate"), "Bearer") << target;
        EXPECT_EQ(none->body.find("b1"), std::string::npos) << "no backend named: " << none->body;
        auto wrong = fetch(lb.admin, target, {{"Authorization", "Bearer r3ae"}});
        ASSERT_TRUE(wrong);
        EXPECT_EQ(wrong->status, 401) << target;
        auto right = fetch(lb.admin, target, {{"Authorization", "Bearer r3ad"}});
        ASSERT_TRUE(right);
        EXPECT_EQ(right->status, 200) << target;
        EXPECT_NE(right->body.find("b1"), std::string::npos) << right->body;
    }
    auto health = fetch(lb.admin, "/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200) << "/healthz stays open for probes";

    // Without the option the reads stay open (the engine polls /stats without a token).
    auto lb_open =
        start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--admin-token", "r3ad"});
    auto open = fetch(lb_open.admin, "/stats");
    ASSERT_TRUE(open);
    EXPECT_EQ(open->status, 200);
}

TEST(BalancerAdminAccess, TheAdminListenerIsOnLoopbackOnlyByDefault) {
    auto b1 = start_backend("b1");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port)});
    // Bound to 127.0.0.1 itself, not the wildcard: another address of the host, even another
    // loopback one, is refused. 127.0.0.2 stands in for a public address the sandbox may lack.
    EXPECT_TRUE(accepts_on("127.0.0.1", lb.admin));
    EXPECT_FALSE(accepts_on("127.0.0.2", lb.admin)) << "admin listener reachable off 127.0.0.1";
    EXPECT_FALSE(accepts_on("127.0.0.2", lb.port)) << "proxy listener reachable off 127.0.0.1";

    // The check can fail: with admin.bind set to the wildcard the same probe gets through.
    const auto yaml = test_dir() / "admin_any.yaml";
    std::ofstream(yaml) << "admin: {bind: 0.0.0.0}\n";
    auto lb_any = start_lb(
        {"--config", yaml.string(), "--backend", "b1=127.0.0.1:" + std::to_string(b1.port)});
    EXPECT_TRUE(accepts_on("127.0.0.2", lb_any.admin));
}
