#pragma once
// The safety rule of `switchyard load`: a target that is not this machine gets only a small load
// unless the operator says `--yes`, so a typo in a URL cannot flood someone's production.
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::load {

/// Above these a non-loopback target needs --yes.
inline constexpr int safe_clients = 100;
inline constexpr double safe_publish_rate = 100.0;  ///< messages per second

/// "localhost", 127.0.0.0/8 and ::1 (bracketed or not).
bool is_loopback_host(std::string_view host);

/// Why the plan is refused, or nullopt when it may run.
std::optional<std::string> safety_refusal(std::string_view host, int clients, double publish_rate,
                                          bool yes);

}  // namespace switchyard::load
