#include "backends/balancer/http_relay.hpp"

namespace switchyard::balancer {

/// Longest chunk-size line or trailer section the body parser may wait on.
constexpr std::size_t max_pending_line_bytes = 16384;

/// When the body parser waits for more input, what it left unread is an unfinished chunk-size
/// line or trailer section. Beast wants CRLF there and waits forever on a bare LF (the request
/// would hang until the idle timeout), and on a line with no end it would buffer without bound;
/// both are malformed.
bool pending_line_ok(const beast::flat_buffer& pending) {
    const std::string_view bytes(static_cast<const char*>(pending.data().data()), pending.size());
    if (bytes.size() > max_pending_line_bytes)
        return false;
    for (std::size_t i = bytes.find('\n'); i != std::string_view::npos; i = bytes.find('\n', i + 1))
        if (i == 0 || bytes[i - 1] != '\r')
            return false;
    return true;
}

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_method).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

}  // namespace switchyard::balancer
