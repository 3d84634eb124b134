#include "backends/balancer/proxy_session.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "backends/balancer/proxy_worker.hpp"
#include "backends/net/proxy_headers.hpp"

namespace switchyard::balancer {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::redirect_error;
using asio::use_awaitable;

namespace {

/// Bytes of body relayed per read/write step; bodies are streamed, never held whole.
constexpr std::size_t relay_chunk_bytes = 16384;
/// Largest response header accepted from a backend.
constexpr std::uint32_t max_upstream_header_bytes = 65536;
/// Extra fresh-connection attempts after a pooled keep-alive connection turned out closed.
constexpr unsigned max_stale_retries = 2;
/// How long an error answer (400, 503, ...) may take to write.
constexpr std::chrono::seconds error_write_timeout{5};

template <class Stream>
beast::tcp_stream& lowest(Stream& s) {
    return beast::get_lowest_layer(s);
}

enum class relay_fault { none, input, output };

/// Streams one message from `in` to `out`: the header as already parsed into `p` (and possibly
/// rewritten), then the body chunk by chunk with the framing it arrived in.
/// A session's body staging buffer: allocated on the first body, reused for the connection's
/// life, never zeroed (every byte is written before it is read).
class chunk_buffer {
  public:
    char* get() {
        if (!data_)
            data_.reset(new char[relay_chunk_bytes]);
        return data_.get();
    }
    /// Reused text of the last serialized header (keeps its capacity between messages).
    std::string& header() { return header_; }

  private:
    std::unique_ptr<char[]> data_;
    std::string header_;
};

/// Writes the start line and fields exactly as they stand (the fast path below).
template <class Fields>
void serialize_start(std::string& out, const http::header<true, Fields>& h) {
    out.append(h.method_string());
    out += ' ';
    out.append(h.target());
    out.append(h.version() == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
}
template <class Fields>
void serialize_start(std::string& out, const http::header<false, Fields>& h) {
    out.append(h.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    out += std::to_string(h.result_int());
    out += ' ';
    const auto reason = h.reason();
    out.append(reason.empty() ? http::obsolete_reason(h.result()) : reason);
    out.append("\r\n");
}
template <bool is_request, class Fields>
void serialize_header(std::string& out, const http::header<is_request, Fields>& h) {
    out.clear();
    serialize_start(out, h);
    for (const auto& f : h) {
        out.append(f.name_string());
        out.append(": ");
        out.append(f.value());
        out.append("\r\n");
    }
    out.append("\r\n");
}

template <bool is_request, class Out, class In>
asio::awaitable<relay_fault> relay_message(Out& out, In& in, beast::flat_buffer& in_buffer,
                                           http::parser<is_request, http::buffer_body>& p,
                                           chunk_buffer& staging,
                                           std::chrono::milliseconds in_timeout,
                                           std::chrono::milliseconds out_timeout,
                                           beast::error_code& ec) {
    http::serializer<is_request, http::buffer_body> sr{p.get()};
    char* chunk = nullptr;
    bool first = true;
    // Timers are armed only for steps that may wait on a socket: a small body that arrived with
    // its header is relayed without touching the input side's timer.
    lowest(out).expires_after(out_timeout);
    do {
        if (!p.is_done()) {
            if (!chunk)
                chunk = staging.get();
            p.get().body().data = chunk;
            p.get().body().size = relay_chunk_bytes;
            if (in_buffer.size() == 0)
                lowest(in).expires_after(in_timeout);
            co_await http::async_read(in, in_buffer, p, redirect_error(use_awaitable, ec));
            if (ec == http::error::need_buffer)
                ec = {};
            if (ec)
                co_return relay_fault::input;
            p.get().body().size = relay_chunk_bytes - p.get().body().size;
            p.get().body().data = chunk;
            p.get().body().more = !p.is_done();
            lowest(out).expires_after(out_timeout);
        } else {
            p.get().body().data = nullptr;
            p.get().body().size = 0;
            p.get().body().more = false;
        }
        if (first && p.is_done() && !p.get().chunked()) {
            // The whole message is in hand and its framing is a length (or none): one gather
            // write of header and body, skipping Beast's generic serializer, which costs more
            // than the rest of the relay for small messages.
            auto& text = staging.header();
            serialize_header(text, p.get().base());
            const std::array<asio::const_buffer, 2> parts{
                asio::buffer(text), asio::buffer(p.get().body().data, p.get().body().size)};
            co_await asio::async_write(out, parts, redirect_error(use_awaitable, ec));
            co_return ec ? relay_fault::output : relay_fault::none;
        }
        first = false;
        co_await http::async_write(out, sr, redirect_error(use_awaitable, ec));
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec)
            co_return relay_fault::output;
    } while (!p.is_done() && !sr.is_done());
    co_return relay_fault::none;
}

template <class Stream>
asio::awaitable<void> send_simple(Stream& stream, http::status status, std::string_view body,
                                  bool keep_alive) {
    http::response<http::string_body> res{status, 11};
    res.set(http::field::server, "switchyard-lb");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.body() = std::string(body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    lowest(stream).expires_after(error_write_timeout);
    beast::error_code ec;
    co_await http::async_write(stream, res, redirect_error(use_awaitable, ec));
}

bool retry_safe(http::verb v) {
    switch (v) {
        case http::verb::get:
        case http::verb::head:
        case http::verb::options:
        case http::verb::put:
        case http::verb::delete_:
        case http::verb::trace:
            return true;
        default:
            return false;
    }
}

/// Counts a backend's in-flight work for least-conn and /stats while a request or tunnel lives.
class active_guard {
  public:
    explicit active_guard(backend_counters& c) : c_(c) {
        c_.active_connections.fetch_add(1, std::memory_order_relaxed);
    }
    ~active_guard() { c_.active_connections.fetch_sub(1, std::memory_order_relaxed); }
    active_guard(const active_guard&) = delete;
    active_guard& operator=(const active_guard&) = delete;

  private:
    backend_counters& c_;
};

void close_stream(beast::tcp_stream& s) {
    beast::error_code ec;
    s.socket().shutdown(tcp::socket::shutdown_both, ec);
    s.close();
}

/// The object a tunnel reads and writes: the bare socket for plain TCP (skipping tcp_stream's
/// per-operation timer bookkeeping, which a tunnel without timeouts does not need), the TLS
/// stream otherwise.
inline tcp::socket& tunnel_io(beast::tcp_stream& s) {
    return s.socket();
}
inline beast::ssl_stream<beast::tcp_stream>& tunnel_io(beast::ssl_stream<beast::tcp_stream>& s) {
    return s;
}

/// After a 101: bytes both ways until either side ends. The backend ending (close, reset, death)
/// closes the client at once so it reconnects through the balancer; the client ending half-closes
/// towards the backend and lets the backend finish its side of the close handshake.
template <class Stream>
asio::awaitable<void> run_tunnel(proxy_worker& w, Stream& client, beast::flat_buffer& client_buf,
                                 upstream_connection& up) {
    using namespace asio::experimental::awaitable_operators;
    lowest(client).expires_never();
    up.stream.expires_never();
    const std::size_t buffer_bytes = w.state().config.limits.tunnel_buffer_bytes;
    beast::error_code ec;
    if (client_buf.size() > 0) {
        co_await asio::async_write(up.stream, client_buf.data(), redirect_error(use_awaitable, ec));
        client_buf.consume(client_buf.size());
    }
    if (!ec && up.buffer.size() > 0) {
        co_await asio::async_write(client, up.buffer.data(), redirect_error(use_awaitable, ec));
        up.buffer.consume(up.buffer.size());
    }
    if (ec) {
        close_stream(up.stream);
        co_return;
    }
    auto close_both = [&] {
        close_stream(up.stream);
        close_stream(lowest(client));
    };
    auto client_to_backend = [&]() -> asio::awaitable<void> {
        std::unique_ptr<char[]> buf(new char[buffer_bytes]);
        beast::error_code e;
        for (;;) {
            const std::size_t n = co_await tunnel_io(client).async_read_some(
                asio::buffer(buf.get(), buffer_bytes), redirect_error(use_awaitable, e));
            if (e) {
                if (e == asio::error::eof || e == asio::ssl::error::stream_truncated) {
                    beast::error_code ignored;
                    up.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
                } else {
                    close_both();
                }
                co_return;
            }
            co_await asio::async_write(up.stream.socket(), asio::buffer(buf.get(), n),
                                       redirect_error(use_awaitable, e));
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
            const std::size_t n = co_await up.stream.socket().async_read_some(
                asio::buffer(buf.get(), buffer_bytes), redirect_error(use_awaitable, e));
            if (e)
                break;
            co_await asio::async_write(tunnel_io(client), asio::buffer(buf.get(), n),
                                       redirect_error(use_awaitable, e));
            if (e)
                break;
        }
        close_both();
    };
    co_await (client_to_backend() && backend_to_client());
}

/// Handles one parsed request header: choose, forward (redispatching on refusal), relay the
/// answer. Returns true when the client connection may carry another request.
template <class Stream>
asio::awaitable<bool> forward(proxy_worker& w, Stream& stream, beast::flat_buffer& buf,
                              http::request_parser<http::buffer_body>& parser, bool tls,
                              const std::string& client_ip, chunk_buffer& staging) {
    auto& st = w.state();
    const auto& cfg = st.config;
    const auto& lim = cfg.limits;
    auto& req = parser.get();
    const bool client_keep_alive = req.keep_alive();
    const bool has_body = !parser.is_done();
    const bool upgrade = beast::websocket::is_upgrade(req);
    beast::error_code ec;

    std::optional<std::size_t> pinned;
    if (cfg.sticky.enabled) {
        auto it = req.find(http::field::cookie);
        if (it != req.end()) {
            auto value = find_cookie(it->value(), cfg.sticky.cookie);
            if (!value.empty())
                pinned = w.decode_cookie(value);
        }
    }
    if (has_body) {
        auto expect = req.find(http::field::expect);
        if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
            // Answer the interim response ourselves; a backend's 100 would be taken for the
            // final answer by the relay.
            req.erase(http::field::expect);
            static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
            lowest(stream).expires_after(lim.header_timeout);
            co_await asio::async_write(stream, asio::buffer(cont.data(), cont.size()),
                                       redirect_error(use_awaitable, ec));
            if (ec)
                co_return false;
        }
    }
    net::strip_hop_by_hop(req, upgrade);
    if (upgrade)
        req.set(http::field::connection, "Upgrade");
    else
        req.version(11);
    net::add_forwarded(req, client_ip, tls ? "https" : "http");
    const bool may_retry_after_send = !has_body && retry_safe(req.method());

    std::vector<std::uint8_t> tried;
    unsigned failures = 0;
    unsigned stale_retries = 0;
    for (;;) {
        auto ch = w.chooser().choose(pinned, tried, client_ip);
        if (!ch) {
            st.totals.no_backend.fetch_add(1, std::memory_order_relaxed);
            const bool keep = client_keep_alive && !has_body && !st.draining;
            co_await send_simple(stream, http::status::service_unavailable,
                                 "503 no backend available\n", keep);
            co_return keep;
        }
        const std::size_t idx = ch->index;
        auto& counters = st.pool.counters(idx);
        auto mark_failed = [&] {
            st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
            w.upstreams().flush(idx);
            if (tried.empty())
                tried.assign(st.pool.size(), 0);
            tried[idx] = 1;
            ++failures;
            st.totals.redispatches.fetch_add(1, std::memory_order_relaxed);
        };
        auto give_up = [&]() -> bool { return failures > lim.redispatch_max; };

        std::unique_ptr<upstream_connection> up;
        if (!upgrade)
            up = w.upstreams().take(idx);
        if (!up) {
            up = std::make_unique<upstream_connection>(w.context().get_executor(), idx);
            up->stream.expires_after(lim.connect_timeout);
            co_await up->stream.async_connect(st.endpoints[idx], redirect_error(use_awaitable, ec));
            if (ec) {
                // Refused or timed out: nothing was sent, so any request may go elsewhere.
                mark_failed();
                if (give_up())
                    break;
                continue;
            }
            up->stream.socket().set_option(tcp::no_delay(true), ec);
        }
        active_guard active(counters);

        auto on_send_failure = [&](bool reused) -> bool {
            if (reused && stale_retries < max_stale_retries) {
                // The backend closed an idle pooled connection; not a health signal.
                ++stale_retries;
                w.upstreams().flush(idx);
                return true;
            }
            mark_failed();
            return !give_up();
        };

        auto fault = co_await relay_message(up->stream, stream, buf, parser, staging,
                                            lim.idle_timeout, lim.upstream_timeout, ec);
        if (fault == relay_fault::input) {
            if (ec == http::error::body_limit) {
                // A chunked body grew past the limit mid-stream: the backend saw a cut request
                // (its connection is dropped); the client learns why.
                st.totals.bad_requests.fetch_add(1, std::memory_order_relaxed);
                co_await send_simple(stream, http::status::payload_too_large,
                                     "413 request body too large\n", false);
            }
            co_return false;  // the client went away or broke the body
        }
        if (fault == relay_fault::output) {
            if (!has_body && on_send_failure(up->reused))
                continue;
            break;
        }

        http::response_parser<http::buffer_body> rp;
        rp.header_limit(max_upstream_header_bytes);
        rp.body_limit(boost::none);
        if (req.method() == http::verb::head)
            rp.skip(true);
        up->stream.expires_after(lim.upstream_timeout);
        co_await http::async_read_header(up->stream, up->buffer, rp,
                                         redirect_error(use_awaitable, ec));
        if (ec) {
            if (!has_body && (may_retry_after_send || up->reused)) {
                if (on_send_failure(up->reused))
                    continue;
                break;
            }
            if (!up->reused)
                st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
            break;
        }

        auto& res = rp.get();
        counters.requests.fetch_add(1, std::memory_order_relaxed);
        st.totals.requests.fetch_add(1, std::memory_order_relaxed);
        if (res.result_int() >= 500)
            counters.responses_5xx.fetch_add(1, std::memory_order_relaxed);
        const bool set_cookie = ch->set_cookie && cfg.sticky.enabled;

        if (upgrade && res.result() == http::status::switching_protocols) {
            if (set_cookie)
                res.insert(http::field::set_cookie, w.set_cookie_for(idx, tls));
            fault = co_await relay_message(stream, up->stream, up->buffer, rp, staging,
                                           lim.upstream_timeout, lim.idle_timeout, ec);
            if (fault != relay_fault::none) {
                close_stream(up->stream);
                co_return false;
            }
            counters.tunnels.fetch_add(1, std::memory_order_relaxed);
            counters.active_tunnels.fetch_add(1, std::memory_order_relaxed);
            st.totals.tunnels.fetch_add(1, std::memory_order_relaxed);
            st.totals.tunnels_active.fetch_add(1, std::memory_order_relaxed);
            co_await run_tunnel(w, stream, buf, *up);
            counters.active_tunnels.fetch_sub(1, std::memory_order_relaxed);
            st.totals.tunnels_active.fetch_sub(1, std::memory_order_relaxed);
            co_return false;
        }

        bool keep = client_keep_alive && !upgrade && !st.draining.load(std::memory_order_relaxed);
        const bool upstream_reusable = rp.keep_alive();
        if (!rp.is_done() && !rp.chunked() && !rp.content_length())
            keep = false;  // body ends at close: the client needs the close too
        net::strip_hop_by_hop(res);
        res.keep_alive(keep);
        if (set_cookie)
            res.insert(http::field::set_cookie, w.set_cookie_for(idx, tls));
        fault = co_await relay_message(stream, up->stream, up->buffer, rp, staging,
                                       lim.upstream_timeout, lim.idle_timeout, ec);
        if (fault == relay_fault::input) {
            st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
            co_return false;  // response cut short: only closing tells the client
        }
        if (fault == relay_fault::output)
            co_return false;
        if (upstream_reusable && rp.is_done())
            w.upstreams().put(std::move(up));
        co_return keep;
    }
    st.totals.bad_gateway.fetch_add(1, std::memory_order_relaxed);
    co_await send_simple(stream, http::status::bad_gateway, "502 backend failed\n", false);
    co_return false;
}

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_method).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

template <class Stream>
asio::awaitable<void> run_session(proxy_worker& w, Stream& stream, bool tls,
                                  const std::string& client_ip, session_slot& slot) {
    auto& st = w.state();
    const auto& lim = st.config.limits;
    beast::flat_buffer buf;
    chunk_buffer staging;
    bool first = true;
    for (;;) {
        beast::error_code ec;
        if (!first && buf.size() == 0) {
            if (st.draining.load(std::memory_order_relaxed))
                co_return;
            slot.idle = true;
            lowest(stream).expires_after(lim.idle_timeout);
            const std::size_t n = co_await stream.async_read_some(
                buf.prepare(4096), redirect_error(use_awaitable, ec));
            slot.idle = false;
            if (ec) {
                if (ec == beast::error::timeout)
                    st.totals.timeouts.fetch_add(1, std::memory_order_relaxed);
                co_return;
            }
            buf.commit(n);
        }
        first = false;
        http::request_parser<http::buffer_body> parser;
        parser.header_limit(lim.max_header_bytes);
        parser.body_limit(lim.max_body_bytes);
        lowest(stream).expires_after(lim.header_timeout);
        co_await http::async_read_header(stream, buf, parser, redirect_error(use_awaitable, ec));
        if (ec) {
            if (ec == beast::error::timeout) {
                st.totals.timeouts.fetch_add(1, std::memory_order_relaxed);
                co_await send_simple(stream, http::status::request_timeout,
                                     "408 request header timeout\n", false);
                co_return;
            }
            if (!is_parse_error(ec))
                co_return;
            st.totals.bad_requests.fetch_add(1, std::memory_order_relaxed);
            if (ec == http::error::header_limit) {
                co_await send_simple(stream, http::status::request_header_fields_too_large,
                                     "431 request header too large\n", false);
            } else if (ec == http::error::body_limit) {
                co_await send_simple(stream, http::status::payload_too_large,
                                     "413 request body too large\n", false);
            } else {
                co_await send_simple(stream, http::status::bad_request, "400 malformed request\n",
                                     false);
            }
            co_return;
        }
        const bool keep = co_await forward(w, stream, buf, parser, tls, client_ip, staging);
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

asio::awaitable<void> serve_plain_client(proxy_worker& w, tcp::socket socket) {
    connection_scope scope(w);
    const std::string ip = peer_ip(socket);
    beast::tcp_stream stream(std::move(socket));
    scope.slot().lowest = &stream;
    co_await run_session(w, stream, false, ip, scope.slot());
    close_stream(stream);
}

asio::awaitable<void> serve_tls_client(proxy_worker& w, tcp::socket socket) {
    connection_scope scope(w);
    const std::string ip = peer_ip(socket);
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *w.tls_context());
    scope.slot().lowest = &beast::get_lowest_layer(stream);
    beast::get_lowest_layer(stream).expires_after(w.state().config.limits.header_timeout);
    beast::error_code ec;
    co_await stream.async_handshake(asio::ssl::stream_base::server,
                                    redirect_error(use_awaitable, ec));
    if (!ec)
        co_await run_session(w, stream, true, ip, scope.slot());
    close_stream(beast::get_lowest_layer(stream));
}

}  // namespace switchyard::balancer
