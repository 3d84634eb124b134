#pragma once
// Reads and writes the signed affinity cookie that pins a client to one backend.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::policy {

/// Why a cookie value was not accepted. The balancer treats every one of them as "no cookie":
/// the client is placed afresh and given a new cookie, never shown an error.
enum class sticky_reject { none, malformed, bad_signature, expired };

/// Encodes `<backend id>.<issued, hex seconds>.<HMAC-SHA256, truncated, base64url>`.
///
/// The cookie names a backend by its stable id, never by list position, so reordering or adding
/// backends keeps every existing affinity. Whether the id still names a configured backend is the
/// caller's question: an unknown id is as good as no cookie.
///
/// Copyable and cheap to copy; const member functions may run on several threads at once.
class sticky_codec {
  public:
    using wall_time = std::chrono::system_clock::time_point;

    /// Bytes of MAC kept: 16 (128 bits) is far beyond what an online forger can guess.
    static constexpr std::size_t mac_bytes = 16;
    /// Longest backend id accepted, so a cookie stays far below header limits.
    static constexpr std::size_t max_id_bytes = 64;

    /// `secret` must not be empty. `max_age` of zero means the cookie never expires by itself.
    sticky_codec(std::string secret, std::chrono::seconds max_age);

    /// The cookie value for `backend_id` (which must be a valid id, see `valid_id`).
    std::string encode(std::string_view backend_id, wall_time now) const;

    /// The backend id a cookie value names, or nullopt with `why` set when it is not trustworthy.
    std::optional<std::string> decode(std::string_view value, wall_time now,
                                      sticky_reject* why = nullptr) const;

    /// Ids are 1..64 characters of [A-Za-z0-9_-], safe in a cookie without quoting.
    static bool valid_id(std::string_view id) noexcept;

    std::chrono::seconds max_age() const noexcept { return max_age_; }

  private:
    struct keyed_mac;  // OpenSSL HMAC context with the key already absorbed
    std::string mac(std::string_view signed_part) const;
    std::shared_ptr<const keyed_mac>
        keyed_;  ///< shared: copies of the codec reuse one key schedule
    std::chrono::seconds max_age_;
};

}  // namespace switchyard::policy
