#pragma once
// Reads a request head the way switchyard-lb does (Beast's parser, header only, the
// balancer's default header limit) and writes one back out the way it forwards it.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

namespace switchyard::fuzz {

struct parsed_head {
    boost::beast::http::request_header<> header;
    std::string_view raw;  ///< the bytes of the head, start line through the blank line
};

/// The parsed head of `bytes`, or nullopt when Beast refuses it or it is incomplete.
inline std::optional<parsed_head> parse_head(std::string_view bytes) {
    namespace http = boost::beast::http;
    http::request_parser<http::empty_body> p;
    p.eager(false);
    p.header_limit(16384);  // limits.max_header_bytes default
    boost::beast::error_code ec;
    const std::size_t used = p.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec && ec != http::error::need_more)
        return std::nullopt;
    if (!p.is_header_done())
        return std::nullopt;
    return parsed_head{p.get().base(), bytes.substr(0, used)};
}

/// The head as it goes to a backend.
inline std::string serialize_head(const boost::beast::http::request_header<>& header) {
    std::ostringstream out;
    out << header;
    return out.str();
}

/// The fields as (name, value) pairs, sorted by name with the values of one name in order.
inline std::vector<std::pair<std::string, std::string>> sorted_fields(
    const boost::beast::http::request_header<>& header) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& f : header)
        out.emplace_back(std::string(f.name_string()), std::string(f.value()));
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

/// How a recipient frames the body that follows a head: what must never change on the way.
struct body_framing {
    bool chunked = false;
    std::optional<std::uint64_t> content_length;
    bool operator==(const body_framing&) const = default;
};

inline std::optional<body_framing> framing_of(std::string_view head) {
    namespace http = boost::beast::http;
    http::request_parser<http::empty_body> p;
    p.eager(false);
    boost::beast::error_code ec;
    p.put(boost::asio::buffer(head.data(), head.size()), ec);
    if ((ec && ec != http::error::need_more) || !p.is_header_done())
        return std::nullopt;
    body_framing f;
    f.chunked = p.chunked();
    if (const auto n = p.content_length())
        f.content_length = *n;
    return f;
}

}  // namespace switchyard::fuzz
