#pragma once
// Several server certificates behind one TLS listener, chosen by the SNI name the client sends.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

struct ssl_st;

namespace switchyard::net {

/// One PEM certificate chain and its private key.
struct tls_certificate {
    std::string cert_file;
    std::string key_file;
};

/// Owns one server context per certificate (each made by make_server_tls_context). Streams are
/// created from `primary()`; during the handshake an OpenSSL servername callback moves the
/// connection to the first certificate whose names (subjectAltName, else CN; wildcards
/// honoured) match the client's SNI name. No SNI, or no match, keeps the first certificate.
class sni_tls_contexts {
  public:
    /// Throws boost::system::system_error naming the file that cannot be loaded.
    explicit sni_tls_contexts(const std::vector<tls_certificate>& certificates);
    sni_tls_contexts(const sni_tls_contexts&) = delete;
    sni_tls_contexts& operator=(const sni_tls_contexts&) = delete;

    boost::asio::ssl::context& primary() noexcept { return *contexts_.front(); }
    std::size_t size() const noexcept { return contexts_.size(); }
    /// Index of the certificate a handshake naming `server_name` gets (pure; for tests too).
    std::size_t pick(const char* server_name) const;

  private:
    static int on_servername(ssl_st* ssl, int* alert, void* self);

    std::vector<std::unique_ptr<boost::asio::ssl::context>> contexts_;
};

}  // namespace switchyard::net
