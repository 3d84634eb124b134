#pragma once
// The relay's protocol logic for one client, independent of how bytes reach it: native JSON
// frames (docs/protocol.md) or raw mode (SockJS chat semantics on channel `global`).
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "backends/policy/hub.hpp"
#include "backends/relay/relay_message.hpp"

namespace switchyard::relay {

class relay_server;
struct shard;

/// Protocol modes. `raw`: a text message is published on `global` and every `global`
/// message arrives as its data. `native`: the JSON protocol.
enum class client_mode { native, raw };

/// One connected client. Lives on one shard and is only touched on that shard's thread.
/// Transports (WebSocket, SockJS) derive from it and implement the three sending hooks; they
/// call start_session() once open, on_text() per client message and end_session() once closed.
class client_session : public std::enable_shared_from_this<client_session> {
  public:
    client_session(relay_server& server, shard& home, std::string client_id, client_mode mode,
                   bool mode_switchable);
    virtual ~client_session();
    client_session(const client_session&) = delete;
    client_session& operator=(const client_session&) = delete;

    /// Registers the client and greets it (native: hello; raw: subscribe to `global`).
    void start_session();
    /// One complete client message.
    void on_text(std::string_view text);
    /// Unregisters and drops every subscription. Idempotent.
    void end_session();

    /// A live channel message the hub routed here. While a resume replay is still being paced
    /// out it waits behind the replay (history then live, in seq order), and that wait is
    /// bounded by the send queue limits like the queue itself.
    void deliver(const std::shared_ptr<const relay_message>& msg);
    /// A targeted message for this client.
    void deliver_direct(const std::string& from, const std::string& data);
    /// Counts and closes a client whose queue (or pending replay buffer) passed a limit.
    void slow_consumer();
    /// Starts the write of whatever is queued (called by the shard's flush).
    virtual void flush_now() {}
    /// Closes with `code` (1001 draining, 1008 slow consumer, 1011 bus lost).
    virtual void close_with(std::uint16_t code, std::string reason) = 0;

    policy::subscriber_id id() const noexcept { return id_; }
    const std::string& client_id() const noexcept { return client_id_; }
    shard& home() noexcept { return home_; }
    client_mode mode() const noexcept { return mode_; }

    /// Named limits of client input.
    static constexpr std::size_t channel_bytes_max = 128;
    static constexpr std::size_t client_id_bytes_max = 64;
    static bool valid_channel(std::string_view s);
    static bool valid_client_id(std::string_view s);

  protected:
    /// True while the transport's send queue is below half its limits: the backlog (resume
    /// replay) is moved into the queue only then, so a replay longer than the queue is paced
    /// by the client's reading instead of tripping the slow-consumer limit.
    virtual bool has_room() const = 0;
    /// Moves backlog into the send queue while has_room(). Transports call it whenever their
    /// queue drained (a write completed, a response went out).
    void pump_backlog();
    bool backlog_empty() const noexcept { return backlog_.empty(); }
    /// The send queue limits every transport applies: true when a frame of `frame_bytes` fits
    /// a queue holding `messages` frames and `bytes`; otherwise counts a slow consumer, closes
    /// the client (1008) and returns false.
    bool admit(std::size_t messages, std::size_t bytes, std::size_t frame_bytes);
    /// has_room() for a queue holding `messages` and `bytes`: empty, or below half of both
    /// limits.
    bool below_half(std::size_t messages, std::size_t bytes) const;
    /// Queue a broadcast (pre-framed, shared).
    virtual void send_broadcast(const std::shared_ptr<const relay_message>& msg) = 0;
    /// Queue a frame made for this client alone (JSON text in native mode).
    virtual void send_text(std::string text) = 0;
    relay_server& server_;

  private:
    void handle_native(std::string_view text);
    void handle_raw(std::string_view text);
    void subscribe(const boost::json::value& frame, const std::string& id_json);
    void publish(const boost::json::value& frame, const std::string& id_json);
    void send_to(const boost::json::value& frame, const std::string& id_json);
    void start_sync(const std::string& channel, std::optional<std::uint64_t> resume);
    void error(std::string_view code, std::string_view message, const std::string& id_json);

    void clear_backlog();

    /// A frame waiting behind a resume replay: a channel message or a text frame (the
    /// `subscribed` answer that follows its replay). `live`: arrived after the sync, so it
    /// counts against the send queue limits.
    struct backlog_item {
        std::shared_ptr<const relay_message> msg;
        std::string text;
        bool live = false;
    };
    std::deque<backlog_item> backlog_;
    std::size_t backlog_live_messages_ = 0;
    std::size_t backlog_live_bytes_ = 0;
    shard& home_;
    policy::subscriber_id id_;
    std::string client_id_;
    std::string session_name_;
    client_mode mode_;
    bool mode_switchable_;
    /// Channels this client holds in the hub (pending or synced), for
    /// --max-channels-per-client.
    std::size_t channels_held_ = 0;
    bool saw_first_ = false;
    bool started_ = false;
    bool ended_ = false;
};

}  // namespace switchyard::relay
