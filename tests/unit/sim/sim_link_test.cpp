// The link model: base profile (latency, jitter, loss, bandwidth) and the faults vocabulary
// applied through the real toxics.
#include "engine/sim/sim_link.hpp"

#include <gtest/gtest.h>

#include "engine/sim/component_rng.hpp"

namespace switchyard::sim {
namespace {

using faults::connection_action;
using faults::stream_dir;

sim_link make(link_profile p, std::uint64_t seed = 7) {
    return sim_link("balancer-relay-1", p, component_rng(seed, "link"));
}

faults::toxic_params params(std::initializer_list<std::pair<const std::string, double>> v) {
    faults::toxic_params p;
    for (const auto& [k, x] : v)
        p.values.emplace(k, x);
    return p;
}

TEST(SimLink, BaseLatencyAndOrderWithinAFlow) {
    link_profile p;
    p.latency = micros{500};
    p.jitter = micros{400};
    auto link = make(p);
    flow_state flow;
    micros last{0};
    for (int i = 0; i < 200; ++i) {
        const auto t = link.send(stream_dir::downstream, 100, micros{i}, flow);
        ASSERT_EQ(t.kind, transit::deliver);
        EXPECT_GE(t.at, micros{i + 100});
        EXPECT_LE(t.at, std::max(last, micros{i + 900}));
        EXPECT_GE(t.at, last) << "a chunk overtook an earlier one";
        last = t.at;
    }
}

TEST(SimLink, BandwidthSerialisesChunks) {
    link_profile p;
    p.latency = micros{0};
    p.bandwidth_kbps = 1000;  // 1 byte per microsecond
    auto link = make(p);
    flow_state flow;
    EXPECT_EQ(link.send(stream_dir::downstream, 1000, micros{0}, flow).at, micros{1000});
    EXPECT_EQ(link.send(stream_dir::downstream, 1000, micros{0}, flow).at, micros{2000});
    EXPECT_EQ(link.send(stream_dir::downstream, 500, micros{5000}, flow).at, micros{5500});
}

TEST(SimLink, LossIsARetransmissionNeverAMissingChunk) {
    link_profile p;
    p.latency = micros{100};
    p.loss = 0.5;
    p.rto = micros{10'000};
    auto link = make(p);
    int delayed = 0;
    for (int i = 0; i < 1000; ++i) {
        flow_state flow;
        const auto t = link.send(stream_dir::upstream, 10, micros{0}, flow);
        ASSERT_EQ(t.kind, transit::deliver);
        EXPECT_EQ((t.at - micros{100}).count() % 10'000, 0);
        delayed += t.at > micros{100};
    }
    EXPECT_GT(delayed, 400);
    EXPECT_LT(delayed, 600);
}

TEST(SimLink, SameSeedSameTimes) {
    link_profile p;
    p.jitter = micros{1000};
    p.loss = 0.1;
    auto a = make(p, 99), b = make(p, 99);
    flow_state fa, fb;
    for (int i = 0; i < 100; ++i)
        ASSERT_EQ(a.send(stream_dir::downstream, 64, micros{i * 10}, fa).at,
                  b.send(stream_dir::downstream, 64, micros{i * 10}, fb).at);
}

TEST(SimLink, LatencyFaultAddsToTheBase) {
    link_profile p;
    p.latency = micros{100};
    auto link = make(p);
    link.set_fault("latency", params({{"latency_ms", 200}}), micros{0});
    flow_state flow;
    EXPECT_EQ(link.send(stream_dir::downstream, 10, micros{1000}, flow).at, micros{201'100});
    link.clear_faults();
    flow_state fresh;
    EXPECT_EQ(link.send(stream_dir::downstream, 10, micros{1000}, fresh).at, micros{1100});
}

TEST(SimLink, PartitionStallsDataAndHoldsNewConnections) {
    auto link = make({});
    const auto v = link.fault_version();
    link.set_fault("partition", {}, micros{0});
    EXPECT_NE(link.fault_version(), v);
    flow_state flow;
    EXPECT_EQ(link.send(stream_dir::upstream, 10, micros{5}, flow).kind, transit::stall);
    EXPECT_EQ(link.on_connect(micros{5}).kind, connection_action::hold);
    link.clear_faults();
    EXPECT_EQ(link.send(stream_dir::upstream, 10, micros{5}, flow).kind, transit::deliver);
    EXPECT_EQ(link.on_connect(micros{5}).kind, connection_action::proceed);
}

TEST(SimLink, BlackholeDropsAndNeverConnectsUpstream) {
    auto link = make({});
    link.set_fault("blackhole", {}, micros{0});
    flow_state flow;
    EXPECT_EQ(link.send(stream_dir::downstream, 10, micros{0}, flow).kind, transit::drop);
    EXPECT_EQ(link.on_connect(micros{0}).kind, connection_action::no_upstream);
}

TEST(SimLink, ResetAbortsLiveConnectionsAndStrongestWins) {
    auto link = make({});
    link.set_fault("timeout", params({{"timeout_ms", 3000}}), micros{0});
    const auto live = link.set_fault("reset", params({{"timeout_ms", 0}}), micros{0});
    EXPECT_EQ(live.kind, connection_action::reset);
    EXPECT_EQ(link.on_connect(micros{0}).kind, connection_action::reset);
}

TEST(SimLink, SlowCloseDelaysTheClose) {
    link_profile p;
    p.latency = micros{100};
    auto link = make(p);
    link.set_fault("slow_close", params({{"delay_ms", 1000}}), micros{0});
    EXPECT_EQ(link.close_delay(stream_dir::downstream, micros{0}), micros{1'000'100});
}

TEST(SimLink, UnknownToxicIsRefusedWithTheTableMessage) {
    auto link = make({});
    try {
        link.set_fault("latncy", {}, micros{0});
        FAIL() << "accepted an unknown toxic";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("known: latency"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace switchyard::sim
