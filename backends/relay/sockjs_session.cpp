#include "backends/relay/sockjs_session.hpp"

#include <boost/json.hpp>

#include "backends/relay/http_session.hpp"
#include "backends/relay/relay_server.hpp"

namespace switchyard::relay {

namespace {

// Browsers buffer the first 2 KiB of a streaming response before showing any of it.
constexpr std::size_t streaming_prelude_bytes = 2048;

std::string chunk(std::string_view data) {
    char size[20];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    std::string out(size, static_cast<std::size_t>(n));
    out.append(data).append("\r\n");
    return out;
}

std::string sockjs_headers(const http_session& http) {
    return "Cache-Control: no-store, no-cache, no-transform, must-revalidate, max-age=0\r\n" +
           http.cors_headers();
}

std::string poll_response(const http_session& http, std::string_view body) {
    return http_response(200, "application/javascript; charset=UTF-8", body, http.keep_alive(),
                         sockjs_headers(http));
}

}  // namespace

sockjs_session::sockjs_session(relay_server& server, std::string session_key, std::string client_id)
    : client_session(server, server.main_shard(), std::move(client_id), client_mode::raw, true),
      key_(std::move(session_key)),
      expiry_(server.main_shard().ioc),
      heartbeat_(server.main_shard().ioc) {
    ++server_.metrics().sockjs_sessions;
}

void sockjs_session::attach(std::shared_ptr<http_session> http, receiver_kind kind, bool fresh) {
    auto write_head = [&] {
        std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/javascript; charset=UTF-8\r\n"
            "Transfer-Encoding: chunked\r\n" +
            sockjs_headers(*http) + "\r\n";
        head += chunk(std::string(streaming_prelude_bytes, 'h') + "\n");
        http->write(std::make_shared<const std::string>(std::move(head)), false);
    };
    auto answer_once = [&](const std::string& frame) {
        if (kind == receiver_kind::polling) {
            http->write(std::make_shared<const std::string>(poll_response(*http, frame + "\n")),
                        true);
        } else {
            write_head();
            http->write(std::make_shared<const std::string>(chunk(frame + "\n") + "0\r\n\r\n"),
                        true);
        }
    };
    if (closed_) {
        answer_once(close_frame_);
        return;
    }
    if (receiver_ && !receiver_->dead()) {
        answer_once(R"(c[2010,"Another connection still open"])");
        return;
    }
    expiry_.cancel();
    receiver_ = http;
    kind_ = kind;
    streamed_bytes_ = 0;
    if (fresh)
        start_session();
    if (kind == receiver_kind::polling) {
        if (fresh) {
            receiver_->write(std::make_shared<const std::string>(poll_response(*receiver_, "o\n")),
                             true);
            detach();
            return;
        }
        if (!queue_.empty() || !backlog_empty()) {
            flush();
            if (!receiver_)
                return;
        }
    } else {
        write_head();
        if (fresh)
            receiver_->write(std::make_shared<const std::string>(chunk("o\n")), false);
        flush();
    }
    if (receiver_)
        arm_heartbeat();
}

void sockjs_session::arm_heartbeat() {
    heartbeat_.expires_after(server_.config().sockjs_heartbeat);
    heartbeat_.async_wait([self = self()](boost::system::error_code ec) {
        if (ec || !self->receiver_ || self->closed_)
            return;
        if (self->kind_ == receiver_kind::polling) {
            self->receiver_->write(
                std::make_shared<const std::string>(poll_response(*self->receiver_, "h\n")), true);
            self->detach();
            return;
        }
        self->receiver_->write(std::make_shared<const std::string>(chunk("h\n")), false);
        self->arm_heartbeat();
    });
}

void sockjs_session::detach() {
    receiver_.reset();
    heartbeat_.cancel();
    arm_expiry();
}

void sockjs_session::arm_expiry() {
    expiry_.expires_after(server_.config().sockjs_disconnect_delay);
    expiry_.async_wait([self = self()](boost::system::error_code ec) {
        if (ec || self->receiver_)
            return;
        // Nobody came back for it: the session is over.
        self->closed_ = true;
        self->end_session();
        --self->server_.metrics().sockjs_sessions;
        self->server_.sockjs().erase(self->key_);
    });
}

void sockjs_session::send_broadcast(const std::shared_ptr<const relay_message>& msg) {
    enqueue(std::shared_ptr<const std::string>(
        msg, &msg->sockjs_frame_bytes(mode() == client_mode::raw)));
}

void sockjs_session::send_text(std::string text) {
    enqueue(std::make_shared<const std::string>("a[" + json_quote(text) + "]"));
}

bool sockjs_session::has_room() const {
    return !closed_ && below_half(queue_.size(), queued_bytes_);
}

void sockjs_session::enqueue(std::shared_ptr<const std::string> frame) {
    if (closed_)
        return;
    if (!admit(queue_.size(), queued_bytes_, frame->size()))
        return;
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    if (!flushing_)
        flush();
}

void sockjs_session::flush() {
    if (flushing_)
        return;
    flushing_ = true;
    // Each round moves a share of any resume replay into the queue and answers with it; a
    // polling response carries one round, a streaming one continues until its byte limit.
    while (receiver_ && !closed_) {
        if (receiver_->dead()) {
            detach();
            break;
        }
        pump_backlog();
        if (queue_.empty())
            break;
        // Many `a[...]` frames become one: the elements of each, joined.
        std::string batch = "a[";
        bool first = true;
        for (const auto& f : queue_) {
            if (!first)
                batch += ',';
            first = false;
            batch.append(*f, 2, f->size() - 3);
        }
        batch += "]\n";
        queue_.clear();
        queued_bytes_ = 0;
        if (kind_ == receiver_kind::polling) {
            receiver_->write(std::make_shared<const std::string>(poll_response(*receiver_, batch)),
                             true);
            detach();
            break;
        }
        streamed_bytes_ += batch.size();
        receiver_->write(std::make_shared<const std::string>(chunk(batch)), false);
        if (streamed_bytes_ >= server_.config().sockjs_response_limit) {
            // Make the client open a fresh streaming request so no response grows without bound.
            receiver_->write(std::make_shared<const std::string>("0\r\n\r\n"), true);
            detach();
            break;
        }
    }
    flushing_ = false;
}

int sockjs_session::on_send(std::string_view body, std::string& error) {
    if (body.empty()) {
        error = "Payload expected.";
        return 500;
    }
    boost::json::error_code ec;
    auto v = boost::json::parse(boost::json::string_view(body.data(), body.size()), ec);
    if (ec || !(v.is_array() || v.is_string())) {
        error = "Broken JSON encoding.";
        return 500;
    }
    auto keep = self();
    if (v.is_string()) {
        on_text(std::string_view(v.as_string()));
    } else {
        for (const auto& m : v.as_array())
            if (m.is_string())
                on_text(std::string_view(m.as_string()));
    }
    return 204;
}

void sockjs_session::close_with(std::uint16_t code, std::string reason) {
    if (closed_)
        return;
    closed_ = true;
    close_frame_ = "c[" + std::to_string(code) + "," + json_quote(reason) + "]";
    queue_.clear();
    queued_bytes_ = 0;
    if (receiver_ && !receiver_->dead()) {
        if (kind_ == receiver_kind::polling)
            receiver_->write(
                std::make_shared<const std::string>(poll_response(*receiver_, close_frame_ + "\n")),
                true);
        else
            receiver_->write(
                std::make_shared<const std::string>(chunk(close_frame_ + "\n") + "0\r\n\r\n"),
                true);
    }
    end_session();
    detach();  // keeps answering the close frame until the disconnect delay passes
}

std::shared_ptr<sockjs_session> sockjs_registry::find(const std::string& key) const {
    auto it = sessions_.find(key);
    return it == sessions_.end() ? nullptr : it->second;
}

void sockjs_registry::close_all(std::uint16_t code, const std::string& reason) {
    auto copy = sessions_;
    for (auto& [key, s] : copy)
        s->close_with(code, reason);
}

}  // namespace switchyard::relay
