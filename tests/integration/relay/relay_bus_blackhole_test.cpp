// A relay whose Redis link is blackholed (packets dropped, nothing closed) notices through its
// PING deadline: health turns 503, new clients are refused, and once the link carries data
// again it reconnects, resubscribes and serves cross-relay messages with the history intact.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "engine/faults/fault_proxy.hpp"
#include "engine/faults/toxic_table.hpp"
#include "tests/integration/relay/relay_test_support.hpp"

using namespace relay_test;
using switchyard::cluster::redis_server;
namespace faults = switchyard::faults;

namespace {

std::string publish(const std::string& id, int data) {
    return R"({"type":"publish","channel":"global","data":)" + std::to_string(data) + R"(,"id":")" +
           id + R"("})";
}

/// The figure for docs/relay.md; printed, not asserted (timing belongs in benchmarks).
void print_elapsed(const char* what, std::chrono::steady_clock::time_point since) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - since);
    std::cout << "[ figure   ] " << what << ": " << ms.count() << " ms" << std::endl;
}

}  // namespace

TEST(RelayBusBlackhole, SilentRedisLinkTurnsHealth503AndRecoversWithHistory) {
    redis_server redis{temp_dir("redis-blackhole")};
    // relay-1 reaches Redis only through the proxy; relay-2 directly.
    faults::fault_proxy link({.name = "relay-1->redis", .upstream_port = redis.port()});
    const std::string pid = std::to_string(::getpid());
    // Default PING interval and deadline; a short outage tolerance so health follows the bus.
    // The delivery canary is off: it would find the relay deaf first (1 s) and this test is
    // about the link watchdog alone.
    relay_proc r1("bh-relay-1-" + pid, "redis://127.0.0.1:" + std::to_string(link.port()),
                  {"--bus-outage-ms", "300", "--bus-canary-ms", "0"});
    relay_proc r2("bh-relay-2-" + pid, redis.url());
    for (auto* r : {&r1, &r2})
        ASSERT_TRUE(eventually([&] { return metric(r->admin, "relay_bus_up") == 1; }));

    ws_client pub(r2.port, "/ws?client=bh-pub");
    ASSERT_TRUE(pub.wait_type("hello"));
    pub.send(publish("before", 1));
    auto ack = pub.wait_type("ack", 10s, [](auto& o) { return o.at("id") == "before"; });
    ASSERT_TRUE(ack);
    const auto seq_before = ack->at("seq").to_number<std::uint64_t>();

    link.add_toxic("hole", faults::make_toxic("blackhole", {}));
    const auto holed_at = std::chrono::steady_clock::now();
    // No RST, no FIN: only the missing PONG can tell.
    ASSERT_TRUE(eventually([&] { return http_get(r1.port, "/healthz").first == 503; }, 30s));
    print_elapsed("blackhole to 503 (link watchdog)", holed_at);
    EXPECT_EQ(metric(r1.admin, "relay_bus_up"), 0);
    EXPECT_GE(metric(r1.admin, "switchyard_relay_bus_ping_timeouts_total"), 1);
    EXPECT_ANY_THROW(ws_client(r1.port, "/ws?client=bh-refused"));  // 503, not 101
    EXPECT_EQ(http_get(r2.port, "/healthz").first, 200);            // the other relay is unaffected

    pub.send(publish("during", 2));  // relay-2 still has Redis: goes into the history
    ASSERT_TRUE(pub.wait_type("ack", 10s, [](auto& o) { return o.at("id") == "during"; }));

    link.remove_toxic("hole");
    ASSERT_TRUE(eventually([&] { return http_get(r1.port, "/healthz").first == 200; }, 30s));
    ASSERT_TRUE(eventually([&] { return metric(r1.admin, "relay_bus_up") == 1; }));

    // Resume from before the outage: both messages come from the history.
    ws_client sub(r1.port, "/ws?client=bh-sub");
    sub.send(R"({"type":"subscribe","channels":["global"],"resume":{"global":)" +
             std::to_string(seq_before - 1) + "}}");
    ASSERT_TRUE(sub.wait_type("subscribed", 10s));
    ASSERT_TRUE(eventually([&] { return sub.messages("global").size() == 2; }));
    // Live delivery across relays through the resubscribed link.
    pub.send(publish("after", 3));
    ASSERT_TRUE(eventually([&] { return sub.messages("global").size() == 3; }));
    const auto got = sub.messages("global");
    EXPECT_EQ(got[0].first, seq_before);
    EXPECT_EQ(got[1].first, seq_before + 1);
    EXPECT_EQ(got[2].first, seq_before + 2);
    EXPECT_EQ(got[2].second, 3);
}

// The delivery canary finds a deaf relay before the TCP-level check does: with a 5 s PING
// deadline, only the canary (1 s) can close the clients this early; the deaf_total counter
// names it. (The reconnects that follow into the blackhole are ended by the PING deadline.) The
// deaf relay closes its clients 1011 at once (they resume on a relay that hears) and says 503; once
// the path carries messages again it hears its canary and serves.
TEST(RelayBusBlackhole, DeliveryCanaryFindsADeafRelayAndClosesItsClients) {
    redis_server redis{temp_dir("redis-deaf")};
    faults::fault_proxy link({.name = "relay-1->redis", .upstream_port = redis.port()});
    const std::string pid = std::to_string(::getpid());
    relay_proc r1("deaf-relay-1-" + pid, "redis://127.0.0.1:" + std::to_string(link.port()),
                  {"--bus-ping-deadline-ms", "5000"});
    relay_proc r2("deaf-relay-2-" + pid, redis.url());
    for (auto* r : {&r1, &r2})
        ASSERT_TRUE(eventually([&] { return metric(r->admin, "relay_bus_up") == 1; }));
    // Each hears its own canary and the other's.
    for (auto* r : {&r1, &r2}) {
        ASSERT_TRUE(eventually(
            [&] { return metric(r->admin, "switchyard_relay_bus_canary_heard_total") >= 2; }));
        ASSERT_TRUE(
            eventually([&] { return metric(r->admin, "switchyard_relay_bus_canary_peers") == 1; }));
    }
    // Canaries are not client traffic.
    EXPECT_EQ(metric(r1.admin, "relay_bus_received_total"), 0);
    EXPECT_EQ(metric(r1.admin, "relay_bus_published_total"), 0);

    ws_client client(r1.port, "/ws?client=deaf-client");
    ASSERT_TRUE(client.wait_type("hello"));
    link.add_toxic("hole", faults::make_toxic("blackhole", {}));
    const auto holed_at = std::chrono::steady_clock::now();
    ASSERT_TRUE(eventually([&] { return client.closed(); }, 30s));
    print_elapsed("blackhole to client closed 1011 (delivery canary)", holed_at);
    EXPECT_EQ(client.close_code(), 1011);
    EXPECT_GE(metric(r1.admin, "switchyard_relay_bus_deaf_total"), 1);
    EXPECT_EQ(http_get(r1.port, "/healthz").first, 503);
    EXPECT_ANY_THROW(ws_client(r1.port, "/ws?client=deaf-refused"));
    EXPECT_EQ(http_get(r2.port, "/healthz").first, 200);
    ASSERT_TRUE(
        eventually([&] { return metric(r2.admin, "switchyard_relay_bus_canary_peers") == 0; }));

    link.remove_toxic("hole");
    ASSERT_TRUE(eventually([&] { return http_get(r1.port, "/healthz").first == 200; }, 30s));
    const auto heard = metric(r1.admin, "switchyard_relay_bus_canary_heard_total");
    ASSERT_TRUE(eventually(
        [&] { return metric(r1.admin, "switchyard_relay_bus_canary_heard_total") > heard; }));
    EXPECT_EQ(metric(r1.admin, "switchyard_relay_bus_deaf"), 0);
    ws_client again(r1.port, "/ws?client=deaf-client");
    EXPECT_TRUE(again.wait_type("hello"));
}
