#pragma once
// Where a fleet connects: the target URL of a fleet_config taken apart once.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::fleet {

/// `ws|wss|http|https://host[:port][/prefix]`. The transports append their paths to `prefix`.
struct target_address {
    bool tls = false;
    std::string host;
    std::uint16_t port = 0;
    std::string prefix;  ///< "" or "/something" without a trailing slash

    /// Value of the Host header ("host:port").
    std::string host_header() const { return host + ":" + std::to_string(port); }
};

/// Parses a target URL; nullopt with `error` set when it is not one.
std::optional<target_address> parse_target(std::string_view url, std::string* error = nullptr);

}  // namespace switchyard::fleet
