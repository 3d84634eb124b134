#include "backends/policy/sticky_codec.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <charconv>
#include <stdexcept>

namespace switchyard::policy {

namespace {

constexpr std::string_view b64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const unsigned char* data, std::size_t n) {
    std::string out;
    out.reserve((n * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 2 < n; i += 3) {
        const std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        out += b64url_alphabet[(v >> 18) & 63];
        out += b64url_alphabet[(v >> 12) & 63];
        out += b64url_alphabet[(v >> 6) & 63];
        out += b64url_alphabet[v & 63];
    }
    if (i + 1 == n) {
        const std::uint32_t v = data[i] << 16;
        out += b64url_alphabet[(v >> 18) & 63];
        out += b64url_alphabet[(v >> 12) & 63];
    } else if (i + 2 == n) {
        const std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
        out += b64url_alphabet[(v >> 18) & 63];
        out += b64url_alphabet[(v >> 12) & 63];
        out += b64url_alphabet[(v >> 6) & 63];
    }
    return out;
}

}  // namespace

// The key is absorbed once; each MAC starts from a copy of this context, which skips the key
// schedule and the algorithm fetch that one-shot HMAC() repeats on every call.
struct sticky_codec::keyed_mac {
    EVP_MAC* mac = nullptr;
    EVP_MAC_CTX* ctx = nullptr;
    ~keyed_mac() {
        EVP_MAC_CTX_free(ctx);
        EVP_MAC_free(mac);
    }
};

sticky_codec::sticky_codec(std::string secret, std::chrono::seconds max_age) : max_age_(max_age) {
    if (secret.empty()) {
        throw std::invalid_argument("sticky cookie secret must not be empty");
    }
    if (max_age_.count() < 0) {
        throw std::invalid_argument("sticky cookie max_age must be >= 0");
    }
    auto keyed = std::make_shared<keyed_mac>();
    keyed->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (keyed->mac) {
        keyed->ctx = EVP_MAC_CTX_new(keyed->mac);
    }
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    if (!keyed->ctx ||
        EVP_MAC_init(keyed->ctx, reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), params) != 1) {
        throw std::runtime_error("OpenSSL HMAC-SHA256 is unavailable");
    }
    keyed_ = std::move(keyed);
}

bool sticky_codec::valid_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > max_id_bytes)
        return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

std::string sticky_codec::mac(std::string_view signed_part) const {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    std::size_t len = 0;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(keyed_->ctx);
    const bool ok = ctx &&
                    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(signed_part.data()),
                                   signed_part.size()) == 1 &&
                    EVP_MAC_final(ctx, digest.data(), &len, digest.size()) == 1;
    EVP_MAC_CTX_free(ctx);
    // Without a MAC nothing can be trusted: an empty tag never matches a real one.
    if (!ok || len < mac_bytes)
        return {};
    return base64url(digest.data(), mac_bytes);
}

std::string sticky_codec::encode(std::string_view backend_id, wall_time now) const {
    const auto issued = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
    std::array<char, 20> hex{};
    const auto res =
        std::to_chars(hex.data(), hex.data() + hex.size(),
                      static_cast<std::uint64_t>(std::max<std::int64_t>(0, issued.count())), 16);
    std::string value;
    value.reserve(backend_id.size() + 40);
    value.append(backend_id);
    value += '.';
    value.append(hex.data(), res.ptr);
    const std::string tag = mac(value);
    value += '.';
    value += tag;
    return value;
}

std::optional<std::string> sticky_codec::decode(std::string_view value, wall_time now,
                                                sticky_reject* why) const {
    auto reject = [why](sticky_reject r) -> std::optional<std::string> {
        if (why)
            *why = r;
        return std::nullopt;
    };
    if (why)
        *why = sticky_reject::none;
    const auto last_dot = value.rfind('.');
    if (last_dot == std::string_view::npos || last_dot == 0)
        return reject(sticky_reject::malformed);
    const std::string_view signed_part = value.substr(0, last_dot);
    const std::string_view tag = value.substr(last_dot + 1);
    const auto mid_dot = signed_part.rfind('.');
    if (mid_dot == std::string_view::npos)
        return reject(sticky_reject::malformed);
    const std::string_view id = signed_part.substr(0, mid_dot);
    const std::string_view issued_hex = signed_part.substr(mid_dot + 1);
    if (!valid_id(id) || issued_hex.empty() || issued_hex.size() > 16) {
        return reject(sticky_reject::malformed);
    }
    std::uint64_t issued = 0;
    const auto parsed =
        std::from_chars(issued_hex.data(), issued_hex.data() + issued_hex.size(), issued, 16);
    if (parsed.ec != std::errc{} || parsed.ptr != issued_hex.data() + issued_hex.size()) {
        return reject(sticky_reject::malformed);
    }
    const std::string expected = mac(signed_part);
    // Constant-time compare: the tag must not leak through response timing.
    if (tag.size() != expected.size() ||
        CRYPTO_memcmp(tag.data(), expected.data(), expected.size()) != 0) {
        return reject(sticky_reject::bad_signature);
    }
    if (max_age_.count() > 0) {
        const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
        if (now_s.count() < 0 || static_cast<std::uint64_t>(now_s.count()) >
                                     issued + static_cast<std::uint64_t>(max_age_.count())) {
            return reject(sticky_reject::expired);
        }
    }
    return std::string(id);
}

}  // namespace switchyard::policy
