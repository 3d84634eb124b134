#pragma once
// One HTTP connection on the client or admin port: health, metrics, SockJS HTTP transports, and
// the hand-off of WebSocket upgrades to ws_client.
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace switchyard::relay {

class relay_server;
class connection_slot;

/// Reads requests one at a time (keep-alive). A SockJS poll may park the connection: the
/// session answers later through write(). Responses are written as prepared bytes, one write
/// in flight.
class http_session : public std::enable_shared_from_this<http_session> {
  public:
    /// `slot`: the connection's place in the client connection limits (null on the admin port);
    /// it moves on with the socket on an upgrade.
    http_session(relay_server& server, boost::asio::ip::tcp::socket socket, bool admin,
                 std::shared_ptr<connection_slot> slot);
    void run();
    /// Queues response bytes; `end` marks the end of the response (then the next request is
    /// read, or the connection closes when it was not keep-alive).
    void write(std::shared_ptr<const std::string> bytes, bool end);
    /// True once the connection failed or closed.
    bool dead() const noexcept { return dead_; }
    /// Access-Control headers for the current request (SockJS needs CORS).
    std::string cors_headers() const;
    bool keep_alive() const noexcept { return keep_alive_; }

  private:
    void do_read();
    void on_request();
    void do_write();
    void respond(int status, std::string_view content_type, std::string body,
                 std::string extra_headers = "");
    void route_sockjs(std::string_view path, std::string_view query);
    void upgrade(int framing, std::string client_id);
    /// Applies the client id rule (valid id; with a secret, its token) to the request's
    /// `client` and `token` parameters. False after answering 400/401 (counted).
    bool client_id_allowed(const std::string& client, std::string_view query);
    /// Browsers' cross-origin WebSocket upgrades (origin_check): false after answering 403.
    bool check_request_origin();

    relay_server& server_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    bool admin_;
    bool keep_alive_ = true;
    bool head_ = false;
    std::string origin_;
    std::deque<std::pair<std::shared_ptr<const std::string>, bool>> out_;
    bool writing_ = false;
    bool dead_ = false;
    /// No request has been read yet: the read runs under --handshake-timeout-ms, later ones
    /// under --idle-timeout-ms.
    bool first_request_ = true;
    std::shared_ptr<connection_slot> slot_;
};

/// Builds a complete HTTP/1.1 response. `extra_headers` are full "Name: value\r\n" lines.
std::string http_response(int status, std::string_view content_type, std::string_view body,
                          bool keep_alive, std::string_view extra_headers, bool head = false);

}  // namespace switchyard::relay
