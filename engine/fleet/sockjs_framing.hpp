#pragma once
// SockJS 0.3 framing as a client sees it: server frames `o`, `h`, `a[...]`, `c[code,"reason"]`,
// and the JSON array of strings a client sends.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::fleet {

/// One server frame taken apart.
struct sockjs_frame {
    enum kind_t : std::uint8_t {
        open_frame,
        heartbeat_frame,
        message_frame,
        close_frame,
        bad_frame
    };
    kind_t kind = bad_frame;
    std::vector<std::string> messages;  ///< for `a`
    int code = 0;                       ///< for `c`
    std::string reason;                 ///< for `c`
};

/// Parses one frame (without the trailing newline of the xhr transports).
sockjs_frame parse_sockjs_frame(std::string_view frame);
/// A client message batch: ["m1","m2",...] as JSON text.
std::string encode_sockjs_messages(const std::vector<std::string>& messages);
/// Splits an xhr body into frames (one per line), skipping empty lines.
std::vector<std::string_view> split_sockjs_lines(std::string_view body);

}  // namespace switchyard::fleet
