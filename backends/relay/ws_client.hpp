#pragma once
// A client over WebSocket: native frames at /ws, raw text at /sockjs/websocket, or SockJS
// framing (o, h, a[...], c[...]) at /sockjs/<server>/<session>/websocket.
#include <deque>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "backends/relay/client_session.hpp"
#include "backends/relay/ws_codec.hpp"

namespace switchyard::relay {

class connection_slot;

/// How a WebSocket client's messages are framed.
enum class ws_framing { native, raw, sockjs };

/// One WebSocket client, framed by the relay itself (ws_codec) so that a broadcast costs one
/// shared, pre-framed buffer per client and many queued frames leave in one gather write.
/// Writes are non-blocking `sendmsg` calls made directly from the shard's flush round (no
/// asynchronous operation, allocation or completion per write); only when the socket is full
/// does the client wait for writability. The queue is bounded by send_queue_messages_max and
/// send_queue_bytes_max (passing either is a slow consumer: close 1008). Frames queued in the
/// same flush round go out together.
class ws_client final : public client_session {
  public:
    ws_client(relay_server& server, shard& home, boost::asio::ip::tcp::socket socket,
              std::string client_id, ws_framing framing, std::shared_ptr<connection_slot> slot);
    /// Answers the upgrade `req` (101, or 400 for a bad handshake) and starts reading.
    void run(const boost::beast::http::request<boost::beast::http::string_body>& req);
    void close_with(std::uint16_t code, std::string reason) override;
    void flush_now() override;

    /// Frames per gather write (at most IOV_MAX), and bytes per gather write (named limits).
    static constexpr std::size_t write_batch_frames_max = 256;
    static constexpr std::size_t write_batch_bytes_max = 512 * 1024;
    /// An incomplete frame kept between reads: its buffer is given back once empty if it grew
    /// past this (a large message must not pin its size for the life of the connection).
    static constexpr std::size_t read_keep_bytes = 4 * 1024;

  private:
    void send_broadcast(const std::shared_ptr<const relay_message>& msg) override;
    void send_text(std::string text) override;
    bool has_room() const override;
    void enqueue(std::shared_ptr<const std::string> frame);
    void schedule_flush();
    /// Writes what is queued until the queue is empty or the socket is full.
    void write_now();
    void wait_writable();
    void flush_soon();
    void on_drained();
    void do_read();
    void on_event(ws_parser::event& ev);
    void fail(std::uint16_t code, const char* reason);
    void arm_heartbeat();
    void finish();
    std::shared_ptr<ws_client> self() {
        return std::static_pointer_cast<ws_client>(shared_from_this());
    }

    boost::asio::ip::tcp::socket socket_;
    ws_framing framing_;
    ws_parser parser_;
    std::string rbuf_;
    std::shared_ptr<connection_slot> slot_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    /// Bytes of queue_.front() already written (a partial write).
    std::size_t head_written_ = 0;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;  // waiting for the socket to take more
    bool in_write_ = false;
    bool urgent_scheduled_ = false;
    bool flush_scheduled_ = false;
    bool closing_ = false;      // a close frame is queued or sent
    bool peer_closed_ = false;  // the peer's close frame arrived
    bool finished_ = false;
    boost::asio::steady_timer heartbeat_;
    boost::asio::steady_timer close_deadline_;
};

}  // namespace switchyard::relay
