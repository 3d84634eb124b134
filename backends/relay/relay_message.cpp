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

std::shared_ptr<const std::string> relay_message::text(bool raw) const {
    if (raw) {
        std::call_once(raw_.once, [&] { raw_.bytes = raw_text_of(msg_->data); });
        return alias(raw_.bytes);
    }
    std::call_once(native_.once, [&] {
        // Channel and client ids are validated to need no escaping; data is JSON already.
        std::string& s = native_.bytes;
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
    return alias(native_.bytes);
}

std::shared_ptr<const std::string> relay_message::sockjs_frame(bool raw) const {
    const form& f = raw ? sockjs_raw_ : sockjs_native_;
    std::call_once(f.once, [&] { f.bytes = "a[" + json_quote(*text(raw)) + "]"; });
    return alias(f.bytes);
}

}  // namespace switchyard::relay

namespace switchyard::relay {

std::shared_ptr<const std::string> relay_message::ws_frame(bool raw, bool sockjs) const {
    const form& f = ws_[(raw ? 1 : 0) + (sockjs ? 2 : 0)];
    std::call_once(f.once, [&] {
        auto payload = sockjs ? sockjs_frame(raw) : text(raw);
        f.bytes = relay::ws_frame(ws_opcode::text, *payload);
    });
    return alias(f.bytes);
}

}  // namespace switchyard::relay
