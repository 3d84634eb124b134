#include "backends/policy/health_tracker.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "backends/policy/fast_rng.hpp"

using namespace switchyard::policy;
using namespace std::chrono_literals;

namespace {

const mono_time t0{std::chrono::seconds{1000}};

health_config cfg(std::uint32_t rise, std::uint32_t fall) {
    health_config c;
    c.rise = rise;
    c.fall = fall;
    c.inter = 2000ms;
    c.fastinter = 500ms;
    c.downinter = 5000ms;
    return c;
}

// Feeds a string of probe results ('+' ok, '-' failed, 'p' passive error) one second apart and
// returns the state after each.
std::vector<backend_state> run(health_tracker& h, const std::string& script) {
    std::vector<backend_state> states;
    mono_time now = t0;
    for (char c : script) {
        now += 1s;
        if (c == 'p') {
            h.on_passive_error(now);
        } else {
            h.on_probe(c == '+', now);
        }
        states.push_back(h.state());
    }
    return states;
}

constexpr auto U = backend_state::up;
constexpr auto S = backend_state::suspect;
constexpr auto D = backend_state::down;

}  // namespace

struct health_path {
    const char* name;
    std::uint32_t rise, fall;
    bool start_up;
    std::string script;
    std::vector<backend_state> expected;
};

class HealthPaths : public ::testing::TestWithParam<health_path> {};

TEST_P(HealthPaths, FollowsRiseFallArithmetic) {
    const auto& p = GetParam();
    auto c = cfg(p.rise, p.fall);
    c.start_up = p.start_up;
    health_tracker h(c, t0);
    EXPECT_EQ(run(h, p.script), p.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, HealthPaths,
    ::testing::Values(
        health_path{"steady_up", 2, 3, true, "+++", {U, U, U}},
        health_path{"fall_after_three_failures", 2, 3, true, "---", {S, S, D}},
        health_path{"one_success_clears_suspicion", 2, 3, true, "--+", {S, S, U}},
        health_path{"rise_after_two_successes", 2, 3, true, "---++", {S, S, D, D, U}},
        health_path{
            "failure_while_rising_restarts_rise", 2, 3, true, "---+-++", {S, S, D, D, D, D, U}},
        health_path{"starts_down_when_asked", 2, 3, false, "-++", {D, D, U}},
        health_path{"passive_errors_count_like_probes", 2, 3, true, "ppp", {S, S, D}},
        health_path{"mixed_passive_and_probe", 2, 3, true, "p-p", {S, S, D}},
        health_path{"fall_one_goes_down_at_once", 1, 1, true, "-+", {D, U}},
        health_path{"flapping_never_goes_down_with_fall_3",
                    2,
                    3,
                    true,
                    "-+-+-+-+",
                    {S, U, S, U, S, U, S, U}},
        health_path{
            "flapping_down_needs_rise_in_a_row", 2, 1, true, "-+-+-++", {D, D, D, D, D, D, U}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(HealthTracker, EveryTransitionIsReportedOnce) {
    health_tracker h(cfg(2, 2), t0);
    EXPECT_FALSE(h.on_probe(true, t0 + 1s));
    auto t = h.on_probe(false, t0 + 2s);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->from, U);
    EXPECT_EQ(t->to, S);
    EXPECT_EQ(t->reason, health_reason::probe_failed);
    t = h.on_passive_error(t0 + 3s);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, D);
    EXPECT_EQ(t->reason, health_reason::passive_error);
    EXPECT_EQ(t->at, t0 + 3s);
    EXPECT_FALSE(h.on_probe(false, t0 + 4s));
    EXPECT_FALSE(h.on_probe(true, t0 + 5s));
    t = h.on_probe(true, t0 + 6s);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->from, D);
    EXPECT_EQ(t->to, U);
    EXPECT_EQ(h.state_changes(), 3u);
}

TEST(HealthTracker, ProbeIntervalsFollowTheState) {
    health_tracker h(cfg(2, 3), t0);
    EXPECT_EQ(h.next_probe_at(), t0);  // probe a new backend at once
    h.on_probe(true, t0);
    EXPECT_EQ(h.next_probe_at(), t0 + 2000ms);  // inter while up
    h.on_probe(false, t0 + 2s);
    EXPECT_EQ(h.next_probe_at(), t0 + 2s + 500ms);  // fastinter while suspect
    h.on_probe(false, t0 + 3s);
    h.on_probe(false, t0 + 4s);
    EXPECT_EQ(h.state(), D);
    EXPECT_EQ(h.next_probe_at(), t0 + 4s + 5000ms);  // downinter while steadily down
    h.on_probe(true, t0 + 9s);
    EXPECT_EQ(h.next_probe_at(), t0 + 9s + 500ms);  // fastinter while rising
}

TEST(HealthTracker, PassiveErrorAsksForAProbeNow) {
    health_tracker h(cfg(2, 3), t0);
    h.on_probe(true, t0);
    ASSERT_EQ(h.next_probe_at(), t0 + 2s);
    auto t = h.on_passive_error(t0 + 100ms);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, S);  // suspect at once, not after the next probe
    EXPECT_EQ(h.next_probe_at(), t0 + 100ms);
}

TEST(HealthTracker, AdminOverlayKeepsProbingUnderneath) {
    health_tracker h(cfg(2, 2), t0);
    auto t = h.drain(t0 + 1s);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, backend_state::draining);
    EXPECT_EQ(t->reason, health_reason::admin_drain);
    h.on_probe(false, t0 + 2s);
    h.on_probe(false, t0 + 3s);
    EXPECT_EQ(h.state(), backend_state::draining);
    EXPECT_EQ(h.health_state(), D);
    t = h.disable(t0 + 4s);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, backend_state::disabled);
    t = h.enable(t0 + 5s);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, D);  // enable reveals the real health at once
    EXPECT_FALSE(h.enable(t0 + 6s));
}

TEST(HealthTracker, SlowStartRampsWeightAfterComingBack) {
    auto c = cfg(1, 1);
    c.slowstart = 10s;
    health_tracker h(c, t0);
    EXPECT_EQ(h.effective_weight(100, t0), 100u);  // initial start is not a return
    h.on_probe(false, t0 + 1s);
    h.on_probe(true, t0 + 2s);
    EXPECT_EQ(h.state(), U);
    EXPECT_EQ(h.effective_weight(100, t0 + 2s), 1u);
    EXPECT_EQ(h.effective_weight(100, t0 + 7s), 50u);
    EXPECT_EQ(h.effective_weight(100, t0 + 12s), 100u);
    EXPECT_EQ(h.effective_weight(0, t0 + 7s), 0u);
    EXPECT_EQ(h.effective_weight(1, t0 + 3s), 1u);
}

TEST(HealthTracker, RejectsZeroThresholds) {
    EXPECT_THROW(health_tracker(cfg(0, 1), t0), std::invalid_argument);
    EXPECT_THROW(health_tracker(cfg(1, 0), t0), std::invalid_argument);
}

// Seeded random walk: the state is always what the counter arithmetic says, whatever the order
// of probes, passive errors and admin commands.
TEST(HealthTracker, RandomizedWalkKeepsInvariants) {
    const std::uint64_t seed = 99;
    fast_rng rng(seed);
    for (int trial = 0; trial < 200; ++trial) {
        auto c = cfg(1 + static_cast<std::uint32_t>(rng.below(4)),
                     1 + static_cast<std::uint32_t>(rng.below(4)));
        health_tracker h(c, t0);
        mono_time now = t0;
        std::uint32_t ok_run = 0, fail_run = 0;
        for (int step = 0; step < 100; ++step) {
            now += 100ms;
            const auto before = h.state();
            std::optional<health_transition> t;
            switch (rng.below(6)) {
                case 0:
                case 1:
                    t = h.on_probe(true, now);
                    ++ok_run;
                    fail_run = 0;
                    break;
                case 2:
                case 3:
                    t = h.on_probe(false, now);
                    ++fail_run;
                    ok_run = 0;
                    break;
                case 4:
                    t = h.on_passive_error(now);
                    ++fail_run;
                    ok_run = 0;
                    break;
                default:
                    t = rng.below(2) ? h.drain(now) : h.enable(now);
                    break;
            }
            ASSERT_EQ(t.has_value(), before != h.state()) << "seed=" << seed << " trial=" << trial;
            if (fail_run >= c.fall) {
                ASSERT_EQ(h.health_state(), D) << "seed=" << seed;
            }
            if (ok_run >= c.rise) {
                ASSERT_EQ(h.health_state(), U) << "seed=" << seed;
            }
            // A probe is never due later than one downinter from now.
            ASSERT_LE(h.next_probe_at(), now + c.downinter) << "seed=" << seed;
        }
    }
}
