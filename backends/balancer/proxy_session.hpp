#pragma once
// The per-client coroutine: reads requests, chooses a backend, relays HTTP with keep-alive on
// both sides, or turns into a byte tunnel after a WebSocket upgrade.
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace switchyard::balancer {

class proxy_worker;

/// Serves one plain-HTTP client connection until it closes, times out or the worker drains.
boost::asio::awaitable<void> serve_plain_client(proxy_worker& worker,
                                                boost::asio::ip::tcp::socket socket);
/// Same after a TLS handshake (the handshake shares the header timeout).
boost::asio::awaitable<void> serve_tls_client(proxy_worker& worker,
                                              boost::asio::ip::tcp::socket socket);

}  // namespace switchyard::balancer
