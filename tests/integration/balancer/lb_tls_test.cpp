// TLS termination with several certificates: the one covering the client's SNI name is served.
#include <gtest/gtest.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <fstream>

#include "lb_test_support.hpp"

using namespace lbtest;
namespace asio = boost::asio;

namespace {

struct sni_result {
    bool handshake = false;
    std::string matched;  ///< which of the candidate names the served certificate covers
    std::string reply;    ///< the start of the HTTP answer to one GET
};

/// Handshakes with `sni` (empty = none), reports which candidate name the certificate is for,
/// then sends one GET over the connection.
sni_result connect_with_sni(unsigned short port, const std::string& sni,
                            const std::vector<std::string>& candidates) {
    sni_result out;
    asio::io_context ioc;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_none);
    asio::ssl::stream<asio::ip::tcp::socket> s(ioc, ctx);
    s.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    struct timeval tv {
        5, 0
    };
    ::setsockopt(s.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (!sni.empty())
        SSL_set_tlsext_host_name(s.native_handle(), sni.c_str());
    boost::system::error_code ec;
    s.handshake(asio::ssl::stream_base::client, ec);
    if (ec)
        return out;
    out.handshake = true;
    X509* cert = SSL_get1_peer_certificate(s.native_handle());
    for (const auto& name : candidates) {
        if (cert && X509_check_host(cert, name.c_str(), 0, 0, nullptr) == 1)
            out.matched = name;
    }
    X509_free(cert);
    const std::string req = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    asio::write(s, asio::buffer(req), ec);
    char buf[64];
    const auto n = s.read_some(asio::buffer(buf), ec);
    out.reply.assign(buf, n);
    return out;
}

}  // namespace

TEST(BalancerTls, SniPicksTheMatchingCertificateAndDefaultsToTheFirst) {
    auto dir = test_dir();
    auto [a_cert, a_key] = make_named_cert(dir, "alpha.test");
    auto [b_cert, b_key] = make_named_cert(dir, "beta.test");
    auto b1 = start_backend("b1");
    const auto yaml = dir / "tls.yaml";
    std::ofstream(yaml) << "tls:\n  certificates:\n    - {cert_file: '" << a_cert
                        << "', key_file: '" << a_key << "'}\n    - {cert_file: '" << b_cert
                        << "', key_file: '" << b_key << "'}\n";
    auto lb = start_lb(
        {"--config", yaml.string(), "--backend", "b1=127.0.0.1:" + std::to_string(b1.port)});
    const std::vector<std::string> names{"alpha.test", "beta.test"};

    auto beta = connect_with_sni(lb.port, "beta.test", names);
    ASSERT_TRUE(beta.handshake);
    EXPECT_EQ(beta.matched, "beta.test");
    EXPECT_EQ(beta.reply.rfind("HTTP/1.1 200", 0), 0u) << beta.reply;

    auto alpha = connect_with_sni(lb.port, "alpha.test", names);
    ASSERT_TRUE(alpha.handshake);
    EXPECT_EQ(alpha.matched, "alpha.test");

    auto unknown = connect_with_sni(lb.port, "gamma.test", names);
    ASSERT_TRUE(unknown.handshake);
    EXPECT_EQ(unknown.matched, "alpha.test") << "no match: the first certificate";

    auto none = connect_with_sni(lb.port, "", names);
    ASSERT_TRUE(none.handshake);
    EXPECT_EQ(none.matched, "alpha.test") << "no SNI: the first certificate";
    EXPECT_EQ(none.reply.rfind("HTTP/1.1 200", 0), 0u) << none.reply;
}
