#include "engine/fleet/sockjs_framing.hpp"

#include <boost/json.hpp>

namespace switchyard::fleet {

namespace json = boost::json;

sockjs_frame parse_sockjs_frame(std::string_view frame) {
    sockjs_frame out;
    if (frame.empty()) {
        return out;
    }
    const char k = frame.front();
    const auto rest = frame.substr(1);
    if (k == 'o' && rest.empty()) {
        out.kind = sockjs_frame::open_frame;
    } else if (k == 'h' && rest.empty()) {
        out.kind = sockjs_frame::heartbeat_frame;
    } else if (k == 'a' || k == 'c') {
        boost::system::error_code ec;
        const json::value v = json::parse(json::string_view(rest.data(), rest.size()), ec);
        if (ec || !v.is_array()) {
            return out;
        }
        const auto& arr = v.get_array();
        if (k == 'a') {
            for (const auto& item : arr) {
                if (!item.is_string()) {
                    return out;
                }
                out.messages.emplace_back(item.get_string());
            }
            out.kind = sockjs_frame::message_frame;
        } else {
            if (arr.size() >= 1 && arr[0].is_number()) {
                // A code that is not a whole number in int's range (1.5, 1e30) makes the frame
                // malformed; the throwing to_number would end the fleet's run.
                boost::system::error_code ec;
                const auto code = arr[0].to_number<int>(ec);
                if (ec) {
                    return out;
                }
                out.code = code;
            }
            if (arr.size() >= 2 && arr[1].is_string()) {
                out.reason = std::string(arr[1].get_string());
            }
            out.kind = sockjs_frame::close_frame;
        }
    }
    return out;
}

std::string encode_sockjs_messages(const std::vector<std::string>& messages) {
    json::array arr;
    arr.reserve(messages.size());
    for (const auto& m : messages) {
        arr.emplace_back(json::string_view(m.data(), m.size()));
    }
    return json::serialize(arr);
}

std::vector<std::string_view> split_sockjs_lines(std::string_view body) {
    std::vector<std::string_view> out;
    while (!body.empty()) {
        const auto nl = body.find('\n');
        const auto line = body.substr(0, nl);
        if (!line.empty()) {
            out.push_back(line);
        }
        if (nl == std::string_view::npos) {
            break;
        }
        body.remove_prefix(nl + 1);
    }
    return out;
}

}  // namespace switchyard::fleet
