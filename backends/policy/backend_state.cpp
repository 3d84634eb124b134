#include "backends/policy/backend_state.hpp"

#include <array>

namespace switchyard::policy {

namespace {
constexpr std::array<std::string_view, 5> state_names{"up", "suspect", "down", "draining",
                                                      "disabled"};
}

std::string_view to_string(backend_state s) noexcept {
    return state_names[static_cast<std::size_t>(s)];
}

std::optional<backend_state> backend_state_from_string(std::string_view s) noexcept {
    for (std::size_t i = 0; i < state_names.size(); ++i) {
        if (state_names[i] == s)
            return static_cast<backend_state>(i);
    }
    return std::nullopt;
}

}  // namespace switchyard::policy
