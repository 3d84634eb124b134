#include "engine/sim/sim_clock.hpp"

namespace switchyard::sim {

void sim_clock::post(task t) {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(t));
}

bool sim_clock::take_posted() {
    std::vector<task> batch;
    {
        std::lock_guard lock(posted_mutex_);
        batch.swap(posted_);
    }
    // At the current virtual time, after what is already due: the kernel's past-time rule.
    for (auto& t : batch)
        kernel_.at(kernel_.now(), std::move(t));
    return !batch.empty();
}

void sim_clock::run() {
    stop_ = false;
    for (;;) {
        take_posted();
        if (kernel_.pending() == 0)
            break;  // nothing left and nothing posted
        // Published before the task runs, so a task reading now() sees its own time.
        now_.store(kernel_.next_time().count(), std::memory_order_release);
        kernel_.step();
        if (stop_)
            break;
    }
    stop_ = false;
}

}  // namespace switchyard::sim
