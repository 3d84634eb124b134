// The framing rules that keep the balancer and its backends reading a request the same way.
#include "backends/net/request_framing.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <string>

namespace http = boost::beast::http;
using switchyard::net::check_raw_head;
using switchyard::net::normalise_request_head;

namespace {

/// Parses `head` the way the balancer does (Beast's parser) and returns the header.
http::request_header<> parse(const std::string& head) {
    http::request_parser<http::empty_body> p;
    p.eager(false);
    boost::beast::error_code ec;
    p.put(boost::asio::buffer(head), ec);
    EXPECT_TRUE(!ec || ec == http::error::need_more) << head << ": " << ec.message();
    EXPECT_TRUE(p.is_header_done()) << head;
    return p.get().base();
}

struct case_row {
    const char* head;
    bool refused;
};

}  // namespace

TEST(RequestFraming, RefusesEveryAmbiguousFramingAndAcceptsThePlainOnes) {
    const case_row rows[] = {
        // Plain framings pass.
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n", false},
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", false},
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", false},
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: CHUNKED\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", false},
        {"GET / HTTP/1.0\r\n\r\n", false},
        // Two Transfer-Encoding fields: the reported smuggling (parser took the last one).
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n"
         "Transfer-Encoding: chunked\r\n\r\n",
         true},
        // Transfer-Encoding not ending in exactly one chunked.
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", true},
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n", true},
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", true},
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", true},
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", true},
        // ... and with Content-Length beside it (Beast lets a non-chunked one through).
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nContent-Length: 4\r\n\r\n",
         true},
        {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", true},
        // Host: one, and a plain authority.
        {"GET / HTTP/1.1\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", true},
        // Targets.
        {"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", true},
        {"GET * HTTP/1.1\r\nHost: a\r\n\r\n", true},
        {"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", false},
        {"GET ftp://a/b HTTP/1.1\r\nHost: a\r\n\r\n", true},
        {"GET http://u@a/b HTTP/1.1\r\nHost: a\r\n\r\n", true},
    };
    for (const auto& row : rows) {
        auto req = parse(row.head);
        const auto refusal = normalise_request_head(req);
        EXPECT_EQ(refusal.has_value(), row.refused) << row.head;
        if (refusal) {
            EXPECT_FALSE(refusal->reason.empty());
        }
    }
}

TEST(RequestFraming, EqualContentLengthsBecomeOneFieldAndUnequalOnesAreRefused) {
    auto req =
        parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n");
    ASSERT_FALSE(normalise_request_head(req));
    EXPECT_EQ(req.count(http::field::content_length), 1u);
    EXPECT_EQ(req[http::field::content_length], "5");
    auto list = parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 7, 7\r\n\r\n");
    ASSERT_FALSE(normalise_request_head(list));
    EXPECT_EQ(list[http::field::content_length], "7");
}

TEST(RequestFraming, TransferEncodingIsRewrittenCanonically) {
    auto req = parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip ,  Chunked\r\n\r\n");
    ASSERT_FALSE(normalise_request_head(req));
    EXPECT_EQ(req[http::field::transfer_encoding], "gzip, chunked");
    EXPECT_EQ(req.count(http::field::transfer_encoding), 1u);
}

TEST(RequestFraming, AbsoluteFormBecomesOriginFormWithTheAuthorityAsHost) {
    auto req = parse("GET http://Example.org:8080/a/b?q=1 HTTP/1.1\r\nHost: evil\r\n\r\n");
    ASSERT_FALSE(normalise_request_head(req));
    EXPECT_EQ(req.target(), "/a/b?q=1");
    EXPECT_EQ(req[http::field::host], "Example.org:8080");
    EXPECT_EQ(req.count(http::field::host), 1u);
    auto bare = parse("GET https://a.example HTTP/1.1\r\nHost: a.example\r\n\r\n");
    ASSERT_FALSE(normalise_request_head(bare));
    EXPECT_EQ(bare.target(), "/");
    auto query = parse("GET http://a?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_FALSE(normalise_request_head(query));
    EXPECT_EQ(query.target(), "/?x=1");
}

TEST(RequestFraming, RawHeadRefusesObsFoldAndBareLf) {
    EXPECT_FALSE(check_raw_head("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\r\n"));
    EXPECT_TRUE(check_raw_head("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n"));
    EXPECT_TRUE(check_raw_head("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\tc\r\n\r\n"));
    EXPECT_TRUE(check_raw_head("GET / HTTP/1.1\r\nHost: x\nA: b\r\n\r\n"));
    EXPECT_TRUE(check_raw_head("\nGET / HTTP/1.1\r\n\r\n"));
}
