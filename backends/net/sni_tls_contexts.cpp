#include "backends/net/sni_tls_contexts.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <stdexcept>

#include "backends/net/server_tls_context.hpp"

namespace switchyard::net {

sni_tls_contexts::sni_tls_contexts(const std::vector<tls_certificate>& certificates) {
    if (certificates.empty())
        throw std::invalid_argument("sni_tls_contexts: no certificate");
    for (const auto& c : certificates)
        contexts_.push_back(std::make_unique<boost::asio::ssl::context>(
            make_server_tls_context(c.cert_file, c.key_file)));
    if (contexts_.size() > 1) {
        SSL_CTX* ctx = primary().native_handle();
        SSL_CTX_set_tlsext_servername_callback(ctx, &sni_tls_contexts::on_servername);
        SSL_CTX_set_tlsext_servername_arg(ctx, this);
    }
}

std::size_t sni_tls_contexts::pick(const char* server_name) const {
    if (!server_name || !*server_name)
        return 0;
    for (std::size_t i = 0; i < contexts_.size(); ++i) {
        X509* cert = SSL_CTX_get0_certificate(contexts_[i]->native_handle());
        if (cert && X509_check_host(cert, server_name, 0, 0, nullptr) == 1)
            return i;
    }
    return 0;
}

int sni_tls_contexts::on_servername(SSL* ssl, int*, void* self_ptr) {
    const auto* self = static_cast<const sni_tls_contexts*>(self_ptr);
    const std::size_t i = self->pick(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name));
    if (i != 0)
        SSL_set_SSL_CTX(ssl, self->contexts_[i]->native_handle());
    return SSL_TLSEXT_ERR_OK;
}

}  // namespace switchyard::net
