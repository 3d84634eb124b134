// One client address cannot take every connection slot (limits.max_connections_per_address).
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include "lb_test_support.hpp"

using namespace lbtest;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// One keep-alive GET / on a connection from `source` (a loopback address); true when answered.
class sourced_client {
  public:
    sourced_client(const std::string& source, unsigned short port) : s_(ioc_) {
        boost::system::error_code ec;
        s_.open(tcp::v4());
        s_.bind(tcp::endpoint(asio::ip::make_address(source), 0), ec);
        if (!ec)
            s_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
        connected_ = !ec;
    }
    bool get() {
        if (!connected_)
            return false;
        boost::system::error_code ec;
        const std::string req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        asio::write(s_, asio::buffer(req), ec);
        if (ec)
            return false;
        std::string got;
        char buf[1024];
        // sy-test-backend answers with a short fixed body; the head is enough to know.
        while (got.find("\r\n\r\n") == std::string::npos) {
            const auto n = s_.read_some(asio::buffer(buf), ec);
            if (ec)
                return false;
            got.append(buf, n);
        }
        return got.rfind("HTTP/1.1 200", 0) == 0;
    }
    void close() {
        boost::system::error_code ec;
        s_.close(ec);
    }

  private:
    asio::io_context ioc_;
    tcp::socket s_;
    bool connected_ = false;
};

}  // namespace

TEST(BalancerLimits, ConnectionsPerAddressAreCappedAndOtherAddressesStillServed) {
    auto b1 = start_backend("b1");
    auto lb = start_lb({"--backend", "b1=127.0.0.1:" + std::to_string(b1.port),
                        "--max-connections-per-address", "3", "--threads", "2"});
    std::vector<std::unique_ptr<sourced_client>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<sourced_client>("127.0.0.2", lb.port));
        ASSERT_TRUE(held.back()->get()) << "connection " << i << " is within the limit";
    }
    sourced_client fourth("127.0.0.2", lb.port);
    EXPECT_FALSE(fourth.get()) << "fourth connection from 127.0.0.2 over the limit of 3";
    auto totals = stats(lb.admin)["totals"].as_object();
    EXPECT_EQ(totals["connections_rejected_per_address"].as_int64(), 1);
    // Another address is not affected.
    sourced_client other("127.0.0.3", lb.port);
    EXPECT_TRUE(other.get());
    // A slot is given back when its connection closes.
    held.front()->close();
    EXPECT_TRUE(eventually(
        [&] {
            sourced_client again("127.0.0.2", lb.port);
            return again.get();
        },
        10s));
    auto metrics = fetch(lb.admin, "/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find("switchyard_lb_connections_rejected_per_address_total"),
              std::string::npos);
}
