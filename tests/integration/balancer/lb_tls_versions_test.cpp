// What the TLS listener accepts: TLS 1.2 and 1.3 only, and in TLS 1.2 only ECDHE with an AEAD
// cipher. The client here is willing to speak the old versions and suites (security level 0),
// and each refusal must be the server's protocol_version / handshake_failure alert, not the
// client declining locally, so the test proves what the server does.
#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <string>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {

struct handshake_result {
    bool ok = false;
    int alert_reason = 0;  ///< OpenSSL reason code of the first error when it failed
    std::string version;   ///< negotiated, when ok
    std::string cipher;    ///< negotiated, when ok
    std::string reply;     ///< start of the answer to one GET, when ok
};

/// One handshake to 127.0.0.1:`port` with the client pinned to `version` and offering
/// `ciphers` (TLS 1.2 and below) at security level 0.
handshake_result handshake(unsigned short port, int version, const std::string& ciphers) {
    handshake_result out;
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket sock(ioc);
    sock.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    struct timeval tv {
        5, 0
    };
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    SSL_CTX_set_cipher_list(ctx, ciphers.c_str());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, sock.native_handle());
    ERR_clear_error();
    if (SSL_connect(ssl) == 1) {
        out.ok = true;
        out.version = SSL_get_version(ssl);
        out.cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(ssl));
        const std::string req = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        SSL_write(ssl, req.data(), static_cast<int>(req.size()));
        char buf[64];
        const int n = SSL_read(ssl, buf, sizeof buf);
        if (n > 0)
            out.reply.assign(buf, static_cast<std::size_t>(n));
    } else {
        out.alert_reason = ERR_GET_REASON(ERR_peek_error());
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return out;
}

/// "DEFAULT" at security level 0: TLS 1.0-era suites (CBC, SHA-1) included.
const std::string anything = "DEFAULT:@SECLEVEL=0";

}  // namespace

TEST(BalancerTlsVersions, Tls10And11AreRefusedByTheServer12And13Work) {
    auto dir = test_dir();
    auto [cert, key] = make_self_signed_cert(dir);
    auto b1 = start_backend("b1");
    auto lb = start_lb({"--tls-cert", cert, "--tls-key", key, "--backend",
                        "b1=127.0.0.1:" + std::to_string(b1.port)});

    for (int old : {TLS1_VERSION, TLS1_1_VERSION}) {
        auto r = handshake(lb.port, old, anything);
        EXPECT_FALSE(r.ok) << "version " << std::hex << old << " negotiated " << r.version;
        // The server's protocol_version alert: the client did offer the old version.
        EXPECT_EQ(r.alert_reason, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
            << std::hex << old << ": " << ERR_reason_error_string(ERR_PACK(0, 0, r.alert_reason));
    }

    auto v12 = handshake(lb.port, TLS1_2_VERSION, anything);
    ASSERT_TRUE(v12.ok);
    EXPECT_EQ(v12.version, "TLSv1.2");
    EXPECT_EQ(v12.reply.rfind("HTTP/1.1 200", 0), 0u) << v12.reply;
    // The server picks from its own list: ECDHE, AEAD.
    EXPECT_EQ(v12.cipher.rfind("ECDHE-", 0), 0u) << v12.cipher;
    EXPECT_TRUE(v12.cipher.find("GCM") != std::string::npos ||
                v12.cipher.find("CHACHA20-POLY1305") != std::string::npos)
        << v12.cipher;

    auto v13 = handshake(lb.port, TLS1_3_VERSION, anything);
    ASSERT_TRUE(v13.ok);
    EXPECT_EQ(v13.version, "TLSv1.3");
    EXPECT_EQ(v13.reply.rfind("HTTP/1.1 200", 0), 0u) << v13.reply;
}

TEST(BalancerTlsVersions, Tls12SuitesWithoutEcdheOrAeadAreRefused) {
    auto dir = test_dir();
    auto [cert, key] = make_self_signed_cert(dir);  // an ECDSA P-256 certificate
    auto b1 = start_backend("b1");
    auto lb = start_lb({"--tls-cert", cert, "--tls-key", key, "--backend",
                        "b1=127.0.0.1:" + std::to_string(b1.port)});
    // CBC with SHA-1 and SHA-384 MACs, usable with this certificate: not in the server's list.
    for (const char* weak :
         {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256"}) {
        auto r = handshake(lb.port, TLS1_2_VERSION, std::string(weak) + ":@SECLEVEL=0");
        EXPECT_FALSE(r.ok) << weak << " negotiated";
        EXPECT_EQ(r.alert_reason, SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE)
            << weak << ": " << ERR_reason_error_string(ERR_PACK(0, 0, r.alert_reason));
    }
    // The same client offering one suite of the list gets through: the refusals were the suites.
    auto good = handshake(lb.port, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256:@SECLEVEL=0");
    ASSERT_TRUE(good.ok);
    EXPECT_EQ(good.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
}
