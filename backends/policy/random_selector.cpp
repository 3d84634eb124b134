#include "backends/policy/random_selector.hpp"

namespace switchyard::policy {

std::optional<std::size_t> weighted_random_pick(std::span<const backend_view> backends,
                                                backend_state tier, fast_rng& rng) {
    std::uint64_t total = 0;
    for (const auto& b : backends) {
        if (eligible(b, tier))
            total += b.weight;
    }
    if (total == 0)
        return std::nullopt;
    std::uint64_t point = rng.below(total);
    for (std::size_t i = 0; i < backends.size(); ++i) {
        if (!eligible(backends[i], tier))
            continue;
        if (point < backends[i].weight)
            return i;
        point -= backends[i].weight;
    }
    return std::nullopt;  // unreachable: point < total
}

std::optional<std::size_t> random_selector::pick(std::span<const backend_view> backends,
                                                 const pick_request&, fast_rng& rng) {
    return weighted_random_pick(backends, serving_tier(backends), rng);
}

}  // namespace switchyard::policy
