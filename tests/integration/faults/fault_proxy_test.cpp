// The fault proxy against a real echo server on 127.0.0.1: each toxic set (and cleared) on a
// live proxy, observed from a real client socket.
#include "engine/faults/fault_proxy.hpp"

#include <gtest/gtest.h>

#include "engine/faults/toxic_table.hpp"
#include "tests/integration/faults/echo_server.hpp"

namespace switchyard::faults::testing {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

std::unique_ptr<toxic> make(std::string_view name,
                            std::initializer_list<std::pair<const char*, double>> values = {},
                            toxic_direction dir = toxic_direction::both) {
    toxic_params p;
    p.direction = dir;
    for (const auto& [k, v] : values) {
        p.values[k] = v;
    }
    return make_toxic(name, p);
}

struct proxy_fixture : ::testing::Test {
    echo_server echo;
    fault_proxy proxy{fault_proxy_options{.name = "test", .upstream_port = echo.port(), .seed = 7}};

    /// Sends `msg` and waits for its echo; returns the round trip, or nullopt on timeout.
    static std::optional<std::chrono::milliseconds> round_trip(test_client& c,
                                                               const std::string& msg,
                                                               std::chrono::milliseconds timeout) {
        const auto start = clock_type::now();
        c.send(msg);
        auto got = c.read_exact(msg.size(), timeout);
        if (!got) {
            return std::nullopt;
        }
        EXPECT_EQ(*got, msg);
        return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
    }

    /// Polls `cond` until it holds or 5 s pass.
    template <class F>
    static bool eventually(F cond) {
        const auto deadline = clock_type::now() + 5s;
        while (clock_type::now() < deadline) {
            if (cond()) {
                return true;
            }
            std::this_thread::sleep_for(5ms);
        }
        return cond();
    }
};

TEST_F(proxy_fixture, forwards_both_ways_without_toxics) {
    ASSERT_NE(proxy.port(), 0);
    test_client c(proxy.port());
    const auto rtt = round_trip(c, "hello through the proxy", 2s);
    ASSERT_TRUE(rtt);
    EXPECT_LT(*rtt, 100ms);
    EXPECT_EQ(proxy.counters().accepted, 1u);
    EXPECT_EQ(proxy.counters().bytes_upstream, 23u);
}

TEST_F(proxy_fixture, latency_delays_a_live_connection_and_clearing_restores_it) {
    test_client c(proxy.port());
    ASSERT_TRUE(round_trip(c, "warm", 2s));
    proxy.add_toxic("slow", make("latency", {{"latency_ms", 150}}));
    const auto slow = round_trip(c, "ping", 3s);
    ASSERT_TRUE(slow);
    EXPECT_GE(*slow, 300ms) << "both directions delayed";
    EXPECT_TRUE(proxy.remove_toxic("slow"));
    EXPECT_FALSE(proxy.remove_toxic("slow"));
    const auto fast = round_trip(c, "pong", 2s);
    ASSERT_TRUE(fast);
    EXPECT_LT(*fast, 100ms);
}

TEST_F(proxy_fixture, latency_in_one_direction_only) {
    proxy.add_toxic("up", make("latency", {{"latency_ms", 200}}, toxic_direction::upstream));
    test_client c(proxy.port());
    const auto rtt = round_trip(c, "x", 3s);
    ASSERT_TRUE(rtt);
    EXPECT_GE(*rtt, 200ms);
    EXPECT_LT(*rtt, 380ms);
}

TEST_F(proxy_fixture, bandwidth_caps_throughput) {
    proxy.add_toxic("thin", make("bandwidth", {{"rate_kbps", 100}}, toxic_direction::upstream));
    test_client c(proxy.port());
    const std::string blob(50'000, 'b');  // 0.5 s at 100 KB/s
    const auto rtt = round_trip(c, blob, 5s);
    ASSERT_TRUE(rtt);
    EXPECT_GE(*rtt, 450ms);
    EXPECT_LT(*rtt, 2000ms);
}

TEST_F(proxy_fixture, blackhole_accepts_reads_and_never_answers) {
    proxy.add_toxic("hole", make("blackhole"));
    test_client c(proxy.port());
    c.send("anyone there?");
    EXPECT_FALSE(c.read_exact(1, 300ms));
    EXPECT_EQ(c.last_error(), boost::asio::error::timed_out) << "open but silent, not closed";
    EXPECT_EQ(echo.accepted(), 0) << "nothing forwarded upstream";
    EXPECT_TRUE(eventually([&] { return proxy.counters().bytes_dropped >= 13; }));
}

TEST_F(proxy_fixture, blackhole_silences_a_live_connection) {
    test_client c(proxy.port());
    ASSERT_TRUE(round_trip(c, "before", 2s));
    proxy.add_toxic("hole", make("blackhole"));
    EXPECT_FALSE(round_trip(c, "during", 300ms));
}

TEST_F(proxy_fixture, reset_kills_live_connections_and_new_ones) {
    test_client live(proxy.port());
    ASSERT_TRUE(round_trip(live, "ok", 2s));
    proxy.add_toxic("rst", make("reset"));
    EXPECT_EQ(live.wait_end(2s), boost::asio::error::connection_reset);
    test_client fresh(proxy.port());
    EXPECT_EQ(fresh.wait_end(2s), boost::asio::error::connection_reset);
    EXPECT_GE(proxy.counters().resets, 2u);
}

TEST_F(proxy_fixture, timeout_silences_then_closes) {
    proxy.add_toxic("t", make("timeout", {{"timeout_ms", 300}}));
    test_client c(proxy.port());
    const auto start = clock_type::now();
    c.send("lost");
    const auto how = c.wait_end(3s);
    const auto took = clock_type::now() - start;
    EXPECT_EQ(how, boost::asio::error::eof);
    EXPECT_EQ(c.bytes_before_end, 0u);
    EXPECT_GE(took, 250ms);
    EXPECT_EQ(proxy.counters().closes, 1u);
}

TEST_F(proxy_fixture, partition_stalls_live_data_until_healed_then_delivers_it) {
    test_client c(proxy.port());
    ASSERT_TRUE(round_trip(c, "before", 2s));
    proxy.add_toxic("cut", make("partition"));
    c.send("held");
    EXPECT_FALSE(c.read_exact(4, 300ms)) << "nothing crosses a partition";
    proxy.remove_toxic("cut");
    const auto got = c.read_exact(4, 2s);
    ASSERT_TRUE(got) << "held data flows after healing";
    EXPECT_EQ(*got, "held");
}

TEST_F(proxy_fixture, partition_holds_new_connections_upstream_until_healed) {
    proxy.add_toxic("cut", make("partition"));
    test_client c(proxy.port());
    c.send("hi");
    EXPECT_FALSE(c.read_exact(2, 300ms));
    EXPECT_EQ(echo.accepted(), 0);
    proxy.clear_toxics();
    const auto got = c.read_exact(2, 2s);
    ASSERT_TRUE(got);
    EXPECT_EQ(echo.accepted(), 1);
}

TEST_F(proxy_fixture, slow_close_delays_the_fin) {
    proxy.add_toxic("linger", make("slow_close", {{"delay_ms", 300}}));
    test_client c(proxy.port());
    ASSERT_TRUE(round_trip(c, "bye", 2s));
    const auto start = clock_type::now();
    c.shutdown_send();
    EXPECT_EQ(c.wait_end(3s), boost::asio::error::eof);
    EXPECT_GE(clock_type::now() - start, 300ms);
}

TEST_F(proxy_fixture, set_upstream_moves_new_connections) {
    echo_server other;
    proxy.set_upstream("127.0.0.1", other.port());
    test_client c(proxy.port());
    ASSERT_TRUE(round_trip(c, "moved", 2s));
    EXPECT_EQ(other.accepted(), 1);
    EXPECT_EQ(echo.accepted(), 0);
}

TEST_F(proxy_fixture, refused_upstream_closes_the_client) {
    proxy.set_upstream("127.0.0.1", 1);  // nothing listens on port 1
    test_client c(proxy.port());
    const auto how = c.wait_end(2s);
    EXPECT_NE(how, boost::asio::error::timed_out);
    EXPECT_TRUE(eventually([&] { return proxy.counters().upstream_failures == 1; }));
}

TEST_F(proxy_fixture, toxic_keys_replace_and_clear) {
    proxy.add_toxic("a", make("latency"));
    proxy.add_toxic("b", make("bandwidth"));
    proxy.add_toxic("a", make("latency", {{"latency_ms", 5}}));
    EXPECT_EQ(proxy.toxic_keys(), (std::vector<std::string>{"a", "b"}));
    proxy.clear_toxics();
    EXPECT_TRUE(proxy.toxic_keys().empty());
}

}  // namespace
}  // namespace switchyard::faults::testing
