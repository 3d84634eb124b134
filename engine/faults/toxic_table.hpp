#pragma once
// The explicit table of toxics: name, factory, one-line doc and parameters. The same table feeds
// `--help`, scenario validation ("unknown toxic 'latncy'; known: latency, bandwidth, ...") and
// docs/adding-a-toxic.md. No self-registering statics: static libraries would drop them.
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "engine/faults/toxic.hpp"

namespace switchyard::faults {

/// One parameter a toxic accepts, with its default.
struct toxic_param_info {
    std::string_view name;  ///< key with unit last, e.g. "latency_ms"
    double default_value;
    std::string_view doc;  ///< one line
};

/// One row of the table.
struct toxic_info {
    std::string_view name;  ///< scenario spelling, e.g. "latency"
    /// Builds the toxic; throws std::invalid_argument("<key>: <problem>") on unknown keys or bad
    /// values.
    std::unique_ptr<toxic> (*factory)(const toxic_params&);
    std::string_view doc;  ///< one line for --help and docs
    std::span<const toxic_param_info> params;
};

/// Every toxic, in the order --help lists them.
std::span<const toxic_info> toxic_table() noexcept;
/// The row for `name`, or nullptr.
const toxic_info* find_toxic(std::string_view name) noexcept;
/// "latency, bandwidth, blackhole, ..." in table order.
std::string known_toxics();
/// "unknown toxic 'latncy'; known: latency, bandwidth, ..."
std::string unknown_toxic_message(std::string_view name);
/// find_toxic + factory; throws std::invalid_argument with unknown_toxic_message or the
/// factory's message prefixed by the toxic name ("latency: jitter_ms: must be >= 0").
std::unique_ptr<toxic> make_toxic(std::string_view name, const toxic_params& params);
/// Checks params against the row without building (same messages as make_toxic); "" if valid.
std::string validate_toxic(std::string_view name, const toxic_params& params);

}  // namespace switchyard::faults
