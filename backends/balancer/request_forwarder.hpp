#pragma once
// One client request forwarded to a backend: the backend chosen (affinity cookie, SockJS
// session, strategy), the request sent (redispatched on refusal), the response relayed back or
// the connection turned into a tunnel after a 101. The decisions are policy::forward_policy's
// and policy::backend_chooser's; this file carries them out.
#include <cstddef>
#include <cstdint>
#include <string>

#include "backends/balancer/http_relay.hpp"
#include "backends/balancer/session_io.hpp"
#include "backends/net/parser_without_trailers.hpp"

namespace switchyard::balancer {

/// The last affinity cookie value a client connection sent and what it verified to: a client
/// sends the same value on every request, and checking its HMAC again would cost ~550 ns.
struct affinity_memo {
    std::string value;
    std::size_t index = 0;
    std::int64_t second = -1;  ///< when it was verified (matters only with max_age)
    bool valid = false;
};

/// Handles one parsed request header: choose, forward (redispatching on refusal), relay the
/// answer. Returns true when the client connection may carry another request.
asio::awaitable<bool> forward(session_io& io, tcp::socket& client, beast::flat_buffer& buf,
                              net::parser_without_trailers<true>& parser,
                              const std::string& client_ip, chunk_buffer& staging,
                              affinity_memo& memo);
asio::awaitable<bool> forward(session_io& io, beast::ssl_stream<tcp::socket>& client,
                              beast::flat_buffer& buf, net::parser_without_trailers<true>& parser,
                              const std::string& client_ip, chunk_buffer& staging,
                              affinity_memo& memo);

}  // namespace switchyard::balancer
