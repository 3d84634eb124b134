// Hop-by-hop stripping never touches the message's framing or Host.
#include "backends/net/proxy_headers.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/fields.hpp>

namespace http = boost::beast::http;
using switchyard::net::strip_hop_by_hop;

TEST(ProxyHeaders, ConnectionCannotStripFramingOrHost) {
    // Found by tests/fuzz/proxy_headers_fuzz: `Connection: content-length` made the balancer
    // forward a body without its length, which the backend would read as a second request.
    http::fields f;
    f.set(http::field::host, "a.example");
    f.set(http::field::content_length, "5");
    f.set(http::field::connection, "content-length, host, transfer-encoding, x-hop");
    f.set("X-Hop", "1");
    f.set("X-End", "2");
    strip_hop_by_hop(f);
    EXPECT_EQ(f[http::field::content_length], "5");
    EXPECT_EQ(f[http::field::host], "a.example");
    EXPECT_EQ(f.count("X-Hop"), 0u) << "an ordinary field named in Connection is hop-by-hop";
    EXPECT_EQ(f["X-End"], "2");
    EXPECT_EQ(f.count(http::field::connection), 0u);
}
