#pragma once
#include "backends/policy/selector.hpp"

namespace switchyard::policy {

/// Power of two choices: draw two backends by weight, keep the less loaded one. Nearly as even
/// as least-conn, without scanning every backend's load or herding onto one idle backend.
class power_of_two_selector final : public selector {
  public:
    std::optional<std::size_t> pick(std::span<const backend_view> backends,
                                    const pick_request& request, fast_rng& rng) override;
};

}  // namespace switchyard::policy
