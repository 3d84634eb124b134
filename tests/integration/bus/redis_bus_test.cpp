// The redis bus on a real redis-server: a gap in the subscription is refilled from the history,
// and what it holds meanwhile is bounded by gap_hold_max (dropped past it, read again).
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <thread>
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
    int ups = 0;  // times the bus came up
    void on_bus_message(bus::message_ptr msg) override { messages.push_back(std::move(msg)); }
    void on_bus_direct(bus::bus_direct) override {}
    void on_bus_state(bool u) override {
        up = u;
        ups += u ? 1 : 0;
    }
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

namespace {

// The crash race of the soak (docs/security.md, "Soak"): Redis acknowledges a run of publishes
// and is killed while their pub/sub fan-out still sits in its output buffer for one relay (here
// a bus whose io_context is not run, so its socket fills). Returns the seqs that relay handed
// its listener once Redis was back and one more message was published, and how many were
// published in all.
struct crash_outcome {
    std::vector<std::uint64_t> lagging_seqs;
    std::uint64_t published = 0;
    bool backlog_seen = false;  // Redis held output for the lagging relay when it was killed
};

crash_outcome crash_while_one_relay_lags(cluster::redis_persistence persistence) {
    // A directory of its own: an append-only file here is this server's alone.
    static int n = 0;
    const auto dir = temp_dir() / ("crash-" + std::to_string(++n));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    cluster::redis_server redis(dir, 0, {}, persistence);
    asio::io_context probe_ioc;
    asio::ip::tcp::socket probe(probe_ioc);
    probe.connect({asio::ip::make_address("127.0.0.1"), redis.port()});
    auto ask = [&](const std::vector<std::string>& args) {
        asio::write(probe, asio::buffer(resp(args)));
        std::string reply;
        // Enough for these small answers: read what has arrived after a short poll.
        for (int i = 0; i < 100 && probe.available() == 0; ++i)
            std::this_thread::sleep_for(10ms);
        reply.resize(probe.available());
        asio::read(probe, asio::buffer(reply));
        return reply;
    };
    // No output limit: the lagging relay's backlog must wait in Redis, not get it cut off.
    ask({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 0 0"});

    asio::io_context ioc_a, ioc_b;
    bus::bus_options oa, ob;
    oa.relay_id = "publisher";
    ob.relay_id = "lagging";
    oa.history_max = ob.history_max = 1000;
    oa.canary_interval = ob.canary_interval = 0ms;  // the lagging bus is not run: no deafness
    bus::redis_bus a(oa, ioc_a.get_executor(), "127.0.0.1", redis.port());
    bus::redis_bus b(ob, ioc_b.get_executor(), "127.0.0.1", redis.port());
    recorder ra, rb;
    a.start(ra);
    b.start(rb);
    EXPECT_TRUE(run_until(ioc_a, [&] { return ra.up; }));
    EXPECT_TRUE(run_until(ioc_b, [&] { return rb.up; }));

    // 300 x 64 KiB: more than the loopback socket buffers hold, so Redis keeps the rest.
    crash_outcome out;
    const std::string payload(64 * 1024, 'x');
    std::uint64_t acked = 0;
    for (int i = 0; i < 300; ++i)
        a.publish("g", "p", payload, [&](bus::bus_status st, std::uint64_t) {
            if (st == bus::bus_status::ok)
                ++acked;
        });
    out.published = 300;
    EXPECT_TRUE(run_until(
        ioc_a, [&] { return acked == 300 && ra.messages.size() == 300; }, 30s));
    // One line per subscriber: the lagging one must show output held (omem > 0).
    const std::string clients = ask({"CLIENT", "LIST", "TYPE", "pubsub"});
    std::size_t held = 0;
    for (std::size_t at = clients.find("omem="); at != std::string::npos;
         at = clients.find("omem=", at + 5))
        if (clients.compare(at, 7, "omem=0 ") != 0)
            ++held;
    out.backlog_seen = held > 0;

    redis.kill();
    redis.restart();
    // The lagging relay now reads what reached its socket, loses the connection, comes back.
    const auto both_up = [&] {
        ioc_b.restart();
        ioc_b.run_for(10ms);
        return ra.ups >= 2 && ra.up && rb.ups >= 2 && rb.up;
    };
    EXPECT_TRUE(run_until(ioc_a, both_up, 15s));
    bool last_acked = false;
    a.publish("g", "p", "after",
              [&](bus::bus_status st, std::uint64_t) { last_acked = st == bus::bus_status::ok; });
    ++out.published;
    const auto settled = [&] {
        ioc_b.restart();
        ioc_b.run_for(10ms);
        return last_acked && !rb.messages.empty() && rb.messages.back()->data == "after";
    };
    EXPECT_TRUE(run_until(ioc_a, settled, 15s));
    for (const auto& m : rb.messages)
        out.lagging_seqs.push_back(m->seq);
    a.stop();
    b.stop();
    return out;
}

}  // namespace

// Without persistence the crash loses them: the restarted Redis has no history to refill the
// lagging relay's gap from, so it jumps from what it had read to the next message. This is the
// loss the soak saw (all clients of one relay, or of every relay when none had read them and
// the publisher's floor skipped their seqs).
TEST(RedisBus, ACrashWithoutPersistenceLosesWhatALaggingRelayHadNotRead) {
    const auto out = crash_while_one_relay_lags(cluster::redis_persistence::none);
    ASSERT_TRUE(out.backlog_seen) << "Redis held no output for the lagging relay: no race made";
    ASSERT_FALSE(out.lagging_seqs.empty());
    EXPECT_EQ(out.lagging_seqs.back(), out.published);
    EXPECT_LT(out.lagging_seqs.size(), out.published) << "nothing was lost";
}

// With the append-only file Redis comes back with every seq it acknowledged and the history
// holding them: the lagging relay's gap refill finds them, so it hands over 1..N once, in order.
TEST(RedisBus, ACrashWithAnAppendOnlyFileLosesNothingALaggingRelayHadNotRead) {
    const auto out = crash_while_one_relay_lags(cluster::redis_persistence::aof);
    ASSERT_TRUE(out.backlog_seen) << "Redis held no output for the lagging relay: no race made";
    ASSERT_EQ(out.lagging_seqs.size(), out.published);
    for (std::size_t i = 0; i < out.lagging_seqs.size(); ++i)
        EXPECT_EQ(out.lagging_seqs[i], i + 1);
}
