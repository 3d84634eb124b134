// The fleet's SockJS client reads frames a relay (or anything at the target URL) sends.
// Input: an xhr response body (frames one a line) or one WebSocket text frame.
// Invariants: no frame throws; a frame is `bad` unless it is exactly `o`, `h`, `a[strings]`
// or `c[...]`; an `a` frame's messages survive a round trip through encode_sockjs_messages; the
// lines split from a body are non-empty, newline-free and in order.
#include <cstdint>
#include <string>

#include "engine/fleet/sockjs_framing.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace switchyard::fleet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto lines = split_sockjs_lines(body);
    const char* last_end = body.data();
    for (auto line : lines) {
        FUZZ_CHECK(!line.empty());
        FUZZ_CHECK(line.find('\n') == std::string_view::npos);
        FUZZ_CHECK(line.data() >= last_end && line.data() + line.size() <= body.data() + size);
        last_end = line.data() + line.size();
    }

    // The whole input as one frame (a WebSocket transport's text frame), then each line.
    auto check = [](std::string_view frame) {
        const sockjs_frame f = parse_sockjs_frame(frame);
        switch (f.kind) {
            case sockjs_frame::open_frame:
                FUZZ_CHECK(frame == "o");
                break;
            case sockjs_frame::heartbeat_frame:
                FUZZ_CHECK(frame == "h");
                break;
            case sockjs_frame::message_frame: {
                FUZZ_CHECK(frame.front() == 'a');
                const sockjs_frame again =
                    parse_sockjs_frame("a" + encode_sockjs_messages(f.messages));
                FUZZ_CHECK(again.kind == sockjs_frame::message_frame);
                FUZZ_CHECK(again.messages == f.messages);
                break;
            }
            case sockjs_frame::close_frame:
                FUZZ_CHECK(frame.front() == 'c');
                break;
            case sockjs_frame::bad_frame:
                break;  // the fleet ignores a bad frame's fields
        }
    };
    check(body);
    for (auto line : lines)
        check(line);
    return 0;
}
