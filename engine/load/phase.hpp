#pragma once
// `--phase NAME:DURATION:CLIENTS[:PUBLISH_RATE]` (e.g. `warm-up:10s:100`, `steady:2m:500:200`):
// one stage of a load run's shape, with the clients to hold and the messages per second to send.
#include <chrono>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::load {

struct phase {
    std::string name;
    std::chrono::milliseconds duration{0};
    int clients = 0;
    double publish_rate = 0;  ///< messages per second across all clients
};

/// Why a phase did not parse; the text names the option and the value.
struct phase_error {
    std::string message;
};

/// DURATION is a whole number with ms, s or m.
std::variant<phase, phase_error> parse_phase(std::string_view text);

}  // namespace switchyard::load
