#pragma once
// After a 101: the client and backend connections as a byte tunnel until either side ends.
#include <boost/asio/awaitable.hpp>

#include "backends/balancer/session_io.hpp"
#include "backends/balancer/upstream_pool.hpp"

namespace switchyard::balancer {

/// Bytes both ways until either side ends. The backend ending (close, reset, death) closes the
/// client at once so it reconnects through the balancer; the client ending half-closes towards
/// the backend and lets the backend finish its side of the close handshake. Bytes either side
/// sent right behind the upgrade exchange (`client_buf`, `up.buffer`) go first.
asio::awaitable<void> run_tunnel(session_io& io, tcp::socket& client,
                                 beast::flat_buffer& client_buf, upstream_connection& up);
asio::awaitable<void> run_tunnel(session_io& io, beast::ssl_stream<tcp::socket>& client,
                                 beast::flat_buffer& client_buf, upstream_connection& up);

}  // namespace switchyard::balancer
