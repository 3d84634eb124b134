#include <atomic>
#include <cmath>
#include <limits>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "engine/events/event_stream.hpp"
#include "engine/events/ndjson.hpp"

using namespace switchyard::events;
using namespace std::chrono_literals;

namespace {
std::vector<event> one_of_each() {
    metrics m;
    m.at = 250000us;
    m.period = 250ms;
    m.publishes = 10;
    m.deliveries = 300;
    m.deliveries_per_s = 1200.5;
    m.latency_p99 = 1500us;
    m.clients_connected = 30;
    m.relays = {{"relay-1", 10, 100}, {"relay-2", 20, 200}};
    return {
        run_started{1us, "failover-kill", "scenarios/ci/failover-kill.yaml", 42, "runs/x", 15s},
        run_finished{2us, "failed", 1, "lost: 3 > 0"},
        component_changed{3us, "relay-1", "relay", "ready", 1234, 40000, 40001},
        health_changed{4us, "relay-2", "up", "down"},
        client_connected{5us, 7, "relay-1", "failover", true, "web"},
        client_disconnected{6us, 7, "relay-2", "1001 going away \"quoted\"\n"},
        connect_failed{7us, 8, "HTTP 502"},
        resume_gap{8us, 9, "global", 12, 40},
        delivery_sample{9us, 1, 2, "relay-3", "global", 77, 850us, true},
        m,
        action_applied{11us, "hand", action_kind::add_relay, "relay-4", "", false, "boom"},
        fault_changed{12us, "balancer-relay-1", "latency", "latency=200ms", true},
        assertion_result{13us, "failover_ms", false, 1320.5, "<= 1000", "client 4 took 1320 ms"},
        log_message{14us, "warn", "ünïcode ok"},
    };
}
}  // namespace

TEST(Ndjson, EveryEventTypeRoundTrips) {
    const auto events = one_of_each();
    ASSERT_EQ(events.size(), std::variant_size_v<event>) << "add the new event type here";
    std::stringstream log;
    for (const auto& e : events) {
        const auto line = to_ndjson(e);
        EXPECT_EQ(line.find('\n'), std::string::npos);
        log << line << "\n\n";
    }
    const auto back = read_ndjson(log);
    ASSERT_EQ(back.size(), events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(to_ndjson(back[i]), to_ndjson(events[i]));
        EXPECT_EQ(back[i].index(), events[i].index());
        EXPECT_EQ(event_time(back[i]), event_time(events[i]));
    }
    const auto& m = std::get<metrics>(back[9]);
    ASSERT_EQ(m.relays.size(), 2u);
    EXPECT_EQ(m.relays[1].relay, "relay-2");
    EXPECT_EQ(m.latency_p99, 1500us);
    EXPECT_EQ(std::get<action_applied>(back[10]).kind, action_kind::add_relay);
}

TEST(Ndjson, WritesTypeAndMicrosecondKeys) {
    const auto line = to_ndjson(health_changed{1500us, "relay-1", "up", "down"});
    EXPECT_NE(line.find("\"type\":\"health_changed\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"at_us\":1500"), std::string::npos) << line;
}

TEST(Ndjson, InfiniteMeasurementStaysValidJson) {
    assertion_result a;
    a.name = "failover_ms";
    a.measured = std::numeric_limits<double>::infinity();
    const auto line = to_ndjson(a);
    EXPECT_NE(line.find("\"measured\":\"inf\""), std::string::npos) << line;
    EXPECT_TRUE(std::isinf(std::get<assertion_result>(from_ndjson(line)).measured));
}

TEST(Ndjson, RejectsBadLinesWithReason) {
    EXPECT_THROW(from_ndjson("{"), ndjson_error);
    EXPECT_THROW(from_ndjson("[1]"), ndjson_error);
    EXPECT_THROW(from_ndjson(R"({"at_us":1})"), ndjson_error);
    EXPECT_THROW(from_ndjson(R"({"type":"nope"})"), ndjson_error);
    EXPECT_THROW(from_ndjson(R"({"type":"client_connected","client":"seven"})"), ndjson_error);
    EXPECT_THROW(from_ndjson(R"({"type":"action_applied","kind":"explode"})"), ndjson_error);
    std::stringstream log(R"({"type":"log","text":"ok"})"
                          "\n{broken\n");
    try {
        read_ndjson(log);
        FAIL() << "expected an error";
    } catch (const ndjson_error& e) {
        EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
    }
}

TEST(Ndjson, IgnoresUnknownFieldsAndKeepsDefaults) {
    const auto e = from_ndjson(R"({"type":"client_connected","client":3,"future":[1,2]})");
    const auto& c = std::get<client_connected>(e);
    EXPECT_EQ(c.client, 3u);
    EXPECT_EQ(c.at, 0us);
    EXPECT_FALSE(c.reconnect);
    EXPECT_EQ(c.fleet, "");  // logs from before the fleet field: one unnamed fleet
}

TEST(ActionKind, NamesRoundTrip) {
    action_kind k{};
    ASSERT_TRUE(parse_action_kind("restart_redis", k));
    EXPECT_EQ(k, action_kind::restart_redis);
    EXPECT_EQ(to_string(action_kind::clear_fault), "clear_fault");
    EXPECT_FALSE(parse_action_kind("explode", k));
}

TEST(EventStream, DeliversInOrderToEverySubscriberUntilUnsubscribed) {
    event_stream stream;
    std::vector<std::string> a, b;
    const auto sa = stream.subscribe([&](const event& e) { a.emplace_back(event_name(e)); });
    stream.subscribe([&](const event& e) { b.emplace_back(event_name(e)); });
    stream.publish(log_message{1us, "info", "x"});
    stream.unsubscribe(sa);
    stream.publish(health_changed{2us, "r", "up", "down"});
    EXPECT_EQ(a, (std::vector<std::string>{"log"}));
    EXPECT_EQ(b, (std::vector<std::string>{"log", "health_changed"}));
    EXPECT_EQ(stream.published(), 2u);
}

TEST(EventStream, CallbackMayUnsubscribeItselfAndSubscribeOthers) {
    event_stream stream;
    int first = 0, second = 0;
    event_stream::subscription self = 0;
    self = stream.subscribe([&](const event&) {
        ++first;
        stream.unsubscribe(self);
        stream.subscribe([&](const event&) { ++second; });
    });
    stream.publish(log_message{});
    stream.publish(log_message{});
    EXPECT_EQ(first, 1);
    EXPECT_EQ(second, 1);  // subscribed during event 1: starts with event 2
}

TEST(EventStream, ConcurrentPublishersAndSubscribersAreSafe) {
    event_stream stream;
    std::atomic<std::uint64_t> seen{0};
    std::atomic<bool> stop{false};
    std::thread churn([&] {
        while (!stop) {
            auto id = stream.subscribe([&](const event&) { seen.fetch_add(1); });
            stream.unsubscribe(id);
        }
    });
    std::atomic<std::uint64_t> steady{0};
    stream.subscribe([&](const event&) { steady.fetch_add(1); });
    std::vector<std::thread> pubs;
    for (int t = 0; t < 4; ++t)
        pubs.emplace_back([&] {
            for (int i = 0; i < 5000; ++i)
                stream.publish(log_message{micros{i}, "info", "m"});
        });
    for (auto& p : pubs)
        p.join();
    stop = true;
    churn.join();
    EXPECT_EQ(steady.load(), 20000u);
    EXPECT_EQ(stream.published(), 20000u);
}
