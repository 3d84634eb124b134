// Three relays on one real Redis: broadcast across relays, resume after kill -9, targeted
// delivery through one relay channel, slow consumers, and a Redis restart.
#include <signal.h>

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/integration/relay/relay_test_support.hpp"

using namespace relay_test;
using switchyard::cluster::redis_server;

namespace {

struct cluster {
    redis_server redis{temp_dir("redis")};
    std::vector<std::unique_ptr<relay_proc>> relays;
    explicit cluster(int n, std::vector<std::string> extra = {}) {
        for (int i = 1; i <= n; ++i)
            relays.push_back(std::make_unique<relay_proc>(
                "relay-" + std::to_string(i) + "-" + std::to_string(::getpid()), redis.url(),
                extra));
        for (auto& r : relays)
            if (!eventually([&] { return metric(r->admin, "relay_bus_up") == 1; }))
                throw std::runtime_error("relay bus did not come up");
    }
};

std::unique_ptr<ws_client> subscriber(unsigned short port, const std::string& id,
                                      std::optional<std::uint64_t> resume = std::nullopt) {
    auto c = std::make_unique<ws_client>(port, "/ws?client=" + id);
    if (resume)
        c->send(R"({"type":"subscribe","channels":["global"],"resume":{"global":)" +
                std::to_string(*resume) + "}}");
    else
        c->send(R"({"type":"subscribe","channels":["global"]})");
    if (!c->wait_type("subscribed", 10s))
        throw std::runtime_error("no subscribed for " + id);
    return c;
}

std::string publish_frame(const std::string& publisher, int n) {
    return R"({"type":"publish","channel":"global","id":")" + publisher + "-" + std::to_string(n) +
           R"(","data":{"p":")" + publisher + R"(","n":)" + std::to_string(n) + "}}";
}

std::size_t count_type(ws_client& c, const std::string& type) {
    std::size_t n = 0;
    for (const auto& f : c.frames())
        n += f.find("\"type\":\"" + type + "\"") != std::string::npos;
    return n;
}

}  // namespace

TEST(RelayCluster, ThreeRelaysEveryClientGetsEveryMessageInPublisherOrder) {
    cluster c(3);
    std::vector<std::unique_ptr<ws_client>> clients;
    for (int i = 0; i < 3; ++i)
        clients.push_back(subscriber(c.relays[i]->port, "all-" + std::to_string(i)));
    constexpr int per = 60;
    for (int n = 0; n < per; ++n)
        for (int i = 0; i < 3; ++i)
            clients[i]->send(publish_frame("p" + std::to_string(i), n));
    for (auto& cl : clients)
        ASSERT_TRUE(eventually([&] { return cl->messages("global").size() >= 3 * per; }, 20s));
    for (auto& cl : clients) {
        auto msgs = cl->messages("global");
        ASSERT_EQ(msgs.size(), 3u * per);
        std::map<std::string, int> next;
        for (std::size_t k = 0; k < msgs.size(); ++k) {
            EXPECT_EQ(msgs[k].first, k + 1) << "seq must be gap-free and cluster-wide";
            const auto& d = msgs[k].second.as_object();
            std::string p(d.at("p").as_string());
            EXPECT_EQ(d.at("n").as_int64(), next[p]++) << "publisher order for " << p;
        }
    }
}

TEST(RelayCluster, KillNineRelayClientsResumeElsewhereZeroLostZeroDuplicates) {
    cluster c(3);
    auto& a = *c.relays[0];
    auto& b = *c.relays[1];
    auto& cc = *c.relays[2];
    // Two subscribers on the victim, one on each survivor; publishers on A and on the victim.
    std::map<std::string, std::vector<std::unique_ptr<ws_client>>> subs;
    subs["s-a"].push_back(subscriber(a.port, "s-a"));
    subs["s-b1"].push_back(subscriber(b.port, "s-b1"));
    subs["s-b2"].push_back(subscriber(b.port, "s-b2"));
    subs["s-c"].push_back(subscriber(cc.port, "s-c"));
    ws_client pub_a(a.port, "/ws?client=pub-a");
    auto pub_b = std::make_unique<ws_client>(b.port, "/ws?client=pub-b");
    ASSERT_TRUE(pub_a.wait_type("hello"));
    ASSERT_TRUE(pub_b->wait_type("hello"));

    constexpr int total = 400;
    for (int n = 0; n < total; ++n) {
        pub_a.send(publish_frame("pa", n));
        if (n < total / 2)
            pub_b->send(publish_frame("pb", n));
        if (n == total / 2) {
            b.proc->kill_now();  // SIGKILL mid-stream
            // Its clients reconnect to C, resuming from the last seq each one saw.
            for (auto name : {"s-b1", "s-b2"}) {
                ASSERT_TRUE(eventually([&] { return subs[name].back()->closed(); }));
                auto seen = subs[name].back()->messages("global");
                const std::uint64_t last = seen.empty() ? 0 : seen.back().first;
                subs[name].push_back(subscriber(cc.port, name, last));
            }
            pub_b = std::make_unique<ws_client>(cc.port, "/ws?client=pub-b");
        }
        if (n > total / 2 && n < total / 2 + 100)
            pub_b->send(publish_frame("pb2", n));
        std::this_thread::sleep_for(1ms);  // pacing, so the kill lands mid-stream
    }
    // Every publish on the survivors is acked; what the victim acked is what it published.
    ASSERT_TRUE(eventually([&] { return count_type(pub_a, "ack") == total; }, 30s));
    ASSERT_TRUE(eventually([&] { return count_type(*pub_b, "ack") == 99; }, 30s));
    std::uint64_t latest = 0;
    for (const auto& f : pub_a.frames()) {
        auto v = json::parse(f);
        if (v.as_object().at("type") == "ack")
            latest =
                std::max<std::uint64_t>(latest, v.as_object().at("seq").to_number<std::uint64_t>());
    }
    ASSERT_GE(latest, static_cast<std::uint64_t>(total + 99));
    std::set<std::string> acked_ids;
    for (auto* p : {&pub_a, pub_b.get()})
        for (const auto& f : p->frames()) {
            auto v = json::parse(f);
            if (v.as_object().at("type") == "ack")
                acked_ids.insert(std::string(v.as_object().at("id").as_string()));
        }
    for (auto& [name, conns] : subs) {
        ASSERT_TRUE(eventually(
            [&] {
                auto m = conns.back()->messages("global");
                return !m.empty() && m.back().first >= latest;
            },
            30s))
            << name;
        std::vector<std::uint64_t> seqs;
        std::set<std::string> seen_ids;
        for (auto& conn : conns)
            for (auto& [seq, data] : conn->messages("global")) {
                seqs.push_back(seq);
                seen_ids.insert(std::string(data.as_object().at("p").as_string()) + "-" +
                                std::to_string(data.as_object().at("n").as_int64()));
            }
        // Exactly 1..latest, once each, in order: zero lost, zero duplicates.
        ASSERT_EQ(seqs.size(), latest) << name;
        for (std::size_t k = 0; k < seqs.size(); ++k)
            ASSERT_EQ(seqs[k], k + 1) << name;
        for (const auto& id : acked_ids) {
            auto dash = id.rfind('-');
            EXPECT_TRUE(seen_ids.count(id.substr(0, dash) + "-" + id.substr(dash + 1)))
                << name << " lost acked " << id;
        }
    }
}

TEST(RelayCluster, TargetedMessageCrossesOnlyTheTargetRelaysChannel) {
    cluster c(3, {"--registry-ttl-ms", "1500"});
    ws_client target(c.relays[1]->port, "/ws?client=target-1");
    ws_client other0(c.relays[0]->port, "/ws?client=other-0");
    ws_client other2(c.relays[2]->port, "/ws?client=other-2");
    ws_client sender(c.relays[0]->port, "/ws?client=sender");
    for (auto* cl : {&target, &other0, &other2, &sender})
        ASSERT_TRUE(cl->wait_type("hello"));
    // Every channel the relays use (broadcast channels included): a targeted message must
    // show up on exactly one of them, the target relay's.
    redis_probe watch(c.redis.port());
    watch.command({"PSUBSCRIBE", "sy:*"});
    ASSERT_NE(watch.drain().find("psubscribe"), std::string::npos);
    // The registry entry shows up (registration is asynchronous).
    ASSERT_TRUE(eventually([&] {
        redis_probe q(c.redis.port());
        q.command({"GET", "sy:client:target-1"});
        return q.drain(50ms).find(c.relays[1]->id) != std::string::npos;
    }));

    sender.send(R"({"type":"send","to":"target-1","data":{"secret":42},"id":"t-1"})");
    auto direct = target.wait_type("direct");
    ASSERT_TRUE(direct);
    EXPECT_EQ(direct->at("from"), "sender");
    EXPECT_EQ(direct->at("data").as_object().at("secret"), 42);
    ASSERT_TRUE(sender.wait_type("ack", 10s, [](auto& o) { return o.at("id") == "t-1"; }));
    const std::string seen = watch.drain(300ms);
    // Every relay's delivery canary also crosses the bus, on its own channel: not counted.
    EXPECT_EQ(count_of(seen, "pmessage") - count_of(seen, "sy:ch:#canary"), 1u) << seen;
    EXPECT_EQ(count_of(seen, "sy:relay:" + c.relays[1]->id), 1u) << seen;
    EXPECT_EQ(count_of(seen, "sy:relay:" + c.relays[0]->id), 0u);
    EXPECT_EQ(count_of(seen, "sy:relay:" + c.relays[2]->id), 0u);
    EXPECT_EQ(count_type(other0, "direct"), 0u);
    EXPECT_EQ(count_type(other2, "direct"), 0u);
    EXPECT_EQ(metric(c.relays[0]->admin, "relay_bus_directs_received_total"), 0);
    EXPECT_EQ(metric(c.relays[2]->admin, "relay_bus_directs_received_total"), 0);
    EXPECT_EQ(metric(c.relays[1]->admin, "relay_bus_directs_received_total"), 1);

    // A dead relay's registry entries expire: the client is then unknown.
    c.relays[1]->proc->kill_now();
    ASSERT_TRUE(eventually(
        [&] {
            sender.send(R"({"type":"send","to":"target-1","data":1,"id":"t-2"})");
            return sender
                .wait_type("error", 200ms, [](auto& o) { return o.at("code") == "not_found"; })
                .has_value();
        },
        10s));
}

TEST(RelayCluster, SlowConsumerIsClosedWith1008AndOthersAreUnaffected) {
    cluster c(1, {"--send-queue-bytes", "262144", "--send-queue-messages", "1024",
                  "--close-timeout-ms", "20000"});
    auto& r = *c.relays[0];
    auto slow = std::make_unique<ws_client>(r.port, "/ws?client=slow", 4096);
    slow->send(R"({"type":"subscribe","channels":["global"]})");
    ASSERT_TRUE(slow->wait_type("subscribed"));
    slow->pause_reading();
    auto fast = subscriber(r.port, "fast");
    ws_client pub(r.port, "/ws?client=pub");
    constexpr int total = 3000;
    const std::string payload(1000, 'x');
    for (int n = 0; n < total; ++n) {
        pub.send(R"({"type":"publish","channel":"global","data":")" + payload + "\"}");
        // Paced by the healthy reader, so only the stalled one falls behind.
        if (n % 50 == 49) {
            ASSERT_TRUE(eventually([&] { return fast->messages("global").size() >= n + 1u; }))
                << "fast reader stalled at " << fast->messages("global").size()
                << " slow=" << metric(r.admin, "relay_slow_consumers_total") << " fast closed "
                << fast->closed();
        }
    }
    ASSERT_TRUE(eventually([&] { return fast->messages("global").size() == total; }, 30s));
    EXPECT_TRUE(eventually([&] { return metric(r.admin, "relay_slow_consumers_total") == 1; }));
    slow->resume_reading();
    ASSERT_TRUE(eventually([&] { return slow->closed(); }, 20s));
    EXPECT_EQ(slow->close_code(), 1008);
    EXPECT_LT(slow->messages("global").size(), static_cast<std::size_t>(total));
    // The relay still serves.
    EXPECT_EQ(metric(r.admin, "relay_connections"), 2);
}

TEST(RelayCluster, RedisRestartPublishesFailVisiblyThenRelaysRecover) {
    cluster c(2);
    auto sub1 = subscriber(c.relays[1]->port, "rs-sub");
    ws_client pub(c.relays[0]->port, "/ws?client=rs-pub");
    pub.send(R"({"type":"publish","channel":"global","data":1,"id":"before"})");
    auto ack = pub.wait_type("ack");
    ASSERT_TRUE(ack);
    const auto seq_before = ack->at("seq").to_number<std::uint64_t>();
    ASSERT_TRUE(eventually([&] { return sub1->messages("global").size() == 1; }));

    c.redis.kill();
    ASSERT_TRUE(eventually([&] { return metric(c.relays[0]->admin, "relay_bus_up") == 0; }));
    pub.send(R"({"type":"publish","channel":"global","data":2,"id":"during"})");
    auto err = pub.wait_type("error", 10s, [](auto& o) { return o.at("id") == "during"; });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->at("code"), "bus_unavailable");
    EXPECT_EQ(http_get(c.relays[0]->port, "/healthz").first, 200);  // serving, bus down

    c.redis.restart();
    for (auto& r : c.relays)
        ASSERT_TRUE(eventually([&] { return metric(r->admin, "relay_bus_up") == 1; }, 15s));
    EXPECT_GE(metric(c.relays[0]->admin, "relay_bus_outages_total"), 1);
    pub.send(R"({"type":"publish","channel":"global","data":3,"id":"after"})");
    auto ack2 = pub.wait_type("ack", 10s, [](auto& o) { return o.at("id") == "after"; });
    ASSERT_TRUE(ack2);
    // The sequence continues after the restart instead of starting over.
    EXPECT_EQ(ack2->at("seq").to_number<std::uint64_t>(), seq_before + 1);
    ASSERT_TRUE(eventually([&] { return sub1->messages("global").size() == 2; }));
    EXPECT_EQ(sub1->messages("global").back().second, 3);
}

TEST(RelayCluster, BusLostPastToleranceClosesClients1011AndHealthSays503) {
    cluster c(1, {"--bus-outage-ms", "300"});
    auto& r = *c.relays[0];
    ws_client client(r.port, "/ws?client=bl");
    ASSERT_TRUE(client.wait_type("hello"));
    c.redis.kill();
    ASSERT_TRUE(eventually([&] { return client.closed(); }));
    EXPECT_EQ(client.close_code(), 1011);
    EXPECT_EQ(http_get(r.port, "/healthz").first, 503);
    EXPECT_EQ(metric(r.admin, "relay_bus_lost"), 1);
    c.redis.restart();
    ASSERT_TRUE(eventually([&] { return http_get(r.port, "/healthz").first == 200; }, 15s));
    ws_client again(r.port, "/ws?client=bl");
    EXPECT_TRUE(again.wait_type("hello"));
}
