#include "engine/load/phase.hpp"

#include <charconv>
#include <cmath>
#include <vector>

namespace switchyard::load {
namespace {

phase_error error(std::string_view text, std::string_view why) {
    return {"--phase '" + std::string(text) + "': " + std::string(why)};
}

template <class T>
bool whole(std::string_view s, T& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc{} && end == s.data() + s.size();
}

}  // namespace

std::variant<phase, phase_error> parse_phase(std::string_view text) {
    std::vector<std::string_view> parts;
    for (std::size_t from = 0;;) {
        const auto colon = text.find(':', from);
        parts.push_back(text.substr(from, colon - from));
        if (colon == std::string_view::npos)
            break;
        from = colon + 1;
    }
    if (parts.size() < 3 || parts.size() > 4)
        return error(text, "needs NAME:DURATION:CLIENTS[:PUBLISH_RATE]");
    phase p;
    if (parts[0].empty())
        return error(text, "phase has no name");
    p.name = std::string(parts[0]);

    std::string_view d = parts[1];
    long long scale = 0;
    if (d.ends_with("ms")) {
        scale = 1;
        d.remove_suffix(2);
    } else if (d.ends_with("s")) {
        scale = 1000;
        d.remove_suffix(1);
    } else if (d.ends_with("m")) {
        scale = 60'000;
        d.remove_suffix(1);
    }
    long long n = 0;
    if (scale == 0 || !whole(d, n) || n <= 0)
        return error(text, "duration '" + std::string(parts[1]) +
                               "' is not a positive whole number with ms, s or m");
    p.duration = std::chrono::milliseconds(n * scale);

    if (!whole(parts[2], p.clients) || p.clients < 0)
        return error(text, "clients '" + std::string(parts[2]) + "' is not a whole number >= 0");
    if (parts.size() == 4 &&
        (!whole(parts[3], p.publish_rate) || !std::isfinite(p.publish_rate) || p.publish_rate < 0))
        return error(text, "publish rate '" + std::string(parts[3]) + "' is not a number >= 0");
    return p;
}

}  // namespace switchyard::load
