#include "backends/relay/ws_codec.hpp"

#include <gtest/gtest.h>

#include "backends/policy/fast_rng.hpp"
#include "backends/relay/relay_config.hpp"

using namespace switchyard::relay;

namespace {
// A masked client frame, as a browser would send it.
std::string client_frame(std::uint8_t first_byte, const std::string& payload,
                         std::uint32_t mask = 0x37fa213d) {
    std::string f;
    f.push_back(static_cast<char>(first_byte));
    const auto n = payload.size();
    if (n < 126) {
        f.push_back(static_cast<char>(0x80 | n));
    } else if (n <= 0xffff) {
        f.push_back(static_cast<char>(0x80 | 126));
        f.push_back(static_cast<char>(n >> 8));
        f.push_back(static_cast<char>(n & 0xff));
    } else {
        f.push_back(static_cast<char>(0x80 | 127));
        for (int s = 56; s >= 0; s -= 8)
            f.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> s) & 0xff));
    }
    char m[4] = {static_cast<char>(mask >> 24), static_cast<char>(mask >> 16),
                 static_cast<char>(mask >> 8), static_cast<char>(mask)};
    f.append(m, 4);
    for (std::size_t i = 0; i < n; ++i)
        f.push_back(static_cast<char>(payload[i] ^ m[i & 3]));
    return f;
}
}  // namespace

TEST(WsCodec, AcceptKeyMatchesRfc6455Example) {
    EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsCodec, ServerFramesUseTheShortestLength) {
    EXPECT_EQ(ws_frame(ws_opcode::text, "hi"), std::string("\x81\x02hi", 4));
    const auto mid = ws_frame(ws_opcode::text, std::string(300, 'a'));
    EXPECT_EQ(static_cast<unsigned char>(mid[1]), 126);
    EXPECT_EQ(mid.size(), 4u + 300u);
    const auto big = ws_frame(ws_opcode::binary, std::string(70000, 'b'));
    EXPECT_EQ(static_cast<unsigned char>(big[1]), 127);
    EXPECT_EQ(big.size(), 10u + 70000u);
    const auto close = ws_close_frame(1008, "slow consumer");
    EXPECT_EQ(static_cast<unsigned char>(close[0]), 0x88);
    EXPECT_EQ(static_cast<unsigned char>(close[2]), 0x03);
    EXPECT_EQ(static_cast<unsigned char>(close[3]), 0xf0);
}

TEST(WsCodec, ParsesFragmentedMessagesAndControlFramesInAnySplit) {
    const std::string stream = client_frame(0x01, "hel") + client_frame(0x89, "p1") +
                               client_frame(0x80, "lo") + client_frame(0x82, "bin") +
                               client_frame(0x88, std::string("\x03\xe8", 2) + "bye");
    // Feed the same stream cut at every possible point: the events never change.
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        ws_parser parser(1024);
        std::string buf;
        std::vector<std::string> events;
        for (const auto& piece : {stream.substr(0, cut), stream.substr(cut)}) {
            buf += piece;
            std::size_t off = 0;
            while (true) {
                ws_parser::event ev;
                off += parser.parse(std::string_view(buf).substr(off), ev);
                ASSERT_EQ(parser.error_code(), 0);
                if (ev.kind == ws_parser::event::none)
                    break;
                events.push_back(std::to_string(ev.kind) + ":" + ev.payload +
                                 (ev.binary ? ":b" : "") +
                                 (ev.close_code ? ":" + std::to_string(ev.close_code) : ""));
            }
            buf.erase(0, off);
        }
        EXPECT_EQ(events, (std::vector<std::string>{"2:p1", "1:hello", "1:bin:b", "4:bye:1000"}))
            << "cut at " << cut;
    }
}

TEST(WsCodec, RejectsViolationsAndOversizeFromTheHeader) {
    auto error_of = [](const std::string& bytes, std::size_t max = 100) {
        ws_parser p(max);
        ws_parser::event ev;
        p.parse(bytes, ev);
        return p.error_code();
    };
    EXPECT_EQ(error_of(client_frame(0x81, std::string(101, 'x'))), 1009);
    // Only the header of a huge frame is needed to refuse it.
    EXPECT_EQ(error_of(client_frame(0x81, std::string(70000, 'x')).substr(0, 10)), 1009);
    EXPECT_EQ(error_of(std::string("\x81\x02hi", 4)), 1002);  // unmasked
    EXPECT_EQ(error_of(client_frame(0xc1, "x")), 1002);       // RSV1 without extension
    EXPECT_EQ(error_of(client_frame(0x80, "x")), 1002);       // continuation first
    EXPECT_EQ(error_of(client_frame(0x09, "x")), 1002);       // fragmented ping
    EXPECT_EQ(error_of(client_frame(0x83, "x")), 1002);       // reserved opcode
    EXPECT_EQ(error_of(client_frame(0x01, "a") + client_frame(0x81, "b")),
              1002);  // new mid-message
}

TEST(WsCodec, Utf8Validation) {
    EXPECT_TRUE(valid_utf8("plain ascii"));
    EXPECT_TRUE(valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
    EXPECT_FALSE(valid_utf8("\xff\xfe"));
    EXPECT_FALSE(valid_utf8("\xc0\xaf"));      // overlong '/'
    EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));  // surrogate
    EXPECT_FALSE(valid_utf8("\xe2\x82"));      // truncated
}

// Randomized: random payloads and random mask keys round-trip through the parser.
TEST(WsCodecRandomized, MaskedPayloadsRoundTrip) {
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        switchyard::policy::fast_rng rng(seed);
        std::string payload(rng.below(70000), '\0');
        for (auto& c : payload)
            c = static_cast<char>(rng.below(256));
        ws_parser parser(1 << 20);
        ws_parser::event ev;
        const auto frame = client_frame(0x82, payload, static_cast<std::uint32_t>(rng()));
        EXPECT_EQ(parser.parse(frame, ev), frame.size());
        EXPECT_EQ(ev.kind, ws_parser::event::message);
        EXPECT_EQ(ev.payload, payload);
    }
}

TEST(RelayConfig, FlagsParseAndBadValuesNameTheFlag) {
    auto ok = parse_relay_args({"--id", "r-7", "--port=0", "--bus", "redis://127.0.0.1:6379",
                                "--threads", "2", "--coalesce-ms", "5"});
    ASSERT_TRUE(ok.config);
    EXPECT_EQ(ok.config->id, "r-7");
    EXPECT_EQ(ok.config->threads, 2u);
    EXPECT_EQ(ok.config->coalesce.count(), 5);
    for (const auto& [args, needle] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"--port", "x"}, "--port"},
             {{"--threads", "0"}, "--threads"},
             {{"--id", "bad id"}, "--id"},
             {{"--nope"}, "--nope"},
             {{"--bus", "kafka://"}, "--bus"},
             {{"--history"}, "--history"}}) {
        auto r = parse_relay_args(args);
        EXPECT_FALSE(r.config);
        EXPECT_EQ(r.exit_code, 2);
        EXPECT_NE(r.message.find(needle), std::string::npos) << r.message;
    }
    auto help = parse_relay_args({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.message.find("--max-message-bytes"), std::string::npos);
}

TEST(WsCodec, HugeSixtyFourBitLengthsNeitherWrapNorPassTheLimit) {
    // Found by tests/fuzz/ws_codec_fuzz: a continuation whose 64-bit length plus the message so
    // far passed 2^64 wrapped the size check and the parser handed out the rest of the buffer
    // as a message (input: tests/fuzz/known_bugs/ws_codec_length_wrap).
    auto frame_with_length = [](std::uint8_t first_byte, std::uint64_t len) {
        std::string f;
        f.push_back(static_cast<char>(first_byte));
        f.push_back(static_cast<char>(0x80 | 127));
        for (int s = 56; s >= 0; s -= 8)
            f.push_back(static_cast<char>((len >> s) & 0xff));
        f.append("\x01\x02\x03\x04", 4);
        return f;
    };
    for (std::uint64_t len : {~std::uint64_t{0}, ~std::uint64_t{0} - 3, std::uint64_t{1} << 63}) {
        ws_parser p(100);
        ws_parser::event ev;
        const std::string bytes = client_frame(0x01, "abc") + frame_with_length(0x80, len) + "xyz";
        p.parse(bytes, ev);
        EXPECT_EQ(p.error_code(), 1002) << "a 64-bit length with its top bit set: " << len;
    }
    for (std::uint64_t len : {(std::uint64_t{1} << 63) - 1, std::uint64_t{1} << 40}) {
        ws_parser p(100);
        ws_parser::event ev;
        p.parse(client_frame(0x01, "abc") + frame_with_length(0x80, len) + "xyz", ev);
        EXPECT_EQ(p.error_code(), 1009)
            << "too big for the limit, refused from the header: " << len;
    }
}
