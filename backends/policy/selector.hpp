#pragma once
// The contract every backend-selection strategy implements, and the table that names them.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backends/policy/backend_state.hpp"
#include "backends/policy/fast_rng.hpp"

namespace switchyard::policy {

/// What the caller knows about the client being placed.
struct pick_request {
    /// Key for hashing strategies (sticky cookie value, client address or a header). Empty means
    /// "no key": hashing strategies then fall back to a weighted random pick.
    std::string_view hash_key;
};

/// Chooses the backend for a new client.
///
/// Contract:
/// - `pick` returns an index into `backends` whose entry `accepts_new_clients()`, or nullopt when
///   none does. Backends that are down, draining, disabled or have weight 0 are never returned.
/// - `suspect` backends are used only when no `up` backend with weight > 0 exists.
/// - Weights are honoured in proportion over many picks.
/// - The caller keeps `backends` in a stable order and calls `on_backends_changed` when the set
///   of ids or configured weights changes (states, effective weights and connection counts may
///   change freely between picks). A caller may omit the call; strategies with derived state
///   then rebuild it when the count changes.
/// - All randomness comes from `rng`; a strategy holds no clock.
class selector {
  public:
    virtual ~selector() = default;
    virtual std::optional<std::size_t> pick(std::span<const backend_view> backends,
                                            const pick_request& request, fast_rng& rng) = 0;
    virtual void on_backends_changed(std::span<const backend_view> /*backends*/) {}
};

/// One row of the strategy table: feeds the factory, `--help`, validation errors and the docs.
struct selector_info {
    std::string_view name;
    std::function<std::unique_ptr<selector>()> make;
    std::string_view doc;
};

/// Every strategy Switchyard ships, in documentation order.
const std::vector<selector_info>& selector_table();

/// The strategy named `name`, or nullptr when unknown.
std::unique_ptr<selector> make_selector(std::string_view name);

/// "random, round-robin, ..." for error messages and help text.
std::string selector_names();

/// Which states a pick may use right now: `up` if any up backend has weight, else `suspect`.
backend_state serving_tier(std::span<const backend_view> backends) noexcept;

/// True when `b` may be picked given the tier chosen by `serving_tier`.
inline bool eligible(const backend_view& b, backend_state tier) noexcept {
    return b.weight > 0 && b.state == tier;
}

}  // namespace switchyard::policy
