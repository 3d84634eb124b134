#pragma once
#include "backends/policy/selector.hpp"

namespace switchyard::policy {

/// Weighted random choice among eligible backends.
class random_selector final : public selector {
  public:
    std::optional<std::size_t> pick(std::span<const backend_view> backends,
                                    const pick_request& request, fast_rng& rng) override;
};

/// Weighted random index among `eligible` backends of `tier`; shared by the strategies that
/// start from a random draw.
std::optional<std::size_t> weighted_random_pick(std::span<const backend_view> backends,
                                                backend_state tier, fast_rng& rng);

}  // namespace switchyard::policy
