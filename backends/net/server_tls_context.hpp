#pragma once
// TLS server and client contexts with the project's one set of modern defaults.
#include <boost/asio/ssl/context.hpp>
#include <string>

namespace switchyard::net {

/// TLS 1.2+ server context with forward-secret AEAD ciphers, loading a PEM certificate chain
/// and private key. SNI-ready: the same context answers any server name. Throws
/// boost::system::system_error naming the file when a file cannot be loaded.
boost::asio::ssl::context make_server_tls_context(const std::string& cert_chain_file,
                                                  const std::string& private_key_file);

/// TLS 1.2+ client context. `verify_peer` false is for tests against self-signed certificates.
boost::asio::ssl::context make_client_tls_context(bool verify_peer);

}  // namespace switchyard::net
