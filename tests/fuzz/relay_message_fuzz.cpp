// The relay's message forms: what every subscriber's client parses. Input: a channel name, a
// publisher id and the `data` JSON (any JSON a client may publish, as the bus carries it).
// Invariants: the native form is one JSON object carrying exactly the message's channel, seq,
// publisher and data; the raw form is the data's string (or the data as JSON text); the SockJS
// form is an `a` frame the fleet's own SockJS parser reads back to the same text; the
// WebSocket form is one unmasked FIN text frame, shortest length form, whose payload is that
// text. And json_quote round-trips any valid UTF-8 string.
#include <cstdint>
#include <memory>
#include <string>

#include <boost/json.hpp>

#include "backends/relay/client_session.hpp"
#include "backends/relay/json_finite.hpp"
#include "backends/relay/relay_message.hpp"
#include "backends/relay/ws_codec.hpp"
#include "engine/fleet/sockjs_framing.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace json = boost::json;
using namespace switchyard;
using fuzz::fuzz_input;

namespace {

/// The payload of one complete server frame, checking its header.
std::string ws_payload(const std::string& frame) {
    FUZZ_CHECK(frame.size() >= 2);
    FUZZ_CHECK(static_cast<std::uint8_t>(frame[0]) == 0x81);  // FIN, text
    const auto b1 = static_cast<std::uint8_t>(frame[1]);
    FUZZ_CHECK((b1 & 0x80) == 0);  // a server never masks
    std::size_t len = b1;
    std::size_t header = 2;
    if (b1 == 126) {
        len = (static_cast<std::uint8_t>(frame[2]) << 8) | static_cast<std::uint8_t>(frame[3]);
        header = 4;
        FUZZ_CHECK(len >= 126);
    } else if (b1 == 127) {
        len = 0;
        for (int i = 2; i < 10; ++i)
            len = (len << 8) | static_cast<std::uint8_t>(frame[i]);
        header = 10;
        FUZZ_CHECK(len > 0xffff);
    }
    FUZZ_CHECK(frame.size() == header + len);
    return frame.substr(header);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz_input in(data, size);
    const std::string channel(in.bytes(130));
    const std::string from(in.bytes(66));
    const std::uint64_t seq = in.below(65536);
    const std::string_view text = in.rest();

    if (relay::valid_utf8(text)) {
        const std::string quoted = relay::json_quote(text);
        json::error_code ec;
        const auto v = json::parse(quoted, ec);
        FUZZ_CHECK(!ec && v.is_string() &&
                   v.as_string() == json::string_view(text.data(), text.size()));
    }

    // The relay only carries channel names and client ids that passed its checks, and data
    // that is JSON (it parsed the publish frame).
    if (!relay::client_session::valid_channel(channel) ||
        !relay::client_session::valid_client_id(from))
        return 0;
    json::error_code ec;
    const json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
    if (ec)
        return 0;
    // A number Boost.JSON reads as out of range (e.g. `4e35555515`) becomes infinity and is
    // written back as `Infinity`, not JSON; the relay refuses such a frame (bad_json) before
    // publishing, by json_numbers_finite. That check must be exact: it passes precisely the
    // values whose serialization parses again. Regression input:
    // corpus/relay_message/number_out_of_range_regression.
    json::error_code reparse;
    json::parse(json::serialize(value), reparse);
    FUZZ_CHECK(relay::json_numbers_finite(value) == !reparse);
    if (!relay::json_numbers_finite(value))
        return 0;
    auto msg = std::make_shared<bus::bus_message>();
    msg->channel = channel;
    msg->seq = seq;
    msg->from = from;
    msg->data = json::serialize(value);
    const auto m = std::make_shared<relay::relay_message>(msg);

    const std::string& native = m->text_bytes(false);
    const json::value parsed = json::parse(native, ec);
    FUZZ_CHECK(!ec && parsed.is_object());
    const json::object& o = parsed.as_object();
    FUZZ_CHECK(o.size() == 5);
    FUZZ_CHECK(o.at("type") == "message");
    FUZZ_CHECK(o.at("channel") == json::string_view(channel));
    FUZZ_CHECK(o.at("seq").is_uint64() || o.at("seq").is_int64());
    FUZZ_CHECK(o.at("seq").to_number<std::uint64_t>() == seq);
    FUZZ_CHECK(o.at("from") == json::string_view(from));
    // As the relay's data JSON reads (Boost.JSON's number parsing is not exact, so a long
    // number may read back as a neighbouring double: compare with the carried text's value).
    FUZZ_CHECK(o.at("data") == json::parse(msg->data));

    const std::string& raw = m->text_bytes(true);
    FUZZ_CHECK(value.is_string() ? raw == std::string_view(value.as_string()) : raw == msg->data);

    for (bool as_raw : {false, true}) {
        const std::string& text_form = m->text_bytes(as_raw);
        const std::string& sockjs = m->sockjs_frame_bytes(as_raw);
        const auto frame = fleet::parse_sockjs_frame(sockjs);
        FUZZ_CHECK(frame.kind == fleet::sockjs_frame::message_frame);
        FUZZ_CHECK(frame.messages.size() == 1 && frame.messages[0] == text_form);
        FUZZ_CHECK(ws_payload(m->ws_frame_bytes(as_raw, false)) == text_form);
        FUZZ_CHECK(ws_payload(m->ws_frame_bytes(as_raw, true)) == sockjs);
        // Shared forms: the same bytes every time they are asked for.
        FUZZ_CHECK(m->text(as_raw).get() == &text_form);
    }
    return 0;
}
