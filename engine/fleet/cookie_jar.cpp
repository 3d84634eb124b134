#include "engine/fleet/cookie_jar.hpp"

#include <cctype>

namespace switchyard::fleet {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

/// Calls f(name, value) for each "name=value" pair of a Cookie header; stops when f returns true.
template <class F>
bool for_each_pair(std::string_view header, F f) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        const auto pair = trim(header.substr(0, semi));
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        if (f(pair.substr(0, eq), pair.substr(eq + 1))) {
            return true;
        }
    }
    return false;
}

}  // namespace

void cookie_jar::set_from_header(std::string_view set_cookie) {
    const auto semi = set_cookie.find(';');
    const auto pair = trim(set_cookie.substr(0, semi));
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        return;
    }
    const auto name = trim(pair.substr(0, eq));
    const auto value = trim(pair.substr(eq + 1));
    bool expired = value.empty();
    if (semi != std::string_view::npos) {
        for_each_pair(set_cookie.substr(semi + 1), [&](std::string_view k, std::string_view v) {
            if (iequals(trim(k), "max-age") && !v.empty() && (v[0] == '0' || v[0] == '-')) {
                expired = true;
            }
            return false;
        });
    }
    erase(name);
    if (expired) {
        return;
    }
    const std::size_t added = name.size() + value.size() + 3;
    if (header_.size() + added > bytes_max) {
        return;
    }
    if (!header_.empty()) {
        header_ += "; ";
    }
    header_.append(name).append("=").append(value);
}

bool cookie_jar::has(std::string_view name) const noexcept {
    return for_each_pair(header_,
                         [name](std::string_view k, std::string_view) { return k == name; });
}

std::string_view cookie_jar::get(std::string_view name) const noexcept {
    std::string_view out;
    for_each_pair(header_, [&](std::string_view k, std::string_view v) {
        if (k == name) {
            out = v;
            return true;
        }
        return false;
    });
    return out;
}

void cookie_jar::erase(std::string_view name) {
    std::string kept;
    for_each_pair(header_, [&](std::string_view k, std::string_view v) {
        if (k != name) {
            if (!kept.empty()) {
                kept += "; ";
            }
            kept.append(k).append("=").append(v);
        }
        return false;
    });
    header_ = std::move(kept);
}

}  // namespace switchyard::fleet
