#pragma once
// Beast's parser adds the fields of a chunked body's trailer section to the message header, so
// a proxy that serializes the header after the body arrived (a small chunked message comes in
// one read) would send trailers to the next hop as header fields: `X-Forwarded-For` or `Host`
// the client chose. This parser drops trailer fields; the relayed message ends with an empty
// trailer section.
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

namespace switchyard::net {

template <bool is_request>
class parser_without_trailers
    : public boost::beast::http::parser<is_request, boost::beast::http::buffer_body> {
  public:
    /// Trailer fields seen and dropped on this parser's message.
    std::size_t trailers_dropped() const noexcept { return dropped_; }

  private:
    void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                       boost::beast::string_view value, boost::beast::error_code&) override {
        if (this->is_header_done()) {
            ++dropped_;
            return;
        }
        this->get().insert(name, name_string, value);
    }
    std::size_t dropped_ = 0;
};

}  // namespace switchyard::net
