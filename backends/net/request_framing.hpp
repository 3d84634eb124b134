#pragma once
// What a request must look like before a reverse proxy may forward it. The balancer and the
// backend must read a request's framing the same way, or bytes one of them takes for a body the
// other takes for a second request (request smuggling). So anything RFC 9112 calls ambiguous is
// refused with 400 before a byte reaches a backend, and what may be normalised is normalised.
#include <boost/beast/http/message.hpp>
#include <optional>
#include <string_view>

namespace switchyard::net {

/// Why a request is refused: the status to answer (always with Connection: close) and a short
/// reason for the body and the log.
struct request_refusal {
    boost::beast::http::status status;
    std::string_view reason;
};

/// Scans a request head as it arrived (start line through the blank line that ends it) for
/// what the parser would tolerate but a proxy must not pass on: obs-fold continuation lines
/// (RFC 9112 5.2) and line ends that are a bare LF (RFC 9112 2.2).
std::optional<request_refusal> check_raw_head(std::string_view head);

/// Checks a parsed request header and normalises it in place:
/// - Transfer-Encoding: at most one such field, and its codings end in exactly one `chunked`
///   (RFC 9112 6.1); never with Content-Length (6.3), never in an HTTP/1.0 request.
/// - Content-Length: every value (repeated fields, list values) equal; normalised to one field.
/// - Host: exactly one for HTTP/1.1 (RFC 9112 3.2), a plain authority.
/// - Target: origin-form; absolute-form (`http://host/path`) is rewritten to origin-form with
///   Host set to its authority (RFC 9112 3.2.2); `*` only with OPTIONS; CONNECT is refused
///   (a reverse proxy opens no tunnels to arbitrary hosts).
std::optional<request_refusal> normalise_request_head(boost::beast::http::request_header<>& req);

}  // namespace switchyard::net
