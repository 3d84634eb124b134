// A client that sends a request and never reads the answer: the balancer's write to it blocks
// once the socket buffers are full, and limits.idle_timeout_ms bounds that one write, so the
// connection is cut instead of being held (with its backend connection) for ever. A client
// that reads is served meanwhile. docs/security.md, "Balancer", Limits.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {

/// A client socket with a tiny receive buffer (set before connect, so the window stays small).
int connect_small_window(unsigned short port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int rcvbuf = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

/// Reads until EOF or an error (the peer ended the connection) or `give_up`; {bytes, ended}.
std::pair<std::size_t, bool> drain(int fd, std::chrono::milliseconds give_up) {
    std::size_t total = 0;
    const auto end = std::chrono::steady_clock::now() + give_up;
    char buf[65536];
    while (std::chrono::steady_clock::now() < end) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0)
            continue;
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            total += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        return {total, true};
    }
    return {total, false};
}

long long active_connections(unsigned short admin) {
    return stats(admin)["totals"].as_object()["connections_active"].as_int64();
}

}  // namespace

TEST(BalancerNeverReadingClient, AWriteBlockedForTheIdleTimeoutIsCutAndAReaderIsServed) {
    auto b1 = start_backend("b1");
    auto lb = start_lb(
        {"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--idle-timeout-ms", "1500"});

    // The backend echoes a POST body: 16 MiB back is far more than the kernel buffers hold
    // between the balancer and a 4 KiB receive window.
    const std::size_t size = 16u << 20;
    const int fd = connect_small_window(lb.port);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                 std::to_string(size) + "\r\n\r\n" + std::string(size, 'r')));
    ASSERT_TRUE(eventually([&] { return active_connections(lb.admin) == 1; }, 10s));

    // While that write is stuck, another client is served as usual.
    auto ok = fetch(lb.port, "/");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);

    // The balancer ends the never-reading connection (without the write rule it would stay
    // open as long as the client does: this poll would time out).
    EXPECT_TRUE(eventually([&] { return active_connections(lb.admin) == 0; }, 30s))
        << "still open: " << active_connections(lb.admin);

    // Reading now, the client gets part of the answer, then the end of the connection.
    const auto [got, ended] = drain(fd, 20s);
    ::close(fd);
    EXPECT_TRUE(ended);
    EXPECT_LT(got, size) << "the whole answer arrived: the connection was not cut";

    // And the balancer still serves.
    auto after = fetch(lb.port, "/");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200);
}
