#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "backends/policy/selector.hpp"

namespace switchyard::policy {

/// Consistent hashing on a ring with `vnodes_per_weight` points per unit of weight. When one of
/// N backends leaves, only the keys it held move (about 1/N); the others keep their backend.
/// Down backends stay on the ring and are skipped at lookup, so they get their keys back when
/// they return. Without a key it falls back to a weighted random pick.
class consistent_hash_selector final : public selector {
  public:
    static constexpr std::uint32_t default_vnodes_per_weight = 100;
    /// Ring points are capped so 300 backends of weight 100 cannot build a giant ring.
    static constexpr std::size_t max_ring_points = 1u << 20;

    explicit consistent_hash_selector(std::uint32_t vnodes_per_weight = default_vnodes_per_weight)
        : vnodes_per_weight_(vnodes_per_weight) {}

    std::optional<std::size_t> pick(std::span<const backend_view> backends,
                                    const pick_request& request, fast_rng& rng) override;
    void on_backends_changed(std::span<const backend_view> backends) override;

  private:
    struct point {
        std::uint64_t hash;
        std::uint32_t backend;
    };
    std::uint32_t vnodes_per_weight_;
    std::vector<point> ring_;
    std::size_t built_for_ = static_cast<std::size_t>(-1);
};

/// 64-bit hash used for ring points and keys (FNV-1a followed by a murmur3 finaliser).
std::uint64_t ring_hash(std::string_view data) noexcept;

}  // namespace switchyard::policy
