#pragma once
// The explicit table of checkers: name, factory, one-line doc. The same table feeds
// `switchyard list checkers`, scenario validation ("unknown assertion 'lsot'; did you mean
// 'lost'?") and docs/scenarios.md. No self-registering statics (static libraries drop them).
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "engine/events/event.hpp"
#include "engine/verify/checker.hpp"
#include "engine/verify/expectation.hpp"

namespace switchyard::verify {

/// Which side a bare number in `expect:` bounds: `lost: 0` means at most 0,
/// `delivery_ratio: 0.99` means at least 0.99.
enum class bare_bound : unsigned char { max, min };

struct checker_info {
    std::string_view name;  ///< key under `expect:`, unit last ("failover_ms")
    std::unique_ptr<checker> (*factory)();
    std::string_view doc;  ///< one line
    bare_bound bare;
};

/// Every checker, in the order reports list them.
std::span<const checker_info> checker_table() noexcept;
/// The row for `name`, or nullptr.
const checker_info* find_checker(std::string_view name) noexcept;
/// "delivery_ratio, lost, ..." in table order.
std::string known_checkers();
/// Measures `e.name` on `s` and judges it against the bounds of `e`.
events::assertion_result evaluate(const expectation& e, const ledger_summary& s, micros at);

}  // namespace switchyard::verify
