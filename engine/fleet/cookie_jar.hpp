#pragma once
// The cookies one synthetic client holds, so a balancer's affinity cookie works as it would in a
// browser: stored from Set-Cookie, sent back on every later request.
#include <string>
#include <string_view>

namespace switchyard::fleet {

/// A minimal jar for one origin: name=value pairs only (attributes such as Path or Max-Age are
/// ignored; the testbed talks to one host). Stored as the ready-made Cookie header value, because
/// that is what every request needs and it keeps an idle client to one small string.
///
/// Limit: at most `bytes_max` bytes of cookies; a Set-Cookie that would pass it is ignored.
class cookie_jar {
  public:
    static constexpr std::size_t bytes_max = 4096;

    /// Applies one Set-Cookie header value. An empty value or Max-Age=0 deletes the cookie.
    void set_from_header(std::string_view set_cookie);
    /// The Cookie header value to send ("a=1; b=2"), empty when the jar is empty.
    const std::string& header() const noexcept { return header_; }
    bool has(std::string_view name) const noexcept;
    /// The value of `name`, or "" when absent.
    std::string_view get(std::string_view name) const noexcept;
    void clear() noexcept { header_.clear(); }

  private:
    void erase(std::string_view name);
    std::string header_;
};

}  // namespace switchyard::fleet
