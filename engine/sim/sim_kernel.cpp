#include "engine/sim/sim_kernel.hpp"

#include <algorithm>

namespace switchyard::sim {

void sim_kernel::at(micros when, task t) {
    heap_.push_back(entry{std::max(when, now_), next_seq_++, std::move(t)});
    std::push_heap(heap_.begin(), heap_.end(), &later);
}

bool sim_kernel::step() {
    if (heap_.empty())
        return false;
    std::pop_heap(heap_.begin(), heap_.end(), &later);
    entry e = std::move(heap_.back());
    heap_.pop_back();
    now_ = e.at;
    ++executed_;
    e.run();
    return true;
}

void sim_kernel::run_until(micros end) {
    while (!heap_.empty() && heap_.front().at <= end)
        step();
    now_ = std::max(now_, end);
}

}  // namespace switchyard::sim
