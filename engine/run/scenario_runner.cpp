#include "engine/run/scenario_runner.hpp"

#include <algorithm>
#include <exception>

#include "engine/report/file_reports.hpp"
#include "engine/verify/checker_table.hpp"

namespace switchyard::run {

using events::action_kind;

namespace {
/// Sampled deliveries published per metrics period (for drawing message flow).
constexpr std::size_t delivery_samples_max = 4;
}  // namespace

scenario_runner::scenario_runner(run_plan plan, run::world world, events::event_stream& events,
                                 runner_options options)
    : plan_(std::move(plan)),
      world_(world),
      events_(events),
      options_(std::move(options)),
      observer_(ledger_, events_) {}

void scenario_runner::pause() {
    paused_ = true;
    world_.clock.post([this] { on_pause_changed(); });
}

void scenario_runner::resume() {
    paused_ = false;
    world_.clock.post([this] { on_pause_changed(); });
}

void scenario_runner::warn_ignored(const action& a) {
    events_.publish(events::log_message{world_.clock.now(), "warn",
                                        "hand action " + std::string(events::to_string(a.kind)) +
                                            " ignored: the run is not in its traffic phase"});
}

void scenario_runner::apply(action a) {
    if (!in_traffic()) {
        warn_ignored(a);
        return;
    }
    world_.clock.post([this, a = std::move(a)] {
        if (in_traffic())
            run_action(a, "hand");
        else
            warn_ignored(a);
    });
}

void scenario_runner::run_action(const action& a, const char* source) {
    auto& cluster = world_.cluster;
    const auto now = world_.clock.now();
    events::action_applied ev;
    ev.at = now;
    ev.source = source;
    ev.kind = a.kind;
    ev.target = a.target;
    ev.detail = a.detail();
    const bool relay = targets_relay(a);
    try {
        switch (a.kind) {
            case action_kind::kill:
                // The ledger takes the affected clients before the process goes.
                if (relay)
                    ledger_.mark_relay_lost(a.target, "kill", now);
                cluster.kill(a.target);
                break;
            case action_kind::stop:
                // A frozen relay holds its clients' connections open but serves nothing: a
                // failover episode as much as a kill (its clients must move to recover).
                if (relay)
                    ledger_.mark_relay_lost(a.target, "stop", now);
                cluster.stop_process(a.target);
                break;
            case action_kind::cont:
                cluster.cont(a.target);
                if (relay)
                    ledger_.mark_relay_back(a.target);
                break;
            case action_kind::restart:
                if (relay)
                    ledger_.mark_relay_lost(a.target, "restart", now);
                cluster.restart(a.target);
                if (relay)
                    ledger_.mark_relay_back(a.target);
                break;
            case action_kind::drain:
                ledger_.mark_relay_lost(a.target, "drain", now);
                cluster.drain(a.target);
                break;
            case action_kind::add_relay:
                cluster.add_relay(a.target);
                ledger_.mark_relay_back(a.target);
                break;
            case action_kind::remove_relay:
                ledger_.mark_relay_lost(a.target, "remove", now);
                cluster.remove_relay(a.target);
                break;
            case action_kind::fault:
                if (const auto cut = relay_cut_off_by(a);
                    !cut.empty() && cut_links_.emplace(a.target, cut).second)
                    ledger_.mark_relay_lost(cut, "fault " + a.toxic + " on " + a.target, now);
                cluster.set_fault(a.target, a.toxic, a.params, a.netns);
                break;
            case action_kind::clear_fault:
                cluster.clear_fault(a.target);
                if (const auto it = cut_links_.find(a.target); it != cut_links_.end()) {
                    ledger_.mark_relay_back(it->second);
                    cut_links_.erase(it);
                }
                break;
            case action_kind::set_rate:
                if (!world_.fleet.set_publish_rate(a.target, a.rate_hz))
                    throw std::runtime_error("unknown fleet '" + a.target + "'");
                break;
            case action_kind::set_count:
                if (!world_.fleet.set_count(a.target, a.count))
                    throw std::runtime_error("unknown fleet '" + a.target + "'");
                break;
            case action_kind::restart_redis:
                cluster.restart_redis();
                break;
        }
    } catch (const std::exception& e) {
        ev.ok = false;
        ev.error = e.what();
    }
    events_.publish(ev);
}

void scenario_runner::publish_metrics(micros period) {
    auto p = ledger_.take_period();
    const double secs = std::max(1e-6, period.count() / 1e6);
    events::metrics m;
    m.at = world_.clock.now();
    m.period = period;
    m.publishes = p.publishes;
    m.acks = p.acks;
    m.deliveries = p.deliveries;
    m.publishes_per_s = p.publishes / secs;
    m.deliveries_per_s = p.deliveries / secs;
    m.latency_p50 = p.latency.percentile(0.5);
    m.latency_p99 = p.latency.percentile(0.99);
    m.latency_max = p.latency.max();
    m.clients_connected = p.connected;
    m.deliveries_total = p.deliveries_total;
    m.connect_failures_total = p.connect_failures_total;
    for (auto& r : p.relays)
        m.relays.push_back(events::relay_load{r.relay, r.clients, r.deliveries});
    events_.publish(m);
    for (std::size_t i = 0; i < p.samples.size() && i < delivery_samples_max; ++i) {
        const auto& d = p.samples[i];
        events_.publish(events::delivery_sample{d.received_at, d.publisher, d.client, d.relay,
                                                d.channel, d.seq, d.received_at - d.sent_at,
                                                d.replayed});
    }
}

// The periodic tasks reschedule themselves from the moment they ran (a late tick, after a
// blocking restart, does not fire a burst) until the run is done.
void scenario_runner::on_metrics_due() {
    if (phase_ == phase::done)
        return;
    const auto now = world_.clock.now();
    publish_metrics(now - last_metrics_);
    last_metrics_ = now;
    world_.clock.call_at(now + plan_.metrics_interval, [this] { on_metrics_due(); });
}

void scenario_runner::on_poll_due() {
    if (phase_ == phase::done)
        return;
    world_.cluster.poll();
    world_.clock.call_at(world_.clock.now() + options_.poll_interval, [this] { on_poll_due(); });
}

void scenario_runner::on_stop_check_due() {
    if (phase_ != phase::traffic)
        return;  // the drain runs to its end even after a stop request
    if (stop_requested_) {
        end_traffic();
        return;
    }
    world_.clock.call_at(world_.clock.now() + options_.stop_check_interval,
                         [this] { on_stop_check_due(); });
}

void scenario_runner::end_traffic() {
    phase_ = phase::drain;
    ++plan_generation_;
    world_.clock.stop();
}

// Timeline tasks and the end of the traffic phase are due at a traffic time (pauses
// excluded); each pause or resume voids the ones scheduled before and plans afresh.
void scenario_runner::schedule_plan() {
    const auto generation = ++plan_generation_;
    const auto origin = traffic_start_ + paused_total_;
    const auto& actions = plan_.timeline.actions;
    if (options_.run_timeline && next_action_ < actions.size() &&
        actions[next_action_].at < plan_.duration)
        world_.clock.call_at(origin + actions[next_action_].at,
                             [this, generation] { run_due_timeline(generation); });
    world_.clock.call_at(origin + plan_.duration, [this, generation] {
        if (generation == plan_generation_ && phase_ == phase::traffic)
            end_traffic();
    });
}

void scenario_runner::run_due_timeline(std::uint64_t generation) {
    if (generation != plan_generation_ || phase_ != phase::traffic)
        return;
    const auto& actions = plan_.timeline.actions;
    const auto elapsed = world_.clock.now() - traffic_start_ - paused_total_;
    while (next_action_ < actions.size() && actions[next_action_].at <= elapsed &&
           actions[next_action_].at < plan_.duration)
        run_action(actions[next_action_++], "timeline");
    if (next_action_ < actions.size() && actions[next_action_].at < plan_.duration)
        world_.clock.call_at(traffic_start_ + paused_total_ + actions[next_action_].at,
                             [this, generation] { run_due_timeline(generation); });
}

void scenario_runner::on_pause_changed() {
    if (phase_ != phase::traffic)
        return;  // before the traffic phase, its start reads paused_
    const bool want = paused_;
    if (want == is_paused_)
        return;
    const auto now = world_.clock.now();
    is_paused_ = want;
    if (want) {
        paused_since_ = now;
        ++plan_generation_;
    } else {
        paused_total_ += now - paused_since_;
        schedule_plan();
    }
}

void scenario_runner::traffic_phase() {
    auto& clock = world_.clock;
    traffic_start_ = clock.now();
    last_metrics_ = traffic_start_;
    phase_ = phase::traffic;
    is_paused_ = paused_;
    if (is_paused_)
        paused_since_ = traffic_start_;
    else
        schedule_plan();
    clock.call_at(traffic_start_ + plan_.metrics_interval, [this] { on_metrics_due(); });
    clock.call_at(traffic_start_ + options_.poll_interval, [this] { on_poll_due(); });
    clock.call_at(traffic_start_, [this] { on_stop_check_due(); });
    clock.run();
}

void scenario_runner::drain_phase() {
    auto& clock = world_.clock;
    phase_ = phase::drain;
    // Let in-flight messages land before judging: publishers stop, receivers keep going.
    world_.fleet.pause_publishing();
    ledger_.end_traffic(clock.now());
    clock.call_at(clock.now() + plan_.drain, [&clock] { clock.stop(); });
    clock.run();
    publish_metrics(clock.now() - last_metrics_);
}

void scenario_runner::judge(report::run_result& r, bool ran) {
    r.summary = ledger_.summary();
    if (ran) {
        bool all = true;
        for (const auto& e : plan_.expect) {
            auto a = verify::evaluate(e, r.summary, world_.clock.now());
            all = all && a.passed;
            events_.publish(a);
            r.assertions.push_back(std::move(a));
        }
        if (stop_requested_) {
            r.verdict = "interrupted";
            r.error = "stopped before the planned duration; results are partial";
        } else {
            r.verdict = all ? "passed" : "failed";
        }
    }
}

void scenario_runner::write_reports(const report::run_result& r) {
    auto write = [&](const std::filesystem::path& p, const std::string& text) {
        if (p.empty())
            return;
        try {
            report::write_file(p, text);
        } catch (const std::exception& e) {
            events_.publish(events::log_message{world_.clock.now(), "error", e.what()});
        }
    };
    write(options_.json_path, report::to_json(r));
    write(options_.junit_path, report::to_junit(r));
    // Reports also land in the run folder, so a run is self-contained.
    if (!options_.run_dir.empty())
        write(std::filesystem::path(options_.run_dir) / "result.json", report::to_json(r));
}

report::run_result scenario_runner::run() {
    auto& clock = world_.clock;
    report::run_result r;
    r.scenario = plan_.name;
    r.file = plan_.file;
    r.seed = plan_.seed;
    r.run_dir = options_.run_dir;
    events_.publish(events::run_started{clock.now(), plan_.name, plan_.file, plan_.seed, r.run_dir,
                                        plan_.duration});
    bool ran = false;
    try {
        world_.cluster.start();
        if (auto note = world_.cluster.health_note(); !note.empty())
            r.notes.push_back(std::move(note));
        auto fleets = plan_.fleets;
        const auto url = world_.cluster.client_url();
        for (auto& f : fleets)
            f.target_url = url;
        world_.fleet.start(fleets, observer_);
        traffic_phase();
        drain_phase();
        ran = true;
    } catch (const std::exception& e) {
        r.verdict = "error";
        r.error = e.what();
        events_.publish(events::log_message{clock.now(), "error", r.error});
    }
    phase_ = phase::done;
    // Frozen before the fleet stops: the shutdown's closes are not losses.
    ledger_.freeze();
    world_.fleet.stop();
    judge(r, ran);
    world_.cluster.stop();
    r.exit_code = exit_code_for(r.verdict);
    r.elapsed = clock.now();
    events_.publish(events::run_finished{clock.now(), r.verdict, r.exit_code, r.error});
    write_reports(r);
    return r;
}

int exit_code_for(const std::string& verdict) noexcept {
    if (verdict == "passed")
        return 0;
    if (verdict == "failed")
        return 1;
    return 3;
}

}  // namespace switchyard::run
