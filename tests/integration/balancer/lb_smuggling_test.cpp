// Request smuggling and spoofed forwarding headers, against a stock Node.js http backend: what
// the balancer refuses never reaches the backend, and what it forwards the backend reads as the
// balancer did (issue: vulnerabilities in the balancer, points 1-5).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {

/// The Node backend and what it served, one JSON object per request.
struct node_backend {
    server s;
    node_backend() {
        s.process = std::make_unique<child_process>(
            std::vector<std::string>{"node", NODE_HTTP_BACKEND}, test_dir() / "node.log");
        auto ready = s.process->wait_ready(std::chrono::seconds(15));
        if (!ready)
            throw std::runtime_error("node backend did not start: " + s.log());
        s.port = ready->port;
    }
    std::vector<boost::json::object> served() const {
        std::vector<boost::json::object> out;
        std::istringstream in(s.log());
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("{\"method\"", 0) == 0)
                out.push_back(boost::json::parse(line).as_object());
        }
        return out;
    }
    bool served_url(const std::string& url) const {
        for (const auto& r : served())
            if (r.at("url").as_string() == url)
                return true;
        return false;
    }
    /// Values of header `name` (case-insensitive) in the request served for `url`.
    std::vector<std::string> header_values(const std::string& url, const std::string& name) const {
        std::vector<std::string> out;
        for (const auto& r : served()) {
            if (r.at("url").as_string() != url)
                continue;
            const auto& raw = r.at("headers").as_array();
            for (std::size_t i = 0; i + 1 < raw.size(); i += 2) {
                std::string n(raw[i].as_string());
                if (n.size() == name.size() &&
                    std::equal(n.begin(), n.end(), name.begin(),
                               [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
                    out.emplace_back(raw[i + 1].as_string());
            }
        }
        return out;
    }
};

struct BalancerSmuggling : ::testing::Test {
    node_backend node;
    // No health checks: every request the backend logs is one a client sent.
    server lb =
        start_lb({"--backend", "n1=127.0.0.1:" + std::to_string(node.s.port), "--no-health"});

    /// A request on a connection of its own reaches the backend and gets its own answer.
    void expect_victim_served(const std::string& url) {
        auto r = fetch(lb.port, url);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->body, "served " + url + "\n");
    }
    std::int64_t bad_requests() {
        return stats(lb.admin)["totals"].as_object()["bad_requests"].as_int64();
    }
};

}  // namespace

TEST_F(BalancerSmuggling, DuplicatedTransferEncodingIsRefusedAndNothingIsSmuggled) {
    // The reported attack, verbatim: the backend would read the body as chunked and find a
    // second request in it.
    const std::string attack =
        "POST /first HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n"
        "Transfer-Encoding: chunked\r\n\r\n33\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n"
        "X-Evil: 1\r\n\r\n\r\n0\r\n\r\n";
    auto r = raw_exchange(lb.port, {attack}, 0ms, 5s);
    EXPECT_EQ(r.data.rfind("HTTP/1.1 400", 0), 0u) << r.data;
    EXPECT_TRUE(r.closed);
    expect_victim_served("/victim");
    EXPECT_FALSE(node.served_url("/first"));
    EXPECT_FALSE(node.served_url("/smuggled"));
    EXPECT_EQ(node.served().size(), 1u) << node.s.log();
}

TEST_F(BalancerSmuggling, TransferEncodingNotEndingInChunkedIsRefusedWithOrWithoutLength) {
    const std::string smuggled = "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string length = std::to_string(smuggled.size());
    const std::vector<std::string> attacks{
        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\nContent-Length: " + length +
            "\r\n\r\n" + smuggled,
        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n"
        "Content-Length: " +
            length + "\r\n\r\n" + smuggled,
        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nContent-Length: " + length +
            "\r\n\r\n" + smuggled,
        // obs-fold: a continuation line the backend may join into "chunked".
        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip,\r\n chunked\r\n"
        "Content-Length: " +
            length + "\r\n\r\n" + smuggled,
        "POST /a HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n",
        // Content-Length values that differ, in one field or two.
        "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd",
    };
    const auto before = bad_requests();
    for (const auto& attack : attacks) {
        auto r = raw_exchange(lb.port, {attack}, 0ms, 5s);
        EXPECT_EQ(r.data.rfind("HTTP/1.1 400", 0), 0u) << attack << " -> " << r.data;
        EXPECT_TRUE(r.closed) << attack;
    }
    EXPECT_EQ(bad_requests(), before + static_cast<std::int64_t>(attacks.size()));
    expect_victim_served("/victim");
    EXPECT_EQ(node.served().size(), 1u) << node.s.log();
}

TEST_F(BalancerSmuggling, EqualDuplicateContentLengthsReachTheBackendAsOne) {
    auto r = raw_exchange(lb.port,
                          {"POST /dup HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                           "Content-Length: 4\r\nConnection: close\r\n\r\nabcd"},
                          0ms, 5s);
    EXPECT_EQ(r.data.rfind("HTTP/1.1 200", 0), 0u) << r.data;
    EXPECT_EQ(node.header_values("/dup", "content-length"), std::vector<std::string>{"4"});
}

TEST_F(BalancerSmuggling, ChunkTrailersNeverBecomeHeaders) {
    auto r = raw_exchange(lb.port,
                          {"POST /trailers HTTP/1.1\r\nHost: good\r\nTransfer-Encoding: chunked\r\n"
                           "Connection: close\r\n\r\n5\r\nhello\r\n0\r\n"
                           "X-Forwarded-For: 6.6.6.6\r\nHost: evil\r\nX-Trailer: t\r\n\r\n"},
                          0ms, 5s);
    EXPECT_EQ(r.data.rfind("HTTP/1.1 200", 0), 0u) << r.data;
    ASSERT_TRUE(node.served_url("/trailers")) << node.s.log();
    EXPECT_EQ(node.header_values("/trailers", "host"), std::vector<std::string>{"good"});
    EXPECT_EQ(node.header_values("/trailers", "x-forwarded-for"),
              std::vector<std::string>{"127.0.0.1"});
    EXPECT_TRUE(node.header_values("/trailers", "x-trailer").empty());
    for (const auto& req : node.served())
        if (req.at("url").as_string() == "/trailers") {
            EXPECT_TRUE(req.at("trailers").as_array().empty()) << node.s.log();
            EXPECT_EQ(req.at("body").as_string(), "hello");
        }
}

TEST_F(BalancerSmuggling, ForwardingHeadersAreSetByTheBalancerNotTheClient) {
    auto r = fetch(lb.port, "/fwd",
                   {{"Host", "real.example"},
                    {"X-Forwarded-Host", "evil.example"},
                    {"X-Real-IP", "6.6.6.6"},
                    {"Forwarded", "for=6.6.6.6;host=evil.example"}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(node.header_values("/fwd", "x-forwarded-host"),
              std::vector<std::string>{"real.example"});
    EXPECT_EQ(node.header_values("/fwd", "x-real-ip"), std::vector<std::string>{"127.0.0.1"});
    EXPECT_TRUE(node.header_values("/fwd", "forwarded").empty());
    // X-Forwarded-For is a chain: the client's claim stays, the address seen is appended last.
    EXPECT_EQ(node.header_values("/fwd", "x-forwarded-for"), std::vector<std::string>{"127.0.0.1"});
}

TEST_F(BalancerSmuggling, AbsoluteFormIsRewrittenAndAMissingHostIsRefused) {
    auto r = raw_exchange(lb.port,
                          {"GET http://origin.example:81/abs?q=1 HTTP/1.1\r\nHost: other\r\n"
                           "Connection: close\r\n\r\n"},
                          0ms, 5s);
    EXPECT_EQ(r.data.rfind("HTTP/1.1 200", 0), 0u) << r.data;
    EXPECT_TRUE(node.served_url("/abs?q=1")) << node.s.log();
    EXPECT_EQ(node.header_values("/abs?q=1", "host"),
              std::vector<std::string>{"origin.example:81"});
    auto no_host = raw_exchange(lb.port, {"GET /nohost HTTP/1.1\r\n\r\n"}, 0ms, 5s);
    EXPECT_EQ(no_host.data.rfind("HTTP/1.1 400", 0), 0u) << no_host.data;
    auto two_hosts =
        raw_exchange(lb.port, {"GET /two HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"}, 0ms, 5s);
    EXPECT_EQ(two_hosts.data.rfind("HTTP/1.1 400", 0), 0u) << two_hosts.data;
    EXPECT_FALSE(node.served_url("/nohost"));
    EXPECT_FALSE(node.served_url("/two"));
}

TEST_F(BalancerSmuggling, BareLfChunkLinesAreAnsweredWith400NotLeftHanging) {
    // Before: nothing was forwarded and nothing answered until the idle timeout (60 s).
    for (const std::string& body :
         {std::string("5\nhello\r\n0\r\n\r\n"), std::string("5\r\nhello\r\n0\n\n"),
          std::string("5\r\nhello\r\n0\r\n\n"), std::string("5\r\nhello\r\n0\r\nX-T: 1\n\r\n")}) {
        auto r = raw_exchange(
            lb.port, {"POST /lf HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body},
            0ms, 10s);
        EXPECT_EQ(r.data.rfind("HTTP/1.1 400", 0), 0u) << body << " -> " << r.data;
        EXPECT_TRUE(r.closed) << body;
    }
    expect_victim_served("/after-lf");
}

TEST_F(BalancerSmuggling, ConnectionNamingContentLengthOrHostCannotStripThem) {
    // Found by the proxy_headers fuzzer: the balancer erased every field Connection named,
    // Content-Length included, and forwarded the body without its length.
    const std::string body = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    auto r = raw_exchange(lb.port,
                          {"POST /conn HTTP/1.1\r\nHost: good\r\nConnection: content-length, "
                           "host\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body},
                          0ms, 3s);
    EXPECT_EQ(r.data.rfind("HTTP/1.1 200", 0), 0u) << r.data;
    expect_victim_served("/victim-after-conn");
    EXPECT_FALSE(node.served_url("/smuggled")) << node.s.log();
    EXPECT_EQ(node.header_values("/conn", "content-length"),
              std::vector<std::string>{std::to_string(body.size())});
    EXPECT_EQ(node.header_values("/conn", "host"), std::vector<std::string>{"good"});
}
