// Small simulated runs with exact ledger counts: every publish delivered to every subscribed
// client once, a relay kill recovered by resume without loss, and byte-identical replays.
#include "engine/sim/sim_world.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "engine/sim/sim_scenario.hpp"
#include "engine/verify/ledger.hpp"

namespace switchyard::sim {
namespace {

scenario::scenario small(std::uint32_t relays, std::uint32_t clients, double rate_hz) {
    scenario::scenario s;
    s.seed = 7;
    for (std::uint32_t i = 1; i <= relays; ++i)
        s.cluster.relays.names.push_back("relay-" + std::to_string(i));
    fleet::fleet_config f;
    f.name = "clients";
    f.count = clients;
    f.publish_rate_hz = rate_hz;
    f.connect_ramp_ms = fleet::millis{100};
    s.fleets.push_back(f);
    return s;
}

/// Forwards to the ledger and keeps every record as a line, so two runs can be compared.
class recorder final : public fleet::client_observer {
  public:
    verify::ledger ledger;
    std::ostringstream log;
    void on_connect(const fleet::connect_record& r) override {
        log << r.at.count() << " connect " << r.client << ' ' << r.relay << ' '
            << static_cast<int>(r.how) << ' ' << r.reconnect << '\n';
        ledger.on_connect(r);
    }
    void on_disconnect(const fleet::disconnect_record& r) override {
        log << r.at.count() << " disconnect " << r.client << ' ' << r.relay << ' ' << r.reason
            << '\n';
        ledger.on_disconnect(r);
    }
    void on_connect_failure(const fleet::connect_failure_record& r) override {
        log << r.at.count() << " failure " << r.client << ' ' << r.reason << '\n';
        ledger.on_connect_failure(r);
    }
    void on_publish(const fleet::publish_record& r) override {
        log << r.sent_at.count() << " publish " << r.msg_id << '\n';
        ledger.on_publish(r);
    }
    void on_ack(const fleet::ack_record& r) override {
        log << r.at.count() << " ack " << r.msg_id << ' ' << r.seq << r.error << '\n';
        ledger.on_ack(r);
    }
    void on_delivery(const fleet::delivery_record& r) override {
        log << r.received_at.count() << " delivery " << r.client << ' ' << r.relay << ' ' << r.seq
            << ' ' << r.replayed << '\n';
        ledger.on_delivery(r);
    }
    void on_resume_gap(const fleet::resume_gap_record& r) override {
        log << r.at.count() << " gap " << r.client << ' ' << r.requested << '\n';
        ledger.on_resume_gap(r);
    }
};

/// Connects everyone, publishes for `seconds`, stops publishing and drains for a second.
void run(sim_world& w, const scenario::scenario& s, recorder& rec, double seconds) {
    w.start_cluster();
    w.start_fleets(s.fleets, rec);
    w.kernel().run_until(w.now() + micros{static_cast<std::int64_t>(seconds * 1e6)});
    w.pause_publishing();
    w.kernel().run_until(w.now() + micros{1'000'000});
    rec.ledger.freeze();
    w.stop_fleets();
}

TEST(SimWorld, EveryPublishReachesEveryClientExactlyOnce) {
    auto s = small(3, 12, 0);
    recorder rec;
    sim_world w(cluster_config_from(s), sim_costs{});
    w.start_cluster();
    w.start_fleets(s.fleets, rec);
    w.kernel().run_until(micros{1'000'000});  // everyone connected and subscribed, nobody talks
    ASSERT_EQ(w.connected_clients(), 12u);
    w.set_publish_rate("clients", 5);
    w.kernel().run_until(micros{3'000'000});
    w.pause_publishing();
    w.kernel().run_until(micros{4'000'000});
    const auto sum = rec.ledger.summary();
    EXPECT_GT(sum.publishes, 100u);
    EXPECT_EQ(sum.acks, sum.publishes);
    EXPECT_EQ(sum.deliveries, sum.publishes * 12) << "every client counts every message";
    EXPECT_EQ(sum.expected, sum.deliveries);
    EXPECT_EQ(sum.lost, 0u);
    EXPECT_EQ(sum.duplicates, 0u);
    EXPECT_EQ(sum.order_violations, 0u);
    EXPECT_EQ(sum.connects, 12u);
    EXPECT_EQ(sum.placements_fresh, 12u);
    // Round-robin spreads them evenly.
    for (std::size_t r = 0; r < w.relay_count(); ++r)
        EXPECT_EQ(w.relay(r).members().size(), 4u);
    // One group event per relay per message, not one per client.
    EXPECT_EQ(w.group_events(), sum.publishes * 3);
}

TEST(SimWorld, RelayKillRecoversWithResumeAndNoLoss) {
    auto s = small(3, 30, 4);
    recorder rec;
    sim_world w(cluster_config_from(s), sim_costs{});
    w.start_cluster();
    w.start_fleets(s.fleets, rec);
    w.kernel().run_until(micros{2'000'000});
    const auto on_killed = w.relay(0).members().size();
    ASSERT_EQ(on_killed, 10u);
    rec.ledger.mark_relay_lost("relay-1", "kill", w.now());
    ASSERT_EQ(w.kill("relay-1"), "");
    w.kernel().run_until(micros{6'000'000});
    w.pause_publishing();
    w.kernel().run_until(micros{7'000'000});
    const auto sum = rec.ledger.summary();
    EXPECT_EQ(w.relay(0).members().size(), 0u);
    EXPECT_EQ(w.connected_clients(), 30u);
    EXPECT_EQ(sum.disconnects, on_killed);
    EXPECT_EQ(sum.reconnects, on_killed);
    EXPECT_EQ(sum.placements_failover, on_killed) << "cookie named a dead relay";
    EXPECT_EQ(sum.lost, 0u) << sum.lost_example;
    EXPECT_EQ(sum.duplicates, 0u) << sum.duplicate_example;
    EXPECT_EQ(sum.sticky_violations, 0u) << sum.sticky_example;
    EXPECT_GT(sum.replayed, 0u) << "resume replays what was missed during the outage";
    ASSERT_EQ(sum.failovers.size(), 1u);
    EXPECT_EQ(sum.failovers[0].affected, on_killed);
    EXPECT_EQ(sum.failovers[0].recovered, on_killed);
}

TEST(SimWorld, WithoutResumeTheOutageShowsAsLoss) {
    auto s = small(2, 10, 20);
    s.fleets[0].reconnect.resume = false;
    recorder rec;
    sim_world w(cluster_config_from(s), sim_costs{});
    w.start_cluster();
    w.start_fleets(s.fleets, rec);
    w.kernel().run_until(micros{2'000'000});
    ASSERT_EQ(w.kill("relay-2"), "");
    w.kernel().run_until(micros{5'000'000});
    EXPECT_GT(rec.ledger.summary().lost, 0u);
}

TEST(SimWorld, PartitionOfABackendLinkStallsThenDelivers) {
    auto s = small(1, 4, 0);
    // Health checks that never give up on the relay: this is about the link holding bytes, not
    // about the balancer ending a down backend's sessions (next test).
    s.cluster.balancer.health.fall = 1000;
    recorder rec;
    sim_world w(cluster_config_from(s), sim_costs{});
    w.start_cluster();
    w.start_fleets(s.fleets, rec);
    w.kernel().run_until(micros{1'000'000});
    w.set_publish_rate("clients", 2);
    ASSERT_EQ(w.set_fault("balancer-relay-1", "partition", {}), "");
    w.kernel().run_until(micros{2'000'000});
    const auto during = rec.ledger.summary().deliveries;
    ASSERT_EQ(w.clear_fault("balancer-relay-1"), "");
    w.pause_publishing();
    w.kernel().run_until(micros{3'000'000});
    const auto sum = rec.ledger.summary();
    EXPECT_EQ(during, 0u) << "nothing crosses a partition";
    EXPECT_EQ(sum.deliveries, sum.publishes * 4);
    EXPECT_EQ(sum.lost, 0u);
}

TEST(SimWorld, ABackendMarkedDownHasItsSessionsEndedSoClientsMove) {
    auto s = small(2, 10, 20);  // resume on
    recorder rec;
    sim_world w(cluster_config_from(s), sim_costs{});
    w.start_cluster();
    w.start_fleets(s.fleets, rec);
    w.kernel().run_until(micros{2'000'000});
    ASSERT_EQ(w.stop_process("relay-1"), "");  // frozen: holds its sockets, answers nothing
    w.kernel().run_until(micros{6'000'000});
    const auto sum = rec.ledger.summary();
    EXPECT_EQ(w.relay_clients("relay-1"), 0u) << "the balancer closed the frozen relay's clients";
    EXPECT_EQ(w.relay_clients("relay-2"), 10u);
    EXPECT_GT(sum.reconnects, 0u);
    EXPECT_EQ(sum.lost, 0u);
}

TEST(SimWorld, ABlackholedBusLinkMakesTheRelayDeafItsClientsMoveAndItServesAgainWhenCleared) {
    auto s = small(2, 10, 20);
    recorder rec;
    sim_world w(cluster_config_from(s), sim_costs{});
    w.start_cluster();
    w.start_fleets(s.fleets, rec);
    w.kernel().run_until(micros{2'000'000});
    ASSERT_EQ(w.set_fault("relay-1-redis", "blackhole", {}), "");
    w.kernel().run_until(micros{3'000'000});
    EXPECT_GT(w.relay_clients("relay-1"), 0u) << "not deaf before the canary deadline";
    w.kernel().run_until(micros{6'000'000});
    EXPECT_EQ(w.relay_clients("relay-1"), 0u) << "deaf: clients closed, new ones refused";
    EXPECT_EQ(w.relay_clients("relay-2"), 10u);
    ASSERT_EQ(w.clear_fault("relay-1-redis"), "");
    w.kernel().run_until(micros{9'000'000});
    EXPECT_EQ(rec.ledger.summary().lost, 0u);
}

TEST(SimWorld, PollingClientsNeedTheirCookie) {
    for (const bool sticky : {true, false}) {
        auto s = small(3, 9, 2);
        s.fleets[0].kind = fleet::transport::sockjs_xhr_polling;
        s.cluster.balancer.sticky = sticky;
        recorder rec;
        sim_world w(cluster_config_from(s), sim_costs{});
        run(w, s, rec, 3);
        const auto sum = rec.ledger.summary();
        if (sticky) {
            EXPECT_EQ(sum.sticky_violations, 0u) << sum.sticky_example;
            EXPECT_EQ(sum.lost, 0u) << sum.lost_example;
            EXPECT_EQ(sum.connects, 9u);
        } else {
            // Each xhr_send is placed on its own: round-robin sends most elsewhere.
            EXPECT_GT(sum.sticky_violations, 0u);
            EXPECT_NE(sum.sticky_example.find("xhr_send got 404"), std::string::npos)
                << sum.sticky_example;
        }
    }
}

TEST(SimWorld, UnknownTargetsAreRefusedInWords) {
    auto s = small(1, 1, 0);
    recorder rec;
    sim_world w(cluster_config_from(s), sim_costs{});
    w.start_cluster();
    EXPECT_EQ(w.kill("relay-9"), "unknown relay 'relay-9'");
    EXPECT_EQ(w.set_fault("balancer-relay-9", "latency", {}), "unknown link 'balancer-relay-9'");
    EXPECT_EQ(w.cont("relay-1"), "relay-1 is not stopped");
    EXPECT_NE(w.set_fault("balancer-relay-1", "latncy", {}).find("known: latency"),
              std::string::npos);
}

TEST(SimWorld, SameSeedSameRecordsByteForByte) {
    auto s = small(3, 20, 3);
    std::string first;
    for (int i = 0; i < 2; ++i) {
        recorder rec;
        sim_world w(cluster_config_from(s), sim_costs{});
        w.start_cluster();
        w.start_fleets(s.fleets, rec);
        w.kernel().run_until(micros{1'500'000});
        ASSERT_EQ(w.kill("relay-2"), "");
        run(w, s, rec, 2);
        if (i == 0)
            first = rec.log.str();
        else
            EXPECT_TRUE(first == rec.log.str()) << "replay diverged";
    }
    EXPECT_GT(first.size(), 1000u);
    s.seed = 8;
    recorder other;
    sim_world w(cluster_config_from(s), sim_costs{});
    run(w, s, other, 3.5);
    EXPECT_NE(first, other.log.str()) << "the seed must matter";
}

}  // namespace
}  // namespace switchyard::sim
