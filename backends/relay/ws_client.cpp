#include "backends/relay/ws_client.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "backends/relay/relay_server.hpp"

namespace switchyard::relay {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

ws_client::ws_client(relay_server& server, shard& home, asio::ip::tcp::socket socket,
                     std::string client_id, ws_framing framing)
    : client_session(server, home, std::move(client_id),
                     framing == ws_framing::native ? client_mode::native : client_mode::raw,
                     framing == ws_framing::sockjs),
      ws_(std::move(socket)),
      framing_(framing),
      heartbeat_(ws_.get_executor()),
      close_deadline_(ws_.get_executor()) {}

void ws_client::run(beast::http::request<beast::http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = server_.config().close_timeout;
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.read_message_max(server_.config().max_message_bytes);
    ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(beast::http::field::server, "switchyard-relay");
    }));
    ws_.async_accept(req, [self = self()](beast::error_code ec) {
        if (ec) {
            self->finish();
            return;
        }
        if (self->framing_ == ws_framing::sockjs) {
            self->enqueue(std::make_shared<const std::string>("o"));
            self->arm_heartbeat();
        }
        self->start_session();
        self->do_read();
    });
}

void ws_client::arm_heartbeat() {
    heartbeat_.expires_after(server_.config().sockjs_heartbeat);
    heartbeat_.async_wait([self = self()](beast::error_code ec) {
        if (ec || self->closing_)
            return;
        self->enqueue(std::make_shared<const std::string>("h"));
        self->arm_heartbeat();
    });
}

void ws_client::do_read() {
    ws_.async_read(buffer_, [self = self()](beast::error_code ec, std::size_t) {
        if (ec) {
            if (ec == websocket::error::message_too_big)
                ++self->server_.metrics().too_large;  // Beast already sent close 1009
            self->finish();
            return;
        }
        std::string text = beast::buffers_to_string(self->buffer_.data());
        self->buffer_.consume(self->buffer_.size());
        if (self->framing_ == ws_framing::sockjs) {
            // SockJS clients send a JSON array of strings (or one string); empty is ignored.
            if (!text.empty()) {
                boost::json::error_code jec;
                auto v = boost::json::parse(text, jec);
                if (jec) {
                    self->close_with(1002, "Broken framing.");
                    return;
                }
                if (v.is_string())
                    self->on_text(std::string_view(v.as_string()));
                else if (v.is_array())
                    for (const auto& m : v.as_array())
                        if (m.is_string())
                            self->on_text(std::string_view(m.as_string()));
            }
        } else {
            self->on_text(text);
        }
        if (!self->finished_)
            self->do_read();
    });
}

void ws_client::send_broadcast(const std::shared_ptr<const relay_message>& msg) {
    const bool raw = mode() == client_mode::raw;
    if (framing_ == ws_framing::sockjs)
        enqueue(msg->sockjs_frame(raw));
    else
        enqueue(msg->text(raw));
}

void ws_client::send_text(std::string text) {
    if (framing_ == ws_framing::sockjs)
        text = "a[" + json_quote(text) + "]";
    enqueue(std::make_shared<const std::string>(std::move(text)));
}

void ws_client::enqueue(std::shared_ptr<const std::string> frame) {
    if (closing_ || finished_)
        return;
    const auto& cfg = server_.config();
    if (queue_.size() >= cfg.send_queue_messages_max ||
        queued_bytes_ + frame->size() > cfg.send_queue_bytes_max) {
        slow_consumer();
        return;
    }
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    if (!writing_)
        do_write();
}

void ws_client::do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(*queue_.front()),
                    [self = self()](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec) {
                            self->finish();
                            return;
                        }
                        if (!self->queue_.empty()) {
                            self->queued_bytes_ -= self->queue_.front()->size();
                            self->queue_.pop_front();
                        }
                        if (!self->queue_.empty() && !self->closing_)
                            self->do_write();
                    });
}

void ws_client::close_with(std::uint16_t code, std::string reason) {
    if (closing_ || finished_)
        return;
    closing_ = true;
    heartbeat_.cancel();
    // Queued frames are dropped (the in-flight one, if any, completes first).
    if (queue_.size() > 1)
        queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end());
    else if (!writing_)
        queue_.clear();
    auto do_close = [self = self(), code, reason]() {
        self->ws_.async_close(
            websocket::close_reason(static_cast<websocket::close_code>(code), reason),
            [self](beast::error_code) {});
    };
    if (framing_ == ws_framing::sockjs) {
        // SockJS says why in a close frame of its own before the WebSocket close.
        auto frame = std::make_shared<const std::string>("c[" + std::to_string(code) + "," +
                                                         json_quote(reason) + "]");
        auto write_then_close = [self = self(), frame, do_close]() {
            self->ws_.async_write(asio::buffer(*frame),
                                  [frame, do_close](beast::error_code ec, std::size_t) {
                                      if (!ec)
                                          do_close();
                                  });
        };
        if (!writing_)
            write_then_close();
        else
            do_close();
    } else {
        do_close();
    }
    // A consumer that never reads would hold the close forever behind its stuck write.
    close_deadline_.expires_after(server_.config().close_timeout);
    close_deadline_.async_wait([self = self()](beast::error_code ec) {
        if (ec || self->finished_)
            return;
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
}

void ws_client::finish() {
    if (finished_)
        return;
    finished_ = true;
    heartbeat_.cancel();
    close_deadline_.cancel();
    queue_.clear();
    queued_bytes_ = 0;
    end_session();
}

}  // namespace switchyard::relay
