#pragma once
// The states a backend can be in, and the read-only view of a backend that selectors see.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::policy {

/// Health and admin state of one backend. `up` and `suspect` serve traffic (suspect only when
/// nothing is up); `down` failed its checks; `draining` and `disabled` were set by an operator.
enum class backend_state : std::uint8_t { up, suspect, down, draining, disabled };

std::string_view to_string(backend_state s) noexcept;
std::optional<backend_state> backend_state_from_string(std::string_view s) noexcept;

/// What a selector needs to know about one backend at pick time. The caller owns the array and
/// keeps the order stable between picks; selectors return indices into it.
struct backend_view {
    std::string id;            ///< stable id, used by the sticky cookie and consistent hash
    std::uint32_t weight = 1;  ///< effective weight now (slow start applied); 0 = no new clients
    backend_state state = backend_state::up;
    std::uint32_t active_connections = 0;  ///< in-flight requests plus open tunnels
};

/// True when the backend may take a new client at all (ignoring the suspect fallback rule).
inline bool accepts_new_clients(const backend_view& b) noexcept {
    return b.weight > 0 && (b.state == backend_state::up || b.state == backend_state::suspect);
}

}  // namespace switchyard::policy
