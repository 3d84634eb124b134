#pragma once
// A client over WebSocket: native frames at /ws, raw text at /sockjs/websocket, or SockJS
// framing (o, h, a[...], c[...]) at /sockjs/<server>/<session>/websocket.
#include <deque>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "backends/relay/client_session.hpp"

namespace switchyard::relay {

/// How a WebSocket client's messages are framed.
enum class ws_framing { native, raw, sockjs };

/// One WebSocket client. One write in flight; the rest wait in a queue bounded by
/// send_queue_messages_max and send_queue_bytes_max (passing either is a slow consumer:
/// close 1008). Broadcast frames are shared bytes, never copied per client.
class ws_client final : public client_session {
  public:
    ws_client(relay_server& server, shard& home, boost::asio::ip::tcp::socket socket,
              std::string client_id, ws_framing framing);
    /// Completes the upgrade for `req` and starts reading.
    void run(boost::beast::http::request<boost::beast::http::string_body> req);
    void close_with(std::uint16_t code, std::string reason) override;

  private:
    void send_broadcast(const std::shared_ptr<const relay_message>& msg) override;
    void send_text(std::string text) override;
    void enqueue(std::shared_ptr<const std::string> frame);
    void do_read();
    void do_write();
    void arm_heartbeat();
    void finish();
    std::shared_ptr<ws_client> self() {
        return std::static_pointer_cast<ws_client>(shared_from_this());
    }

    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    boost::beast::flat_buffer buffer_;
    ws_framing framing_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool closing_ = false;
    bool finished_ = false;
    boost::asio::steady_timer heartbeat_;
    boost::asio::steady_timer close_deadline_;
};

}  // namespace switchyard::relay
