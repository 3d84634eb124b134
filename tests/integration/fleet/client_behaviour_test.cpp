// The client behaviour core on its own: literal event sequences, then a seeded random walk.
#include "engine/fleet/client_behaviour.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

namespace switchyard::fleet {
namespace {

using namespace std::chrono_literals;
using policy::fast_rng;

fleet_config config_with(std::vector<std::string> channels = {"global"}) {
    fleet_config c;
    c.channels = std::move(channels);
    c.reconnect.initial_backoff_ms = 100ms;
    c.reconnect.max_backoff_ms = 1000ms;
    c.reconnect.jitter_ratio = 0.5;
    c.connect_timeout_ms = 2000ms;
    return c;
}

/// Drives a client from nothing to connected on `relay`.
client_actions connect(client_behaviour& b, micros now, std::string_view relay, bool cookie,
                       fast_rng& rng, std::size_t channels = 1) {
    auto a = b.on_hello(now, relay, cookie, rng);
    EXPECT_TRUE(a.subscribe || channels == 0);
    for (std::size_t i = 0; i < channels; ++i) {
        a = b.on_subscribed(now, i, 10 * (i + 1), rng);
    }
    EXPECT_EQ(b.state(), client_state::connected);
    return a;
}

TEST(client_behaviour, waits_for_its_ramp_slot_then_connects_with_a_deadline) {
    auto cfg = config_with();
    client_behaviour b(cfg);
    fast_rng rng(1);
    auto a = b.start(0us, 250ms);
    EXPECT_FALSE(a.connect);
    EXPECT_EQ(a.wake_at, micros(250ms));
    EXPECT_FALSE(b.on_wake(100ms, rng).connect) << "early wake-ups are harmless";
    a = b.on_wake(250ms, rng);
    EXPECT_TRUE(a.connect);
    EXPECT_EQ(b.state(), client_state::connecting);
    EXPECT_EQ(a.wake_at, micros(2250ms));
}

TEST(client_behaviour, first_connection_is_fresh_and_reported_once_subscribed) {
    auto cfg = config_with({"global", "room-1"});
    client_behaviour b(cfg);
    fast_rng rng(1);
    b.start(0us, 0us);
    auto a = b.on_hello(5ms, "relay-1", false, rng);
    EXPECT_TRUE(a.subscribe);
    EXPECT_FALSE(a.report_connect);
    EXPECT_EQ(b.resume_point(0), 0u) << "nothing to resume on a first connection";
    a = b.on_subscribed(6ms, 1, 7, rng);
    EXPECT_FALSE(a.report_connect) << "still waiting for 'global'";
    a = b.on_subscribed(6ms, 1, 7, rng);
    EXPECT_FALSE(a.report_connect) << "a repeated ack does not count twice";
    a = b.on_subscribed(7ms, 0, 41, rng);
    EXPECT_TRUE(a.report_connect);
    EXPECT_EQ(a.how, placement::fresh);
    EXPECT_FALSE(a.reconnect);
    EXPECT_EQ(b.last_seq(0), 41u);
    EXPECT_EQ(b.last_seq(1), 7u);
    EXPECT_EQ(b.relay(), "relay-1");
}

TEST(client_behaviour, reconnects_after_a_jittered_backoff_and_names_the_placement) {
    auto cfg = config_with();
    client_behaviour b(cfg);
    fast_rng rng(3);
    b.start(0us, 0us);
    connect(b, 1ms, "relay-1", false, rng);
    auto a = b.on_closed(1s, rng);
    EXPECT_TRUE(a.report_disconnect);
    EXPECT_TRUE(a.failure.empty());
    EXPECT_EQ(b.state(), client_state::backoff);
    EXPECT_GE(a.wake_at, micros(1s + 50ms));
    EXPECT_LE(a.wake_at, micros(1s + 100ms));
    a = b.on_wake(a.wake_at, rng);
    EXPECT_TRUE(a.connect);
    a = connect(b, a.wake_at, "relay-1", true, rng);
    EXPECT_EQ(a.how, placement::sticky);
    EXPECT_TRUE(a.reconnect);

    a = b.on_closed(5s, rng);
    a = b.on_wake(a.wake_at, rng);
    a = connect(b, 6s, "relay-2", true, rng);
    EXPECT_EQ(a.how, placement::failover) << "cookie sent, different relay";
    b.on_closed(7s, rng);
    a = b.on_wake(8s, rng);
    a = connect(b, 8s, "relay-3", false, rng);
    EXPECT_EQ(a.how, placement::fresh) << "no cookie: the balancer chose";
}

TEST(client_behaviour, resumes_from_the_last_seq_and_flags_replays) {
    auto cfg = config_with();
    client_behaviour b(cfg);
    fast_rng rng(1);
    b.start(0us, 0us);
    connect(b, 1ms, "relay-1", false, rng);  // subscribed at seq 10
    EXPECT_FALSE(b.on_message(0, 11));
    EXPECT_FALSE(b.on_message(0, 12));
    b.on_closed(1s, rng);
    b.on_wake(2s, rng);
    EXPECT_EQ(b.resume_point(0), 12u);
    auto a = b.on_hello(2s, "relay-2", true, rng);
    EXPECT_TRUE(a.subscribe);
    EXPECT_TRUE(b.on_message(0, 13)) << "before 'subscribed' on a resume: history";
    EXPECT_TRUE(b.on_message(0, 14));
    b.on_subscribed(2s, 0, 14, rng);
    EXPECT_FALSE(b.on_message(0, 15)) << "after 'subscribed': live";
    EXPECT_EQ(b.last_seq(0), 15u);
}

TEST(client_behaviour, a_shed_client_cut_mid_replay_resumes_where_the_replay_stopped) {
    // The slow-consumer path: closed (1008) while connected, then closed again part-way through
    // the resume replay. Every close is resumable, and each resume starts after the last seq
    // actually received, so nothing between the two cuts is skipped or asked for twice.
    auto cfg = config_with();
    client_behaviour b(cfg);
    fast_rng rng(1);
    b.start(0us, 0us);
    connect(b, 1ms, "relay-1", true, rng);  // subscribed at seq 10
    b.on_message(0, 11);
    b.on_closed(1s, rng);  // shed: close 1008
    EXPECT_EQ(b.state(), client_state::backoff);
    EXPECT_TRUE(b.on_wake(2s, rng).connect);
    EXPECT_TRUE(b.on_hello(2s, "relay-1", true, rng).subscribe);
    EXPECT_EQ(b.resume_point(0), 11u);
    EXPECT_TRUE(b.on_message(0, 12));
    EXPECT_TRUE(b.on_message(0, 13));
    auto a = b.on_closed(2100ms, rng);  // shed again before `subscribed`
    EXPECT_FALSE(a.failure.empty()) << "a failed attempt, not a lost connection";
    EXPECT_EQ(b.state(), client_state::backoff) << "and still resumable";
    EXPECT_TRUE(b.on_wake(4s, rng).connect);
    b.on_hello(4s, "relay-1", true, rng);
    EXPECT_EQ(b.resume_point(0), 13u);
    EXPECT_TRUE(b.on_message(0, 14));
    EXPECT_TRUE(b.on_subscribed(4s, 0, 14, rng).report_connect);
    EXPECT_EQ(b.last_seq(0), 14u);
}

TEST(client_behaviour, resume_off_never_asks_for_history) {
    auto cfg = config_with();
    cfg.reconnect.resume = false;
    client_behaviour b(cfg);
    fast_rng rng(1);
    b.start(0us, 0us);
    connect(b, 1ms, "relay-1", false, rng);
    b.on_message(0, 30);
    b.on_closed(1s, rng);
    b.on_wake(2s, rng);
    EXPECT_EQ(b.resume_point(0), 0u);
    b.on_hello(2s, "relay-1", true, rng);
    EXPECT_FALSE(b.on_message(0, 31)) << "no resume: nothing is a replay";
}

TEST(client_behaviour, connect_timeouts_back_off_exponentially_up_to_the_cap) {
    auto cfg = config_with();
    cfg.reconnect.jitter_ratio = 0.0;
    client_behaviour b(cfg);
    fast_rng rng(1);
    auto a = b.start(0us, 0us);
    micros now = 0us;
    const std::vector<micros> expected{100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms};
    for (micros want : expected) {
        now = a.wake_at;  // the connect deadline
        a = b.on_wake(now, rng);
        EXPECT_TRUE(a.close);
        EXPECT_EQ(a.failure, "timeout");
        EXPECT_EQ(a.wake_at - now, want);
        now = a.wake_at;
        a = b.on_wake(now, rng);
        ASSERT_TRUE(a.connect);
    }
    // A refused connect counts the same way.
    a = b.on_closed(now + 1ms, rng);
    EXPECT_EQ(a.failure, "closed before hello");
    EXPECT_EQ(b.failed_attempts(), 7u);
}

TEST(client_behaviour, gives_up_after_max_attempts) {
    auto cfg = config_with();
    cfg.reconnect.max_attempts = 2;
    client_behaviour b(cfg);
    fast_rng rng(1);
    b.start(0us, 0us);
    auto a = b.on_closed(1ms, rng);
    EXPECT_FALSE(a.gave_up);
    a = b.on_wake(a.wake_at, rng);
    a = b.on_closed(a.wake_at, rng);
    EXPECT_TRUE(a.gave_up);
    EXPECT_EQ(b.state(), client_state::given_up);
    EXPECT_EQ(a.wake_at, never);
}

TEST(client_behaviour, reconnect_disabled_leaves_a_lost_client_down) {
    auto cfg = config_with();
    cfg.reconnect.enabled = false;
    client_behaviour b(cfg);
    fast_rng rng(1);
    b.start(0us, 0us);
    connect(b, 1ms, "relay-1", false, rng);
    auto a = b.on_closed(1s, rng);
    EXPECT_TRUE(a.report_disconnect);
    EXPECT_EQ(b.state(), client_state::stopped);
    EXPECT_EQ(a.wake_at, never);
}

TEST(client_behaviour, publishes_at_the_configured_rate_after_think_time) {
    auto cfg = config_with();
    cfg.publish_rate_hz = 10;
    cfg.think_time_ms = 500ms;
    client_behaviour b(cfg);
    fast_rng rng(9);
    b.start(0us, 0us);
    auto a = connect(b, 0us, "relay-1", false, rng);
    EXPECT_GE(a.wake_at, micros(500ms));
    EXPECT_LT(a.wake_at, micros(600ms));
    std::uint64_t next_number = 1;
    std::uint64_t sent = 0;
    while (a.wake_at < micros(10500ms)) {
        a = b.on_wake(a.wake_at, rng);
        if (a.publish_count > 0) {
            EXPECT_EQ(a.first_msg_number, next_number);
            next_number += a.publish_count;
            sent += a.publish_count;
        }
    }
    EXPECT_EQ(sent, 100u) << "10 Hz for 10 s";
    EXPECT_EQ(b.published(), 100u);
}

TEST(client_behaviour, a_late_wake_up_publishes_a_bounded_burst_then_skips_ahead) {
    auto cfg = config_with();
    cfg.publish_rate_hz = 100;
    client_behaviour b(cfg);
    fast_rng rng(1);
    b.start(0us, 0us);
    connect(b, 0us, "relay-1", false, rng);
    auto a = b.on_wake(10s, rng);  // 1000 publishes overdue
    EXPECT_EQ(a.publish_count, client_behaviour::publish_burst_max);
    EXPECT_EQ(a.wake_at, micros(10s + 10ms));
}

TEST(client_behaviour, rate_changes_take_effect_at_once) {
    auto cfg = config_with();
    client_behaviour b(cfg);
    fast_rng rng(1);
    b.start(0us, 0us);
    auto a = connect(b, 0us, "relay-1", false, rng);
    EXPECT_EQ(a.wake_at, micros(10s)) << "listener only: just the keep-alive ping";
    cfg.publish_rate_hz = 2;
    a = b.on_rate_changed(1s, rng);
    EXPECT_GE(a.wake_at, micros(1s));
    EXPECT_LT(a.wake_at, micros(1500ms));
    cfg.publish_rate_hz = 0;
    a = b.on_rate_changed(1100ms, rng);
    EXPECT_EQ(a.wake_at, micros(10s)) << "publishing stopped; only the ping remains";
}

TEST(client_behaviour, pings_while_connected_and_drops_a_silent_connection) {
    auto cfg = config_with();
    cfg.ping_interval_ms = 1000ms;
    cfg.poll_timeout_ms = 3000ms;
    client_behaviour b(cfg);
    fast_rng rng(1);
    b.start(0us, 0us);
    auto a = connect(b, 0us, "relay-1", false, rng);
    EXPECT_EQ(a.wake_at, micros(1s));
    a = b.on_wake(1s, rng);
    EXPECT_TRUE(a.ping);
    EXPECT_EQ(a.wake_at, micros(2s));
    b.on_activity(1500ms);  // the pong
    a = b.on_wake(2s, rng);
    EXPECT_TRUE(a.ping);
    a = b.on_wake(3s, rng);
    EXPECT_TRUE(a.ping);
    a = b.on_wake(4s, rng);
    EXPECT_EQ(a.wake_at, micros(4500ms)) << "silence deadline: last frame at 1.5 s + 3 s";
    a = b.on_wake(4500ms, rng);
    EXPECT_TRUE(a.close);
    EXPECT_TRUE(a.report_disconnect);
    EXPECT_EQ(a.disconnect_reason, "silent for poll_timeout_ms");
    EXPECT_EQ(b.state(), client_state::backoff);
}

TEST(client_behaviour, ping_interval_zero_never_pings) {
    auto cfg = config_with();
    cfg.ping_interval_ms = 0ms;
    cfg.poll_timeout_ms = 60s;
    client_behaviour b(cfg);
    fast_rng rng(1);
    b.start(0us, 0us);
    auto a = connect(b, 0us, "relay-1", false, rng);
    EXPECT_EQ(a.wake_at, micros(60s));
}

TEST(client_behaviour, stop_closes_and_reports_an_open_connection) {
    auto cfg = config_with();
    client_behaviour b(cfg);
    fast_rng rng(1);
    b.start(0us, 0us);
    connect(b, 0us, "relay-1", false, rng);
    auto a = b.stop(1s);
    EXPECT_TRUE(a.close);
    EXPECT_TRUE(a.report_disconnect);
    EXPECT_EQ(b.state(), client_state::stopped);
    a = b.on_closed(1s, rng);
    EXPECT_FALSE(a.report_disconnect) << "a stopped client reports nothing more";
    EXPECT_EQ(a.wake_at, never);
}

TEST(client_behaviour, backoff_delay_stays_within_its_jitter_band) {
    reconnect_policy p;
    p.initial_backoff_ms = 100ms;
    p.max_backoff_ms = 5000ms;
    p.jitter_ratio = 0.25;
    fast_rng rng(5);
    for (std::uint32_t attempt = 0; attempt < 100; ++attempt) {
        const auto d = client_behaviour::backoff_delay(p, attempt, rng);
        const double base = std::min(5000.0, 100.0 * std::pow(2.0, std::min(attempt, 40u)));
        EXPECT_LE(d.count(), static_cast<std::int64_t>(base * 1000));
        EXPECT_GE(d.count(), static_cast<std::int64_t>(base * 1000 * 0.75) - 1);
    }
}

/// A random walk through every event, checking invariants that must hold whatever happens.
/// Replays from the printed seed: SWITCHYARD_SEED=<n> to pick one.
TEST(client_behaviour, random_walks_keep_the_invariants) {
    std::uint64_t base_seed = 20261125;
    if (const char* env = std::getenv("SWITCHYARD_SEED")) {
        base_seed = std::strtoull(env, nullptr, 10);
    }
    for (std::uint64_t run = 0; run < 200; ++run) {
        const std::uint64_t seed = base_seed + run;
        SCOPED_TRACE("seed " + std::to_string(seed));
        fast_rng world(seed);
        auto cfg = config_with({"a", "b", "c"});
        cfg.publish_rate_hz = static_cast<double>(world.below(50));
        cfg.reconnect.max_attempts = static_cast<std::uint32_t>(world.below(4)) * 3;
        cfg.reconnect.resume = world.below(2) == 1;
        client_behaviour b(cfg);
        fast_rng rng(seed ^ 0xabc);
        micros now = 0us;
        auto a = b.start(now, micros(static_cast<std::int64_t>(world.below(1000000))));
        std::uint64_t next_number = 1;
        std::vector<std::uint64_t> seqs(3, 0);
        for (int step = 0; step < 300; ++step) {
            ASSERT_TRUE(a.wake_at == never || a.wake_at >= now) << "wake-up in the past";
            if (a.publish_count > 0) {
                ASSERT_EQ(b.state(), client_state::connected);
                ASSERT_LE(a.publish_count, client_behaviour::publish_burst_max);
                ASSERT_EQ(a.first_msg_number, next_number) << "msg numbers have no gaps";
                next_number += a.publish_count;
            }
            if (a.report_connect) {
                ASSERT_EQ(b.state(), client_state::connected);
            }
            if (b.state() == client_state::given_up || b.state() == client_state::stopped) {
                ASSERT_EQ(a.wake_at, never);
                break;
            }
            now += micros(static_cast<std::int64_t>(world.below(300000)));
            switch (world.below(7)) {
                case 0:
                case 1:
                    if (a.wake_at != never) {
                        now = std::max(now, a.wake_at);
                    }
                    a = b.on_wake(now, rng);
                    break;
                case 2:
                    a = b.on_hello(now, world.below(2) ? "r1" : "r2", world.below(2) == 1, rng);
                    break;
                case 3: {
                    const auto ch = world.below(3);
                    seqs[ch] += world.below(3);
                    a = b.on_subscribed(now, ch, seqs[ch], rng);
                    break;
                }
                case 4: {
                    const auto ch = world.below(3);
                    seqs[ch] += 1;
                    const auto before = b.last_seq(ch);
                    b.on_message(ch, seqs[ch]);
                    ASSERT_GE(b.last_seq(ch), before) << "last seq never goes back";
                    a = b.on_wake(now, rng);
                    break;
                }
                case 5:
                    a = b.on_closed(now, rng);
                    break;
                case 6:
                    if (world.below(20) == 0) {
                        a = b.stop(now);
                    } else {
                        a = b.on_wake(now, rng);
                    }
                    break;
            }
            for (std::size_t ch = 0; ch < 3; ++ch) {
                ASSERT_TRUE(b.resume_point(ch) == 0 || cfg.reconnect.resume);
            }
        }
    }
}

TEST(client_behaviour, the_same_seed_replays_the_same_decisions) {
    auto run = [](std::uint64_t seed) {
        auto cfg = config_with();
        cfg.publish_rate_hz = 7;
        client_behaviour b(cfg);
        fast_rng rng(seed);
        std::vector<std::int64_t> trace;
        auto a = b.start(0us, 0us);
        connect(b, 0us, "r1", false, rng);
        for (int i = 0; i < 20; ++i) {
            a = b.on_closed(micros(i * 1000000), rng);
            trace.push_back(a.wake_at.count());
            a = b.on_wake(a.wake_at, rng);
            a = connect(b, a.wake_at, "r1", true, rng);
            trace.push_back(a.wake_at.count());
        }
        return trace;
    };
    EXPECT_EQ(run(77), run(77));
    EXPECT_NE(run(77), run(78));
}

}  // namespace
}  // namespace switchyard::fleet
