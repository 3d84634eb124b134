#include "gui/sim_session.hpp"

#include <algorithm>

#include "engine/run/scenario_runner.hpp"
#include "engine/sim/sim_run.hpp"
#include "gui/event_pump.hpp"

namespace switchyard::gui {

namespace ev = switchyard::events;

SimSession::SimSession(scenario::scenario s, EventPump& pump, double speed)
    : scenario_(std::move(s)), pump_(pump), pacer_(speed) {
    stream_.subscribe([this](const ev::event& e) { onEvent(e); });
}

SimSession::~SimSession() {
    closing_ = true;
    stop();
    if (thread_.joinable())
        thread_.join();
}

void SimSession::onEvent(const ev::event& e) {
    if (closing_)
        return;
    pacer_.waitUntil(ev::event_time(e));
    now_ = std::max(now_.load(), ev::event_time(e).count());
    // Hold the simulation rather than let the pump shed: a million clients connecting is a
    // million events, and the topology counts every one.
    while (!closing_ && pump_.queued() > kMaxBacklog)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (!closing_)
        pump_.push(e);
}

void SimSession::start() {
    thread_ = std::thread([this] {
        sim::sim_run_options options;
        options.on_runner = [this](run::scenario_runner* r) {
            std::lock_guard lock(mutex_);
            runner_ = r;
            if (r && stopRequested_)
                r->request_stop();
        };
        auto result = sim::run_simulation(scenario_, options, stream_);
        {
            std::lock_guard lock(mutex_);
            result_ = std::move(result);
        }
        finished_ = true;
    });
}

void SimSession::stop() {
    {
        std::lock_guard lock(mutex_);
        stopRequested_ = true;
        if (runner_)
            runner_->request_stop();
    }
    pacer_.stop();
}

void SimSession::apply(scenario::action_spec a) {
    std::lock_guard lock(mutex_);
    // Outside the traffic phase the runner would publish its warning from this thread while
    // the simulation thread may hold the stream in the pacer: say it here instead.
    if (!runner_ || !runner_->in_traffic()) {
        pump_.push(ev::log_message{ev::micros{now_.load()}, "warn",
                                   "hand action " + std::string(ev::to_string(a.kind)) +
                                       " ignored: the simulation is not in its traffic phase"});
        return;
    }
    runner_->apply(std::move(a));
}

report::run_result SimSession::result() const {
    std::lock_guard lock(mutex_);
    return result_;
}

}  // namespace switchyard::gui
