#include "engine/scenario/duration.hpp"

#include <charconv>
#include <cmath>

namespace switchyard::scenario {

std::optional<std::chrono::microseconds> parse_duration(std::string_view text) {
    if (text == "0")
        return std::chrono::microseconds{0};
    std::size_t i = 0;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.'))
        ++i;
    if (i == 0 || i == text.size())
        return std::nullopt;
    double value = 0;
    const auto number = text.substr(0, i);
    if (number.front() == '.' || number.back() == '.')
        return std::nullopt;
    const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc{} || ptr != number.data() + number.size())
        return std::nullopt;
    const auto unit = text.substr(i);
    double scale;
    if (unit == "us")
        scale = 1;
    else if (unit == "ms")
        scale = 1e3;
    else if (unit == "s")
        scale = 1e6;
    else if (unit == "m")
        scale = 60e6;
    else if (unit == "h")
        scale = 3600e6;
    else
        return std::nullopt;
    const double us = std::round(value * scale);
    if (us > std::chrono::duration_cast<std::chrono::microseconds>(duration_max).count())
        return std::nullopt;
    return std::chrono::microseconds{static_cast<std::int64_t>(us)};
}

std::string format_duration(std::chrono::microseconds d) {
    const auto us = d.count();
    if (us == 0)
        return "0";
    if (us % 60'000'000 == 0)
        return std::to_string(us / 60'000'000) + "m";
    if (us % 1'000'000 == 0)
        return std::to_string(us / 1'000'000) + "s";
    if (us % 1000 == 0)
        return std::to_string(us / 1000) + "ms";
    return std::to_string(us) + "us";
}

}  // namespace switchyard::scenario
