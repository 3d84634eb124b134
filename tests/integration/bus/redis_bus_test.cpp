// The redis bus on a real redis-server: a gap in the subscription is refilled from the history,
// and what it holds meanwhile is bounded by gap_hold_max (dropped past it, read again).
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include "backends/bus/redis_bus.hpp"
#include "engine/cluster/redis_server.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace switchyard;

struct recorder : bus::bus_listener {
    std::vector<bus::message_ptr> messages;
    bool up = false;
    void on_bus_message(bus::message_ptr msg) override { messages.push_back(std::move(msg)); }
    void on_bus_direct(bus::bus_direct) override {}
    void on_bus_state(bool u) override { up = u; }
};

// Runs `ioc` until `cond` holds or `timeout` passes.
bool run_until(asio::io_context& ioc, const std::function<bool()>& cond,
               std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!cond() && std::chrono::steady_clock::now() < deadline) {
        ioc.restart();
        ioc.run_for(10ms);
    }
    return cond();
}

std::string resp(const std::vector<std::string>& args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto& a : args)
        out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    return out;
}

std::filesystem::path temp_dir() {
    auto dir = std::filesystem::temp_directory_path() /
               ("switchyard-bus-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace

TEST(RedisBus, GapRefillHoldIsBoundedAndEverythingArrivesInOrderOnce) {
    cluster::redis_server redis(temp_dir());
    asio::io_context ioc;
    bus::bus_options options;
    options.relay_id = "gap-test";
    options.gap_hold_max = 1;  // the second message held during a refill overflows
    bus::redis_bus b(options, ioc.get_executor(), "127.0.0.1", redis.port());
    recorder rec;
    b.start(rec);
    ASSERT_TRUE(run_until(ioc, [&] { return rec.up; }));

    bool acked = false;
    b.publish("g", "p", "1", [&](bus::bus_status st, std::uint64_t seq) {
        EXPECT_EQ(st, bus::bus_status::ok);
        EXPECT_EQ(seq, 1u);
        acked = true;
    });
    ASSERT_TRUE(run_until(ioc, [&] { return acked && rec.messages.size() == 1; }));

    // Other relays "published" 2..60 (history and counter written as the publish script does)
    // but this relay's subscription only sees 41..60, all in one burst: 41 opens a gap refill
    // and the rest arrive while it is in flight.
    constexpr int last = 60, first_seen = 41;
    std::string pipeline;
    for (int n = 2; n <= last; ++n)
        pipeline += resp({"RPUSH", "sy:hist:g", std::to_string(n) + " p " + std::to_string(n)});
    pipeline += resp({"SET", "sy:seq:g", std::to_string(last)});
    for (int n = first_seen; n <= last; ++n)
        pipeline += resp({"PUBLISH", "sy:ch:g", std::to_string(n) + " p " + std::to_string(n)});
    asio::io_context probe_ioc;
    asio::ip::tcp::socket probe(probe_ioc);
    probe.connect({asio::ip::make_address("127.0.0.1"), redis.port()});
    asio::write(probe, asio::buffer(pipeline));

    ASSERT_TRUE(run_until(ioc, [&] { return rec.messages.size() >= last; }))
        << "got " << rec.messages.size();
    // A moment more: nothing extra (no duplicate) may follow.
    run_until(
        ioc, [] { return false; }, 200ms);
    ASSERT_EQ(rec.messages.size(), static_cast<std::size_t>(last));
    for (int i = 0; i < last; ++i) {
        EXPECT_EQ(rec.messages[i]->seq, static_cast<std::uint64_t>(i + 1));
        EXPECT_EQ(rec.messages[i]->data, std::to_string(i + 1));
    }
    EXPECT_GE(b.counters().gap_refills.load(), 2u);  // the first read, and the one after a drop
    EXPECT_GE(b.counters().gap_hold_overflows.load(), 1u);
    b.stop();
}

TEST(RedisBus, GapRefillWithinTheHoldLimitNeedsOneRead) {
    cluster::redis_server redis(temp_dir());
    asio::io_context ioc;
    bus::bus_options options;
    options.relay_id = "gap-test-2";
    bus::redis_bus b(options, ioc.get_executor(), "127.0.0.1", redis.port());
    recorder rec;
    b.start(rec);
    ASSERT_TRUE(run_until(ioc, [&] { return rec.up; }));
    b.publish("g", "p", "1", [](bus::bus_status, std::uint64_t) {});
    ASSERT_TRUE(run_until(ioc, [&] { return rec.messages.size() == 1; }));
    std::string pipeline;
    for (int n = 2; n <= 10; ++n)
        pipeline += resp({"RPUSH", "sy:hist:g", std::to_string(n) + " p " + std::to_string(n)});
    pipeline += resp({"SET", "sy:seq:g", "10"});
    for (int n = 8; n <= 10; ++n)
        pipeline += resp({"PUBLISH", "sy:ch:g", std::to_string(n) + " p " + std::to_string(n)});
    asio::io_context probe_ioc;
    asio::ip::tcp::socket probe(probe_ioc);
    probe.connect({asio::ip::make_address("127.0.0.1"), redis.port()});
    asio::write(probe, asio::buffer(pipeline));
    ASSERT_TRUE(run_until(ioc, [&] { return rec.messages.size() >= 10; }));
    run_until(
        ioc, [] { return false; }, 200ms);
    ASSERT_EQ(rec.messages.size(), 10u);
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(rec.messages[i]->seq, static_cast<std::uint64_t>(i + 1));
    EXPECT_EQ(b.counters().gap_refills.load(), 1u);
    EXPECT_EQ(b.counters().gap_hold_overflows.load(), 0u);
    b.stop();
}

// A history read while the subscription is not confirmed would miss what is published between
// the read and the (re)subscription (a client resuming on a relay that had just started lost
// those messages silently, with no resume_gap): the bus answers "unavailable" until it is up
// again, and the caller retries.
TEST(RedisBus, HistoryIsRefusedWhileTheSubscriptionIsNotConfirmed) {
    cluster::redis_server redis(temp_dir());
    asio::io_context ioc;
    bus::bus_options options;
    options.relay_id = "history-test";
    bus::redis_bus b(options, ioc.get_executor(), "127.0.0.1", redis.port());
    recorder rec;
    b.start(rec);
    ASSERT_TRUE(run_until(ioc, [&] { return rec.up; }));
    b.publish("g", "p", "1", [](bus::bus_status, std::uint64_t) {});
    ASSERT_TRUE(run_until(ioc, [&] { return rec.messages.size() == 1; }));

    // Only the subscription connection goes; the command connection stays up and could read.
    asio::io_context probe_ioc;
    asio::ip::tcp::socket probe(probe_ioc);
    probe.connect({asio::ip::make_address("127.0.0.1"), redis.port()});
    asio::write(probe, asio::buffer(resp({"CLIENT", "KILL", "TYPE", "pubsub"})));
    ASSERT_TRUE(run_until(ioc, [&] { return !rec.up; }));
    std::optional<bus::bus_status> during;
    b.history("g", 0, [&](bus::bus_history h) { during = h.status; });
    ASSERT_TRUE(run_until(ioc, [&] { return during.has_value(); }));
    EXPECT_EQ(*during, bus::bus_status::unavailable);

    ASSERT_TRUE(run_until(ioc, [&] { return rec.up; }));  // resubscribed
    std::optional<bus::bus_history> after;
    b.history("g", 0, [&](bus::bus_history h) { after = std::move(h); });
    ASSERT_TRUE(run_until(ioc, [&] { return after.has_value(); }));
    EXPECT_EQ(after->status, bus::bus_status::ok);
    ASSERT_EQ(after->entries.size(), 1u);
    EXPECT_EQ(after->entries[0]->seq, 1u);
    b.stop();
}
