#include "backends/net/server_tls_context.hpp"

#include <openssl/ssl.h>

#include <boost/system/system_error.hpp>

namespace switchyard::net {

namespace {
// Mozilla "intermediate" TLS 1.2 list: ECDHE only, AEAD only. TLS 1.3 suites are OpenSSL's
// defaults, which are all AEAD.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
}  // namespace

boost::asio::ssl::context make_server_tls_context(const std::string& cert_chain_file,
                                                  const std::string& private_key_file) {
    boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_server);
    ctx.set_options(boost::asio::ssl::context::default_workarounds |
                    boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3 |
                    boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1 |
                    boost::asio::ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(ctx.native_handle(), tls12_ciphers);
    SSL_CTX_set_options(ctx.native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(cert_chain_file, ec);
    if (ec)
        throw boost::system::system_error(ec, "tls certificate " + cert_chain_file);
    ctx.use_private_key_file(private_key_file, boost::asio::ssl::context::pem, ec);
    if (ec)
        throw boost::system::system_error(ec, "tls private key " + private_key_file);
    return ctx;
}

boost::asio::ssl::context make_client_tls_context(bool verify_peer) {
    boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    if (verify_peer) {
        ctx.set_default_verify_paths();
        ctx.set_verify_mode(boost::asio::ssl::verify_peer);
    } else {
        ctx.set_verify_mode(boost::asio::ssl::verify_none);
    }
    return ctx;
}

}  // namespace switchyard::net
