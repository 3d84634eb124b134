// The fleet's pure helpers: cookie jar, message data, SockJS framing, target URLs, config checks.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "engine/fleet/cookie_jar.hpp"
#include "engine/fleet/fleet_config.hpp"
#include "engine/fleet/message_codec.hpp"
#include "engine/fleet/sockjs_framing.hpp"
#include "engine/fleet/target_address.hpp"

namespace switchyard::fleet {
namespace {

TEST(cookie_jar, keeps_replaces_and_deletes_cookies_like_a_browser) {
    cookie_jar jar;
    EXPECT_EQ(jar.header(), "");
    jar.set_from_header("server=relay-1.abc; Path=/; HttpOnly");
    EXPECT_EQ(jar.header(), "server=relay-1.abc");
    EXPECT_TRUE(jar.has("server"));
    jar.set_from_header("JSESSIONID=dummy; path=/");
    EXPECT_EQ(jar.header(), "server=relay-1.abc; JSESSIONID=dummy");
    jar.set_from_header("server=relay-2.def");
    EXPECT_EQ(jar.get("server"), "relay-2.def");
    EXPECT_EQ(jar.header(), "JSESSIONID=dummy; server=relay-2.def");
    jar.set_from_header("server=gone; Max-Age=0");
    EXPECT_FALSE(jar.has("server"));
    EXPECT_EQ(jar.header(), "JSESSIONID=dummy");
    jar.set_from_header("garbage-without-equals");
    EXPECT_EQ(jar.header(), "JSESSIONID=dummy");
}

TEST(cookie_jar, stays_within_its_byte_limit) {
    cookie_jar jar;
    for (int i = 0; i < 200; ++i) {
        jar.set_from_header("c" + std::to_string(i) + "=" + std::string(40, 'v'));
    }
    EXPECT_LE(jar.header().size(), cookie_jar::bytes_max);
    EXPECT_TRUE(jar.has("c0"));
}

TEST(message_codec, data_carries_id_publisher_and_time_padded_to_size) {
    for (std::uint32_t size : {64u, 128u, 1000u, 4096u}) {
        const auto data = make_data(17, 5, micros{123456789}, size);
        EXPECT_EQ(data.size(), size);
        auto carried = parse_carried_text(data);
        ASSERT_TRUE(carried);
        EXPECT_EQ(carried->msg_id, "17-5");
        EXPECT_EQ(carried->publisher, 17u);
        EXPECT_EQ(carried->sent_at, micros{123456789});
    }
    // Below the unpadded size the data is simply unpadded, never truncated.
    const auto small = make_data(4000000000u, 99999999999ULL, micros{99999999999999}, 10);
    EXPECT_TRUE(parse_carried_text(small));
}

TEST(message_codec, publish_and_subscribe_frames_are_protocol_json) {
    namespace json = boost::json;
    const auto pub = json::parse(make_publish_frame("room:1", 3, 9, micros{42}, 128));
    EXPECT_EQ(pub.at("type").as_string(), "publish");
    EXPECT_EQ(pub.at("channel").as_string(), "room:1");
    EXPECT_EQ(pub.at("id").as_string(), "3-9");
    EXPECT_EQ(json::serialize(pub.at("data")).size(), 128u);

    const auto fresh = json::parse(make_subscribe_frame({"global", "room-1"}, {0, 0}));
    EXPECT_EQ(json::serialize(fresh), R"({"type":"subscribe","channels":["global","room-1"]})");
    const auto resume = json::parse(make_subscribe_frame({"global", "room-1"}, {41, 0}));
    EXPECT_EQ(json::serialize(resume),
              R"({"type":"subscribe","channels":["global","room-1"],"resume":{"global":41}})");
}

TEST(message_codec, foreign_data_is_not_mistaken_for_ours) {
    EXPECT_FALSE(parse_carried_text("\"just text\""));
    EXPECT_FALSE(parse_carried_text(R"({"id":"1-1","p":1})"));
    EXPECT_FALSE(parse_carried_text("{not json"));
}

TEST(sockjs_framing, parses_every_server_frame) {
    EXPECT_EQ(parse_sockjs_frame("o").kind, sockjs_frame::open_frame);
    EXPECT_EQ(parse_sockjs_frame("h").kind, sockjs_frame::heartbeat_frame);
    auto a = parse_sockjs_frame(R"(a["{\"type\":\"hello\"}","x"])");
    ASSERT_EQ(a.kind, sockjs_frame::message_frame);
    ASSERT_EQ(a.messages.size(), 2u);
    EXPECT_EQ(a.messages[0], R"({"type":"hello"})");
    auto c = parse_sockjs_frame(R"(c[3000,"Go away!"])");
    ASSERT_EQ(c.kind, sockjs_frame::close_frame);
    EXPECT_EQ(c.code, 3000);
    EXPECT_EQ(c.reason, "Go away!");
    EXPECT_EQ(parse_sockjs_frame("a[1]").kind, sockjs_frame::bad_frame);
    EXPECT_EQ(parse_sockjs_frame("x").kind, sockjs_frame::bad_frame);
    EXPECT_EQ(parse_sockjs_frame("").kind, sockjs_frame::bad_frame);
}

TEST(sockjs_framing, encodes_batches_and_splits_lines) {
    EXPECT_EQ(encode_sockjs_messages({R"({"type":"ping"})", "b"}),
              R"(["{\"type\":\"ping\"}","b"])");
    const auto lines = split_sockjs_lines("o\nh\n\na[\"x\"]\n");
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[2], "a[\"x\"]");
}

TEST(target_address, parses_schemes_ports_and_prefixes) {
    auto t = parse_target("wss://lb.local:8443/edge/");
    ASSERT_TRUE(t);
    EXPECT_TRUE(t->tls);
    EXPECT_EQ(t->host, "lb.local");
    EXPECT_EQ(t->port, 8443);
    EXPECT_EQ(t->prefix, "/edge");
    EXPECT_EQ(t->host_header(), "lb.local:8443");
    t = parse_target("http://127.0.0.1");
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->tls);
    EXPECT_EQ(t->port, 80);
    EXPECT_EQ(t->prefix, "");
    std::string error;
    EXPECT_FALSE(parse_target("tcp://x:1", &error));
    EXPECT_EQ(error, "unknown scheme 'tcp'");
    EXPECT_FALSE(parse_target("ws://x:99999", &error));
    EXPECT_EQ(error, "bad port '99999'");
    EXPECT_FALSE(parse_target("ws://", &error));
}

TEST(fleet_config, transports_round_trip_and_unknown_names_list_the_known_ones) {
    for (auto t : {transport::ws, transport::sockjs_ws, transport::sockjs_xhr_polling,
                   transport::sockjs_xhr_streaming}) {
        EXPECT_EQ(transport_from_string(to_string(t)), t);
    }
    EXPECT_FALSE(transport_from_string("sockjs_ws"));
    EXPECT_EQ(known_transports(), "ws, sockjs-ws, sockjs-xhr-polling, sockjs-xhr-streaming");
    EXPECT_TRUE(is_polling(transport::sockjs_xhr_polling));
    EXPECT_FALSE(is_polling(transport::sockjs_ws));
}

TEST(fleet_config, validate_names_the_field) {
    fleet_config c;
    EXPECT_EQ(validate(c), "");
    c.channels = {"bad channel"};
    EXPECT_EQ(validate(c), "channels: 'bad channel' is not 1..128 of [A-Za-z0-9_.:-]");
    c = {};
    c.reconnect.jitter_ratio = 1.5;
    EXPECT_EQ(validate(c), "reconnect.jitter_ratio: must be in [0, 1]");
    c = {};
    c.reconnect.max_backoff_ms = std::chrono::milliseconds(1);
    EXPECT_EQ(validate(c), "reconnect.max_backoff_ms: must be >= initial_backoff_ms");
    c = {};
    c.publish_rate_hz = -1;
    EXPECT_NE(validate(c).find("publish_rate_hz"), std::string::npos);
    c = {};
    c.channels.assign(65, "x");
    EXPECT_EQ(validate(c), "channels: more than 64");
}

}  // namespace
}  // namespace switchyard::fleet

using namespace switchyard::fleet;

// Found by tests/fuzz/fleet_message_fuzz: any client may publish these as `data`, and the
// throwing to_number ended the fleet's run (uncaught boost::system::system_error).
TEST(FleetCodecFuzzRegression, CarriedFieldsThatAreNotWholeNumbersAreNotCarried) {
    EXPECT_FALSE(parse_carried_text(R"({"id":"3-17","p":-3,"t":-1})"));
    EXPECT_FALSE(parse_carried_text(R"({"id":"x","p":1.5,"t":2e30})"));
    EXPECT_FALSE(parse_carried_text(R"({"id":"x","p":4294967296,"t":0})"));
    const auto ok = parse_carried_text(R"({"id":"3-17","p":3,"t":-5})");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->publisher, 3u);
    EXPECT_EQ(ok->sent_at, micros{-5});
}

// Found by tests/fuzz/fleet_sockjs_fuzz: `c[1.5,"x"]` from a server threw the same way.
TEST(FleetCodecFuzzRegression, CloseFrameWithANonIntegerCodeIsMalformed) {
    EXPECT_EQ(parse_sockjs_frame(R"(c[1.5,"x"])").kind, sockjs_frame::bad_frame);
    EXPECT_EQ(parse_sockjs_frame(R"(c[1e30,"x"])").kind, sockjs_frame::bad_frame);
    const auto f = parse_sockjs_frame(R"(c[3000,"Go away!"])");
    EXPECT_EQ(f.kind, sockjs_frame::close_frame);
    EXPECT_EQ(f.code, 3000);
}
