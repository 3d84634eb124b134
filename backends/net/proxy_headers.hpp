#pragma once
// Header rewriting every HTTP reverse proxy does: hop-by-hop stripping and X-Forwarded-*.
#include <boost/beast/http/fields.hpp>
#include <string_view>

namespace switchyard::net {

/// Removes hop-by-hop headers (RFC 9110 7.6.1): Connection and every header it lists,
/// Keep-Alive, Proxy-Connection, Proxy-Authenticate, Proxy-Authorization, TE, Trailer, Upgrade.
/// Transfer-Encoding, Content-Length and Host are kept even when Connection names them: the body
/// is relayed with the framing it arrived in, and the next hop needs both (and its Host).
/// With `keep_upgrade`, Upgrade survives (the caller re-adds `Connection: Upgrade`).
void strip_hop_by_hop(boost::beast::http::fields& fields, bool keep_upgrade = false);

/// Appends `client_ip` to X-Forwarded-For (so its last entry is always the address the proxy saw),
/// sets X-Forwarded-Proto, X-Forwarded-Host (from Host) and X-Real-IP, replacing whatever the
/// client sent in those, and removes Forwarded (RFC 7239), which this proxy does not write.
void add_forwarded(boost::beast::http::fields& fields, std::string_view client_ip,
                   std::string_view proto);

}  // namespace switchyard::net
