#include "backends/policy/round_robin_selector.hpp"

namespace switchyard::policy {

void round_robin_selector::on_backends_changed(std::span<const backend_view> backends) {
    current_.assign(backends.size(), 0);
}

std::optional<std::size_t> round_robin_selector::pick(std::span<const backend_view> backends,
                                                      const pick_request&, fast_rng&) {
    if (current_.size() != backends.size())
        on_backends_changed(backends);
    const backend_state tier = serving_tier(backends);
    std::int64_t total = 0;
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < backends.size(); ++i) {
        if (!eligible(backends[i], tier))
            continue;
        current_[i] += backends[i].weight;
        total += backends[i].weight;
        if (!best || current_[i] > current_[*best])
            best = i;
    }
    if (best)
        current_[*best] -= total;
    return best;
}

}  // namespace switchyard::policy
