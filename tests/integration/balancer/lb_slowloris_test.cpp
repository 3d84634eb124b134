// A slowloris that keeps every read inside a per-read timeout: 1,000 connections each send one
// header line at a time, never finishing the header. The header deadline is for the whole
// header, so all are cut, and a normal client is served meanwhile.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {

/// A non-blocking client socket connected to 127.0.0.1:`port`, or -1.
int connect_nonblocking(unsigned short port) {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec)
        return -1;
    s.non_blocking(true, ec);
    return s.release(ec);
}

/// True once the server has closed `fd` (read returns 0 or an error other than would-block).
bool closed_by_server(int fd) {
    char buf[512];
    for (;;) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n == 0)
            return true;
        if (n < 0)
            return errno != EAGAIN && errno != EWOULDBLOCK;
    }
}

}  // namespace

TEST(BalancerSlowloris, ThousandDribblingHeadersAreAllCutAndANormalClientIsServed) {
    auto b1 = start_backend("b1");
    auto lb = start_lb(
        {"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--header-timeout-ms", "1500"});
    constexpr int clients = 1000;
    std::vector<int> fds;
    for (int i = 0; i < clients; ++i) {
        const int fd = connect_nonblocking(lb.port);
        ASSERT_GE(fd, 0) << "connection " << i;
        fds.push_back(fd);
        const std::string start = "GET / HTTP/1.1\r\nHost: x\r\n";
        ASSERT_EQ(::send(fd, start.data(), start.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(start.size()));
    }
    std::vector<bool> closed(clients, false);
    int open = clients;
    bool normal_served = false;
    // Dribble one line every 300 ms (far inside any per-read timeout) for at most 15 s.
    const auto give_up = std::chrono::steady_clock::now() + 15s;
    for (int line = 0; open > 0 && std::chrono::steady_clock::now() < give_up; ++line) {
        const std::string header = "X-Dribble-" + std::to_string(line) + ": 1\r\n";
        for (int i = 0; i < clients; ++i) {
            if (closed[i])
                continue;
            if (closed_by_server(fds[i])) {
                closed[i] = true;
                --open;
                continue;
            }
            ::send(fds[i], header.data(), header.size(), MSG_NOSIGNAL);
        }
        if (!normal_served && line >= 1) {
            auto r = fetch(lb.port, "/");
            normal_served = r && r->status == 200;
        }
        ::poll(nullptr, 0, 300);  // the dribbling pace is the test
    }
    for (int fd : fds)
        ::close(fd);
    EXPECT_EQ(open, 0) << open << " dribbling connections were never cut";
    EXPECT_TRUE(normal_served) << "a normal client was not served during the attack";
    EXPECT_GE(stats(lb.admin)["totals"].as_object()["timeouts"].as_int64(), clients);
}
