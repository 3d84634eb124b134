#include "backends/relay/relay_message.hpp"

#include <boost/json.hpp>

#include "backends/relay/ws_codec.hpp"

namespace switchyard::relay {

std::string json_quote(std::string_view s) {
    return boost::json::serialize(boost::json::string_view(s.data(), s.size()));
}

namespace {
std::string raw_text_of(const std::string& data) {
    if (!data.empty() && data.front() == '"') {
        boost::system::error_code ec;
        auto v = boost::json::parse(data, ec);
        if (!ec && v.is_string())
            return std::string(v.as_string());
    }
    return data;
}
}  // namespace

const std::string& relay_message::text_bytes(bool raw) const {
    if (raw)
        return build(raw_, [&](std::string& s) { s = raw_text_of(msg_->data); });
    return build(native_, [&](std::string& s) {
        // Channel and client ids are validated to need no escaping; data is JSON already.
        s.reserve(64 + msg_->channel.size() + msg_->from.size() + msg_->data.size());
        s.append(R"({"type":"message","channel":")")
            .append(msg_->channel)
            .append(R"(","seq":)")
            .append(std::to_string(msg_->seq))
            .append(R"(,"from":")")
            .append(msg_->from)
            .append(R"(","data":)")
            .append(msg_->data)
            .append("}");
    });
}

const std::string& relay_message::sockjs_frame_bytes(bool raw) const {
    return build(raw ? sockjs_raw_ : sockjs_native_,
                 [&](std::string& s) { s = "a[" + json_quote(text_bytes(raw)) + "]"; });
}

const std::string& relay_message::ws_frame_bytes(bool raw, bool sockjs) const {
    return build(ws_[(raw ? 1 : 0) + (sockjs ? 2 : 0)], [&](std::string& s) {
        s = relay::ws_frame(ws_opcode::text, sockjs ? sockjs_frame_bytes(raw) : text_bytes(raw));
    });
}

}  // namespace switchyard::relay
