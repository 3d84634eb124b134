#pragma once
// RFC 6455 framing for the relay's server side, without I/O: the handshake answer, server
// frame headers (unmasked, so one framed copy serves every client) and an incremental parser
// for masked client frames with a message size limit.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::relay {

/// Opcodes the relay sends or understands.
enum class ws_opcode : std::uint8_t {
    continuation = 0,
    text = 1,
    binary = 2,
    close = 8,
    ping = 9,
    pong = 10
};

/// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string ws_accept_key(std::string_view client_key);

/// One complete unmasked server frame (FIN set) carrying `payload`.
std::string ws_frame(ws_opcode op, std::string_view payload);

/// A close frame with `code` and `reason` (reason cut to fit a control frame).
std::string ws_close_frame(std::uint16_t code, std::string_view reason);

/// True when `s` is valid UTF-8 (text frames must be).
bool valid_utf8(std::string_view s);

/// Incremental parser of client frames. Feed bytes; it reports complete messages and control
/// frames. A violation sets `error_code` (the close code to send) and stops parsing.
class ws_parser {
  public:
    /// `message_bytes_max`: a message whose payload would pass this is a 1009 error.
    explicit ws_parser(std::size_t message_bytes_max) : max_(message_bytes_max) {}

    struct event {
        enum kind_t { none, message, ping, pong, close } kind = none;
        std::string payload;  // message text, ping/pong data, or close reason
        std::uint16_t close_code = 0;
        bool binary = false;  // a binary message (text messages must be UTF-8)
    };

    /// Consumes what it can from `data` (returns bytes used) and stops after one event.
    std::size_t parse(std::string_view data, event& out);
    /// Nonzero after a protocol violation: 1002 protocol, 1007 bad UTF-8, 1009 too big.
    std::uint16_t error_code() const noexcept { return error_; }

  private:
    std::size_t max_;
    std::uint16_t error_ = 0;
    std::string message_;
    bool in_message_ = false;
    bool binary_ = false;
};

}  // namespace switchyard::relay
