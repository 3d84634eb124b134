#include "backends/net/reuseport_acceptor.hpp"

#include <sys/socket.h>

namespace switchyard::net {

boost::asio::ip::tcp::acceptor make_reuseport_acceptor(boost::asio::any_io_executor executor,
                                                       const boost::asio::ip::tcp::endpoint& at,
                                                       bool reuse_port, int backlog) {
    boost::asio::ip::tcp::acceptor acceptor(executor);
    acceptor.open(at.protocol());
    acceptor.set_option(boost::asio::socket_base::reuse_address(true));
    if (reuse_port) {
        using reuse_port_option =
            boost::asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
        acceptor.set_option(reuse_port_option(true));
    }
    acceptor.bind(at);
    acceptor.listen(backlog);
    return acceptor;
}

}  // namespace switchyard::net
