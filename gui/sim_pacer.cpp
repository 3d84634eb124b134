#include "gui/sim_pacer.hpp"

#include <algorithm>

namespace switchyard::gui {

SimPacer::SimPacer(double speed) : speed_(std::max(0.0, speed)) {}

SimPacer::wall_clock::time_point SimPacer::dueAt(micros at, wall_clock::time_point wall,
                                                 micros virt, double speed) {
    if (speed <= 0 || at <= virt)
        return wall;
    const double wallMicros = static_cast<double>((at - virt).count()) / speed;
    return wall + std::chrono::duration_cast<wall_clock::duration>(
                      std::chrono::duration<double, std::micro>(wallMicros));
}

void SimPacer::reanchor(wall_clock::time_point now) {
    anchorWall_ = now;
    anchorVirt_ = position_;
}

void SimPacer::setSpeed(double speed) {
    std::lock_guard lock(mutex_);
    speed_ = std::max(0.0, speed);
    reanchor(wall_clock::now());
    changed_.notify_all();
}

double SimPacer::speed() const {
    std::lock_guard lock(mutex_);
    return speed_;
}

void SimPacer::pause() {
    std::lock_guard lock(mutex_);
    paused_ = true;
    changed_.notify_all();
}

void SimPacer::resume() {
    std::lock_guard lock(mutex_);
    if (!paused_)
        return;
    paused_ = false;
    // The time spent paused is not owed: virtual time continues from where it stood.
    reanchor(wall_clock::now());
    changed_.notify_all();
}

bool SimPacer::paused() const {
    std::lock_guard lock(mutex_);
    return paused_;
}

void SimPacer::stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
}

bool SimPacer::stopped() const {
    std::lock_guard lock(mutex_);
    return stopped_;
}

void SimPacer::waitUntil(micros at) {
    std::unique_lock lock(mutex_);
    if (!anchored_) {
        // The first event starts the clock: the run's set-up before it costs no waiting.
        anchored_ = true;
        position_ = at;
        reanchor(wall_clock::now());
    }
    for (;;) {
        if (stopped_)
            return;
        if (paused_) {
            changed_.wait(lock);
            continue;
        }
        const auto due = dueAt(at, anchorWall_, anchorVirt_, speed_);
        if (wall_clock::now() >= due)
            break;
        // Woken early by a speed change, a pause or a stop: the loop re-reads them.
        changed_.wait_until(lock, due);
    }
    position_ = std::max(position_, at);
}

}  // namespace switchyard::gui
