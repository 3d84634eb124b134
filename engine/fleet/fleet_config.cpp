#include "engine/fleet/fleet_config.hpp"

#include <array>
#include <cmath>

namespace switchyard::fleet {
namespace {

struct transport_name {
    transport kind;
    std::string_view name;
};
constexpr std::array<transport_name, 4> transport_names{{
    {transport::ws, "ws"},
    {transport::sockjs_ws, "sockjs-ws"},
    {transport::sockjs_xhr_polling, "sockjs-xhr-polling"},
    {transport::sockjs_xhr_streaming, "sockjs-xhr-streaming"},
}};

bool valid_channel(std::string_view c) {
    if (c.empty() || c.size() > 128) {
        return false;
    }
    for (char ch : c) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                        (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == ':' ||
                        ch == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string_view to_string(transport t) noexcept {
    for (const auto& n : transport_names) {
        if (n.kind == t) {
            return n.name;
        }
    }
    return "?";
}

std::optional<transport> transport_from_string(std::string_view s) noexcept {
    for (const auto& n : transport_names) {
        if (n.name == s) {
            return n.kind;
        }
    }
    return std::nullopt;
}

std::string known_transports() {
    std::string out;
    for (const auto& n : transport_names) {
        if (!out.empty()) {
            out += ", ";
        }
        out += n.name;
    }
    return out;
}

bool is_polling(transport t) noexcept {
    return t == transport::sockjs_xhr_polling || t == transport::sockjs_xhr_streaming;
}

std::string validate(const fleet_config& c) {
    if (c.name.empty()) {
        return "name: must not be empty";
    }
    if (c.count > fleet_limits::count_max) {
        return "count: " + std::to_string(c.count) + " is above the maximum " +
               std::to_string(fleet_limits::count_max);
    }
    const std::string_view url = c.target_url;
    if (!(url.starts_with("ws://") || url.starts_with("wss://") || url.starts_with("http://") ||
          url.starts_with("https://"))) {
        return "target_url: '" + c.target_url +
               "' must start with ws://, wss://, http:// or https://";
    }
    if (c.connect_ramp_ms.count() < 0) {
        return "connect_ramp_ms: must not be negative";
    }
    if (c.connect_timeout_ms.count() <= 0) {
        return "connect_timeout_ms: must be positive";
    }
    if (c.channels.size() > fleet_limits::channels_max) {
        return "channels: more than " + std::to_string(fleet_limits::channels_max);
    }
    for (const auto& ch : c.channels) {
        if (!valid_channel(ch)) {
            return "channels: '" + ch + "' is not 1..128 of [A-Za-z0-9_.:-]";
        }
    }
    if (!c.publish_channel.empty() && !valid_channel(c.publish_channel)) {
        return "publish_channel: '" + c.publish_channel + "' is not 1..128 of [A-Za-z0-9_.:-]";
    }
    if (!(c.publish_rate_hz >= 0.0) || c.publish_rate_hz > fleet_limits::publish_rate_hz_max) {
        return "publish_rate_hz: must be in [0, " +
               std::to_string(static_cast<int>(fleet_limits::publish_rate_hz_max)) + "]";
    }
    if (c.message_bytes < fleet_limits::message_bytes_min) {
        return "message_bytes: " + std::to_string(c.message_bytes) + " is below the minimum " +
               std::to_string(fleet_limits::message_bytes_min);
    }
    if (c.message_bytes > fleet_limits::message_bytes_max) {
        return "message_bytes: " + std::to_string(c.message_bytes) + " is above the maximum " +
               std::to_string(fleet_limits::message_bytes_max);
    }
    if (c.think_time_ms.count() < 0) {
        return "think_time_ms: must not be negative";
    }
    const auto& r = c.reconnect;
    if (r.initial_backoff_ms.count() < 0) {
        return "reconnect.initial_backoff_ms: must not be negative";
    }
    if (r.max_backoff_ms < r.initial_backoff_ms) {
        return "reconnect.max_backoff_ms: must be >= initial_backoff_ms";
    }
    if (!(r.jitter_ratio >= 0.0 && r.jitter_ratio <= 1.0)) {
        return "reconnect.jitter_ratio: must be in [0, 1]";
    }
    if (c.poll_timeout_ms.count() <= 0) {
        return "poll_timeout_ms: must be positive";
    }
    if (c.ping_interval_ms.count() < 0) {
        return "ping_interval_ms: must not be negative";
    }
    return {};
}

}  // namespace switchyard::fleet
