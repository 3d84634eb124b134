#include "backends/balancer/proxy_session.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "backends/balancer/proxy_worker.hpp"
#include "backends/net/parser_without_trailers.hpp"
#include "backends/net/proxy_headers.hpp"
#include "backends/net/request_framing.hpp"

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

enum class relay_fault { none, input, output };

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

/// One read into `buffer`; end of stream is reported as asio::error::eof.
template <class Stream>
asio::awaitable<void> read_more(session_io& io, Stream& s, beast::flat_buffer& buffer,
                                std::chrono::milliseconds timeout, beast::error_code& ec) {
    ec = {};
    io.arm(timeout);
    const std::size_t n = co_await s.async_read_some(buffer.prepare(read_step_bytes),
                                                     redirect_error(use_awaitable, ec));
    buffer.commit(n);
    io.classify(ec);
    if (ec == asio::ssl::error::stream_truncated)
        ec = asio::error::eof;
}

/// What a read ending at end-of-stream means to the parser (as Beast's read does it).
template <bool is_request>
void on_eof(http::basic_parser<is_request>& p, beast::error_code& ec) {
    if (p.got_some())
        p.put_eof(ec);
    else
        ec = http::error::end_of_stream;
}

/// Reads until the parser has the whole header (it stops there, body bytes stay in `buffer`).
/// Feeds the parser directly instead of through Beast's composed read, which costs several
/// handler layers per step.
/// For a request: the raw head is checked (obs-fold, bare LF) before the parser reads it, since
/// the parser would accept both. Beast parses a header only once all of it is in the buffer, so
/// the bytes it is about to read are exactly those up to the first blank line. A refusal is put
/// in `refused` and reported as a parse error.
template <class Stream, bool is_request>
asio::awaitable<void> read_header(session_io& io, Stream& s, beast::flat_buffer& buffer,
                                  http::basic_parser<is_request>& p,
                                  std::chrono::milliseconds timeout, beast::error_code& ec,
                                  std::optional<net::request_refusal>* refused = nullptr) {
    for (;;) {
        ec = {};
        if (refused && buffer.size() > 0 && !p.is_header_done()) {
            const std::string_view bytes(static_cast<const char*>(buffer.data().data()),
                                         buffer.size());
            const auto end = bytes.find("\r\n\r\n");
            if (end != std::string_view::npos) {
                *refused = net::check_raw_head(bytes.substr(0, end + 4));
                if (*refused) {
                    ec = http::error::bad_obs_fold;
                    co_return;
                }
            }
        }
        if (buffer.size() > 0) {
            const std::size_t used = p.put(buffer.data(), ec);
            buffer.consume(used);
            if (ec == http::error::need_more)
                ec = {};
            else if (ec)
                co_return;
            if (p.is_header_done())
                co_return;
        }
        co_await read_more(io, s, buffer, timeout, ec);
        if (ec == asio::error::eof) {
            ec = {};
            on_eof(p, ec);
            if (!ec && !p.is_header_done())
                ec = http::error::partial_message;
            co_return;
        }
        if (ec)
            co_return;
    }
}

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
    char digits[4];
    const unsigned code = h.result_int();
    digits[0] = static_cast<char>('0' + code / 100 % 10);
    digits[1] = static_cast<char>('0' + code / 10 % 10);
    digits[2] = static_cast<char>('0' + code % 10);
    digits[3] = ' ';
    out.append(digits, 4);
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

/// Bodies up to this size are copied behind the header so the message leaves in one send.
constexpr std::size_t coalesce_body_bytes = 4096;

/// Longest chunk-size line or trailer section the body parser may wait on.
constexpr std::size_t max_pending_line_bytes = 16384;

/// When the body parser waits for more input, what it left unread is an unfinished chunk-size
/// line or trailer section. Beast wants CRLF there and waits forever on a bare LF (the request
/// would hang until the idle timeout), and on a line with no end it would buffer without bound;
/// both are malformed.
bool pending_line_ok(const beast::flat_buffer& pending) {
    const std::string_view bytes(static_cast<const char*>(pending.data().data()), pending.size());
    if (bytes.size() > max_pending_line_bytes)
        return false;
    for (std::size_t i = bytes.find('\n'); i != std::string_view::npos; i = bytes.find('\n', i + 1))
        if (i == 0 || bytes[i - 1] != '\r')
            return false;
    return true;
}

/// Streams one message from `in` to `out`: the header as already parsed into `p` (and possibly
/// rewritten), then the body piece by piece with the framing it arrived in. Whatever body bytes
/// have arrived are passed on before waiting for more.
template <bool is_request, class Out, class In>
asio::awaitable<relay_fault> relay_message(session_io& io, Out& out, In& in,
                                           beast::flat_buffer& in_buffer,
                                           http::parser<is_request, http::buffer_body>& p,
                                           chunk_buffer& staging,
                                           std::chrono::milliseconds in_timeout,
                                           std::chrono::milliseconds out_timeout,
                                           beast::error_code& ec) {
    std::optional<http::serializer<is_request, http::buffer_body>> sr;
    auto& body = p.get().body();
    bool first = true;
    for (;;) {
        ec = {};
        if (!p.is_done()) {
            char* chunk = staging.get();
            body.data = chunk;
            body.size = relay_chunk_bytes;
            for (;;) {
                bool need_input = in_buffer.size() == 0;
                if (!need_input) {
                    const std::size_t used = p.put(in_buffer.data(), ec);
                    in_buffer.consume(used);
                    if (ec == http::error::need_buffer) {
                        ec = {};
                        break;  // the staging chunk is full
                    }
                    if (ec == http::error::need_more) {
                        ec = {};
                        need_input = true;
                        if (!pending_line_ok(in_buffer)) {
                            ec = http::error::bad_chunk;
                            co_return relay_fault::input;
                        }
                    } else if (ec) {
                        co_return relay_fault::input;
                    }
                    if (p.is_done())
                        break;
                    if (!need_input && used > 0)
                        continue;
                }
                if (body.size < relay_chunk_bytes)
                    break;  // pass on what has arrived before waiting for more
                co_await read_more(io, in, in_buffer, in_timeout, ec);
                if (ec == asio::error::eof) {
                    ec = {};
                    on_eof(p, ec);
                    if (ec)
                        co_return relay_fault::input;
                    break;
                }
                if (ec)
                    co_return relay_fault::input;
            }
            body.size = relay_chunk_bytes - body.size;
            // No bytes must mean no buffer: Beast would frame an empty buffer as a chunk of
            // size 0, which the receiver reads as the end of the body.
            body.data = body.size > 0 ? chunk : nullptr;
            body.more = !p.is_done();
        } else {
            body.data = nullptr;
            body.size = 0;
            body.more = false;
        }
        if (first && p.is_done() && !p.get().chunked()) {
            // The whole message is in hand and its framing is a length (or none): one write of
            // header and body, skipping Beast's generic serializer, which costs more than the
            // rest of the relay for small messages.
            auto& text = staging.header();
            serialize_header(text, p.get().base());
            if (body.size <= coalesce_body_bytes) {
                text.append(static_cast<const char*>(body.data), body.size);
                co_await write_all(io, out, asio::buffer(text), out_timeout, ec);
            } else {
                const std::array<asio::const_buffer, 2> parts{asio::buffer(text),
                                                              asio::buffer(body.data, body.size)};
                co_await write_all(io, out, parts, out_timeout, ec);
            }
            co_return ec ? relay_fault::output : relay_fault::none;
        }
        first = false;
        if (!sr)
            sr.emplace(p.get());
        io.arm(out_timeout);
        co_await http::async_write(out, *sr, redirect_error(use_awaitable, ec));
        io.classify(ec);
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec)
            co_return relay_fault::output;
        if (p.is_done() || sr->is_done())
            break;
    }
    co_return relay_fault::none;
}

template <class Stream>
asio::awaitable<void> send_simple(session_io& io, Stream& stream, http::status status,
                                  std::string_view body, bool keep_alive) {
    http::response<http::string_body> res{status, 11};
    res.set(http::field::server, "switchyard-lb");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.body() = std::string(body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    io.arm(error_write_timeout);
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

void close_stream(tcp::socket& s) {
    beast::error_code ec;
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
}

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
template <class Stream>
asio::awaitable<void> run_tunnel(session_io& io, Stream& client, beast::flat_buffer& client_buf,
                                 upstream_connection& up) {
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

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_method).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

/// The last affinity cookie value a client connection sent and what it verified to: a client
/// sends the same value on every request, and checking its HMAC again would cost ~550 ns.
struct affinity_memo {
    std::string value;
    std::size_t index = 0;
    std::int64_t second = -1;  ///< when it was verified (matters only with max_age)
    bool valid = false;
};

/// Keeps the slot's upstream pointer (for the deadline sweep) valid for one forward attempt.
class upstream_watch {
  public:
    upstream_watch(session_slot& slot, tcp::socket& s) : slot_(slot) { slot_.upstream = &s; }
    ~upstream_watch() { slot_.upstream = nullptr; }
    upstream_watch(const upstream_watch&) = delete;
    upstream_watch& operator=(const upstream_watch&) = delete;

  private:
    session_slot& slot_;
};

/// Handles one parsed request header: choose, forward (redispatching on refusal), relay the
/// answer. Returns true when the client connection may carry another request.
template <class Stream>
asio::awaitable<bool> forward(session_io& io, Stream& stream, beast::flat_buffer& buf,
                              net::parser_without_trailers<true>& parser, bool tls,
                              const std::string& client_ip, chunk_buffer& staging,
                              affinity_memo& memo) {
    auto& w = io.w;
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
            if (!value.empty()) {
                std::int64_t second = 0;
                if (cfg.sticky.max_age.count() > 0)
                    second = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
                if (memo.valid && memo.second == second && value == memo.value) {
                    pinned = memo.index;
                } else {
                    pinned = w.decode_cookie(value);
                    memo.valid = pinned.has_value();
                    if (pinned) {
                        memo.value.assign(value);
                        memo.index = *pinned;
                        memo.second = second;
                    }
                }
            }
        }
    }
    if (has_body) {
        auto expect = req.find(http::field::expect);
        if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
            // Answer the interim response ourselves; a backend's 100 would be taken for the
            // final answer by the relay.
            req.erase(http::field::expect);
            static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
            co_await write_all(io, stream, asio::buffer(cont.data(), cont.size()),
                               lim.header_timeout, ec);
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
            co_await send_simple(io, stream, http::status::service_unavailable,
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
        if (!upgrade) {
            up = w.upstreams().take(idx);
            // A body cannot be replayed once sent, so a pooled connection the backend has
            // already closed is found out before sending, not after.
            while (up && has_body && upstream_pool::is_stale(*up))
                up = w.upstreams().take(idx);
        }
        if (!up) {
            up = std::make_unique<upstream_connection>(w.context().get_executor(), idx);
            // (A plain pointer, not a scope guard: GCC 12 miscompiles guards declared in a
            // block that awaits and then leaves by `continue`.)
            io.slot.upstream = &up->socket;
            io.arm(lim.connect_timeout);
            co_await up->socket.async_connect(st.endpoints[idx], redirect_error(use_awaitable, ec));
            io.classify(ec);
            io.slot.upstream = nullptr;
            if (ec) {
                // Refused or timed out: nothing was sent, so any request may go elsewhere.
                mark_failed();
                if (give_up())
                    break;
                continue;
            }
            up->socket.set_option(tcp::no_delay(true), ec);
            up->socket.non_blocking(true, ec);
        }
        upstream_watch watch(io.slot, up->socket);
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

        auto fault = co_await relay_message(io, up->socket, stream, buf, parser, staging,
                                            lim.idle_timeout, lim.upstream_timeout, ec);
        if (fault == relay_fault::input) {
            if (ec == http::error::body_limit) {
                // A chunked body grew past the limit mid-stream: the backend saw a cut request
                // (its connection is dropped); the client learns why.
                st.totals.bad_requests.fetch_add(1, std::memory_order_relaxed);
                co_await send_simple(io, stream, http::status::payload_too_large,
                                     "413 request body too large\n", false);
            } else if (is_parse_error(ec)) {
                // A malformed chunk mid-body: no response has started, so say why.
                st.totals.bad_requests.fetch_add(1, std::memory_order_relaxed);
                co_await send_simple(io, stream, http::status::bad_request,
                                     "400 malformed request body\n", false);
            }
            co_return false;  // the client went away or broke the body
        }
        if (fault == relay_fault::output) {
            if (!has_body && on_send_failure(up->reused))
                continue;
            if (has_body && !up->reused)
                st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
            break;
        }

        net::parser_without_trailers<false> rp;
        rp.header_limit(max_upstream_header_bytes);
        rp.body_limit(boost::none);
        if (req.method() == http::verb::head)
            rp.skip(true);
        co_await read_header(io, up->socket, up->buffer, rp, lim.upstream_timeout, ec);
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
        const unsigned status = res.result_int();
        if (status >= 500) {
            counters.responses_5xx.fetch_add(1, std::memory_order_relaxed);
            // HAProxy's "observe layer7": 501 and 505 are the client's fault, not the server's.
            if (cfg.health.passive_5xx && status != 501 && status != 505)
                st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
        }
        const bool set_cookie = ch->set_cookie && cfg.sticky.enabled;

        if (upgrade && res.result() == http::status::switching_protocols) {
            if (set_cookie)
                res.insert(http::field::set_cookie, w.set_cookie_for(idx, tls));
            fault = co_await relay_message(io, stream, up->socket, up->buffer, rp, staging,
                                           lim.upstream_timeout, lim.idle_timeout, ec);
            if (fault != relay_fault::none) {
                close_stream(up->socket);
                co_return false;
            }
            counters.tunnels.fetch_add(1, std::memory_order_relaxed);
            counters.active_tunnels.fetch_add(1, std::memory_order_relaxed);
            st.totals.tunnels.fetch_add(1, std::memory_order_relaxed);
            st.totals.tunnels_active.fetch_add(1, std::memory_order_relaxed);
            co_await run_tunnel(io, stream, buf, *up);
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
        fault = co_await relay_message(io, stream, up->socket, up->buffer, rp, staging,
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
    co_await send_simple(io, stream, http::status::bad_gateway, "502 backend failed\n", false);
    co_return false;
}

template <class Stream>
asio::awaitable<void> run_session(session_io& io, Stream& stream, bool tls,
                                  const std::string& client_ip) {
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
        const bool keep = co_await forward(io, stream, buf, parser, tls, client_ip, staging, memo);
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
    co_await run_session(io, socket, false, ip);
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
        co_await run_session(io, stream, true, ip);
    scope.slot().client = nullptr;
    close_stream(lowest(stream));
}

}  // namespace switchyard::balancer
