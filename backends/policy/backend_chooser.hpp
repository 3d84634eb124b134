#pragma once
// Per-thread glue between the shared backend table and a selection strategy: honours a sticky
// backend id when it may still serve, otherwise asks the selector, skipping backends already
// tried for this request. Pure: no sockets, no clock, no locks.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backends/policy/backend_state.hpp"
#include "backends/policy/consistent_hash_selector.hpp"
#include "backends/policy/fast_rng.hpp"
#include "backends/policy/selector.hpp"

namespace switchyard::policy {

/// True when a client pinned to a backend in state `s` should stay there. Draining keeps its
/// pinned clients (as HAProxy's drain does): only new clients are turned away.
bool honours_affinity(backend_state s) noexcept;

/// The value of cookie `name` in a `Cookie:` header, or empty when absent.
std::string_view find_cookie(std::string_view cookie_header, std::string_view name) noexcept;

/// Where a request goes and whether the client needs a (new) affinity cookie.
struct choice {
    std::size_t index;
    bool set_cookie;  ///< the client had no valid affinity for this backend
};

/// Chooses a backend for one request or upgrade. One per worker thread.
class backend_chooser {
  public:
    backend_chooser(std::vector<std::string> ids, std::unique_ptr<selector> strategy,
                    std::uint64_t seed);

    /// Updates the live view of backend `i` (done before each choice, from the shared atomics).
    void refresh(std::size_t i, backend_state state, std::uint32_t weight,
                 std::uint32_t active) noexcept;

    /// `pinned` is the backend index the client's valid cookie names, if any. `tried[i]` marks
    /// backends that already refused this request (empty = none). `session`: the SockJS session
    /// id of the request, if it is one; without a usable pin it is placed by consistent hashing
    /// of that id over the live backends, so every request of the session lands on one backend
    /// even before the client holds a cookie. nullopt: no backend can take it (503).
    std::optional<choice> choose(std::optional<std::size_t> pinned,
                                 std::span<const std::uint8_t> tried, std::string_view hash_key,
                                 std::optional<std::string_view> session = std::nullopt);

    std::size_t size() const noexcept { return views_.size(); }

  private:
    std::vector<backend_view> views_;
    std::vector<backend_view> scratch_;
    std::unique_ptr<selector> strategy_;
    /// Places SockJS sessions by their id, whatever the strategy.
    consistent_hash_selector session_ring_;
    fast_rng rng_;
};

}  // namespace switchyard::policy
