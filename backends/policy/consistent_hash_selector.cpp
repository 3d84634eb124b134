#include "backends/policy/consistent_hash_selector.hpp"

#include <algorithm>
#include <string>

#include "backends/policy/random_selector.hpp"

namespace switchyard::policy {

std::uint64_t ring_hash(std::string_view data) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : data) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

void consistent_hash_selector::on_backends_changed(std::span<const backend_view> backends) {
    ring_.clear();
    std::uint64_t total_weight = 0;
    for (const auto& b : backends)
        total_weight += b.weight;
    std::uint64_t per_weight = vnodes_per_weight_;
    if (total_weight * per_weight > max_ring_points) {
        per_weight =
            std::max<std::uint64_t>(1, max_ring_points / std::max<std::uint64_t>(1, total_weight));
    }
    std::string label;
    for (std::size_t i = 0; i < backends.size(); ++i) {
        const std::uint64_t points = backends[i].weight * per_weight;
        for (std::uint64_t v = 0; v < points; ++v) {
            label.assign(backends[i].id);
            label += '#';
            label += std::to_string(v);
            ring_.push_back({ring_hash(label), static_cast<std::uint32_t>(i)});
        }
    }
    std::sort(ring_.begin(), ring_.end(), [](const point& a, const point& b) {
        return a.hash != b.hash ? a.hash < b.hash : a.backend < b.backend;
    });
    built_for_ = backends.size();
}

std::optional<std::size_t> consistent_hash_selector::pick(std::span<const backend_view> backends,
                                                          const pick_request& request,
                                                          fast_rng& rng) {
    const backend_state tier = serving_tier(backends);
    if (request.hash_key.empty())
        return weighted_random_pick(backends, tier, rng);
    if (built_for_ != backends.size())
        on_backends_changed(backends);
    if (ring_.empty())
        return std::nullopt;
    const std::uint64_t h = ring_hash(request.hash_key);
    auto it = std::lower_bound(ring_.begin(), ring_.end(), h,
                               [](const point& p, std::uint64_t key) { return p.hash < key; });
    // Walk clockwise past points of backends that cannot take the client. Bounded by the ring
    // size; in practice a few steps.
    for (std::size_t step = 0; step < ring_.size(); ++step, ++it) {
        if (it == ring_.end())
            it = ring_.begin();
        if (eligible(backends[it->backend], tier))
            return it->backend;
    }
    return std::nullopt;
}

}  // namespace switchyard::policy
