#include "engine/fleet/message_codec.hpp"

#include <boost/json.hpp>

namespace switchyard::fleet {

namespace json = boost::json;

std::string make_msg_id(std::uint32_t publisher, std::uint64_t n) {
    return std::to_string(publisher) + "-" + std::to_string(n);
}

std::string make_data(std::uint32_t publisher, std::uint64_t n, micros sent_at,
                      std::uint32_t message_bytes) {
    std::string out;
    out.reserve(message_bytes);
    out += "{\"id\":\"";
    out += make_msg_id(publisher, n);
    out += "\",\"p\":";
    out += std::to_string(publisher);
    out += ",\"t\":";
    out += std::to_string(sent_at.count());
    out += ",\"pad\":\"";
    const std::size_t tail = 2;  // closing quote and brace
    if (out.size() + tail < message_bytes) {
        out.append(message_bytes - out.size() - tail, 'x');
    }
    out += "\"}";
    return out;
}

std::string make_publish_frame(std::string_view channel, std::uint32_t publisher, std::uint64_t n,
                               micros sent_at, std::uint32_t message_bytes) {
    std::string out;
    out.reserve(message_bytes + 96);
    out += "{\"type\":\"publish\",\"channel\":";
    out += json::serialize(json::string_view(channel.data(), channel.size()));
    out += ",\"id\":\"";
    out += make_msg_id(publisher, n);
    out += "\",\"data\":";
    out += make_data(publisher, n, sent_at, message_bytes);
    out += "}";
    return out;
}

std::string make_subscribe_frame(const std::vector<std::string>& channels,
                                 const std::vector<std::uint64_t>& resume_from) {
    json::object frame;
    frame["type"] = "subscribe";
    json::array names;
    json::object resume;
    for (std::size_t i = 0; i < channels.size(); ++i) {
        names.emplace_back(channels[i]);
        if (i < resume_from.size() && resume_from[i] > 0) {
            resume[channels[i]] = resume_from[i];
        }
    }
    frame["channels"] = std::move(names);
    if (!resume.empty()) {
        frame["resume"] = std::move(resume);
    }
    return json::serialize(frame);
}

std::optional<carried_fields> parse_carried_text(std::string_view data_json) {
    boost::system::error_code ec;
    const json::value v = json::parse(json::string_view(data_json.data(), data_json.size()), ec);
    if (ec) {
        return std::nullopt;
    }
    return parse_carried(v);
}

std::optional<carried_fields> parse_carried(const json::value& v) {
    if (!v.is_object()) {
        return std::nullopt;
    }
    const auto& o = v.get_object();
    const auto* id = o.if_contains("id");
    const auto* p = o.if_contains("p");
    const auto* t = o.if_contains("t");
    if (id == nullptr || !id->is_string() || p == nullptr || !p->is_number() || t == nullptr ||
        !t->is_number()) {
        return std::nullopt;
    }
    // Any client may publish any JSON: a number that is not a whole one in range (-1, 1.5,
    // 1e30) means these are not a fleet's fields. The throwing to_number would end the run.
    boost::system::error_code p_ec;
    boost::system::error_code t_ec;
    const auto publisher = p->to_number<std::uint32_t>(p_ec);
    const auto sent_at = t->to_number<std::int64_t>(t_ec);
    if (p_ec || t_ec) {
        return std::nullopt;
    }
    carried_fields out;
    out.msg_id = std::string(id->get_string());
    out.publisher = publisher;
    out.sent_at = micros{sent_at};
    return out;
}

}  // namespace switchyard::fleet
