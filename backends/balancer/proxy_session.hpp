#pragma once
// The per-client coroutine: reads requests, chooses a backend, relays HTTP with keep-alive on
// both sides, or turns into a byte tunnel after a WebSocket upgrade.
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "backends/balancer/address_quota.hpp"

namespace switchyard::balancer {

class proxy_worker;

/// Serves one plain-HTTP client connection until it closes, times out or the worker drains.
/// `slot` is the connection's place in its address's quota, released when the session ends.
boost::asio::awaitable<void> serve_plain_client(proxy_worker& worker,
                                                boost::asio::ip::tcp::socket socket,
                                                address_quota::lease slot);
/// Same after a TLS handshake (the handshake shares the header timeout).
boost::asio::awaitable<void> serve_tls_client(proxy_worker& worker,
                                              boost::asio::ip::tcp::socket socket,
                                              address_quota::lease slot);

}  // namespace switchyard::balancer
