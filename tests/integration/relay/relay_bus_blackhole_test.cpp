// A relay whose Redis link is blackholed (packets dropped, nothing closed) notices through its
// PING deadline: health turns 503, new clients are refused, and once the link carries data
// again it reconnects, resubscribes and serves cross-relay messages with the history intact.
#include <gtest/gtest.h>

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

}  // namespace

TEST(RelayBusBlackhole, SilentRedisLinkTurnsHealth503AndRecoversWithHistory) {
    redis_server redis{temp_dir("redis-blackhole")};
    // relay-1 reaches Redis only through the proxy; relay-2 directly.
    faults::fault_proxy link({.name = "relay-1->redis", .upstream_port = redis.port()});
    const std::string pid = std::to_string(::getpid());
    // Default PING interval and deadline; a short outage tolerance so health follows the bus.
    relay_proc r1("bh-relay-1-" + pid, "redis://127.0.0.1:" + std::to_string(link.port()),
                  {"--bus-outage-ms", "300"});
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
    // No RST, no FIN: only the missing PONG can tell.
    ASSERT_TRUE(eventually([&] { return http_get(r1.port, "/healthz").first == 503; }, 30s));
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
