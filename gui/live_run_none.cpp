#include "gui/live_run.hpp"

#include "gui/event_pump.hpp"

// This build has no in-process engine run API: the dashboard replays event logs only.
namespace switchyard::gui {

struct LiveRun::impl {};

bool LiveRun::available() {
    return false;
}
LiveRun::LiveRun(EventPump& pump) : pump_(pump) {}
LiveRun::~LiveRun() = default;

void LiveRun::setWorld(RunWorld) {}
RunWorld LiveRun::world() const {
    return RunWorld::Real;
}
QString LiveRun::worldNote() const {
    return {};
}
void LiveRun::setSpeed(double) {}

bool LiveRun::open(const QString&, QString* error) {
    if (error)
        *error = QStringLiteral(
            "this switchyard-gui was built without the engine's run controller; "
            "run `switchyard run FILE --events out.ndjson` and open the events");
    return false;
}

bool LiveRun::start(QString* error) {
    return open({}, error);
}
void LiveRun::stop() {}
bool LiveRun::running() const {
    return false;
}
std::vector<std::pair<QString, QString>> LiveRun::expectations() const {
    return {};
}
std::vector<TimelineItem> LiveRun::plannedTimeline() const {
    return {};
}
std::pair<std::uint32_t, double> LiveRun::fleetDefaults(const QString&) const {
    return {0, 0};
}
QStringList LiveRun::fleetNames() const {
    return {};
}
void LiveRun::pause() {}
void LiveRun::resume() {}
bool LiveRun::paused() const {
    return false;
}
bool LiveRun::live() const {
    return false;
}
void LiveRun::submit(const HandAction& a) {
    pump_.push(toEvent(a, {}, false, "no live run"));
}

}  // namespace switchyard::gui
