#include "engine/fleet/xhr_transport.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "engine/fleet/sockjs_framing.hpp"
#include "engine/fleet/ws_transport.hpp"

namespace switchyard::fleet {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

/// Read size for a streaming body: frames are small, and this buffer is per streaming client.
constexpr std::size_t stream_read_bytes = 4096;
/// A streaming line longer than this (no newline) is a protocol error, not a reason to grow.
constexpr std::size_t stream_line_bytes_max = 4 << 20;

template <class Stream>
class xhr_transport final : public client_transport,
                            public std::enable_shared_from_this<xhr_transport<Stream>> {
  public:
    xhr_transport(transport_params params, bool streaming)
        : params_(std::move(params)), streaming_(streaming) {
        auto& rng = params_.worker->rng;
        server_ = random_sockjs_server(rng);
        session_ = random_sockjs_session(rng);
    }

    void start() override { receive(); }

    void send(std::string frame) override {
        if (closed_) {
            return;
        }
        pending_.push_back(std::move(frame));
        flush();
    }

    void close(bool /*graceful*/) override {
        if (closed_) {
            return;
        }
        closed_ = true;
        params_.events = nullptr;
        shut(recv_);
        shut(send_);
    }

  private:
    std::unique_ptr<Stream> make_stream() {
        auto& w = *params_.worker;
        if constexpr (std::is_same_v<Stream, tcp::socket>) {
            return std::make_unique<Stream>(w.io);
        } else {
            auto& ctx = params_.fleet->config.tls_verify ? w.tls_verified : w.tls_insecure;
            return std::make_unique<Stream>(w.io, ctx);
        }
    }

    static void shut(std::unique_ptr<Stream>& s) {
        if (s) {
            error_code ignored;
            beast::get_lowest_layer(*s).close(ignored);
        }
    }

    /// Opens `s` (TCP, then TLS when the target is https) and calls `next(ec)`.
    template <class Next>
    void open_stream(std::unique_ptr<Stream>& s, Next next) {
        s = make_stream();
        auto* stream = s.get();
        asio::async_connect(
            beast::get_lowest_layer(*stream), params_.fleet->endpoints,
            [self = this->shared_from_this(), stream, next](error_code ec, const tcp::endpoint&) {
                if (self->closed_) {
                    return;
                }
                if (ec) {
                    return next(ec);
                }
                error_code ignored;
                beast::get_lowest_layer(*stream).set_option(tcp::no_delay(true), ignored);
                if constexpr (std::is_same_v<Stream, tcp::socket>) {
                    next(ec);
                } else {
                    SSL_set_tlsext_host_name(stream->native_handle(),
                                             self->params_.fleet->target.host.c_str());
                    stream->async_handshake(asio::ssl::stream_base::client, next);
                }
            });
    }

    void fail(std::string_view reason) {
        if (closed_) {
            return;
        }
        auto* events = params_.events;
        close(false);
        if (events != nullptr) {
            events->on_transport_closed(reason);
        }
    }

    template <class Body>
    void prepare(http::request<Body>& req, std::string_view kind) {
        req.method(http::verb::post);
        req.target(sockjs_session_path(params_, kind, server_, session_));
        req.version(11);
        req.set(http::field::host, params_.fleet->target.host_header());
        req.keep_alive(true);
        if (!params_.jar->header().empty()) {
            req.set(http::field::cookie, params_.jar->header());
        }
    }

    template <class Fields>
    void keep_cookies(const Fields& fields) {
        for (const auto& field : fields) {
            if (field.name() == http::field::set_cookie) {
                params_.jar->set_from_header(field.value());
            }
        }
    }

    // --- receiving: one xhr / xhr_streaming request after another ---

    void receive() {
        if (closed_) {
            return;
        }
        if (!recv_ || !recv_alive_) {
            recv_alive_ = true;
            open_stream(recv_, [self = this->shared_from_this()](error_code ec) {
                if (ec) {
                    return self->fail(ec.message());
                }
                self->request_receive();
            });
            return;
        }
        request_receive();
    }

    void request_receive() {
        recv_req_ = {};
        prepare(recv_req_, streaming_ ? "xhr_streaming" : "xhr");
        recv_req_.content_length(0);
        http::async_write(*recv_, recv_req_,
                          [self = this->shared_from_this()](error_code ec, std::size_t) {
                              if (self->closed_) {
                                  return;
                              }
                              if (ec) {
                                  return self->fail(ec.message());
                              }
                              self->streaming_ ? self->read_stream_header() : self->read_poll();
                          });
    }

    void read_poll() {
        poll_res_ = {};
        http::async_read(
            *recv_, recv_buf_, poll_res_,
            [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_poll(ec); });
    }

    void on_poll(error_code ec) {
        if (closed_) {
            return;
        }
        if (ec) {
            return fail(ec.message());
        }
        keep_cookies(poll_res_.base());
        if (poll_res_.result() != http::status::ok) {
            return fail("HTTP " + std::to_string(poll_res_.result_int()));
        }
        recv_alive_ = poll_res_.keep_alive();
        const std::string body = std::move(poll_res_.body());
        if (params_.events != nullptr) {
            params_.events->on_transport_bytes(body.size(), 0);
        }
        for (auto line : split_sockjs_lines(body)) {
            on_line(line);
            if (closed_) {
                return;
            }
        }
        receive();
    }

    void read_stream_header() {
        parser_.emplace();
        parser_->body_limit(boost::none);
        http::async_read_header(
            *recv_, recv_buf_, *parser_,
            [self = this->shared_from_this()](error_code ec, std::size_t) {
                if (self->closed_) {
                    return;
                }
                if (ec) {
                    return self->fail(ec.message());
                }
                const auto& res = self->parser_->get();
                self->keep_cookies(res.base());
                if (res.result() != http::status::ok) {
                    return self->fail("HTTP " + std::to_string(res.result_int()));
                }
                self->recv_alive_ = res.keep_alive();
                self->read_stream_body();
            });
    }

    void read_stream_body() {
        if (parser_->is_done()) {
            // The server ends a streaming response after a byte budget; open the next one.
            parser_.reset();
            return receive();
        }
        chunk_.resize(stream_read_bytes);
        auto& body = parser_->get().body();
        body.data = chunk_.data();
        body.size = chunk_.size();
        body.more = true;
        http::async_read_some(*recv_, recv_buf_, *parser_,
                              [self = this->shared_from_this()](error_code ec, std::size_t) {
                                  self->on_stream_body(ec);
                              });
    }

    void on_stream_body(error_code ec) {
        if (closed_) {
            return;
        }
        if (ec == http::error::need_buffer) {
            ec = {};
        }
        if (ec) {
            return fail(ec.message());
        }
        const std::size_t n = chunk_.size() - parser_->get().body().size;
        if (params_.events != nullptr) {
            params_.events->on_transport_bytes(n, 0);
        }
        line_.append(chunk_.data(), n);
        std::size_t start = 0;
        for (auto nl = line_.find('\n'); nl != std::string::npos; nl = line_.find('\n', start)) {
            const std::string_view line(line_.data() + start, nl - start);
            start = nl + 1;
            // The prelude is a line of 2048 'h' characters: a heartbeat-like filler.
            if (!line.empty() && line.find_first_not_of('h') != std::string_view::npos) {
                on_line(line);
            }
            if (closed_) {
                return;
            }
        }
        line_.erase(0, start);
        if (line_.size() > stream_line_bytes_max) {
            return fail("sockjs stream line too long");
        }
        read_stream_body();
    }

    void on_line(std::string_view line) {
        const auto r = dispatch_sockjs_frame(line, params_, closed_);
        if (!r.failure.empty()) {
            return fail(r.failure);
        }
        if (r.opened) {
            if (opened_) {
                return fail(std::string(sticky_violation_reason) +
                            ": session opened twice (a request reached another relay)");
            }
            opened_ = true;
            pending_.insert(pending_.begin(), std::string(sockjs_native_opener));
            flush();
        }
    }

    // --- sending: xhr_send with every frame queued since the last one ---

    void flush() {
        if (closed_ || sending_ || pending_.empty() || !opened_) {
            return;
        }
        sending_ = true;
        send_req_ = {};
        prepare(send_req_, "xhr_send");
        send_req_.set(http::field::content_type, "text/plain");
        send_req_.body() = encode_sockjs_messages(pending_);
        send_req_.prepare_payload();
        pending_.clear();
        if (!send_ || !send_alive_) {
            send_alive_ = true;
            open_stream(send_, [self = this->shared_from_this()](error_code ec) {
                if (ec) {
                    return self->fail(ec.message());
                }
                self->write_send();
            });
            return;
        }
        write_send();
    }

    void write_send() {
        http::async_write(
            *send_, send_req_, [self = this->shared_from_this()](error_code ec, std::size_t n) {
                if (self->closed_) {
                    return;
                }
                if (ec) {
                    return self->fail(ec.message());
                }
                if (self->params_.events != nullptr) {
                    self->params_.events->on_transport_bytes(0, n);
                }
                self->send_res_ = {};
                http::async_read(*self->send_, self->send_buf_, self->send_res_,
                                 [self](error_code ec2, std::size_t) { self->on_sent(ec2); });
            });
    }

    void on_sent(error_code ec) {
        if (closed_) {
            return;
        }
        if (ec) {
            return fail(ec.message());
        }
        keep_cookies(send_res_.base());
        const auto status = send_res_.result_int();
        if (status == 404) {
            return fail(std::string(sticky_violation_reason) +
                        ": xhr_send got 404 (the session is unknown where it landed)");
        }
        if (status != 204 && status != 200) {
            return fail("xhr_send HTTP " + std::to_string(status));
        }
        send_alive_ = send_res_.keep_alive();
        sending_ = false;
        flush();
    }

    transport_params params_;
    bool streaming_;
    std::string server_;
    std::string session_;

    std::unique_ptr<Stream> recv_;
    beast::flat_buffer recv_buf_;
    http::request<http::empty_body> recv_req_;
    http::response<http::string_body> poll_res_;
    std::optional<http::response_parser<http::buffer_body>> parser_;
    std::vector<char> chunk_;
    std::string line_;

    std::unique_ptr<Stream> send_;
    beast::flat_buffer send_buf_;
    http::request<http::string_body> send_req_;
    http::response<http::string_body> send_res_;
    std::vector<std::string> pending_;

    bool recv_alive_ = false;
    bool send_alive_ = false;
    bool sending_ = false;
    bool opened_ = false;
    bool closed_ = false;
};

}  // namespace

std::shared_ptr<client_transport> make_xhr_transport(transport_params params, bool streaming) {
    if (params.fleet->target.tls) {
        return std::make_shared<xhr_transport<asio::ssl::stream<tcp::socket>>>(std::move(params),
                                                                               streaming);
    }
    return std::make_shared<xhr_transport<tcp::socket>>(std::move(params), streaming);
}

}  // namespace switchyard::fleet
