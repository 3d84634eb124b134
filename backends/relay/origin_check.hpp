#pragma once
// Which web pages may open a WebSocket to the relay (docs/security.md, "Origins"). Browsers
// send no CORS preflight for a WebSocket and attach the page's cookies, so without this any
// page a user visits could connect as that user (cross-site WebSocket hijacking). Pure: the
// request's Origin and Host in, a verdict out.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::relay {

/// An origin reduced to what comparisons use: lowercase scheme and host, and the port with
/// the scheme's default filled in (http 80, https 443).
struct web_origin {
    std::string scheme;
    std::string host;
    unsigned port = 0;
    bool operator==(const web_origin&) const = default;
};

/// Parses `scheme://host[:port]` (http or https; a bracketed IPv6 host; no path, userinfo or
/// query). nullopt for anything else, "null" included.
std::optional<web_origin> parse_origin(std::string_view text);

/// The configured allow-list: `*` (every origin), `null` (pages with an opaque origin:
/// sandboxed frames, file://) or `scheme://host[:port]` entries.
class origin_allow_list {
  public:
    origin_allow_list() = default;
    /// Parses the entries; on a bad one returns nullopt and sets `error` to name it.
    static std::optional<origin_allow_list> parse(const std::vector<std::string>& entries,
                                                  std::string& error);

    bool any() const noexcept { return any_; }
    bool allows_null() const noexcept { return null_; }
    bool contains(const web_origin& o) const;

  private:
    bool any_ = false;
    bool null_ = false;
    std::vector<web_origin> origins_;
};

/// Why an upgrade is allowed or refused.
enum class origin_verdict {
    no_origin,    ///< allowed: no Origin header, so not a browser (the fleet, tools, servers)
    same_origin,  ///< allowed: the page was served by the host the request names
    listed,       ///< allowed: `*`, `null` or the exact origin is in the allow-list
    refused,      ///< 403: another origin, not listed (or an Origin that does not parse)
};

/// The rule. Same origin compares host and port with the request's Host header (no scheme:
/// behind a TLS-terminating balancer the relay cannot see the page's scheme; a Host without
/// a port takes the Origin scheme's default port). `origin` is the raw Origin header value.
origin_verdict check_origin(std::string_view origin, std::string_view host,
                            const origin_allow_list& allowed);

inline bool origin_allowed(origin_verdict v) {
    return v != origin_verdict::refused;
}

}  // namespace switchyard::relay
