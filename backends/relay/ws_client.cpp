#include "backends/relay/ws_client.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include "backends/relay/http_session.hpp"
#include "backends/relay/relay_server.hpp"

namespace switchyard::relay {

namespace asio = boost::asio;
namespace http = boost::beast::http;

ws_client::ws_client(relay_server& server, shard& home, asio::ip::tcp::socket socket,
                     std::string client_id, ws_framing framing,
                     std::shared_ptr<connection_slot> slot)
    : client_session(server, home, std::move(client_id),
                     framing == ws_framing::native ? client_mode::native : client_mode::raw,
                     framing == ws_framing::sockjs),
      socket_(std::move(socket)),
      framing_(framing),
      parser_(server.config().max_message_bytes),
      slot_(std::move(slot)),
      heartbeat_(socket_.get_executor()),
      close_deadline_(socket_.get_executor()) {
    if (server.config().socket_send_buffer > 0) {
        boost::system::error_code ignored;
        socket_.set_option(asio::socket_base::send_buffer_size(
                               static_cast<int>(server.config().socket_send_buffer)),
                           ignored);
    }
}

void ws_client::run(const http::request<http::string_body>& req) {
    const auto key = req[http::field::sec_websocket_key];
    if (key.empty() || req[http::field::sec_websocket_version] != "13") {
        auto body = std::make_shared<const std::string>(
            http_response(400, "text/plain", "bad WebSocket handshake\n", false,
                          "Sec-WebSocket-Version: 13\r\n"));
        asio::async_write(
            socket_, asio::buffer(*body),
            [self = self(), body](boost::system::error_code, std::size_t) { self->finish(); });
        return;
    }
    queue_.push_back(std::make_shared<const std::string>(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        ws_accept_key(std::string_view(key.data(), key.size())) +
        "\r\nServer: switchyard-relay\r\n\r\n"));
    queued_bytes_ += queue_.back()->size();
    if (framing_ == ws_framing::sockjs) {
        static const auto open =
            std::make_shared<const std::string>(ws_frame(ws_opcode::text, "o"));
        enqueue(open);
        arm_heartbeat();
    }
    start_session();
    schedule_flush();
    do_read();
}

void ws_client::arm_heartbeat() {
    heartbeat_.expires_after(server_.config().sockjs_heartbeat);
    heartbeat_.async_wait([self = self()](boost::system::error_code ec) {
        if (ec || self->closing_ || self->finished_)
            return;
        static const auto h = std::make_shared<const std::string>(ws_frame(ws_opcode::text, "h"));
        self->enqueue(h);
        self->arm_heartbeat();
    });
}

void ws_client::do_read() {
    // Wait for readability, then read into the shard's buffer: no buffer is held per idle client.
    socket_.async_wait(
        asio::ip::tcp::socket::wait_read, [self = self()](boost::system::error_code ec) {
            if (ec) {
                self->finish();
                return;
            }
            auto& buf = self->home().read_buffer;
            const ssize_t n =
                ::recv(self->socket_.native_handle(), buf.data(), buf.size(), MSG_DONTWAIT);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                self->do_read();
                return;
            }
            if (n <= 0) {
                self->finish();
                return;
            }
            self->rbuf_.append(buf.data(), static_cast<std::size_t>(n));
            std::size_t offset = 0;
            while (!self->finished_) {
                ws_parser::event ev;
                const std::size_t used =
                    self->parser_.parse(std::string_view(self->rbuf_).substr(offset), ev);
                offset += used;
                if (self->parser_.error_code() != 0) {
                    const auto code = self->parser_.error_code();
                    if (code == 1009)
                        ++self->server_.metrics().too_large;
                    self->fail(code, code == 1009 ? "message too big" : "protocol error");
                    return;
                }
                if (ev.kind == ws_parser::event::none)
                    break;
                self->on_event(ev);
            }
            self->rbuf_.erase(0, offset);
            if (self->rbuf_.empty() && self->rbuf_.capacity() > read_keep_bytes)
                std::string().swap(self->rbuf_);
            if (!self->finished_)
                self->do_read();
        });
}

void ws_client::on_event(ws_parser::event& ev) {
    switch (ev.kind) {
        case ws_parser::event::ping:
            enqueue(std::make_shared<const std::string>(ws_frame(ws_opcode::pong, ev.payload)));
            return;
        case ws_parser::event::pong:
        case ws_parser::event::none:
            return;
        case ws_parser::event::close:
            peer_closed_ = true;
            if (closing_) {
                finish();  // our close was answered
                return;
            }
            // Echo the peer's close, then the TCP connection ends.
            close_with(ev.close_code == 1005 ? 1000 : ev.close_code, "");
            return;
        case ws_parser::event::message:
            break;
    }
    if (closing_)
        return;
    if (!ev.binary && !valid_utf8(ev.payload)) {
        fail(1007, "invalid UTF-8");
        return;
    }
    if (framing_ != ws_framing::sockjs) {
        on_text(ev.payload);
        return;
    }
    // SockJS clients send a JSON array of strings (or one string); empty is ignored.
    if (ev.payload.empty())
        return;
    boost::json::error_code jec;
    auto v = boost::json::parse(ev.payload, jec);
    if (jec) {
        fail(1002, "Broken framing.");
        return;
    }
    if (v.is_string()) {
        on_text(std::string_view(v.as_string()));
    } else if (v.is_array()) {
        for (const auto& m : v.as_array())
            if (m.is_string())
                on_text(std::string_view(m.as_string()));
    }
}

void ws_client::fail(std::uint16_t code, const char* reason) {
    close_with(code, reason);
}

void ws_client::send_broadcast(const std::shared_ptr<const relay_message>& msg) {
    // Shares the message's pre-framed bytes: one reference count increment per delivery.
    enqueue(std::shared_ptr<const std::string>(
        msg, &msg->ws_frame_bytes(mode() == client_mode::raw, framing_ == ws_framing::sockjs)));
}

void ws_client::send_text(std::string text) {
    if (framing_ == ws_framing::sockjs)
        text = "a[" + json_quote(text) + "]";
    enqueue(std::make_shared<const std::string>(ws_frame(ws_opcode::text, text)));
    flush_soon();
}

void ws_client::flush_soon() {
    // Answers to this client (hello, ack, error, pong, subscribed) go out at the end of this
    // turn, not at the next coalescing round: the interval is for broadcast traffic only.
    if (urgent_scheduled_ || writing_ || in_write_ || finished_ || queue_.empty())
        return;
    urgent_scheduled_ = true;
    asio::post(socket_.get_executor(), [self = self()] {
        self->urgent_scheduled_ = false;
        if (!self->writing_ && !self->in_write_ && !self->finished_)
            self->write_now();
    });
}

bool ws_client::has_room() const {
    return !(closing_ || finished_) && below_half(queue_.size(), queued_bytes_);
}

void ws_client::enqueue(std::shared_ptr<const std::string> frame) {
    if (closing_ || finished_)
        return;
    if (!admit(queue_.size(), queued_bytes_, frame->size()))
        return;
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    schedule_flush();
}

void ws_client::schedule_flush() {
    if (writing_ || in_write_ || flush_scheduled_ || finished_)
        return;
    flush_scheduled_ = true;
    // Writing in the shard's flush round (end of this turn, or the coalescing interval) lets
    // every frame queued meanwhile leave in one gather write.
    home().want_flush(shared_from_this());
}

void ws_client::flush_now() {
    flush_scheduled_ = false;
    if (!writing_ && !finished_)
        write_now();
}

void ws_client::write_now() {
    in_write_ = true;
    auto keep = self();
    std::array<iovec, write_batch_frames_max> iov;
    while (!finished_) {
        if (queue_.empty()) {
            on_drained();
            if (queue_.empty() || finished_)
                break;
        }
        std::size_t n = 0, bytes = 0;
        for (auto it = queue_.begin();
             it != queue_.end() && n < iov.size() && (n == 0 || bytes < write_batch_bytes_max);
             ++it, ++n) {
            const std::string& f = **it;
            const std::size_t skip = n == 0 ? head_written_ : 0;
            iov[n].iov_base = const_cast<char*>(f.data() + skip);
            iov[n].iov_len = f.size() - skip;
            bytes += f.size() - skip;
        }
        msghdr mh{};
        mh.msg_iov = iov.data();
        mh.msg_iovlen = n;
        const ssize_t w = ::sendmsg(socket_.native_handle(), &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                wait_writable();
            else
                finish();
            break;
        }
        auto left = static_cast<std::size_t>(w);
        while (left > 0) {
            const std::size_t rest = queue_.front()->size() - head_written_;
            if (left < rest) {
                head_written_ += left;
                break;
            }
            left -= rest;
            queued_bytes_ -= std::min(queued_bytes_, queue_.front()->size());
            queue_.pop_front();
            head_written_ = 0;
        }
        if (static_cast<std::size_t>(w) < bytes) {
            wait_writable();  // the socket is full: the rest when it drains
            break;
        }
    }
    in_write_ = false;
}

void ws_client::wait_writable() {
    writing_ = true;
    socket_.async_wait(asio::ip::tcp::socket::wait_write,
                       [self = self()](boost::system::error_code ec) {
                           self->writing_ = false;
                           if (ec) {
                               self->finish();
                               return;
                           }
                           self->write_now();
                       });
}

void ws_client::on_drained() {
    if (closing_) {
        // Our close frame is out.
        if (peer_closed_) {
            finish();
        } else {
            boost::system::error_code ignored;
            socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        }
        return;
    }
    // A resume replay continues as the client reads.
    pump_backlog();
}

void ws_client::close_with(std::uint16_t code, std::string reason) {
    if (closing_ || finished_)
        return;
    heartbeat_.cancel();
    // Frames not yet written are dropped (a partly written one is finished first, or the
    // stream would be corrupt); the close frame follows.
    while (queue_.size() > (head_written_ > 0 ? 1u : 0u))
        queue_.pop_back();
    queued_bytes_ = queue_.empty() ? 0 : queue_.front()->size();
    if (framing_ == ws_framing::sockjs && !peer_closed_)
        queue_.push_back(std::make_shared<const std::string>(ws_frame(
            ws_opcode::text, "c[" + std::to_string(code) + "," + json_quote(reason) + "]")));
    queue_.push_back(std::make_shared<const std::string>(ws_close_frame(code, reason)));
    closing_ = true;
    if (!writing_ && !in_write_)
        write_now();
    // A consumer that never reads would hold the close forever behind its stuck write.
    close_deadline_.expires_after(server_.config().close_timeout);
    close_deadline_.async_wait([self = self()](boost::system::error_code ec) {
        if (!ec)
            self->finish();
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
    boost::system::error_code ignored;
    socket_.close(ignored);
    end_session();
}

}  // namespace switchyard::relay
