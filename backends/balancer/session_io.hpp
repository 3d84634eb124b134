#pragma once
// The I/O steps every client session of a worker is built from: one coarse deadline per session
// (armed here, enforced by the worker's sweep), direct-send writes and single reads.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>

#include "backends/balancer/proxy_worker.hpp"

namespace switchyard::balancer {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::redirect_error;
using asio::use_awaitable;

template <class Stream>
tcp::socket& lowest(Stream& s) {
    return beast::get_lowest_layer(s);
}

/// What a session's I/O steps share: the worker (for deadlines) and the session's slot.
struct session_io {
    proxy_worker& w;
    session_slot& slot;
    /// The next step must finish within `t`.
    void arm(std::chrono::milliseconds t) { w.arm(slot, t); }
    void disarm() {
        slot.deadline = session_slot::time_point::max();
        slot.timed_out = false;
    }
    /// A step the sweep cancelled reports a timeout, like Beast's timed streams do.
    void classify(beast::error_code& ec) const {
        if (ec && slot.timed_out)
            ec = beast::error::timeout;
    }
};

/// Largest single read into a message buffer.
constexpr std::size_t read_step_bytes = 16384;

/// Writes all of `buffers`. On a plain socket the first attempt is a direct non-blocking send:
/// when the kernel takes everything (the usual case for a proxied message), no asynchronous
/// operation, handler or coroutine suspension is paid for it.
template <class Buffers>
asio::awaitable<void> write_all(session_io& io, tcp::socket& s, const Buffers& buffers,
                                std::chrono::milliseconds timeout, beast::error_code& ec) {
    ec = {};
    const std::size_t n = s.write_some(buffers, ec);
    if (!ec && n == asio::buffer_size(buffers))
        co_return;
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again)
        co_return;
    ec = {};
    beast::buffers_suffix<Buffers> rest(buffers);
    rest.consume(n);
    io.arm(timeout);
    co_await asio::async_write(s, rest, redirect_error(use_awaitable, ec));
    io.classify(ec);
}
template <class Buffers>
asio::awaitable<void> write_all(session_io& io, beast::ssl_stream<tcp::socket>& s,
                                const Buffers& buffers, std::chrono::milliseconds timeout,
                                beast::error_code& ec) {
    ec = {};
    io.arm(timeout);
    co_await asio::async_write(s, buffers, redirect_error(use_awaitable, ec));
    io.classify(ec);
}

/// One read into `buffer`; end of stream is reported as asio::error::eof. The read must end
/// within `timeout`; with `timeout` zero it keeps the deadline already armed (a step made of
/// several reads, bounded as a whole).
template <class Stream>
asio::awaitable<void> read_more(session_io& io, Stream& s, beast::flat_buffer& buffer,
                                std::chrono::milliseconds timeout, beast::error_code& ec) {
    ec = {};
    if (timeout.count() > 0)
        io.arm(timeout);
    const std::size_t n = co_await s.async_read_some(buffer.prepare(read_step_bytes),
                                                     redirect_error(use_awaitable, ec));
    buffer.commit(n);
    io.classify(ec);
    if (ec == asio::ssl::error::stream_truncated)
        ec = asio::error::eof;
}

inline void close_stream(tcp::socket& s) {
    beast::error_code ec;
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
}

}  // namespace switchyard::balancer
