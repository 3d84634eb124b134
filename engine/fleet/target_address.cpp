#include "engine/fleet/target_address.hpp"

#include <charconv>

namespace switchyard::fleet {

std::optional<target_address> parse_target(std::string_view url, std::string* error) {
    auto fail = [&](std::string why) -> std::optional<target_address> {
        if (error != nullptr) {
            *error = std::move(why);
        }
        return std::nullopt;
    };
    target_address out;
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return fail("no scheme (want ws://, wss://, http:// or https://)");
    }
    const auto scheme = url.substr(0, scheme_end);
    if (scheme == "ws" || scheme == "http") {
        out.tls = false;
        out.port = 80;
    } else if (scheme == "wss" || scheme == "https") {
        out.tls = true;
        out.port = 443;
    } else {
        return fail("unknown scheme '" + std::string(scheme) + "'");
    }
    auto rest = url.substr(scheme_end + 3);
    const auto slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    out.prefix = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
    while (!out.prefix.empty() && out.prefix.back() == '/') {
        out.prefix.pop_back();
    }
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
        const auto port_text = authority.substr(colon + 1);
        unsigned value = 0;
        const auto [ptr, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value == 0 ||
            value > 65535) {
            return fail("bad port '" + std::string(port_text) + "'");
        }
        out.port = static_cast<std::uint16_t>(value);
        authority = authority.substr(0, colon);
    }
    if (authority.empty()) {
        return fail("no host");
    }
    out.host = std::string(authority);
    return out;
}

}  // namespace switchyard::fleet
