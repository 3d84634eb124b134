#pragma once
// A TCP listener that several threads can each own on the same port (SO_REUSEPORT), so the
// kernel spreads new connections across one io_context per core.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace switchyard::net {

/// Opens, binds and listens. With `reuse_port`, other acceptors may bind the same address and
/// port (bind the first one to port 0, then the others to the port it got). Throws
/// boost::system::system_error when the address cannot be bound.
boost::asio::ip::tcp::acceptor make_reuseport_acceptor(boost::asio::any_io_executor executor,
                                                       const boost::asio::ip::tcp::endpoint& at,
                                                       bool reuse_port, int backlog = 1024);

}  // namespace switchyard::net
