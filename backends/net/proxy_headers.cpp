#include "backends/net/proxy_headers.hpp"

#include <boost/beast/http/field.hpp>
#include <string>
#include <vector>

namespace switchyard::net {

namespace http = boost::beast::http;

void strip_hop_by_hop(http::fields& fields, bool keep_upgrade) {
    auto connection = fields.find(http::field::connection);
    if (connection != fields.end()) {
        // Headers named by Connection are hop-by-hop too (e.g. "Connection: close, X-Foo").
        std::vector<std::string> listed;
        std::string_view list = connection->value();
        while (!list.empty()) {
            auto comma = list.find(',');
            std::string_view token = list.substr(0, comma);
            list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
            while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
                token.remove_prefix(1);
            while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
                token.remove_suffix(1);
            if (!token.empty())
                listed.emplace_back(token);
        }
        for (const auto& name : listed) {
            if (keep_upgrade && (name.size() == 7) &&
                boost::beast::iequals(name, std::string_view("upgrade")))
                continue;
            // The message's framing and its Host are end-to-end whatever Connection says: erasing
            // them would send the next hop a head without its length (the body then reads as a
            // second request) or an HTTP/1.1 request without Host.
            if (boost::beast::iequals(name, std::string_view("transfer-encoding")) ||
                boost::beast::iequals(name, std::string_view("content-length")) ||
                boost::beast::iequals(name, std::string_view("host")))
                continue;
            fields.erase(name);
        }
        fields.erase(http::field::connection);
    }
    fields.erase(http::field::keep_alive);
    fields.erase("Proxy-Connection");
    fields.erase(http::field::proxy_authenticate);
    fields.erase(http::field::proxy_authorization);
    fields.erase(http::field::te);
    fields.erase(http::field::trailer);
    if (!keep_upgrade)
        fields.erase(http::field::upgrade);
}

void add_forwarded(http::fields& fields, std::string_view client_ip, std::string_view proto) {
    auto xff = fields.find("X-Forwarded-For");
    if (xff != fields.end()) {
        std::string chain(xff->value());
        chain += ", ";
        chain += client_ip;
        fields.set("X-Forwarded-For", chain);
    } else {
        fields.set("X-Forwarded-For", client_ip);
    }
    fields.set("X-Forwarded-Proto", proto);
    // What a client sends in these would be taken for what the proxy saw: set them from the
    // connection and the (validated) Host, never pass them on.
    fields.erase("X-Forwarded-Host");
    auto host = fields.find(http::field::host);
    if (host != fields.end())
        fields.set("X-Forwarded-Host", host->value());
    fields.set("X-Real-IP", client_ip);
    fields.erase(http::field::forwarded);
}

}  // namespace switchyard::net
