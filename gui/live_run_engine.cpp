#include <QDir>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "engine/cli/run_controller.hpp"
#include "engine/scenario/real_world_check.hpp"
#include "engine/scenario/scenario_parser.hpp"
#include "gui/event_pump.hpp"
#include "gui/event_text.hpp"
#include "gui/live_run.hpp"
#include "gui/sim_session.hpp"
#include "gui/topology_model.hpp"

// The dashboard's in-process run: the engine's run_controller on its own thread (real world),
// or engine/sim's run_simulation paced to the wall clock (simulated world), watched through
// its event stream and steered with its apply().
namespace switchyard::gui {

namespace ev = switchyard::events;

struct LiveRun::impl {
    std::optional<scenario::scenario> scenario;
    std::unique_ptr<engine::run_controller> controller;
    std::unique_ptr<SimSession> sim;
    RunWorld requested = RunWorld::Real;
    WorldChoice choice;
    double speed = 1.0;
};

bool LiveRun::available() {
    return true;
}

LiveRun::LiveRun(EventPump& pump) : pump_(pump), impl_(std::make_unique<impl>()) {}

LiveRun::~LiveRun() {
    // Unsubscribe before the stream (owned by the controller) goes away; the controller's
    // destructor stops the cluster and joins its thread.
    pump_.detach();
    if (impl_->controller)
        impl_->controller->request_stop();
    impl_->controller.reset();
    impl_->sim.reset();
}

void LiveRun::setWorld(RunWorld w) {
    impl_->requested = w;
}

RunWorld LiveRun::world() const {
    return impl_->choice.world;
}

QString LiveRun::worldNote() const {
    return impl_->choice.note;
}

void LiveRun::setSpeed(double speed) {
    impl_->speed = speed;
    if (impl_->sim)
        impl_->sim->setSpeed(speed);
}

bool LiveRun::open(const QString& path, QString* error) {
    if (running()) {
        if (error)
            *error = QStringLiteral("a run is in progress: stop it first");
        return false;
    }
    try {
        auto s = scenario::parse_scenario_file(path.toStdString());
        // A file only the simulator runs (sim: keys, sizes past this machine) opens in
        // simulation, with the reasons the real world refused it.
        QStringList refusals;
        for (const auto& d : scenario::real_world_refusals(s))
            refusals << QString::fromStdString(d.text());
        impl_->choice = chooseWorld(impl_->requested, refusals);
        impl_->scenario = std::move(s);
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

bool LiveRun::start(QString* error) {
    if (!impl_->scenario) {
        if (error)
            *error = QStringLiteral("open a scenario first");
        return false;
    }
    if (running()) {
        if (error)
            *error = QStringLiteral("a run is in progress");
        return false;
    }
    pump_.detach();
    impl_->controller.reset();
    impl_->sim.reset();
    if (impl_->choice.world == RunWorld::Simulated) {
        try {
            impl_->sim = std::make_unique<SimSession>(*impl_->scenario, pump_, impl_->speed);
            impl_->sim->start();
        } catch (const std::exception& e) {
            impl_->sim.reset();
            if (error)
                *error = QString::fromStdString(e.what());
            return false;
        }
        return true;
    }
    engine::run_options options;
    // Any link may take a hand fault, and two relays can be added by hand.
    options.proxy_all_links = true;
    options.spare_relays = 2;
    options.runs_root =
        std::filesystem::path(QDir::tempPath().toStdString()) / "switchyard-gui-runs";
    try {
        impl_->controller = std::make_unique<engine::run_controller>(*impl_->scenario, options);
        pump_.attach(impl_->controller->events());
        impl_->controller->start();
    } catch (const std::exception& e) {
        pump_.detach();
        impl_->controller.reset();
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

void LiveRun::stop() {
    if (impl_->controller)
        impl_->controller->request_stop();
    if (impl_->sim)
        impl_->sim->stop();
}

bool LiveRun::running() const {
    return (impl_->controller && !impl_->controller->finished()) ||
           (impl_->sim && !impl_->sim->finished());
}

void LiveRun::pause() {
    if (!running())
        return;
    if (impl_->sim)
        impl_->sim->pause();
    else
        impl_->controller->pause();
}

void LiveRun::resume() {
    if (!running())
        return;
    if (impl_->sim)
        impl_->sim->resume();
    else
        impl_->controller->resume();
}

bool LiveRun::paused() const {
    if (!running())
        return false;
    return impl_->sim ? impl_->sim->paused() : impl_->controller->paused();
}

std::vector<std::pair<QString, QString>> LiveRun::expectations() const {
    std::vector<std::pair<QString, QString>> out;
    if (impl_->scenario)
        for (const auto& e : impl_->scenario->expect)
            out.emplace_back(qs(e.name), qs(e.text()));
    return out;
}

std::vector<TimelineItem> LiveRun::plannedTimeline() const {
    std::vector<TimelineItem> out;
    if (!impl_->scenario)
        return out;
    for (const auto& a : impl_->scenario->timeline) {
        const QString what =
            qs(std::string(ev::to_string(a.kind))) + QStringLiteral(" ") + qs(a.target);
        const bool fault =
            a.kind == ev::action_kind::fault || a.kind == ev::action_kind::clear_fault;
        out.push_back(TimelineItem{
            static_cast<double>(a.at.count()) / 1e6, what + QStringLiteral(" (planned)"),
            fault ? EventCategory::Fault : EventCategory::Action, false, true, what});
    }
    return out;
}

std::pair<std::uint32_t, double> LiveRun::fleetDefaults(const QString& fleet) const {
    if (!impl_->scenario || impl_->scenario->fleets.empty())
        return {0, 0};
    const auto& fleets = impl_->scenario->fleets;
    const auto it = std::find_if(fleets.begin(), fleets.end(),
                                 [&](const auto& f) { return qs(f.name) == fleet; });
    const auto& f = it == fleets.end() ? fleets.front() : *it;
    return {f.count, f.publish_rate_hz};
}

QStringList LiveRun::fleetNames() const {
    QStringList out;
    if (impl_->scenario)
        for (const auto& f : impl_->scenario->fleets)
            out << qs(f.name);
    return out;
}

bool LiveRun::live() const {
    return running();
}

void LiveRun::submit(const HandAction& a) {
    if (!running()) {
        pump_.push(toEvent(a, {}, false, "no live run"));
        return;
    }
    scenario::action_spec s;
    s.kind = a.kind;
    s.target = a.target.toStdString();
    // Fleet actions name a fleet box; the default box ("clients", events without a fleet name)
    // stands for the scenario's first fleet when no fleet has that name.
    if (a.target == TopologyModel::defaultFleetId() && !impl_->scenario->fleets.empty() &&
        std::none_of(impl_->scenario->fleets.begin(), impl_->scenario->fleets.end(),
                     [&](const auto& f) { return f.name == s.target; }))
        s.target = impl_->scenario->fleets.front().name;
    s.toxic = a.toxic.toStdString();
    if (a.latencyMs > 0)
        s.params.values["latency_ms"] = a.latencyMs;
    if (a.jitterMs > 0)
        s.params.values["jitter_ms"] = a.jitterMs;
    s.rate_hz = a.rate;
    s.count = a.count;
    // Applied on the engine's control thread (or the simulation's); the outcome comes back
    // as action_applied.
    if (impl_->sim)
        impl_->sim->apply(std::move(s));
    else
        impl_->controller->apply(std::move(s));
}

}  // namespace switchyard::gui
