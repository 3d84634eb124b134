#include "backends/balancer/proxy_session.hpp"

#include "backends/balancer/http_relay.hpp"
#include "backends/balancer/proxy_worker.hpp"
#include "backends/balancer/request_forwarder.hpp"
#include "backends/net/parser_without_trailers.hpp"
#include "backends/net/request_framing.hpp"

namespace switchyard::balancer {

namespace {

template <class Stream>
asio::awaitable<void> run_session(session_io& io, Stream& stream, const std::string& client_ip) {
    auto& st = io.w.state();
    const auto& lim = st.config.limits;
    beast::flat_buffer buf;
    chunk_buffer staging;
    affinity_memo memo;
    bool first = true;
    for (;;) {
        beast::error_code ec;
        if (!first && buf.size() == 0) {
            if (st.draining.load(std::memory_order_relaxed))
                co_return;
            io.slot.idle = true;
            co_await read_more(io, stream, buf, lim.idle_timeout, ec);
            io.slot.idle = false;
            if (ec) {
                if (ec == beast::error::timeout)
                    st.totals.timeouts.fetch_add(1, std::memory_order_relaxed);
                co_return;
            }
        }
        first = false;
        net::parser_without_trailers<true> parser;
        parser.header_limit(lim.max_header_bytes);
        parser.body_limit(lim.max_body_bytes);
        std::optional<net::request_refusal> refused;
        co_await read_header(io, stream, buf, parser, lim.header_timeout, ec, &refused);
        if (!ec)
            refused = net::normalise_request_head(parser.get());
        if (refused) {
            st.totals.bad_requests.fetch_add(1, std::memory_order_relaxed);
            co_await send_simple(io, stream, refused->status,
                                 std::to_string(static_cast<unsigned>(refused->status)) + " " +
                                     std::string(refused->reason) + "\n",
                                 false);
            co_return;
        }
        if (ec) {
            if (ec == beast::error::timeout) {
                st.totals.timeouts.fetch_add(1, std::memory_order_relaxed);
                co_await send_simple(io, stream, http::status::request_timeout,
                                     "408 request header timeout\n", false);
                co_return;
            }
            if (!is_parse_error(ec))
                co_return;
            st.totals.bad_requests.fetch_add(1, std::memory_order_relaxed);
            if (ec == http::error::header_limit) {
                co_await send_simple(io, stream, http::status::request_header_fields_too_large,
                                     "431 request header too large\n", false);
            } else if (ec == http::error::body_limit) {
                co_await send_simple(io, stream, http::status::payload_too_large,
                                     "413 request body too large\n", false);
            } else {
                co_await send_simple(io, stream, http::status::bad_request,
                                     "400 malformed request\n", false);
            }
            co_return;
        }
        const bool keep = co_await forward(io, stream, buf, parser, client_ip, staging, memo);
        if (!keep)
            co_return;
    }
}

/// Per-connection bookkeeping: totals and the worker's session list.
class connection_scope {
  public:
    explicit connection_scope(proxy_worker& w) : w_(w), slot_(w.add_session()) {
        auto& t = w.state().totals;
        t.connections_active.fetch_add(1, std::memory_order_relaxed);
        t.connections_total.fetch_add(1, std::memory_order_relaxed);
    }
    ~connection_scope() {
        w_.remove_session(slot_);
        w_.state().totals.connections_active.fetch_sub(1, std::memory_order_relaxed);
    }
    connection_scope(const connection_scope&) = delete;
    connection_scope& operator=(const connection_scope&) = delete;
    session_slot& slot() { return *slot_; }

  private:
    proxy_worker& w_;
    std::list<session_slot>::iterator slot_;
};

std::string peer_ip(const tcp::socket& s) {
    beast::error_code ec;
    auto ep = s.remote_endpoint(ec);
    return ec ? std::string("0.0.0.0") : ep.address().to_string();
}

}  // namespace

asio::awaitable<void> serve_plain_client(proxy_worker& w, tcp::socket socket,
                                         [[maybe_unused]] address_quota::lease slot) {
    // `slot` lives in the coroutine frame: the address's count drops when the session ends.
    connection_scope scope(w);
    const std::string ip = peer_ip(socket);
    beast::error_code ec;
    socket.non_blocking(true, ec);
    scope.slot().client = &socket;
    session_io io{w, scope.slot()};
    co_await run_session(io, socket, ip);
    scope.slot().client = nullptr;
    close_stream(socket);
}

asio::awaitable<void> serve_tls_client(proxy_worker& w, tcp::socket socket,
                                       [[maybe_unused]] address_quota::lease slot) {
    connection_scope scope(w);
    const std::string ip = peer_ip(socket);
    beast::ssl_stream<tcp::socket> stream(std::move(socket), *w.tls_context());
    scope.slot().client = &lowest(stream);
    session_io io{w, scope.slot()};
    io.arm(w.state().config.limits.header_timeout);
    beast::error_code ec;
    co_await stream.async_handshake(asio::ssl::stream_base::server,
                                    redirect_error(use_awaitable, ec));
    if (!ec)
        co_await run_session(io, stream, ip);
    scope.slot().client = nullptr;
    close_stream(lowest(stream));
}

}  // namespace switchyard::balancer
