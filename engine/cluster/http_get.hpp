#pragma once
// A minimal blocking HTTP/1.0 client for admin endpoints on 127.0.0.1 (/stats, drain commands)
// or an external balancer's stats URL.
// Not for traffic: one request per connection, whole reply read until close, bounded in size.
#include <chrono>
#include <optional>
#include <string>

namespace switchyard::cluster {

struct http_reply {
    int status = 0;
    std::string body;
};

/// Largest reply accepted; /stats of a big balancer is a few kB.
inline constexpr std::size_t http_reply_bytes_max = 4 << 20;

/// Sends `method path` to 127.0.0.1:port with an optional bearer token and waits up to
/// `timeout` overall. nullopt when the connection fails, times out or the reply is not HTTP.
std::optional<http_reply> http_request(unsigned short port, const std::string& method,
                                       const std::string& path, const std::string& bearer_token,
                                       std::chrono::milliseconds timeout);
/// The same to `host` (an IPv4 address, "localhost" or a name resolved on each call): the
/// stats page of an external balancer.
std::optional<http_reply> http_request(const std::string& host, unsigned short port,
                                       const std::string& method, const std::string& path,
                                       const std::string& bearer_token,
                                       std::chrono::milliseconds timeout);

}  // namespace switchyard::cluster
