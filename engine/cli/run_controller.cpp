#include "engine/cli/run_controller.hpp"

#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "engine/fleet/fleet_runner.hpp"
#include "engine/report/file_reports.hpp"
#include "engine/run/run_observer.hpp"
#include "engine/scenario/plan_builder.hpp"
#include "engine/verify/checker_table.hpp"
#include "engine/verify/ledger.hpp"

namespace switchyard::engine {

using namespace std::chrono_literals;
using events::action_kind;
using micros = std::chrono::microseconds;

namespace {
/// How often the balancer's /stats is read for health changes.
constexpr micros health_poll_interval = 100ms;
/// The control loop's tick: timeline resolution and hand-command latency.
constexpr auto control_tick = 5ms;
/// Sampled deliveries published per metrics period (for drawing message flow).
constexpr std::size_t delivery_samples_max = 4;
}  // namespace

int exit_code_for(const std::string& verdict) noexcept {
    if (verdict == "passed")
        return 0;
    if (verdict == "failed")
        return 1;
    return 3;
}

run_controller::run_controller(scenario::scenario s, run_options options)
    : scenario_(std::move(s)), options_(std::move(options)) {
    if (options_.seed)
        scenario_.seed = *options_.seed;
    if (options_.duration)
        scenario_.duration = *options_.duration;
}

run_controller::~run_controller() {
    request_stop();
    if (thread_.joinable())
        thread_.join();
}

report::run_result run_controller::run() {
    result_ = execute();
    finished_ = true;
    return result_;
}

void run_controller::start() {
    thread_ = std::thread([this] {
        result_ = execute();
        finished_ = true;
    });
}

report::run_result run_controller::wait() {
    if (thread_.joinable())
        thread_.join();
    return result_;
}

void run_controller::pause() {
    paused_ = true;
}

void run_controller::resume() {
    paused_ = false;
}

void run_controller::apply(scenario::action_spec action) {
    if (!running_) {
        events_.publish(events::log_message{clock_.now(), "warn",
                                            "hand action " +
                                                std::string(events::to_string(action.kind)) +
                                                " ignored: the run is not in its traffic phase"});
        return;
    }
    std::lock_guard lock(commands_mutex_);
    commands_.push_back(std::move(action));
}

std::vector<cluster::component_info> run_controller::components() const {
    std::lock_guard lock(cluster_mutex_);
    return cluster_ ? cluster_->components() : std::vector<cluster::component_info>{};
}

std::filesystem::path run_controller::make_run_dir() const {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    const std::string base = std::string(stamp) + "-" + scenario_.name;
    auto dir = options_.runs_root / base;
    for (int n = 2; std::filesystem::exists(dir); ++n)
        dir = options_.runs_root / (base + "-" + std::to_string(n));
    std::filesystem::create_directories(dir);
    return std::filesystem::absolute(dir);
}

void run_controller::run_action(const scenario::action_spec& a, const char* source) {
    events::action_applied ev;
    ev.at = clock_.now();
    ev.source = source;
    ev.kind = a.kind;
    ev.target = a.target;
    ev.detail = a.detail();
    const bool is_relay = a.target != "balancer" && a.target != "redis";
    try {
        switch (a.kind) {
            case action_kind::kill:
                // The ledger takes the affected clients before the process goes.
                if (is_relay)
                    ledger_->mark_relay_lost(a.target, "kill", clock_.now());
                cluster_->kill(a.target);
                break;
            case action_kind::stop:
                cluster_->stop_process(a.target);
                break;
            case action_kind::cont:
                cluster_->cont(a.target);
                break;
            case action_kind::restart:
                if (is_relay)
                    ledger_->mark_relay_lost(a.target, "restart", clock_.now());
                cluster_->restart(a.target);
                if (is_relay)
                    ledger_->mark_relay_back(a.target);
                break;
            case action_kind::drain:
                ledger_->mark_relay_lost(a.target, "drain", clock_.now());
                cluster_->drain(a.target);
                break;
            case action_kind::add_relay:
                cluster_->add_relay(a.target);
                ledger_->mark_relay_back(a.target);
                break;
            case action_kind::remove_relay:
                ledger_->mark_relay_lost(a.target, "remove", clock_.now());
                cluster_->remove_relay(a.target);
                break;
            case action_kind::fault:
                cluster_->set_fault(a.target, a.toxic, a.params, a.netns);
                break;
            case action_kind::clear_fault:
                cluster_->clear_fault(a.target);
                break;
            case action_kind::set_rate:
                if (!fleet_->set_publish_rate(a.target, a.rate_hz))
                    throw std::runtime_error("unknown fleet '" + a.target + "'");
                break;
            case action_kind::set_count:
                if (!fleet_->set_count(a.target, a.count))
                    throw std::runtime_error("unknown fleet '" + a.target + "'");
                break;
            case action_kind::restart_redis:
                cluster_->restart_redis();
                break;
        }
    } catch (const std::exception& e) {
        ev.ok = false;
        ev.error = e.what();
    }
    events_.publish(ev);
}

void run_controller::publish_metrics(micros period) {
    auto p = ledger_->take_period();
    const double secs = std::max(1e-6, period.count() / 1e6);
    events::metrics m;
    m.at = clock_.now();
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

void run_controller::idle_step(micros& last_metrics, micros& last_poll) {
    const auto now = clock_.now();
    if (now - last_metrics >= scenario_.metrics_interval) {
        publish_metrics(now - last_metrics);
        last_metrics = now;
    }
    if (now - last_poll >= health_poll_interval) {
        cluster_->poll();
        last_poll = clock_.now();
    }
}

void run_controller::traffic_phase() {
    const auto t0 = clock_.now();
    micros paused_total{0};
    bool is_paused = false;
    micros paused_since{0};
    std::size_t next = 0;
    micros last_metrics = t0, last_poll = t0;
    while (!stop_requested_) {
        const auto now = clock_.now();
        if (paused_ && !is_paused) {
            is_paused = true;
            paused_since = now;
        } else if (!paused_ && is_paused) {
            is_paused = false;
            paused_total += now - paused_since;
        }
        const auto elapsed = now - t0 - paused_total - (is_paused ? now - paused_since : 0us);
        if (elapsed >= scenario_.duration)
            break;
        if (!paused_ && options_.run_timeline)
            while (next < scenario_.timeline.size() && scenario_.timeline[next].at <= elapsed)
                run_action(scenario_.timeline[next++], "timeline");
        std::deque<scenario::action_spec> hand;
        {
            std::lock_guard lock(commands_mutex_);
            hand.swap(commands_);
        }
        for (const auto& a : hand)
            run_action(a, "hand");
        idle_step(last_metrics, last_poll);
        std::this_thread::sleep_for(control_tick);
    }
}

report::run_result run_controller::execute() {
    clock_.start();
    report::run_result r;
    r.scenario = scenario_.name;
    r.file = scenario_.file;
    r.seed = scenario_.seed;
    std::unique_ptr<report::ndjson_writer> ndjson;
    try {
        if (!options_.events_path.empty())
            ndjson = std::make_unique<report::ndjson_writer>(events_, options_.events_path);
        r.run_dir = make_run_dir().string();
    } catch (const std::exception& e) {
        r.verdict = "error";
        r.error = e.what();
        r.exit_code = 3;
        return r;
    }
    events_.publish(events::run_started{clock_.now(), scenario_.name, scenario_.file,
                                        scenario_.seed, r.run_dir, scenario_.duration});
    ledger_ = std::make_unique<verify::ledger>();
    observer_ = std::make_unique<run::run_observer>(*ledger_, events_);

    scenario::plan_options po;
    po.spare_relays = options_.spare_relays;
    po.proxy_all_links = options_.proxy_all_links;
    auto cluster_plan = scenario::make_cluster_plan(scenario_, po);

    bool ran = false;
    try {
        {
            std::lock_guard lock(cluster_mutex_);
            cluster_ = std::make_unique<cluster::cluster>(std::move(cluster_plan), r.run_dir,
                                                          events_, clock_);
        }
        cluster_->start();
        if (auto note = cluster_->health_note(); !note.empty())
            r.notes.push_back(std::move(note));
        auto fleets = scenario_.fleets;
        const auto url = cluster_->client_url();
        for (auto& f : fleets)
            f.target_url = url;
        fleet::fleet_runner_options fo;
        fo.seed = scenario_.seed;
        fo.threads = std::max(1u, options_.fleet_threads);
        fo.epoch = clock_.origin();
        fleet_ = std::make_unique<fleet::fleet_runner>(fleets, *observer_, fo);
        fleet_->start();
        running_ = true;
        traffic_phase();
        running_ = false;
        // Let in-flight messages land before judging: publishers stop, receivers keep going.
        fleet_->pause_publishing();
        ledger_->end_traffic(clock_.now());
        micros last_metrics = clock_.now(), last_poll = clock_.now();
        const auto drain_end = clock_.now() + scenario_.drain;
        while (clock_.now() < drain_end) {
            idle_step(last_metrics, last_poll);
            std::this_thread::sleep_for(control_tick);
        }
        publish_metrics(clock_.now() - last_metrics);
        ledger_->freeze();
        ran = true;
    } catch (const std::exception& e) {
        running_ = false;
        r.verdict = "error";
        r.error = e.what();
        events_.publish(events::log_message{clock_.now(), "error", r.error});
    }
    ledger_->freeze();
    if (fleet_)
        fleet_->stop();
    r.summary = ledger_->summary();
    if (ran) {
        bool all = true;
        for (const auto& e : scenario_.expect) {
            auto a = verify::evaluate(e, r.summary, clock_.now());
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
    fleet_.reset();
    {
        std::lock_guard lock(cluster_mutex_);
        if (cluster_)
            cluster_->stop();
    }
    r.exit_code = exit_code_for(r.verdict);
    r.elapsed = clock_.now();
    events_.publish(events::run_finished{clock_.now(), r.verdict, r.exit_code, r.error});
    auto write = [&](const std::filesystem::path& p, const std::string& text) {
        if (p.empty())
            return;
        try {
            report::write_file(p, text);
        } catch (const std::exception& e) {
            events_.publish(events::log_message{clock_.now(), "error", e.what()});
        }
    };
    write(options_.json_path, report::to_json(r));
    write(options_.junit_path, report::to_junit(r));
    // Reports also land in the run folder, so a run is self-contained.
    write(std::filesystem::path(r.run_dir) / "result.json", report::to_json(r));
    return r;
}

}  // namespace switchyard::engine
