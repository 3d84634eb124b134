// switchyard-lb as an HTTP proxy in front of two real test backends.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <fstream>
#include <map>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {

struct BalancerTwoBackends : ::testing::Test {
    server b1 = start_backend("b1");
    server b2 = start_backend("b2");
    std::vector<std::string> flags(std::vector<std::string> extra = {}) {
        auto f = backend_flags({{"b1", &b1}, {"b2", &b2}});
        f.insert(f.end(), extra.begin(), extra.end());
        return f;
    }
};

std::map<std::string, int> spread(unsigned short port, int n) {
    std::map<std::string, int> seen;
    http_client c(port);
    for (int i = 0; i < n; ++i) {
        auto r = c.request("GET", "/spread");
        if (!r)
            break;
        EXPECT_EQ(r->status, 200);
        ++seen[r->header("x-backend-id")];
    }
    return seen;
}

}  // namespace

TEST_F(BalancerTwoBackends, RoundRobinAlternatesEvenly) {
    auto lb = start_lb(flags({"--strategy", "round-robin", "--threads", "1"}));
    auto seen = spread(lb.port, 40);
    EXPECT_EQ(seen["b1"], 20);
    EXPECT_EQ(seen["b2"], 20);
}

TEST_F(BalancerTwoBackends, RandomSpreadsOverBoth) {
    auto lb = start_lb(flags({"--seed", "7"}));
    auto seen = spread(lb.port, 200);
    EXPECT_EQ(seen["b1"] + seen["b2"], 200);
    // Binomial(200, 0.5): 60..140 fails with probability far below 1e-6.
    EXPECT_GT(seen["b1"], 60);
    EXPECT_GT(seen["b2"], 60);
}

TEST_F(BalancerTwoBackends, StickyCookieHoldsOverHundredRequests) {
    auto lb = start_lb(flags({"--cookie-secret", "k1"}));
    auto first = fetch(lb.port, "/");
    ASSERT_TRUE(first);
    const auto set_cookie = first->header("set-cookie");
    ASSERT_EQ(set_cookie.rfind("server=", 0), 0u) << set_cookie;
    const auto pinned = first->header("x-backend-id");
    const auto cookie = cookie_pair(set_cookie);
    http_client c(lb.port);
    for (int i = 0; i < 100; ++i) {
        auto r = c.request("GET", "/again", {{"Cookie", "other=1; " + cookie}});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->header("x-backend-id"), pinned) << "request " << i;
        EXPECT_EQ(r->header("set-cookie"), "") << "a valid cookie is not re-issued";
    }
}

TEST_F(BalancerTwoBackends, TamperedCookieIsReplacedWithoutError) {
    auto lb = start_lb(flags({"--cookie-secret", "k1"}));
    auto first = fetch(lb.port, "/");
    ASSERT_TRUE(first);
    auto cookie = cookie_pair(first->header("set-cookie"));
    // Point the cookie at the other backend without re-signing it.
    const auto pinned = first->header("x-backend-id");
    const auto other = pinned == "b1" ? "b2" : "b1";
    auto forged = "server=" + std::string(other) + cookie.substr(cookie.find('.'));
    for (const auto& bad : {forged, std::string("server=garbage"), std::string("server=")}) {
        auto r = fetch(lb.port, "/", {{"Cookie", bad}});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->header("set-cookie").rfind("server=", 0), 0u) << "new cookie for " << bad;
    }
    // A cookie signed with another secret is no better than a forged one.
    auto lb2 = start_lb(flags({"--cookie-secret", "k2"}));
    auto r = fetch(lb2.port, "/", {{"Cookie", cookie}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->header("set-cookie"), "");
}

TEST_F(BalancerTwoBackends, ForwardsHeadersAndStripsHopByHop) {
    auto lb = start_lb(flags());
    http_client c(lb.port);
    auto r = c.request("GET", "/h",
                       {{"X-Forwarded-For", "10.0.0.1"},
                        {"Connection", "keep-alive, X-Secret"},
                        {"X-Secret", "hop"},
                        {"Keep-Alive", "timeout=5"}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("x-seen-x-forwarded-for"), "10.0.0.1, 127.0.0.1");
    EXPECT_EQ(r->header("x-seen-x-forwarded-proto"), "http");
    EXPECT_EQ(r->header("x-seen-x-forwarded-host"), "lb.test");
    EXPECT_EQ(r->header("x-seen-connection"), "");
    EXPECT_EQ(r->header("x-seen-keep-alive"), "");
}

TEST_F(BalancerTwoBackends, StreamsBodiesBothWaysOnOneKeepAliveConnection) {
    auto lb = start_lb(flags({"--threads", "1"}));
    http_client c(lb.port);
    const std::string big(300000, 'x');
    for (int i = 0; i < 5; ++i) {
        auto r = c.request("POST", "/echo", {}, big + std::to_string(i));
        ASSERT_TRUE(r);
        EXPECT_EQ(r->body.size(), big.size() + 1);
        EXPECT_TRUE(r->body == big + std::to_string(i)) << "echoed body differs";
        auto chunked = c.request("GET", "/chunked");
        ASSERT_TRUE(chunked);
        EXPECT_EQ(chunked->body, "one,two,three\n");
        EXPECT_EQ(chunked->header("transfer-encoding"), "chunked");
        auto head = c.request("HEAD", "/");
        ASSERT_TRUE(head);
        EXPECT_EQ(head->status, 200);
    }
    auto s = stats(lb.admin);
    EXPECT_EQ(s["totals"].as_object()["connections_total"].as_int64(), 1)
        << "one client connection";
    EXPECT_EQ(s["totals"].as_object()["requests"].as_int64(), 15);
}

TEST_F(BalancerTwoBackends, PassesBackendStatusThrough) {
    auto lb = start_lb(flags());
    auto r = fetch(lb.port, "/status/404");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
}

TEST(BalancerHttp, NoBackendUpAnswers503) {
    // A port nothing listens on: connects are refused.
    const auto dead = switchyard::cluster::pick_free_port();
    auto lb = start_lb({"--backend", "gone=127.0.0.1:" + std::to_string(dead), "--fall", "1",
                        "--health-interval-ms", "100"});
    ASSERT_TRUE(eventually([&] { return backend_state(lb.admin, "gone") == "down"; }, 5s));
    auto r = fetch(lb.port, "/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(r->body, "503 no backend available\n");
}

TEST(BalancerConfigProcess, BadConfigExitsTwoNamingTheKey) {
    auto run = [](std::vector<std::string> args, const std::string& expect) {
        args.insert(args.begin(), switchyard::cluster::find_program("switchyard-lb").string());
        const auto log = test_dir() / "bad.log";
        child_process p(args, log);
        auto status = p.wait_exit(10s);
        ASSERT_TRUE(status);
        EXPECT_EQ(WEXITSTATUS(*status), 2);
        std::ifstream in(log);
        std::string text((std::istreambuf_iterator<char>(in)), {});
        EXPECT_NE(text.find(expect), std::string::npos) << text;
    };
    run({"--port", "0"}, "backends");
    run({"--backend", "a=127.0.0.1:1", "--strategy", "fastest"}, "strategy");
    run({"--backend", "a=127.0.0.1:notaport"}, "--backend");
    run({"--backend", "a=127.0.0.1:1", "--bogus"}, "--bogus");
    const auto yaml = test_dir() / "bad.yaml";
    std::ofstream(yaml) << "backends: [a=127.0.0.1:1]\nlimits:\n  header_timeot_ms: 5\n";
    run({"--config", yaml.string()}, "bad.yaml:3:3: limits.header_timeot_ms: unknown key");
    const auto yaml2 = test_dir() / "bad2.yaml";
    std::ofstream(yaml2) << "backends: [a=127.0.0.1:1]\nhealth: {rise: zero}\n";
    run({"--config", yaml2.string()}, "health.rise");
}

TEST(BalancerConfigProcess, YamlFileConfiguresBackendsAndFlagsOverride) {
    auto b1 = start_backend("y1");
    const auto yaml = test_dir() / "lb.yaml";
    std::ofstream(yaml) << "name: from-yaml\nport: 1\nstrategy: round-robin\nbackends:\n"
                        << "  - {id: y1, host: 127.0.0.1, port: " << b1.port << "}\n"
                        << "sticky: {cookie: route}\n";
    auto lb = start_lb({"--config", yaml.string(), "--port", "0"});
    auto r = fetch(lb.port, "/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("x-backend-id"), "y1");
    EXPECT_EQ(r->header("set-cookie").rfind("route=", 0), 0u);
    EXPECT_EQ(stats(lb.admin)["name"].as_string(), "from-yaml");
}
