#include "backends/policy/power_of_two_selector.hpp"

#include "backends/policy/least_conn_selector.hpp"
#include "backends/policy/random_selector.hpp"

namespace switchyard::policy {

std::optional<std::size_t> power_of_two_selector::pick(std::span<const backend_view> backends,
                                                       const pick_request&, fast_rng& rng) {
    const backend_state tier = serving_tier(backends);
    const auto first = weighted_random_pick(backends, tier, rng);
    if (!first)
        return std::nullopt;
    auto second = weighted_random_pick(backends, tier, rng);
    // A second draw that repeats the first still counts: with two backends of very unequal
    // weight the heavy one should keep winning in proportion.
    if (!second || *second == *first)
        return first;
    return less_loaded(backends[*second], backends[*first]) ? second : first;
}

}  // namespace switchyard::policy
