#include "engine/load/threshold.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace switchyard::load {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

threshold_error error(std::string_view text, std::string_view why) {
    return {"--expect '" + std::string(text) + "': " + std::string(why)};
}

}  // namespace

std::variant<verify::expectation, threshold_error> parse_threshold(std::string_view text) {
    const auto op_at = text.find_first_of("<>=");
    if (op_at == std::string_view::npos)
        return error(text, "needs NAME OP NUMBER with OP one of < <= > >= ==");
    const std::string_view name = trim(text.substr(0, op_at));
    if (name.empty())
        return error(text, "names no measure before the operator");
    for (char c : name)
        if (!is_name_char(c))
            return error(text, "measure name may hold only a-z, 0-9 and _");

    std::string_view rest = text.substr(op_at);
    std::string_view op = rest.substr(0, rest.size() >= 2 && rest[1] == '=' ? 2 : 1);
    if (op == "=")
        return error(text, "'=' is not an operator; use '=='");
    const std::string_view number = trim(rest.substr(op.size()));
    double v = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
    if (number.empty() || ec != std::errc{} || end != number.data() + number.size() ||
        !std::isfinite(v))
        return error(text, "'" + std::string(number) + "' is not a finite number");

    constexpr double inf = std::numeric_limits<double>::infinity();
    verify::expectation e{std::string(name), std::nullopt, std::nullopt};
    if (op == "<")
        e.max = std::nextafter(v, -inf);
    else if (op == "<=")
        e.max = v;
    else if (op == ">")
        e.min = std::nextafter(v, inf);
    else if (op == ">=")
        e.min = v;
    else if (op == "==")
        e.min = e.max = v;
    else
        return error(text, "unknown operator '" + std::string(op) + "'");
    return e;
}

}  // namespace switchyard::load
