#include "engine/fleet/ws_transport.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "engine/fleet/sockjs_framing.hpp"

namespace switchyard::fleet {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

/// Beast's per-connection masking buffer for writes.
constexpr std::size_t write_buffer_bytes = 512;

std::string random_sockjs_server(policy::fast_rng& rng) {
    const auto n = rng.below(1000);
    std::string s = std::to_string(n);
    return std::string(3 - s.size(), '0') + s;
}

std::string random_sockjs_session(policy::fast_rng& rng) {
    static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s(16, 'a');
    for (auto& c : s) {
        c = alphabet[rng.below(alphabet.size())];
    }
    return s;
}

std::string sockjs_session_path(const transport_params& params, std::string_view kind,
                                std::string_view server, std::string_view session) {
    std::string path = params.fleet->target.prefix;
    path += "/sockjs/";
    path.append(server).append("/").append(session).append("/").append(kind);
    path += "?client=" + params.client_id;
    return path;
}

namespace {

/// One WebSocket connection. `Next` is tcp::socket or ssl::stream<tcp::socket>.
template <class Next>
class ws_transport final : public client_transport,
                           public std::enable_shared_from_this<ws_transport<Next>> {
  public:
    /// `args` construct the stream in place (an ssl::stream must not be moved once made).
    template <class... Args>
    ws_transport(transport_params params, bool sockjs, Args&&... args)
        : params_(std::move(params)), ws_(std::forward<Args>(args)...), sockjs_(sockjs) {}

    void start() override {
        auto self = this->shared_from_this();
        asio::async_connect(beast::get_lowest_layer(ws_), params_.fleet->endpoints,
                            [self](error_code ec, const tcp::endpoint&) { self->on_connect(ec); });
    }

    void send(std::string frame) override {
        if (closed_) {
            return;
        }
        if (sockjs_) {
            frame = encode_sockjs_messages({frame});
        }
        queue_.push_back(std::move(frame));
        write_next();
    }

    void close(bool graceful) override {
        if (closed_) {
            return;
        }
        closed_ = true;
        params_.events = nullptr;
        if (graceful && open_) {
            ws_.async_close(websocket::close_code::normal,
                            [self = this->shared_from_this()](error_code) { self->hard_close(); });
            return;
        }
        hard_close();
    }

  private:
    void hard_close() {
        error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
    }

    void fail(std::string_view reason) {
        if (closed_) {
            return;
        }
        closed_ = true;
        auto* events = params_.events;
        params_.events = nullptr;
        hard_close();
        if (events != nullptr) {
            events->on_transport_closed(reason);
        }
    }

    void on_connect(error_code ec) {
        if (closed_) {
            return;
        }
        if (ec) {
            return fail(ec.message());
        }
        error_code ignored;
        beast::get_lowest_layer(ws_).set_option(tcp::no_delay(true), ignored);
        if constexpr (std::is_same_v<Next, tcp::socket>) {
            handshake();
        } else {
            auto& tls = ws_.next_layer();
            if (!SSL_set_tlsext_host_name(tls.native_handle(),
                                          params_.fleet->target.host.c_str())) {
                return fail("TLS: cannot set SNI");
            }
            tls.async_handshake(asio::ssl::stream_base::client,
                                [self = this->shared_from_this()](error_code ec2) {
                                    if (self->closed_) {
                                        return;
                                    }
                                    if (ec2) {
                                        return self->fail("TLS: " + ec2.message());
                                    }
                                    self->handshake();
                                });
        }
    }

    void handshake() {
        std::string cookie = params_.jar->header();
        ws_.set_option(websocket::stream_base::decorator(
            [cookie = std::move(cookie)](websocket::request_type& req) {
                if (!cookie.empty()) {
                    req.set(http::field::cookie, cookie);
                }
            }));
        std::string path;
        if (sockjs_) {
            auto& rng = params_.worker->rng;
            path = sockjs_session_path(params_, "websocket", random_sockjs_server(rng),
                                       random_sockjs_session(rng));
        } else {
            path = params_.fleet->target.prefix + "/ws?client=" + params_.client_id;
        }
        response_ = std::make_unique<websocket::response_type>();
        ws_.async_handshake(
            *response_, params_.fleet->target.host_header(), path,
            [self = this->shared_from_this()](error_code ec) { self->on_handshake(ec); });
    }

    void on_handshake(error_code ec) {
        if (closed_) {
            return;
        }
        auto response = std::move(response_);
        for (const auto& field : response->base()) {
            if (field.name() == http::field::set_cookie) {
                params_.jar->set_from_header(field.value());
            }
        }
        if (ec) {
            if (response->result_int() != 0 &&
                response->result() != http::status::switching_protocols) {
                return fail("HTTP " + std::to_string(response->result_int()) + " (" + ec.message() +
                            ")");
            }
            return fail(ec.message());
        }
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        // A small masking buffer keeps an idle client small (Beast's default is 4 KB); without
        // auto-fragmentation a large message is still sent as one frame, masked in pieces.
        ws_.auto_fragment(false);
        ws_.write_buffer_bytes(write_buffer_bytes);
        open_ = true;
        read();
        if (!sockjs_) {
            write_next();  // the native protocol needs no opener: hello comes by itself
        }
    }

    void read() {
        ws_.async_read(buffer_, [self = this->shared_from_this()](error_code ec, std::size_t n) {
            self->on_read(ec, n);
        });
    }

    void on_read(error_code ec, std::size_t n) {
        if (closed_) {
            return;
        }
        if (ec) {
            if (ec == websocket::error::closed) {
                const auto& r = ws_.reason();
                return fail("close " + std::to_string(r.code) +
                            (r.reason.empty()
                                 ? std::string()
                                 : " " + std::string(r.reason.data(), r.reason.size())));
            }
            return fail(ec.message());
        }
        const std::string text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        if (params_.events != nullptr) {
            params_.events->on_transport_bytes(n, 0);
        }
        if (sockjs_) {
            on_sockjs(text);
        } else if (params_.events != nullptr) {
            params_.events->on_transport_frame(text);
        }
        if (!closed_) {
            read();
        }
    }

    void on_sockjs(std::string_view text) {
        const auto r = dispatch_sockjs_frame(text, params_, closed_);
        if (!r.failure.empty()) {
            return fail(r.failure);
        }
        if (r.opened) {
            sockjs_open_ = true;
            queue_.insert(queue_.begin(),
                          encode_sockjs_messages({std::string(sockjs_native_opener)}));
            write_next();
        }
    }

    void write_next() {
        if (closed_ || writing_ || queue_.empty() || !open_ || (sockjs_ && !sockjs_open_)) {
            return;
        }
        writing_ = true;
        ws_.text(true);
        ws_.async_write(asio::buffer(queue_.front()),
                        [self = this->shared_from_this()](error_code ec, std::size_t n) {
                            self->writing_ = false;
                            if (self->closed_) {
                                return;
                            }
                            if (ec) {
                                return self->fail(ec.message());
                            }
                            if (self->params_.events != nullptr) {
                                self->params_.events->on_transport_bytes(0, n);
                            }
                            self->queue_.erase(self->queue_.begin());
                            self->write_next();
                        });
    }

    transport_params params_;
    websocket::stream<Next> ws_;
    beast::flat_buffer buffer_;
    /// Frames waiting to be written, front first. A vector, not a deque: an empty libstdc++ deque
    /// already holds ~600 bytes, and idle clients are the common case.
    std::vector<std::string> queue_;
    std::unique_ptr<websocket::response_type> response_;  ///< only during the handshake
    bool sockjs_;
    bool open_ = false;
    bool sockjs_open_ = false;
    bool writing_ = false;
    bool closed_ = false;
};

}  // namespace

std::shared_ptr<client_transport> make_ws_transport(transport_params params, bool sockjs) {
    auto& w = *params.worker;
    if (params.fleet->target.tls) {
        auto& ctx = params.fleet->config.tls_verify ? w.tls_verified : w.tls_insecure;
        return std::make_shared<ws_transport<asio::ssl::stream<tcp::socket>>>(std::move(params),
                                                                              sockjs, w.io, ctx);
    }
    return std::make_shared<ws_transport<tcp::socket>>(std::move(params), sockjs, w.io);
}

}  // namespace switchyard::fleet
