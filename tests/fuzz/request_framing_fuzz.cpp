// The balancer's gate against request smuggling: which request heads are refused, and how the
// accepted ones are normalised. Input: the bytes a client sends.
// Invariants for an accepted head: at most one Transfer-Encoding, ending in exactly one
// `chunked`, never beside Content-Length or in HTTP/1.0; at most one Content-Length; exactly
// one Host in HTTP/1.1; an origin-form target (or `*` with OPTIONS); no CONNECT; normalising
// again changes nothing; and the head as forwarded parses back with the same body framing and
// passes the raw-head check, so balancer and backend read one request the same way.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/core/string.hpp>

#include "backends/net/request_framing.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/http_head.hpp"

namespace http = boost::beast::http;
using namespace switchyard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto head = fuzz::parse_head(bytes);
    if (!head)
        return 0;
    if (net::check_raw_head(head->raw))
        return 0;
    const auto before = fuzz::framing_of(head->raw);
    FUZZ_CHECK(before.has_value());
    auto& req = head->header;
    if (auto refusal = net::normalise_request_head(req)) {
        FUZZ_CHECK(refusal->status == http::status::bad_request);
        FUZZ_CHECK(!refusal->reason.empty());
        return 0;
    }

    const auto te = req.count(http::field::transfer_encoding);
    const auto cl = req.count(http::field::content_length);
    FUZZ_CHECK(te <= 1 && cl <= 1 && !(te && cl));
    if (te) {
        FUZZ_CHECK(req.version() >= 11);
        // Codings are tokens: exactly the last one is `chunked`. (A substring test would call
        // "chunkedzip, chunked" two chunked codings; the fuzzer found that input. Unknown
        // codings such as "chunkedzip" are forwarded, as the documented rule allows.)
        const std::string_view codings = req[http::field::transfer_encoding];
        std::vector<std::string_view> tokens;
        for (std::size_t start = 0; start <= codings.size();) {
            auto end = codings.find(',', start);
            if (end == std::string_view::npos)
                end = codings.size();
            auto t = codings.substr(start, end - start);
            while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
                t.remove_prefix(1);
            while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
                t.remove_suffix(1);
            tokens.push_back(t);
            start = end + 1;
        }
        FUZZ_CHECK(!tokens.empty());
        for (std::size_t i = 0; i < tokens.size(); ++i)
            FUZZ_CHECK(boost::beast::iequals(tokens[i], std::string_view("chunked")) ==
                       (i + 1 == tokens.size()));
    }
    if (req.version() >= 11)
        FUZZ_CHECK(req.count(http::field::host) == 1);
    FUZZ_CHECK(req.method() != http::verb::connect);
    const std::string_view target = req.target();
    FUZZ_CHECK((!target.empty() && target.front() == '/') ||
               (target == "*" && req.method() == http::verb::options));

    // Normalising is idempotent: a second pass accepts and changes no field (a field it sets
    // again may move to the end; the order of differently named fields carries no meaning).
    const std::string forwarded = fuzz::serialize_head(req);
    auto again = req;
    FUZZ_CHECK(!net::normalise_request_head(again));
    FUZZ_CHECK(fuzz::sorted_fields(again) == fuzz::sorted_fields(req));
    FUZZ_CHECK(again.target() == req.target() && again.method() == req.method());

    // The forwarded head is one the balancer would accept as it stands, framed as it arrived.
    FUZZ_CHECK(!net::check_raw_head(forwarded));
    const auto after = fuzz::framing_of(forwarded);
    FUZZ_CHECK(after.has_value());
    FUZZ_CHECK(*after == *before);
    return 0;
}
