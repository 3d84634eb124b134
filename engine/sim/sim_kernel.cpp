#include "engine/sim/sim_kernel.hpp"

#include <algorithm>

namespace switchyard::sim {

void sim_kernel::at(micros when, task t) {
    std::uint32_t slot;
    if (free_.empty()) {
        slot = static_cast<std::uint32_t>(tasks_.size());
        tasks_.push_back(std::move(t));
    } else {
        slot = free_.back();
        free_.pop_back();
        tasks_[slot] = std::move(t);
    }
    heap_.push_back(key{std::max(when, now_), next_seq_++, slot});
    std::push_heap(heap_.begin(), heap_.end(), &later);
}

bool sim_kernel::step() {
    if (heap_.empty())
        return false;
    std::pop_heap(heap_.begin(), heap_.end(), &later);
    const key k = heap_.back();
    heap_.pop_back();
    task run = std::move(tasks_[k.slot]);
    tasks_[k.slot] = nullptr;
    free_.push_back(k.slot);
    now_ = k.at;
    ++executed_;
    run();
    return true;
}

void sim_kernel::run_until(micros end) {
    while (!heap_.empty() && heap_.front().at <= end)
        step();
    now_ = std::max(now_, end);
}

}  // namespace switchyard::sim
