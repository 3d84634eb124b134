#include "backends/net/request_framing.hpp"

#include <boost/beast/core/string.hpp>
#include <string>
#include <vector>

namespace switchyard::net {

namespace http = boost::beast::http;

namespace {

request_refusal bad(std::string_view reason) {
    return {http::status::bad_request, reason};
}

bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
    if (s.empty())
        return false;
    for (char c : s)
        if (!is_tchar(c))
            return false;
    return true;
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// The elements of a comma-separated field value, OWS trimmed, empty elements skipped (RFC 9110
/// 5.6.1 lets a recipient ignore them).
std::vector<std::string_view> list_elements(std::string_view value) {
    std::vector<std::string_view> out;
    while (true) {
        const auto comma = value.find(',');
        const auto element = trim_ows(value.substr(0, comma));
        if (!element.empty())
            out.push_back(element);
        if (comma == std::string_view::npos)
            break;
        value.remove_prefix(comma + 1);
    }
    return out;
}

/// Transfer-Encoding and Content-Length: one framing, read the same way by every recipient.
std::optional<request_refusal> check_framing(http::request_header<>& req) {
    const auto te_count = req.count(http::field::transfer_encoding);
    const auto cl_count = req.count(http::field::content_length);
    if (te_count > 0) {
        // Two fields are where parsers disagree (first one or last one); refuse rather than pick.
        if (te_count > 1)
            return bad("more than one Transfer-Encoding field");
        if (req.version() < 11)
            return bad("Transfer-Encoding in an HTTP/1.0 request");
        if (cl_count > 0)
            return bad("both Transfer-Encoding and Content-Length");
        const auto codings = list_elements(req[http::field::transfer_encoding]);
        if (codings.empty())
            return bad("empty Transfer-Encoding");
        std::string canonical;
        for (std::size_t i = 0; i < codings.size(); ++i) {
            // Parameters on a coding are legal but unused in practice; they only widen the
            // room for two parsers to disagree.
            if (!is_token(codings[i]))
                return bad("malformed Transfer-Encoding");
            const bool chunked = boost::beast::iequals(codings[i], std::string_view("chunked"));
            if (chunked != (i + 1 == codings.size()))
                return bad("Transfer-Encoding must end in exactly one chunked");
            if (!canonical.empty())
                canonical += ", ";
            canonical += chunked ? std::string_view("chunked") : codings[i];
        }
        req.set(http::field::transfer_encoding, canonical);
        return std::nullopt;
    }
    if (cl_count == 0)
        return std::nullopt;
    std::string_view length;
    const auto [first, last] = req.equal_range(http::field::content_length);
    for (auto it = first; it != last; ++it) {
        const auto values = list_elements(it->value());
        if (values.empty())
            return bad("empty Content-Length");
        for (auto v : values) {
            if (v.size() > 19 || v.find_first_not_of("0123456789") != std::string_view::npos)
                return bad("malformed Content-Length");
            if (!length.empty() && v != length)
                return bad("conflicting Content-Length values");
            length = v;
        }
    }
    // Equal duplicates are harmless only once they are one field again.
    req.set(http::field::content_length, std::string(length));
    return std::nullopt;
}

bool valid_authority(std::string_view host) {
    if (host.empty())
        return false;
    for (char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') ||
                        std::string_view("-._~!$&'()*+,;=:[]%").find(c) != std::string_view::npos;
        if (!ok)
            return false;
    }
    return true;
}

/// The request target in origin-form; an absolute-form target gives its authority to Host.
std::optional<request_refusal> check_target(http::request_header<>& req) {
    if (req.method() == http::verb::connect)
        return bad("CONNECT is not proxied");
    const std::string_view target = req.target();
    if (target == "*") {
        if (req.method() != http::verb::options)
            return bad("asterisk-form target outside OPTIONS");
        return std::nullopt;
    }
    if (!target.empty() && target.front() == '/')
        return std::nullopt;
    const auto scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos)
        return bad("request target is not origin-form or absolute-form");
    const auto scheme = target.substr(0, scheme_end);
    if (!boost::beast::iequals(scheme, std::string_view("http")) &&
        !boost::beast::iequals(scheme, std::string_view("https")))
        return bad("absolute-form target with a scheme other than http or https");
    auto rest = target.substr(scheme_end + 3);
    const auto path_start = rest.find_first_of("/?#");
    const auto authority = rest.substr(0, path_start);
    if (!valid_authority(authority))
        return bad("absolute-form target with a bad authority");
    std::string origin(path_start == std::string_view::npos ? std::string_view{}
                                                            : rest.substr(path_start));
    if (origin.empty() || origin.front() != '/')
        origin.insert(0, 1, '/');
    // RFC 9112 3.2.2: the target's authority wins over any Host field.
    const std::string host(authority);
    req.set(http::field::host, host);
    req.target(origin);
    return std::nullopt;
}

}  // namespace

std::optional<request_refusal> check_raw_head(std::string_view head) {
    for (std::size_t i = 0; i < head.size(); ++i) {
        if (head[i] != '\n')
            continue;
        if (i == 0 || head[i - 1] != '\r')
            return bad("line ending in a bare LF");
        if (i + 1 < head.size() && (head[i + 1] == ' ' || head[i + 1] == '\t'))
            return bad("obsolete line folding in a header field");
    }
    return std::nullopt;
}

std::optional<request_refusal> normalise_request_head(http::request_header<>& req) {
    if (auto r = check_framing(req))
        return r;
    if (req.count(http::field::host) > 1)
        return bad("more than one Host field");
    if (auto r = check_target(req))
        return r;
    const auto host = req.find(http::field::host);
    if (host == req.end()) {
        if (req.version() >= 11)
            return bad("HTTP/1.1 request without Host");
    } else if (!valid_authority(host->value())) {
        return bad("malformed Host");
    }
    return std::nullopt;
}

}  // namespace switchyard::net
