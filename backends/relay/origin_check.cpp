#include "backends/relay/origin_check.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace switchyard::relay {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

// Splits `host[:port]` (host may be `[v6]`); `default_port` when the port is absent.
std::optional<std::pair<std::string, unsigned>> split_authority(std::string_view a,
                                                                unsigned default_port) {
    std::string_view host = a, port;
    bool has_port = false;
    if (!a.empty() && a.front() == '[') {
        const auto close = a.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        host = a.substr(0, close + 1);
        const auto rest = a.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return std::nullopt;
            port = rest.substr(1);
            has_port = true;
        }
        const auto inner = host.substr(1, host.size() - 2);
        if (inner.empty() || !std::all_of(inner.begin(), inner.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
            }))
            return std::nullopt;
    } else {
        const auto colon = a.rfind(':');
        if (colon != std::string_view::npos) {
            host = a.substr(0, colon);
            port = a.substr(colon + 1);
            has_port = true;
        }
        if (host.empty() || !std::all_of(host.begin(), host.end(), host_char))
            return std::nullopt;
    }
    unsigned p = default_port;
    if (has_port) {
        if (port.empty() || port.size() > 5)
            return std::nullopt;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
        if (ec != std::errc{} || end != port.data() + port.size() || p == 0 || p > 65535)
            return std::nullopt;
    }
    // A trailing dot names the same host (`a.example.` is `a.example`).
    std::string h = lower(host);
    if (h.size() > 1 && h.back() == '.')
        h.pop_back();
    return std::make_pair(std::move(h), p);
}

}  // namespace

std::optional<web_origin> parse_origin(std::string_view text) {
    const auto sep = text.find("://");
    if (sep == std::string_view::npos)
        return std::nullopt;
    web_origin o;
    o.scheme = lower(text.substr(0, sep));
    unsigned default_port = 0;
    if (o.scheme == "http")
        default_port = 80;
    else if (o.scheme == "https")
        default_port = 443;
    else
        return std::nullopt;
    auto authority = text.substr(sep + 3);
    // Browsers send no path; a tolerated lone trailing slash is how people write allow-lists.
    if (!authority.empty() && authority.back() == '/')
        authority.remove_suffix(1);
    if (authority.find_first_of("/?#@ ") != std::string_view::npos)
        return std::nullopt;
    auto hp = split_authority(authority, default_port);
    if (!hp)
        return std::nullopt;
    o.host = std::move(hp->first);
    o.port = hp->second;
    return o;
}

std::optional<origin_allow_list> origin_allow_list::parse(const std::vector<std::string>& entries,
                                                          std::string& error) {
    origin_allow_list list;
    for (const auto& e : entries) {
        if (e == "*") {
            list.any_ = true;
        } else if (e == "null") {
            list.null_ = true;
        } else if (auto o = parse_origin(e)) {
            list.origins_.push_back(std::move(*o));
        } else {
            error = "bad origin '" + e + "': expected *, null or http(s)://host[:port]";
            return std::nullopt;
        }
    }
    return list;
}

bool origin_allow_list::contains(const web_origin& o) const {
    return std::find(origins_.begin(), origins_.end(), o) != origins_.end();
}

origin_verdict check_origin(std::string_view origin, std::string_view host,
                            const origin_allow_list& allowed) {
    if (origin.empty())
        return origin_verdict::no_origin;
    if (allowed.any())
        return origin_verdict::listed;
    if (origin == "null")
        return allowed.allows_null() ? origin_verdict::listed : origin_verdict::refused;
    const auto o = parse_origin(origin);
    if (!o)
        return origin_verdict::refused;
    if (auto h = split_authority(host, o->port); h && h->first == o->host && h->second == o->port)
        return origin_verdict::same_origin;
    return allowed.contains(*o) ? origin_verdict::listed : origin_verdict::refused;
}

}  // namespace switchyard::relay
