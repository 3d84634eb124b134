// The header rewriting switchyard-lb does on every forwarded request (after the framing gate):
// hop-by-hop stripping and X-Forwarded-*. Input: the bytes a client sends.
// Invariants: no hop-by-hop field reaches the backend; X-Forwarded-For ends with the address
// the proxy saw and X-Real-IP, X-Forwarded-Proto are exactly what the proxy set, one field
// each, X-Forwarded-Host is the validated Host; Forwarded is gone; and stripping never changes
// the body framing or the Host a backend reads (a field the client names in Connection must
// not take Content-Length or Host away: the body would be read as a second request).
#include <cstdint>
#include <string>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "backends/net/proxy_headers.hpp"
#include "backends/net/request_framing.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/http_head.hpp"

namespace http = boost::beast::http;
using namespace switchyard;

namespace {

constexpr std::string_view client_ip = "203.0.113.7";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto head = fuzz::parse_head(bytes);
    if (!head || net::check_raw_head(head->raw))
        return 0;
    auto& req = head->header;
    if (net::normalise_request_head(req))
        return 0;
    const auto framing = fuzz::framing_of(fuzz::serialize_head(req));
    FUZZ_CHECK(framing.has_value());
    const std::string host(req[http::field::host]);
    const bool had_host = req.count(http::field::host) > 0;

    // As proxy_session does: an upgrade keeps Upgrade and says so in Connection.
    const bool upgrade = req.count(http::field::upgrade) > 0 && (size & 1);
    const std::string_view proto = (size & 2) ? "https" : "http";
    net::strip_hop_by_hop(req, upgrade);
    for (auto f : {http::field::keep_alive, http::field::te, http::field::trailer,
                   http::field::proxy_authorization, http::field::proxy_authenticate,
                   http::field::connection})
        FUZZ_CHECK(req.count(f) == 0);
    FUZZ_CHECK(req.count("Proxy-Connection") == 0);
    if (!upgrade)
        FUZZ_CHECK(req.count(http::field::upgrade) == 0);
    if (upgrade)
        req.set(http::field::connection, "Upgrade");
    net::add_forwarded(req, client_ip, proto);

    FUZZ_CHECK(req.count("X-Forwarded-For") == 1);
    FUZZ_CHECK(std::string_view(req["X-Forwarded-For"]).ends_with(client_ip));
    FUZZ_CHECK(req.count("X-Real-IP") == 1 && req["X-Real-IP"] == client_ip);
    FUZZ_CHECK(req.count("X-Forwarded-Proto") == 1 && req["X-Forwarded-Proto"] == proto);
    FUZZ_CHECK(req.count(http::field::forwarded) == 0);
    FUZZ_CHECK(req.count("X-Forwarded-Host") == (had_host ? 1u : 0u));

    const std::string forwarded = fuzz::serialize_head(req);
    FUZZ_CHECK(!net::check_raw_head(forwarded));
    FUZZ_CHECK(fuzz::framing_of(forwarded) == framing);
    FUZZ_CHECK(req.count(http::field::host) == (had_host ? 1u : 0u));
    if (had_host)
        FUZZ_CHECK(req[http::field::host] == host && req["X-Forwarded-Host"] == host);
    return 0;
}
