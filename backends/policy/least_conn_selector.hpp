#pragma once
#include "backends/policy/selector.hpp"

namespace switchyard::policy {

/// Fewest active connections per unit of weight. Ties are broken by scanning from a random
/// start, so an idle cluster does not pile every new client onto the first backend.
class least_conn_selector final : public selector {
  public:
    std::optional<std::size_t> pick(std::span<const backend_view> backends,
                                    const pick_request& request, fast_rng& rng) override;
};

/// True when a carries strictly less load per unit of weight than b (both weights > 0).
inline bool less_loaded(const backend_view& a, const backend_view& b) noexcept {
    return static_cast<std::uint64_t>(a.active_connections) * b.weight <
           static_cast<std::uint64_t>(b.active_connections) * a.weight;
}

}  // namespace switchyard::policy
