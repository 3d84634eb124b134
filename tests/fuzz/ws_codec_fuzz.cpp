// The relay's WebSocket frame parser sees every byte a client sends after the upgrade.
// Input: one byte for the message size limit and the split points, then the client's bytes.
// The parser is checked against a small reference reading of RFC 6455 (written for clarity,
// not speed): the same events with the same payloads and the same close code, whether the
// bytes arrive at once or in pieces; never more bytes consumed than given; a message never
// passes the limit; control frames never carry more than 125 bytes.
// Lengths up to 2^64-1 are in reach (the 8-byte length form), as are unmasked frames,
// fragmented control frames and continuation frames without a start.
#include <cstdint>
#include <string>
#include <vector>

#include "backends/relay/ws_codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using switchyard::fuzz::fuzz_input;
using switchyard::relay::ws_parser;
using event = ws_parser::event;

namespace {

struct outcome {
    std::vector<event> events;
    std::uint16_t error = 0;
    std::size_t used = 0;
};

bool same(const event& a, const event& b) {
    return a.kind == b.kind && a.payload == b.payload && a.close_code == b.close_code &&
           (a.kind != event::message || a.binary == b.binary);
}

bool same(const outcome& a, const outcome& b) {
    if (a.error != b.error || a.used != b.used || a.events.size() != b.events.size())
        return false;
    for (std::size_t i = 0; i < a.events.size(); ++i)
        if (!same(a.events[i], b.events[i]))
            return false;
    return true;
}

/// RFC 6455 section 5, with the relay's choices: no extensions, a message size limit checked
/// from each frame header, close code 1005 for an empty close payload.
outcome reference(std::string_view data, std::size_t max) {
    outcome o;
    std::string message;
    bool in_message = false;
    bool binary = false;
    std::size_t at = 0;
    auto fail = [&](std::uint16_t code) {
        o.error = code;
        o.used = at;
        return o;
    };
    while (true) {
        const std::size_t left = data.size() - at;
        if (left < 2)
            break;
        const auto b0 = static_cast<std::uint8_t>(data[at]);
        const auto b1 = static_cast<std::uint8_t>(data[at + 1]);
        const bool fin = b0 & 0x80;
        const unsigned op = b0 & 0x0f;
        if ((b0 & 0x70) || !(b1 & 0x80))
            return fail(1002);
        std::uint64_t len = b1 & 0x7f;
        std::size_t header = 2;
        if (len == 126 || len == 127) {
            header = len == 126 ? 4 : 10;
            if (left < header)
                break;
            len = 0;
            for (std::size_t i = 2; i < header; ++i)
                len = (len << 8) | static_cast<std::uint8_t>(data[at + i]);
            if (len >> 63)  // RFC 6455 5.2: the top bit of a 64-bit length must be 0
                return fail(1002);
        }
        const bool control = op >= 8;
        if (control && (!fin || len > 125))
            return fail(1002);
        if (!control && (op == 0) != in_message)
            return fail(1002);
        if (op != 0 && op != 1 && op != 2 && op != 8 && op != 9 && op != 10)
            return fail(1002);
        if (!control && len > max - message.size())  // written so that it cannot wrap
            return fail(1009);
        if (left - header < 4 || left - header - 4 < len)
            break;
        std::string payload(data.substr(at + header + 4, static_cast<std::size_t>(len)));
        for (std::size_t i = 0; i < payload.size(); ++i)
            payload[i] = static_cast<char>(payload[i] ^ data[at + header + (i & 3)]);
        at += header + 4 + static_cast<std::size_t>(len);
        if (control) {
            event e;
            if (op == 8) {
                e.kind = event::close;
                e.close_code = 1005;
                if (payload.size() >= 2) {
                    e.close_code =
                        static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                                   static_cast<std::uint8_t>(payload[1]));
                    e.payload = payload.substr(2);
                }
            } else {
                e.kind = op == 9 ? event::ping : event::pong;
                e.payload = payload;
            }
            o.events.push_back(e);
            continue;
        }
        if (op != 0)
            binary = op == 2;
        message += payload;
        in_message = !fin;
        if (fin) {
            event e;
            e.kind = event::message;
            e.binary = binary;
            e.payload = std::move(message);
            message.clear();
            o.events.push_back(e);
        }
    }
    o.used = at;
    return o;
}

/// Feeds `data` to the relay's parser in pieces ending at `cuts`, the way ws_client does:
/// unconsumed bytes stay buffered and are offered again with the next piece.
outcome run_parser(std::string_view data, std::size_t max, const std::vector<std::size_t>& cuts) {
    outcome o;
    ws_parser p(max);
    std::string buffered;
    std::size_t offered = 0;
    auto drain = [&] {
        while (p.error_code() == 0) {
            event e;
            const std::size_t n = p.parse(buffered, e);
            FUZZ_CHECK(n <= buffered.size());
            buffered.erase(0, n);
            o.used += n;
            if (e.kind == event::none)
                break;
            if (e.kind == event::message)
                FUZZ_CHECK(e.payload.size() <= max);
            else
                FUZZ_CHECK(e.payload.size() <= 125);
            o.events.push_back(std::move(e));
        }
    };
    for (std::size_t cut : cuts) {
        if (cut <= offered)
            continue;
        buffered.append(data.substr(offered, cut - offered));
        offered = cut;
        drain();
    }
    buffered.append(data.substr(offered));
    drain();
    o.error = p.error_code();
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz_input in(data, size);
    static constexpr std::size_t limits[] = {0, 1, 125, 126, 65535, 65536, 1 << 20};
    const std::size_t max = limits[in.below(7)];
    const std::size_t pieces = in.below(8);
    std::vector<std::size_t> cut_fractions;
    for (std::size_t i = 0; i < pieces; ++i)
        cut_fractions.push_back(in.byte());
    const std::string_view bytes = in.rest();
    std::vector<std::size_t> cuts;
    for (std::size_t f : cut_fractions)
        cuts.push_back(bytes.size() * f / 256);
    std::sort(cuts.begin(), cuts.end());

    const outcome want = reference(bytes, max);
    FUZZ_CHECK(same(run_parser(bytes, max, {}), want));
    FUZZ_CHECK(same(run_parser(bytes, max, cuts), want));
    return 0;
}
