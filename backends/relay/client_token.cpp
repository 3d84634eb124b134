#include "backends/relay/client_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

#include "backends/relay/client_session.hpp"

namespace switchyard::relay {

client_token::client_token(std::string secret) : secret_(std::move(secret)) {
    if (secret_.empty())
        throw std::invalid_argument("client token secret must not be empty");
}

std::string client_token::sign(std::string_view client_id) const {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
              reinterpret_cast<const unsigned char*>(client_id.data()), client_id.size(),
              mac.data(), &len))
        return {};  // no MAC: an empty token never matches a real one
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(digits[mac[i] >> 4]);
        out.push_back(digits[mac[i] & 0xf]);
    }
    return out;
}

bool client_token::verify(std::string_view client_id, std::string_view token) const {
    const std::string expected = sign(client_id);
    if (expected.size() != token_chars || token.size() != token_chars)
        return false;
    return CRYPTO_memcmp(expected.data(), token.data(), token_chars) == 0;
}

id_check check_client_id(std::string_view client_id, std::string_view token,
                         const client_token* signer) {
    if (client_id.empty())
        return id_check::ok;
    if (!client_session::valid_client_id(client_id))
        return id_check::bad_id;
    if (!signer)
        return id_check::ok;
    if (token.empty())
        return id_check::token_missing;
    return signer->verify(client_id, token) ? id_check::ok : id_check::bad_token;
}

const char* id_check_text(id_check c) {
    switch (c) {
        case id_check::ok:
            return "ok\n";
        case id_check::bad_id:
            return "bad client id: 1..64 of [A-Za-z0-9_-]\n";
        case id_check::token_missing:
            return "client id needs its token (token=HMAC-SHA256 of the id, hex)\n";
        case id_check::bad_token:
            return "bad client token\n";
    }
    return "bad client id\n";
}

}  // namespace switchyard::relay
