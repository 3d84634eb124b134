#pragma once
// A SockJS session over the HTTP transports (xhr polling with xhr_send, xhr_streaming): the
// session outlives each request, queues frames between them and expires when no receiving
// request comes back within the disconnect delay.
#include <deque>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "backends/relay/client_session.hpp"

namespace switchyard::relay {

class http_session;

/// One SockJS session. Starts in raw mode (auto-subscribed to `global`); switches to native
/// on a native first frame. Its queue holds `a[...]` frames, bounded like a WebSocket
/// client's; passing a limit closes it with c[1008,...]. Lives on the main shard.
class sockjs_session final : public client_session {
  public:
    enum class receiver_kind { polling, streaming };

    sockjs_session(relay_server& server, std::string session_key, std::string client_id);
    /// A receiving request arrived (xhr or xhr_streaming) on `http`. `fresh` when this request
    /// created the session (the answer starts with the open frame).
    void attach(std::shared_ptr<http_session> http, receiver_kind kind, bool fresh);
    /// xhr_send: one JSON array of strings. Returns the HTTP status (204, or 500 with `error`).
    int on_send(std::string_view body, std::string& error);
    void close_with(std::uint16_t code, std::string reason) override;
    bool closed() const noexcept { return closed_; }

  private:
    void send_broadcast(const std::shared_ptr<const relay_message>& msg) override;
    void send_text(std::string text) override;
    bool has_room() const override;
    void enqueue(std::shared_ptr<const std::string> frame);
    void flush();
    void detach();
    void arm_expiry();
    void arm_heartbeat();
    std::shared_ptr<sockjs_session> self() {
        return std::static_pointer_cast<sockjs_session>(shared_from_this());
    }

    std::string key_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    std::shared_ptr<http_session> receiver_;
    receiver_kind kind_ = receiver_kind::polling;
    std::size_t streamed_bytes_ = 0;
    bool closed_ = false;
    bool flushing_ = false;
    std::string close_frame_;
    boost::asio::steady_timer expiry_;
    boost::asio::steady_timer heartbeat_;
};

/// Session key -> SockJS session, on the main shard.
class sockjs_registry {
  public:
    std::shared_ptr<sockjs_session> find(const std::string& key) const;
    void add(const std::string& key, std::shared_ptr<sockjs_session> s) { sessions_[key] = s; }
    void erase(const std::string& key) { sessions_.erase(key); }
    std::size_t size() const noexcept { return sessions_.size(); }
    /// Closes every session (drain).
    void close_all(std::uint16_t code, const std::string& reason);

  private:
    std::map<std::string, std::shared_ptr<sockjs_session>> sessions_;
};

}  // namespace switchyard::relay
