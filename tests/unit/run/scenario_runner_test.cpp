// The scenario runner on a fake world in virtual time: the timeline's order and timing, pause
// and resume, hand actions, early stop and drain, verdicts and the event sequence. No process,
// no socket, no sleep: each test runs seconds of scenario in milliseconds.
#include <algorithm>

#include <gtest/gtest.h>

#include "engine/run/scenario_runner.hpp"
#include "tests/unit/run/fake_world.hpp"

using namespace switchyard;
using namespace std::chrono_literals;
using events::action_kind;
using run::micros;

namespace {

run::action act(micros at, action_kind kind, std::string target) {
    run::action a;
    a.at = at;
    a.kind = kind;
    a.target = std::move(target);
    return a;
}

run::run_plan plan(std::vector<run::action> timeline = {}, micros duration = 5s) {
    run::run_plan p;
    p.name = "fake";
    p.seed = 9;
    p.duration = duration;
    p.drain = 1s;
    fleet::fleet_config f;
    f.name = "c";
    f.count = 3;
    p.fleets = {f};
    p.timeline.actions = std::move(timeline);
    p.expect = {{"lost", std::nullopt, 0.0}, {"deliveries", 1.0, std::nullopt}};
    return p;
}

/// Every event of a run, in order (the fake world publishes on the run thread only).
struct recorded {
    std::vector<events::event> all;
    template <class T>
    std::vector<T> of() const {
        std::vector<T> out;
        for (const auto& e : all)
            if (const auto* x = std::get_if<T>(&e))
                out.push_back(*x);
        return out;
    }
};

struct harness {
    test::fake_world w;
    events::event_stream stream;
    recorded rec;
    std::unique_ptr<run::scenario_runner> runner;

    explicit harness(run::run_plan p, run::runner_options o = {}) {
        stream.subscribe([this](const events::event& e) { rec.all.push_back(e); });
        runner = std::make_unique<run::scenario_runner>(std::move(p), w.world(), stream, o);
    }
    /// Runs `f` on the run thread at virtual time `at` (as a GUI click lands between tasks).
    void at(micros t, std::function<void()> f) { w.clock.call_at(t, std::move(f)); }
    std::vector<std::string> cluster_actions() const {
        std::vector<std::string> out;
        for (const auto& c : w.cluster.calls)
            if (c.what != "start" && c.what != "stop")
                out.push_back(c.what);
        return out;
    }
    micros when(const std::string& what) const {
        for (const auto& c : w.cluster.calls)
            if (c.what == what)
                return c.at;
        for (const auto& c : w.fleet.calls)
            if (c.what == what)
                return c.at;
        return micros{-1};
    }
};

}  // namespace

TEST(ScenarioRunner, RunsTheTimelineInOrderAtItsTimes) {
    harness h(
        plan({act(1s, action_kind::kill, "relay-1"),
              act(1s, action_kind::clear_fault, "balancer-relay-2"),
              act(2500ms, action_kind::restart, "relay-1"), act(3s, action_kind::set_count, "c"),
              act(5s, action_kind::kill, "relay-2"), act(9s, action_kind::kill, "relay-3")}));
    const auto r = h.runner->run();
    EXPECT_EQ(h.cluster_actions(),
              (std::vector<std::string>{"kill relay-1", "clear_fault balancer-relay-2",
                                        "restart relay-1"}))
        << "an action at or after the duration never runs";
    EXPECT_EQ(h.when("kill relay-1"), 1s);
    EXPECT_EQ(h.when("restart relay-1"), 2500ms);
    EXPECT_EQ(h.when("set_count c 0"), 3s);
    const auto applied = h.rec.of<events::action_applied>();
    ASSERT_EQ(applied.size(), 4u);
    EXPECT_EQ(applied[0].source, "timeline");
    EXPECT_EQ(applied[1].target, "balancer-relay-2");
    EXPECT_EQ(applied[3].kind, action_kind::set_count);
    EXPECT_EQ(applied[3].detail, "count=0");
    EXPECT_EQ(r.verdict, "passed") << r.error;
}

TEST(ScenarioRunner, TellsTheLedgerBeforeARelayGoes) {
    harness h(
        plan({act(2s, action_kind::kill, "relay-1"), act(3s, action_kind::kill, "balancer")}));
    const auto r = h.runner->run();
    ASSERT_EQ(r.summary.failovers.size(), 1u) << "the balancer is not a relay";
    EXPECT_EQ(r.summary.failovers[0].relay, "relay-1");
    EXPECT_EQ(r.summary.failovers[0].affected, 3u);  // every fake client is on relay-1
}

TEST(ScenarioRunner, AFrozenRelayAndACutLinkAreFailoverEpisodesTooButADelayIsNot) {
    auto fault = [](micros at, std::string link, std::string toxic) {
        auto a = act(at, action_kind::fault, std::move(link));
        a.toxic = std::move(toxic);
        return a;
    };
    harness h(
        plan({act(1s, action_kind::stop, "relay-1"), act(1500ms, action_kind::cont, "relay-1"),
              fault(2s, "relay-1-redis", "blackhole"),
              fault(2100ms, "relay-1-redis", "blackhole"),  // the same cut: one episode
              act(2500ms, action_kind::clear_fault, "relay-1-redis"),
              fault(3s, "balancer-relay-1", "latency"),
              fault(3500ms, "client-balancer", "blackhole"), act(4s, action_kind::stop, "redis")}));
    const auto r = h.runner->run();
    ASSERT_EQ(r.summary.failovers.size(), 2u)
        << "stop and a blackholed Redis link cut a relay off; latency, the client link and "
           "Redis itself do not start an episode of one relay";
    EXPECT_EQ(r.summary.failovers[0].cause, "stop");
    EXPECT_EQ(r.summary.failovers[0].at, 1s);
    EXPECT_EQ(r.summary.failovers[1].cause, "fault blackhole on relay-1-redis");
    EXPECT_EQ(r.summary.failovers[1].at, 2s);
    EXPECT_EQ(r.summary.failovers[1].relay, "relay-1");
}

TEST(ScenarioRunner, PauseFreezesTheTimelineAndTheCountdown) {
    harness h(
        plan({act(1s, action_kind::kill, "relay-1"), act(2s, action_kind::drain, "relay-2")}));
    h.runner->pause();  // before the run, as the GUI may
    h.at(3s, [&] { h.runner->resume(); });
    h.at(4500ms, [&] { h.runner->pause(); });
    h.at(5500ms, [&] { h.runner->resume(); });
    const auto r = h.runner->run();
    // Traffic time = virtual time - 3 s, then - 4 s after the second pause.
    EXPECT_EQ(h.when("kill relay-1"), 4s);
    EXPECT_EQ(h.when("drain relay-2"), 6s);
    EXPECT_EQ(h.when("pause_publishing"), 9s) << "5 s of traffic + 4 s paused";
    EXPECT_EQ(h.when("stop"), 10s) << "then the 1 s drain";
    EXPECT_FALSE(h.runner->paused());
    EXPECT_EQ(r.elapsed, 10s);
}

TEST(ScenarioRunner, TrafficAndMetricsGoOnWhilePaused) {
    harness h(plan({}, 2s));
    h.runner->pause();
    h.at(1s, [&] { h.runner->resume(); });
    h.runner->run();
    const auto m = h.rec.of<events::metrics>();
    ASSERT_FALSE(m.empty());
    EXPECT_EQ(m.front().at, 250ms) << "the first metrics come while paused";
    EXPECT_GT(m.front().deliveries, 0u);
}

TEST(ScenarioRunner, HandActionsRunOnTheRunThreadAndReportTheirOutcome) {
    harness h(plan());
    h.w.cluster.refuse = {"relay-9"};
    h.at(1s, [&] { h.runner->apply(act(99s, action_kind::kill, "relay-2")); });
    h.at(2s, [&] { h.runner->apply(act(0s, action_kind::restart, "relay-9")); });
    h.at(3s, [&] { h.runner->apply(act(0s, action_kind::set_rate, "nobody")); });
    h.runner->run();
    EXPECT_EQ(h.when("kill relay-2"), 1s) << "`at` of a hand action is ignored";
    const auto applied = h.rec.of<events::action_applied>();
    ASSERT_EQ(applied.size(), 3u);
    for (const auto& a : applied)
        EXPECT_EQ(a.source, "hand");
    EXPECT_TRUE(applied[0].ok);
    EXPECT_FALSE(applied[1].ok);
    EXPECT_EQ(applied[1].error, "relay-9 is not running");
    EXPECT_FALSE(applied[2].ok);
    EXPECT_EQ(applied[2].error, "unknown fleet 'nobody'");
}

TEST(ScenarioRunner, HandActionsOutsideTheTrafficPhaseAreIgnoredWithAWarning) {
    harness h(plan({}, 2s));
    h.runner->apply(act(0s, action_kind::kill, "relay-1"));                         // before run()
    h.at(2500ms, [&] { h.runner->apply(act(0s, action_kind::kill, "relay-2")); });  // drain
    h.runner->run();
    EXPECT_TRUE(h.cluster_actions().empty());
    EXPECT_TRUE(h.rec.of<events::action_applied>().empty());
    const auto logs = h.rec.of<events::log_message>();
    ASSERT_EQ(logs.size(), 2u);
    EXPECT_EQ(logs[0].level, "warn");
    EXPECT_NE(logs[1].text.find("hand action kill ignored"), std::string::npos) << logs[1].text;
}

TEST(ScenarioRunner, TheTimelineCanBeLeftToTheHand) {
    run::runner_options o;
    o.run_timeline = false;
    harness h(plan({act(1s, action_kind::kill, "relay-1")}), o);
    h.at(2s, [&] { h.runner->apply(act(0s, action_kind::kill, "relay-2")); });
    h.runner->run();
    EXPECT_EQ(h.cluster_actions(), (std::vector<std::string>{"kill relay-2"}));
}

TEST(ScenarioRunner, StopEndsTrafficEarlyYetDrainsChecksAndSaysInterrupted) {
    harness h(plan({act(3s, action_kind::kill, "relay-1")}, 60s));
    h.at(1s, [&] { h.runner->request_stop(); });
    h.at(1500ms, [&] { h.runner->request_stop(); });  // a second one changes nothing
    const auto r = h.runner->run();
    const auto stopped_at = h.when("pause_publishing");
    EXPECT_GE(stopped_at, 1s);
    EXPECT_LE(stopped_at, 1s + run::runner_options{}.stop_check_interval);
    EXPECT_EQ(h.when("stop"), stopped_at + 1s) << "the drain still runs in full";
    EXPECT_TRUE(h.cluster_actions().empty()) << "the 3 s kill is after the stop";
    EXPECT_EQ(r.verdict, "interrupted");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.assertions.size(), 2u) << "partial, but checked";
    EXPECT_GT(r.summary.deliveries, 0u);
}

TEST(ScenarioRunner, DeliveriesInTheDrainCountAndPublishingStopsForIt) {
    harness h(plan({}, 2s));
    const auto r = h.runner->run();
    // 100 ms ticks publish at 0.1 .. 1.9 s; the end of traffic at 2 s was scheduled before
    // the 2 s tick, so that tick finds publishing stopped. Receiving goes on in the drain.
    EXPECT_EQ(r.summary.publishes, 19u);
    EXPECT_EQ(h.when("pause_publishing"), 2s);
    EXPECT_EQ(h.w.fleet.calls.back().what, "stop");
}

TEST(ScenarioRunner, AFailingExpectationFailsTheRun) {
    harness h(plan());
    h.w.fleet.drop_for_client_1 = {7, 8};
    const auto r = h.runner->run();
    EXPECT_EQ(r.verdict, "failed");
    EXPECT_EQ(r.exit_code, 1);
    ASSERT_EQ(r.assertions.size(), 2u);
    EXPECT_FALSE(r.assertions[0].passed);
    EXPECT_EQ(r.assertions[0].name, "lost");
    EXPECT_EQ(r.assertions[0].measured, 2.0);
    EXPECT_TRUE(r.assertions[1].passed);
}

TEST(ScenarioRunner, AWorldThatCannotStartIsATestbedError) {
    harness h(plan({act(1s, action_kind::kill, "relay-1")}));
    h.w.cluster.fail_start = "relay-1 did not print READY within 15000 ms; see relay-1.log";
    const auto r = h.runner->run();
    EXPECT_EQ(r.verdict, "error");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.error, h.w.cluster.fail_start);
    EXPECT_TRUE(r.assertions.empty());
    EXPECT_TRUE(h.w.fleet.started.empty());
    EXPECT_EQ(h.w.cluster.calls.back().what, "stop") << "torn down on the error path too";
    const auto finished = h.rec.of<events::run_finished>();
    ASSERT_EQ(finished.size(), 1u);
    EXPECT_EQ(finished[0].verdict, "error");
}

TEST(ScenarioRunner, EventsTellTheRunInOrder) {
    run::runner_options o;
    o.run_dir = "";
    harness h(plan({}, 2s), o);
    h.w.cluster.note_text = "balancer health is not read";
    const auto r = h.runner->run();
    ASSERT_GE(h.rec.all.size(), 3u);
    const auto& first = std::get<events::run_started>(h.rec.all.front());
    EXPECT_EQ(first.scenario, "fake");
    EXPECT_EQ(first.seed, 9u);
    EXPECT_EQ(first.duration, 2s);
    EXPECT_TRUE(std::holds_alternative<events::run_finished>(h.rec.all.back()));
    // Metrics every 250 ms through traffic and drain (0.25 .. 2.75 s), then the last period's
    // when the drain ends at 3 s.
    const auto m = h.rec.of<events::metrics>();
    ASSERT_EQ(m.size(), 12u);
    EXPECT_EQ(m[0].at, 250ms);
    EXPECT_EQ(m[10].at, 2750ms);
    EXPECT_EQ(m[11].at, 3s);
    EXPECT_EQ(m[11].period, 250ms);
    EXPECT_EQ(m[0].clients_connected, 3u);
    // The assertions come after the last metrics and before the end.
    std::size_t last_metrics = 0, first_assertion = h.rec.all.size();
    for (std::size_t i = 0; i < h.rec.all.size(); ++i) {
        if (std::holds_alternative<events::metrics>(h.rec.all[i]))
            last_metrics = i;
        if (std::holds_alternative<events::assertion_result>(h.rec.all[i]))
            first_assertion = std::min(first_assertion, i);
    }
    EXPECT_LT(last_metrics, first_assertion);
    EXPECT_EQ(h.rec.of<events::assertion_result>().size(), 2u);
    EXPECT_EQ(r.notes, std::vector<std::string>{"balancer health is not read"});
    EXPECT_GE(h.w.cluster.polls, 29u) << "poll every 100 ms over 3 s";
    EXPECT_EQ(h.w.fleet.started.at(0).target_url, "ws://fake") << "the cluster's url";
}

TEST(ScenarioRunner, SixtySecondsOfScenarioRunInVirtualTime) {
    harness h(plan({act(30s, action_kind::kill, "relay-1")}, 60s));
    const auto wall = std::chrono::steady_clock::now();
    const auto r = h.runner->run();
    EXPECT_EQ(r.elapsed, 61s);
    EXPECT_EQ(r.verdict, "passed") << r.error;
    // Generous bound: the point is that no wall-clock sleep happens (it would take 61 s).
    EXPECT_LT(std::chrono::steady_clock::now() - wall, 10s);
}
