#pragma once
// `--expect 'p99_latency_ms<100'`: one threshold of `switchyard load`, parsed into the same
// verify::expectation a scenario's `expect:` block yields, so the existing checkers judge it.
#include <string>
#include <string_view>
#include <variant>

#include "engine/verify/expectation.hpp"

namespace switchyard::load {

/// Why a threshold did not parse; the text names the option and the value.
struct threshold_error {
    std::string message;
};

/// NAME OP NUMBER with OP one of < <= > >= ==; spaces around the parts are allowed.
/// Strict bounds become the nearest inclusive double, as expectation bounds are inclusive.
std::variant<verify::expectation, threshold_error> parse_threshold(std::string_view text);

}  // namespace switchyard::load
