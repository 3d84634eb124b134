#include "backends/balancer/tunnel.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

namespace switchyard::balancer {

namespace {

/// Before a tunnel starts: passes on bytes either side sent right behind the upgrade exchange
/// (they sit in the parsers' buffers). False (backend closed) when that fails.
template <class Stream>
asio::awaitable<bool> flush_upgrade_leftovers(session_io& io, Stream& client,
                                              beast::flat_buffer& client_buf,
                                              upstream_connection& up) {
    constexpr auto no_timeout = std::chrono::hours(24 * 365);
    beast::error_code ec;
    if (client_buf.size() > 0) {
        co_await write_all(io, up.socket, client_buf.data(), no_timeout, ec);
        client_buf.consume(client_buf.size());
    }
    if (!ec && up.buffer.size() > 0) {
        co_await write_all(io, client, up.buffer.data(), no_timeout, ec);
        up.buffer.consume(up.buffer.size());
    }
    io.disarm();
    if (ec)
        close_stream(up.socket);
    co_return !ec;
}

/// After a 101: bytes both ways until either side ends. The backend ending (close, reset, death)
/// closes the client at once so it reconnects through the balancer; the client ending half-closes
/// towards the backend and lets the backend finish its side of the close handshake. Each
/// direction is one read into its own reused buffer and one write (a direct send when the
/// kernel takes it all): no timers, no allocation per message.
}  // namespace

asio::awaitable<void> run_tunnel(session_io& io, beast::ssl_stream<tcp::socket>& client,
                                 beast::flat_buffer& client_buf, upstream_connection& up) {
    using namespace asio::experimental::awaitable_operators;
    io.disarm();
    const std::size_t buffer_bytes = io.w.state().config.limits.tunnel_buffer_bytes;
    constexpr auto no_timeout = std::chrono::hours(24 * 365);
    if (!co_await flush_upgrade_leftovers(io, client, client_buf, up))
        co_return;
    auto close_both = [&] {
        close_stream(up.socket);
        close_stream(lowest(client));
    };
    // The direct send never arms the session deadline; a send that has to wait is bounded only
    // by the peer closing (a tunnel has no timeouts).
    auto client_to_backend = [&]() -> asio::awaitable<void> {
        std::unique_ptr<char[]> buf(new char[buffer_bytes]);
        beast::error_code e;
        for (;;) {
            const std::size_t n = co_await client.async_read_some(
                asio::buffer(buf.get(), buffer_bytes), redirect_error(use_awaitable, e));
            if (e) {
                if (e == asio::error::eof || e == asio::ssl::error::stream_truncated) {
                    beast::error_code ignored;
                    up.socket.shutdown(tcp::socket::shutdown_send, ignored);
                } else {
                    close_both();
                }
                co_return;
            }
            co_await write_all(io, up.socket, asio::buffer(buf.get(), n), no_timeout, e);
            io.disarm();
            if (e) {
                close_both();
                co_return;
            }
        }
    };
    auto backend_to_client = [&]() -> asio::awaitable<void> {
        std::unique_ptr<char[]> buf(new char[buffer_bytes]);
        beast::error_code e;
        for (;;) {
            const std::size_t n = co_await up.socket.async_read_some(
                asio::buffer(buf.get(), buffer_bytes), redirect_error(use_awaitable, e));
            if (e)
                break;
            co_await write_all(io, client, asio::buffer(buf.get(), n), no_timeout, e);
            io.disarm();
            if (e)
                break;
        }
        close_both();
    };
    co_await (client_to_backend() && backend_to_client());
}

namespace {

/// The plain-TCP tunnel as two callback-driven pumps: a read completion sends straight from
/// the handler and re-arms the read, so a tunnelled message costs one `recv`, one `send` and one
/// handler, without resuming a coroutine per message (the coroutine version spent ~a third of
/// its user-space time there). Same end-of-tunnel rules as `run_tunnel`.
class plain_tunnel {
  public:
    plain_tunnel(tcp::socket& client, tcp::socket& backend, std::size_t buffer_bytes,
                 asio::steady_timer& done)
        : bytes_(buffer_bytes),
          done_(done),
          up_{&client, &backend, std::make_unique<char[]>(buffer_bytes), true},
          down_{&backend, &client, std::make_unique<char[]>(buffer_bytes), false} {}
    plain_tunnel(const plain_tunnel&) = delete;
    plain_tunnel& operator=(const plain_tunnel&) = delete;

    void start() {
        read(up_);
        read(down_);
    }

  private:
    struct half {
        tcp::socket* from;
        tcp::socket* to;
        std::unique_ptr<char[]> buffer;
        bool from_client;
        bool ended = false;
    };

    void read(half& h) {
        h.from->async_read_some(
            asio::buffer(h.buffer.get(), bytes_),
            [this, &h](const beast::error_code& ec, std::size_t n) { on_read(h, ec, n); });
    }

    void on_read(half& h, const beast::error_code& ec, std::size_t n) {
        if (ec) {
            if (h.from_client && ec == asio::error::eof) {
                // The client is done sending: pass the half-close on and let the backend
                // finish its side of the close handshake.
                beast::error_code ignored;
                h.to->shutdown(tcp::socket::shutdown_send, ignored);
            } else {
                close_both();
            }
            end(h);
            return;
        }
        beast::error_code wec;
        const std::size_t sent = h.to->write_some(asio::buffer(h.buffer.get(), n), wec);
        if (!wec && sent == n) {
            read(h);
            return;
        }
        if (wec && wec != asio::error::would_block && wec != asio::error::try_again) {
            close_both();
            end(h);
            return;
        }
        const std::size_t done = wec ? 0 : sent;
        asio::async_write(*h.to, asio::buffer(h.buffer.get() + done, n - done),
                          [this, &h](const beast::error_code& e, std::size_t) {
                              if (e) {
                                  close_both();
                                  end(h);
                                  return;
                              }
                              read(h);
                          });
    }

    void close_both() {
        close_stream(*up_.from);
        close_stream(*up_.to);
    }

    void end(half& h) {
        h.ended = true;
        if (up_.ended && down_.ended)
            done_.cancel();
    }

    std::size_t bytes_;
    asio::steady_timer& done_;
    half up_;
    half down_;
};

}  // namespace

/// Plain TCP: the callback pump above; the coroutine only waits for both directions to end.
asio::awaitable<void> run_tunnel(session_io& io, tcp::socket& client,
                                 beast::flat_buffer& client_buf, upstream_connection& up) {
    io.disarm();
    if (!co_await flush_upgrade_leftovers(io, client, client_buf, up))
        co_return;
    beast::error_code ec;
    asio::steady_timer done(client.get_executor(), asio::steady_timer::time_point::max());
    plain_tunnel tunnel(client, up.socket, io.w.state().config.limits.tunnel_buffer_bytes, done);
    tunnel.start();
    co_await done.async_wait(redirect_error(use_awaitable, ec));
}

}  // namespace switchyard::balancer
