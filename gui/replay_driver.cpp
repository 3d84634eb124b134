#include "gui/replay_driver.hpp"

#include <algorithm>
#include <fstream>

#include "engine/events/ndjson.hpp"
#include "gui/event_pump.hpp"

namespace switchyard::gui {

namespace ev = switchyard::events;

ReplayDriver::ReplayDriver(EventPump& pump, QObject* parent) : QObject(parent), pump_(pump) {
    timer_.setInterval(kTickMs);
    connect(&timer_, &QTimer::timeout, this, &ReplayDriver::tick);
}

bool ReplayDriver::load(const QString& path, QString* error) {
    std::ifstream in(path.toStdString());
    if (!in) {
        if (error)
            *error = QStringLiteral("cannot open %1").arg(path);
        return false;
    }
    try {
        setEvents(ev::read_ndjson(in));
    } catch (const std::exception& e) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

void ReplayDriver::setEvents(std::vector<ev::event> events) {
    timer_.stop();
    events_ = std::move(events);
    // Kept: the status line asks every tick, and a log may hold millions of events.
    length_ = 0;
    for (const auto& e : events_)
        length_ = std::max(length_, static_cast<double>(ev::event_time(e).count()) / 1e6);
    next_ = 0;
    position_ = 0;
}

double ReplayDriver::length() const {
    return length_;
}

void ReplayDriver::play() {
    if (finished())
        return;
    wall_.start();
    timer_.start();
}

void ReplayDriver::pause() {
    timer_.stop();
}

void ReplayDriver::rewind() {
    timer_.stop();
    next_ = 0;
    position_ = 0;
}

void ReplayDriver::advanceTo(double seconds) {
    timer_.stop();
    position_ = std::max(position_, seconds);
    while (next_ < events_.size() &&
           static_cast<double>(ev::event_time(events_[next_]).count()) / 1e6 <= position_)
        pump_.push(events_[next_++]);
    Q_EMIT progressed(position_);
    if (finished())
        Q_EMIT finishedPlaying();
}

void ReplayDriver::setSpeed(double speed) {
    speed_ = std::clamp(speed, 0.0, kMaxSpeed);
}

void ReplayDriver::tick() {
    const double elapsed = static_cast<double>(wall_.restart()) / 1000.0;
    position_ = speed_ <= 0 ? length() : position_ + elapsed * speed_;
    while (next_ < events_.size()) {
        const double at = static_cast<double>(ev::event_time(events_[next_]).count()) / 1e6;
        if (at > position_)
            break;
        // A big log played fast (a million clients connecting): hand the pump what the UI can
        // apply and go on at the next tick, rather than let the pump shed events.
        if (pump_.queued() >= kMaxBacklog)
            break;
        pump_.push(events_[next_]);
        ++next_;
    }
    Q_EMIT progressed(position_);
    if (finished()) {
        timer_.stop();
        Q_EMIT finishedPlaying();
    }
}

}  // namespace switchyard::gui
