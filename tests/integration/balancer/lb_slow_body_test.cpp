// A request body trickled in a byte at a time, every byte far inside the idle timeout: the
// per-read timeout never fires, so limits.body_timeout_ms bounds the body as a whole (408).
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {

struct trickle_result {
    std::string data;     ///< what the balancer answered
    bool closed = false;  ///< the balancer closed the connection
    std::size_t body_bytes_sent = 0;
};

/// Sends `head`, then `body` one byte every 200 ms, reading whatever comes back between bytes,
/// until the balancer closes the connection or `give_up` passes.
trickle_result trickle(unsigned short port, const std::string& head, const std::string& body,
                       std::chrono::milliseconds give_up) {
    trickle_result out;
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket s(ioc);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    const int fd = s.native_handle();
    ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    s.non_blocking(true);
    const auto end = std::chrono::steady_clock::now() + give_up;
    while (!out.closed && std::chrono::steady_clock::now() < end) {
        char buf[1024];
        for (;;) {
            const auto n = ::recv(fd, buf, sizeof buf, 0);
            if (n > 0) {
                out.data.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                out.closed = true;
            break;
        }
        if (out.closed)
            break;
        if (out.body_bytes_sent < body.size() &&
            ::send(fd, body.data() + out.body_bytes_sent, 1, MSG_NOSIGNAL) == 1)
            ++out.body_bytes_sent;
        ::poll(nullptr, 0, 200);  // the trickle's pace is the test
    }
    return out;
}

}  // namespace

TEST(BalancerSlowBody, ABodyTrickledInsideTheIdleTimeoutIsCutByTheBodyDeadlineWith408) {
    auto b1 = start_backend("b1");
    // Idle timeout 10 s: each byte (every 200 ms) is fifty times inside it. Body deadline 1.5 s.
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--idle-timeout-ms",
                        "10000", "--body-timeout-ms", "1500"});
    const std::string body(100, 'x');  // 20 s at this pace
    const std::string head =
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n";
    auto r = trickle(lb.port, head, body, 15s);
    EXPECT_TRUE(r.closed) << "the trickling body was never cut; sent " << r.body_bytes_sent;
    EXPECT_EQ(r.data.rfind("HTTP/1.1 408", 0), 0u) << r.data;
    EXPECT_LT(r.body_bytes_sent, body.size());
    auto totals = stats(lb.admin)["totals"].as_object();
    EXPECT_EQ(totals["body_timeouts"].as_int64(), 1);
    auto m = fetch(lb.admin, "/metrics");
    ASSERT_TRUE(m);
    EXPECT_NE(m->body.find("switchyard_lb_body_timeouts_total{lb=\"lb\"} 1"), std::string::npos)
        << m->body;

    // Chunked framing is bounded the same way.
    const std::string chunked_head =
        "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    std::string chunks;
    for (int i = 0; i < 30; ++i)
        chunks += "1\r\ny\r\n";
    auto c = trickle(lb.port, chunked_head, chunks, 15s);
    EXPECT_TRUE(c.closed);
    EXPECT_EQ(c.data.rfind("HTTP/1.1 408", 0), 0u) << c.data;
    EXPECT_EQ(stats(lb.admin)["totals"].as_object()["body_timeouts"].as_int64(), 2);

    // A body that arrives at once is served, and a normal client was never affected.
    http_client client(lb.port);
    auto ok = client.request("POST", "/upload", {}, std::string(200000, 'z'));
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(ok->body.size(), 200000u);
}
