#include "backends/policy/least_conn_selector.hpp"

namespace switchyard::policy {

std::optional<std::size_t> least_conn_selector::pick(std::span<const backend_view> backends,
                                                     const pick_request&, fast_rng& rng) {
    if (backends.empty())
        return std::nullopt;
    const backend_state tier = serving_tier(backends);
    const std::size_t n = backends.size();
    const std::size_t start = rng.below(n);
    std::optional<std::size_t> best;
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = (start + k) % n;
        if (!eligible(backends[i], tier))
            continue;
        if (!best || less_loaded(backends[i], backends[*best]))
            best = i;
    }
    return best;
}

}  // namespace switchyard::policy
