#include "backends/relay/http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include "backends/relay/client_token.hpp"
#include "backends/relay/origin_check.hpp"
#include "backends/relay/relay_server.hpp"
#include "backends/relay/sockjs_session.hpp"
#include "backends/relay/ws_client.hpp"

namespace switchyard::relay {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

namespace {

// Request headers beyond this are refused (431-like: the connection closes).
constexpr std::uint32_t header_bytes_max = 16 * 1024;

const char* reason_of(int status) {
    switch (status) {
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 204:
            return "No Content";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 413:
            return "Payload Too Large";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Unknown";
    }
}

std::string query_param(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        auto amp = query.find('&');
        auto part = query.substr(0, amp);
        auto eq = part.find('=');
        if (part.substr(0, eq) == name && eq != std::string_view::npos)
            return std::string(part.substr(eq + 1));
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

}  // namespace

std::string http_response(int status, std::string_view content_type, std::string_view body,
                          bool keep_alive, std::string_view extra_headers, bool head) {
    std::string out;
    out.reserve(160 + extra_headers.size() + body.size());
    out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ").append(reason_of(status));
    out.append("\r\n");
    if (!content_type.empty())
        out.append("Content-Type: ").append(content_type).append("\r\n");
    if (status != 204)
        out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    out.append(keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
    out.append(extra_headers);
    out.append("\r\n");
    if (!head && status != 204)
        out.append(body);
    return out;
}

http_session::http_session(relay_server& server, asio::ip::tcp::socket socket, bool admin,
                           std::shared_ptr<connection_slot> slot)
    : server_(server), stream_(std::move(socket)), admin_(admin), slot_(std::move(slot)) {}

void http_session::run() {
    do_read();
}

std::string http_session::cors_headers() const {
    if (origin_.empty() || origin_ == "null")
        return "Access-Control-Allow-Origin: *\r\n";
    return "Access-Control-Allow-Origin: " + origin_ +
           "\r\nAccess-Control-Allow-Credentials: true\r\nVary: Origin\r\n";
}

void http_session::do_read() {
    if (dead_)
        return;
    parser_.emplace();
    parser_->header_limit(header_bytes_max);
    // xhr_send bodies are client messages: the same limit as a WebSocket frame (JSON-wrapped).
    parser_->body_limit(server_.config().max_message_bytes * 2 + 64);
    // A connection that never completes its first request is an idle socket holding an fd
    // (or a slowloris): it gets the shorter handshake timeout.
    stream_.expires_after(first_request_ ? server_.config().handshake_timeout
                                         : server_.config().idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec == beast::error::timeout) {
                ++(self->first_request_ ? self->server_.metrics().handshake_timeouts
                                        : self->server_.metrics().idle_timeouts);
            }
            self->first_request_ = false;
            if (ec == http::error::body_limit) {
                ++self->server_.metrics().too_large;
                self->keep_alive_ = false;
                self->respond(413, "text/plain", "message too large\n");
                return;
            }
            if (ec) {
                self->dead_ = true;
                beast::error_code ignored;
                self->stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
                return;
            }
            self->on_request();
        });
}

void http_session::write(std::shared_ptr<const std::string> bytes, bool end) {
    if (dead_)
        return;
    out_.emplace_back(std::move(bytes), end);
    if (!writing_)
        do_write();
}

void http_session::do_write() {
    writing_ = true;
    stream_.expires_never();
    asio::async_write(stream_, asio::buffer(*out_.front().first),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          self->writing_ = false;
                          if (ec) {
                              self->dead_ = true;
                              self->out_.clear();
                              return;
                          }
                          const bool end = self->out_.front().second;
                          self->out_.pop_front();
                          if (end) {
                              if (!self->keep_alive_) {
                                  self->dead_ = true;
                                  beast::error_code ignored;
                                  self->stream_.socket().shutdown(
                                      asio::ip::tcp::socket::shutdown_send, ignored);
                                  return;
                              }
                              if (self->out_.empty()) {
                                  self->do_read();
                                  return;
                              }
                          }
                          if (!self->out_.empty())
                              self->do_write();
                      });
}

void http_session::respond(int status, std::string_view content_type, std::string body,
                           std::string extra_headers) {
    write(std::make_shared<const std::string>(
              http_response(status, content_type, body, keep_alive_, extra_headers, head_)),
          true);
}

void http_session::on_request() {
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    origin_ = std::string(req[http::field::origin]);
    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));
    std::string_view query =
        target.find('?') == std::string_view::npos ? "" : target.substr(target.find('?') + 1);

    const bool get_or_head = req.method() == http::verb::get || head_;
    if ((path == "/" && head_) || (path == "/healthz" && get_or_head)) {
        if (server_.draining())
            respond(503, "text/plain", "draining\n");
        else if (server_.bus_lost())
            respond(503, "text/plain", "bus unavailable\n");
        else
            respond(200, "text/plain", "ok\n");
        return;
    }
    if (admin_) {
        if (path == "/metrics" && get_or_head)
            respond(200, "text/plain; version=0.0.4", server_.metrics_text());
        else
            respond(404, "text/plain", "not found\n");
        return;
    }
    if (path == "/ws") {
        if (!beast::websocket::is_upgrade(req)) {
            respond(400, "text/plain", "WebSocket upgrade expected\n");
            return;
        }
        if (!check_request_origin())
            return;
        std::string client = query_param(query, "client");
        if (!client_id_allowed(client, query))
            return;
        upgrade(static_cast<int>(ws_framing::native), client);
        return;
    }
    if (path == "/sockjs" || path.rfind("/sockjs/", 0) == 0) {
        route_sockjs(path.substr(7), query);
        return;
    }
    respond(404, "text/plain", "not found\n");
}

bool http_session::check_request_origin() {
    auto& req = parser_->get();
    const auto verdict = check_origin(origin_, req[http::field::host], server_.allowed_origins());
    if (switchyard::relay::origin_allowed(verdict))
        return true;
    keep_alive_ = false;
    ++server_.metrics().origin_rejections;
    respond(403, "text/plain", "origin not allowed\n");
    return false;
}

bool http_session::client_id_allowed(const std::string& client, std::string_view query) {
    const auto verdict =
        check_client_id(client, query_param(query, "token"), server_.token_signer());
    if (verdict == id_check::ok)
        return true;
    keep_alive_ = false;
    if (verdict == id_check::bad_id) {
        respond(400, "text/plain", id_check_text(verdict));
        return false;
    }
    ++server_.metrics().token_rejections;
    respond(401, "text/plain", id_check_text(verdict));
    return false;
}

void http_session::upgrade(int framing, std::string client_id) {
    if (!server_.healthy()) {
        keep_alive_ = false;
        respond(503, "text/plain", "draining\n");
        return;
    }
    auto req = parser_->release();
    stream_.expires_never();
    // The relay frames WebSocket itself; a request without the headers gets a 400 there.
    auto socket = stream_.release_socket();
    dead_ = true;
    shard& target = server_.next_shard();
    if (&target == &server_.main_shard()) {
        auto c =
            std::make_shared<ws_client>(server_, target, std::move(socket), std::move(client_id),
                                        static_cast<ws_framing>(framing), std::move(slot_));
        c->run(std::move(req));
        return;
    }
    // Hand the connection to another shard's loop: sockets belong to one io_context.
    boost::system::error_code ec;
    const auto protocol = socket.local_endpoint(ec).protocol();
    const auto fd = socket.release(ec);
    if (ec)
        return;
    asio::post(target.ioc, [this_server = &server_, &target, fd, protocol, framing,
                            client_id = std::move(client_id), req = std::move(req),
                            slot = std::move(slot_)]() mutable {
        asio::ip::tcp::socket s(target.ioc);
        boost::system::error_code ec;
        s.assign(protocol, fd, ec);
        if (ec)
            return;
        auto c =
            std::make_shared<ws_client>(*this_server, target, std::move(s), std::move(client_id),
                                        static_cast<ws_framing>(framing), std::move(slot));
        c->run(std::move(req));
    });
}

void http_session::route_sockjs(std::string_view path, std::string_view query) {
    auto& req = parser_->get();
    const std::string cache =
        "Cache-Control: no-store, no-cache, no-transform, must-revalidate, "
        "max-age=0\r\n";
    if (path.empty() || path == "/") {
        respond(200, "text/plain; charset=UTF-8", "Welcome to SockJS!\n");
        return;
    }
    if (path == "/info") {
        if (req.method() == http::verb::options) {
            respond(204, "", "",
                    cors_headers() +
                        "Access-Control-Allow-Methods: OPTIONS, GET\r\n"
                        "Access-Control-Max-Age: 31536000\r\nCache-Control: public, "
                        "max-age=31536000\r\n");
            return;
        }
        static std::atomic<std::uint32_t> entropy{0x9e3779b9u};
        const auto e = entropy.fetch_add(0x6d2b79f5u) & 0x7fffffffu;
        respond(200, "application/json; charset=UTF-8",
                R"({"websocket":true,"origins":["*:*"],"cookie_needed":false,"entropy":)" +
                    std::to_string(e) + "}",
                cors_headers() + cache);
        return;
    }
    if (path == "/websocket") {
        if (!beast::websocket::is_upgrade(req)) {
            respond(400, "text/plain", "Can \"Upgrade\" only to \"WebSocket\".");
            return;
        }
        if (!check_request_origin())
            return;
        std::string client = query_param(query, "client");
        if (!client_id_allowed(client, query))
            return;
        upgrade(static_cast<int>(ws_framing::raw), client);
        return;
    }
    // /<server>/<session>/<transport>: server and session are non-empty and dot-free.
    std::vector<std::string_view> parts;
    std::string_view rest = path.substr(1);
    while (!rest.empty()) {
        auto slash = rest.find('/');
        parts.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos)
            break;
        rest.remove_prefix(slash + 1);
    }
    auto valid_part = [](std::string_view p) {
        return !p.empty() && p.find('.') == std::string_view::npos;
    };
    if (parts.size() != 3 || !valid_part(parts[0]) || !valid_part(parts[1])) {
        respond(404, "text/plain", "not found\n");
        return;
    }
    const std::string key(parts[1]);
    const std::string_view transport = parts[2];
    std::string client = query_param(query, "client");
    // SockJS clients cannot always set parameters: an invalid id means "invent one", as
    // before. With a secret, a valid id without its token is refused like on /ws.
    if (!client.empty() && !client_session::valid_client_id(client))
        client.clear();
    // The websocket transport follows /ws's origin rule; the xhr transports keep SockJS's own
    // CORS answers (the Origin echoed back), as the protocol wants for them.
    if (transport == "websocket" && beast::websocket::is_upgrade(req) && !check_request_origin())
        return;
    if (transport != "xhr_send" && req.method() != http::verb::options &&
        !client_id_allowed(client, query))
        return;
    if (transport == "websocket") {
        if (!beast::websocket::is_upgrade(req)) {
            respond(400, "text/plain", "Can \"Upgrade\" only to \"WebSocket\".");
            return;
        }
        upgrade(static_cast<int>(ws_framing::sockjs), client);
        return;
    }
    const bool known =
        transport == "xhr" || transport == "xhr_streaming" || transport == "xhr_send";
    if (!known) {
        respond(404, "text/plain", "not found\n");
        return;
    }
    if (req.method() == http::verb::options) {
        respond(204, "", "",
                cors_headers() +
                    "Access-Control-Allow-Methods: OPTIONS, POST\r\n"
                    "Access-Control-Max-Age: 31536000\r\nCache-Control: public, "
                    "max-age=31536000\r\n");
        return;
    }
    if (req.method() != http::verb::post) {
        respond(405, "text/plain", "", "Allow: OPTIONS, POST\r\n");
        return;
    }
    auto& registry = server_.sockjs();
    auto session = registry.find(key);
    if (transport == "xhr_send") {
        if (!session || session->closed()) {
            respond(404, "text/plain", "not found\n");
            return;
        }
        std::string error;
        const int status = session->on_send(req.body(), error);
        respond(status, "text/plain; charset=UTF-8", error, cors_headers() + cache);
        return;
    }
    const auto kind = transport == "xhr" ? sockjs_session::receiver_kind::polling
                                         : sockjs_session::receiver_kind::streaming;
    bool fresh = false;
    if (!session) {
        if (server_.draining()) {
            keep_alive_ = false;
            respond(503, "text/plain", "draining\n");
            return;
        }
        session = std::make_shared<sockjs_session>(server_, key, client);
        registry.add(key, session);
        fresh = true;
    }
    session->attach(shared_from_this(), kind, fresh);
}

}  // namespace switchyard::relay
