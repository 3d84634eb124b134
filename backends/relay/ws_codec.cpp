#include "backends/relay/ws_codec.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace switchyard::relay {

std::string ws_accept_key(std::string_view client_key) {
    static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string input(client_key);
    input.append(guid);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    unsigned char out[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

std::string ws_frame(ws_opcode op, std::string_view payload) {
    std::string f;
    const std::size_t n = payload.size();
    f.reserve(n + 10);
    f.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(op)));
    if (n < 126) {
        f.push_back(static_cast<char>(n));
    } else if (n <= 0xffff) {
        f.push_back(static_cast<char>(126));
        f.push_back(static_cast<char>((n >> 8) & 0xff));
        f.push_back(static_cast<char>(n & 0xff));
    } else {
        f.push_back(static_cast<char>(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            f.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xff));
    }
    f.append(payload);
    return f;
}

std::string ws_close_frame(std::uint16_t code, std::string_view reason) {
    std::string payload;
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xff));
    payload.append(reason.substr(0, 123));
    return ws_frame(ws_opcode::close, payload);
}

bool valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra;
        std::uint32_t cp;
        if ((c & 0xe0) == 0xc0) {
            extra = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (end - p <= extra)
            return false;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid.
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += extra + 1;
    }
    return true;
}

std::size_t ws_parser::parse(std::string_view data, event& out) {
    out.kind = event::none;
    std::size_t used = 0;
    while (error_ == 0) {
        const std::string_view rest = data.substr(used);
        if (rest.size() < 2)
            return used;
        const auto b0 = static_cast<std::uint8_t>(rest[0]);
        const auto b1 = static_cast<std::uint8_t>(rest[1]);
        const bool fin = b0 & 0x80;
        const auto op = static_cast<std::uint8_t>(b0 & 0x0f);
        if ((b0 & 0x70) != 0 || !(b1 & 0x80)) {
            error_ = 1002;  // no extensions negotiated; clients must mask
            return used;
        }
        std::uint64_t len = b1 & 0x7f;
        std::size_t header = 2;
        if (len == 126) {
            if (rest.size() < 4)
                return used;
            len = (static_cast<std::uint64_t>(static_cast<std::uint8_t>(rest[2])) << 8) |
                  static_cast<std::uint8_t>(rest[3]);
            header = 4;
        } else if (len == 127) {
            if (rest.size() < 10)
                return used;
            len = 0;
            for (int i = 2; i < 10; ++i)
                len = (len << 8) | static_cast<std::uint8_t>(rest[i]);
            header = 10;
            // RFC 6455 5.2: the most significant bit of a 64-bit length must be 0.
            if (len >> 63) {
                error_ = 1002;
                return used;
            }
        }
        const bool control = op >= 8;
        if (control && (!fin || len > 125)) {
            error_ = 1002;
            return used;
        }
        if (!control && (op == 0) != in_message_) {
            error_ = 1002;  // continuation without a start, or a new message mid-message
            return used;
        }
        if (op != 0 && op != 1 && op != 2 && op != 8 && op != 9 && op != 10) {
            error_ = 1002;
            return used;
        }
        // Refuse an oversized message from its header alone: never buffer it.
        // (Written so nothing wraps: `len` can be as large as 2^63 - 1.)
        if (!control && (message_.size() > max_ || len > max_ - message_.size())) {
            error_ = 1009;
            return used;
        }
        if (rest.size() < header + 4 || rest.size() - header - 4 < len)
            return used;
        const char* mask = rest.data() + header;
        std::string payload(rest.substr(header + 4, static_cast<std::size_t>(len)));
        for (std::size_t i = 0; i < payload.size(); ++i)
            payload[i] = static_cast<char>(payload[i] ^ mask[i & 3]);
        used += header + 4 + static_cast<std::size_t>(len);
        if (control) {
            if (op == 8) {
                out.kind = event::close;
                if (payload.size() >= 2) {
                    out.close_code =
                        static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                                   static_cast<std::uint8_t>(payload[1]));
                    out.payload = payload.substr(2);
                } else {
                    out.close_code = 1005;
                }
            } else {
                out.kind = op == 9 ? event::ping : event::pong;
                out.payload = std::move(payload);
            }
            return used;
        }
        if (op != 0)
            binary_ = op == 2;
        message_.append(payload);
        in_message_ = !fin;
        if (fin) {
            out.kind = event::message;
            out.binary = binary_;
            out.payload = std::move(message_);
            message_.clear();
            return used;
        }
    }
    return used;
}

}  // namespace switchyard::relay
