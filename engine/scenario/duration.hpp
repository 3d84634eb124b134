#pragma once
// Durations as scenario files write them: "250ms", "5s", "1.5s", "1m", "100us", "0".
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::scenario {

/// Parses `<number><unit>` with unit us, ms, s, m or h (a decimal number is allowed, "1.5s");
/// a bare "0" is zero. nullopt for anything else: negative, missing unit ("5"), unknown unit
/// ("5sec"), spaces, or beyond a day (a named limit: scenarios are minutes long).
std::optional<std::chrono::microseconds> parse_duration(std::string_view text);

/// The shortest exact spelling: 1500000us -> "1500ms", 60s -> "1m", 250us -> "250us".
std::string format_duration(std::chrono::microseconds d);

/// Upper limit parse_duration accepts.
inline constexpr std::chrono::hours duration_max{24};

}  // namespace switchyard::scenario
