#pragma once
// Binds client ids to a token the application hands out: token = lowercase hex of
// HMAC-SHA256(secret, client id). With a secret configured the relay refuses an id without its
// token, so ids cannot be guessed into (docs/security.md, "Relay").
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::relay {

/// Signs and checks client tokens with one secret. Const members are safe on several threads.
class client_token {
  public:
    /// Hex characters of a token (the full 256-bit MAC).
    static constexpr std::size_t token_chars = 64;

    /// `secret` must not be empty (throws std::invalid_argument).
    explicit client_token(std::string secret);

    /// The token for `client_id`.
    std::string sign(std::string_view client_id) const;
    /// True when `token` is sign(client_id); the comparison takes the same time wherever the
    /// first difference is.
    bool verify(std::string_view client_id, std::string_view token) const;

  private:
    std::string secret_;
};

/// The verdict on the `client` and `token` query parameters of a connection.
enum class id_check { ok, bad_id, token_missing, bad_token };

/// Decides whether a connection may use `client_id` (empty: the relay invents one, always
/// allowed). `signer` is null when no secret is configured: any valid id is then accepted.
id_check check_client_id(std::string_view client_id, std::string_view token,
                         const client_token* signer);

/// One line for the refusal (HTTP 401/400 body).
const char* id_check_text(id_check c);

}  // namespace switchyard::relay
