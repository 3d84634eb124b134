#pragma once
#include <cstdint>
#include <vector>

#include "backends/policy/selector.hpp"

namespace switchyard::policy {

/// Smooth weighted round-robin: weights 5,1,1 give a,a,b,a,c,a,a rather than a,a,a,a,a,b,c.
class round_robin_selector final : public selector {
  public:
    std::optional<std::size_t> pick(std::span<const backend_view> backends,
                                    const pick_request& request, fast_rng& rng) override;
    void on_backends_changed(std::span<const backend_view> backends) override;

  private:
    std::vector<std::int64_t> current_;  ///< running credit per backend, as in nginx's upstream
};

}  // namespace switchyard::policy
