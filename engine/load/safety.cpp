#include "engine/load/safety.hpp"

namespace switchyard::load {

bool is_loopback_host(std::string_view host) {
    if (host == "localhost" || host == "::1" || host == "[::1]")
        return true;
    // 127.0.0.0/8: four dotted decimal parts, the first 127.
    if (!host.starts_with("127."))
        return false;
    int dots = 0;
    int digits = 0;
    for (char c : host.substr(4)) {
        if (c == '.') {
            if (digits == 0)
                return false;
            ++dots;
            digits = 0;
        } else if (c >= '0' && c <= '9') {
            if (++digits > 3)
                return false;
        } else {
            return false;
        }
    }
    return dots == 2 && digits > 0;
}

std::optional<std::string> safety_refusal(std::string_view host, int clients, double publish_rate,
                                          bool yes) {
    if (yes || is_loopback_host(host))
        return std::nullopt;
    if (clients <= safe_clients && publish_rate <= safe_publish_rate)
        return std::nullopt;
    return "refusing to send " + std::to_string(clients) + " clients / " +
           std::to_string(static_cast<long long>(publish_rate)) + " msg/s to non-loopback host '" +
           std::string(host) + "' (above " + std::to_string(safe_clients) + " clients or " +
           std::to_string(static_cast<int>(safe_publish_rate)) +
           " msg/s); check the target and add --yes";
}

}  // namespace switchyard::load
