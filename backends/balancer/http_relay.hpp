#pragma once
// Relaying one HTTP message between two streams: reading a header (with the raw-head check for
// requests), streaming the body with the framing it arrived in, and the balancer's own short
// answers (400, 503, ...). Templates over the client stream type (plain or TLS).
#include <algorithm>
#include <array>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>

#include "backends/balancer/session_io.hpp"
#include "backends/net/request_framing.hpp"

namespace switchyard::balancer {

/// Bytes of body relayed per read/write step; bodies are streamed, never held whole.
constexpr std::size_t relay_chunk_bytes = 16384;
/// How long an error answer (400, 503, ...) may take to write.
constexpr std::chrono::seconds error_write_timeout{5};

/// Which side broke a relayed message: the one it was read from or the one it was written to.
enum class relay_fault { none, input, output };

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
    // One deadline for the whole header, not one per read: a client dribbling a header line
    // every few seconds must not hold its connection forever (slowloris).
    io.arm(timeout);
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
        co_await read_more(io, s, buffer, std::chrono::milliseconds::zero(), ec);
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

/// True when the unread bytes a waiting body parser left are still a possible chunk-size line or
/// trailer section (see http_relay.cpp).
bool pending_line_ok(const beast::flat_buffer& pending);

/// Streams one message from `in` to `out`: the header as already parsed into `p` (and possibly
/// rewritten), then the body piece by piece with the framing it arrived in. Whatever body bytes
/// have arrived are passed on before waiting for more. Each read must end within `in_timeout`,
/// and the whole body must have been read by `in_deadline` (a body trickled in one byte at a
/// time, each inside `in_timeout`, is cut there); both end as beast::error::timeout.
template <bool is_request, class Out, class In>
asio::awaitable<relay_fault> relay_message(session_io& io, Out& out, In& in,
                                           beast::flat_buffer& in_buffer,
                                           http::parser<is_request, http::buffer_body>& p,
                                           chunk_buffer& staging,
                                           std::chrono::milliseconds in_timeout,
                                           std::chrono::milliseconds out_timeout,
                                           beast::error_code& ec,
                                           std::chrono::steady_clock::time_point in_deadline =
                                               std::chrono::steady_clock::time_point::max()) {
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
                auto read_timeout = in_timeout;
                if (in_deadline != std::chrono::steady_clock::time_point::max()) {
                    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
                        in_deadline - std::chrono::steady_clock::now());
                    if (left.count() <= 0) {
                        ec = beast::error::timeout;
                        co_return relay_fault::input;
                    }
                    read_timeout = std::min(read_timeout, left);
                }
                co_await read_more(io, in, in_buffer, read_timeout, ec);
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

/// The balancer's own short answer. `retry_after_s` > 0 adds Retry-After (a 503 that asks the
/// client to come back rather than fail).
template <class Stream>
asio::awaitable<void> send_simple(session_io& io, Stream& stream, http::status status,
                                  std::string_view body, bool keep_alive,
                                  unsigned retry_after_s = 0) {
    http::response<http::string_body> res{status, 11};
    res.set(http::field::server, "switchyard-lb");
    if (retry_after_s > 0)
        res.set(http::field::retry_after, std::to_string(retry_after_s));
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.body() = std::string(body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    io.arm(error_write_timeout);
    beast::error_code ec;
    co_await http::async_write(stream, res, redirect_error(use_awaitable, ec));
}

/// A parser error (the peer sent something malformed), as opposed to the stream ending.
bool is_parse_error(const beast::error_code& ec);

}  // namespace switchyard::balancer
