// Issue 25, relay points 7-9 against the real binary: the client id rule and tokens, limits on
// connections, channels and history, timeouts for silent sockets, running out of file
// descriptors, heap trimming, and resume beyond the latest seq. docs/security.md, "Relay".
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/integration/relay/relay_test_support.hpp"

using namespace relay_test;

namespace {

/// The status line of a WebSocket upgrade of `target` ("" when the connection failed).
std::string upgrade_status(unsigned short port, const std::string& target) {
    try {
        asio::io_context ioc;
        tcp::socket s(ioc);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        const std::string req = "GET " + target +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Key: "
                                "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        asio::write(s, asio::buffer(req));
        asio::streambuf buf;
        asio::read_until(s, buf, "\r\n");
        std::string line;
        std::istream in(&buf);
        std::getline(in, line);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        return line;
    } catch (const std::exception&) {
        return "";
    }
}

/// hex(HMAC-SHA256(secret, id)), written here from the spec rather than with the relay's code.
std::string token_for(const std::string& secret, const std::string& id) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(id.data()), id.size(), mac, &len);
    std::string hex;
    char two[3];
    for (unsigned i = 0; i < len; ++i) {
        std::snprintf(two, sizeof two, "%02x", mac[i]);
        hex += two;
    }
    return hex;
}

bool is_hello(const std::string& f) {
    return f.find(R"("type":"hello")") != std::string::npos;
}

}  // namespace

TEST(RelaySecurity, ASecondConnectionWithAnIdReplacesTheFirstWhichIsClosed4001) {
    // Two threads: the two connections land on different shards, so the close crosses threads.
    relay_proc relay("takeover-1", "memory", {"--threads", "2"});
    ws_client first(relay.port, "/ws?client=alice");
    ASSERT_TRUE(first.wait_for(is_hello));
    ws_client second(relay.port, "/ws?client=alice");
    ASSERT_TRUE(second.wait_for(is_hello));
    ASSERT_TRUE(eventually([&] { return first.closed(); }));
    EXPECT_EQ(first.close_code(), 4001);
    EXPECT_FALSE(second.closed());
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_client_id_replaced_total"), 1);

    // Alice's direct messages reach the connection that holds the id now, and only it; the
    // replaced one closing did not free the id (send would answer not_found).
    ws_client bob(relay.port, "/ws?client=bob");
    bob.send(R"({"type":"send","to":"alice","data":"for alice","id":"d-1"})");
    ASSERT_TRUE(bob.wait_type("ack", 10s, [](auto& o) { return o.at("id") == "d-1"; }));
    ASSERT_TRUE(second.wait_type("direct"));
    for (const auto& f : first.frames())
        EXPECT_EQ(f.find(R"("type":"direct")"), std::string::npos) << f;
    EXPECT_EQ(metric(relay.admin, "relay_connections"), 2);
}

TEST(RelaySecurity, WithASecretAClientIdNeedsItsHmacToken) {
    const auto secret_file = temp_dir("token") / "secret";
    std::ofstream(secret_file) << "correct horse battery staple\n";
    relay_proc relay("token-1", "memory", {"--client-token-secret-file", secret_file.string()});
    const std::string good = token_for("correct horse battery staple", "alice");

    EXPECT_EQ(upgrade_status(relay.port, "/ws?client=alice"), "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(upgrade_status(relay.port, "/ws?client=alice&token=" + token_for("other", "alice")),
              "HTTP/1.1 401 Unauthorized");
    // Another id's token does not open this one.
    EXPECT_EQ(upgrade_status(relay.port, "/ws?client=alice&token=" +
                                             token_for("correct horse battery staple", "mallory")),
              "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(upgrade_status(relay.port, "/sockjs/websocket?client=alice"),
              "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(upgrade_status(relay.port, "/sockjs/1/s1/websocket?client=alice&token=00"),
              "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_token_rejections_total"), 5);
    // A malformed id is a bad request, token or not.
    EXPECT_EQ(upgrade_status(relay.port, "/ws?client=no.dots&token=" + good),
              "HTTP/1.1 400 Bad Request");

    // The right token opens the id; no id at all gets an invented one.
    ws_client alice(relay.port, "/ws?client=alice&token=" + good);
    auto hello = alice.wait_type("hello");
    ASSERT_TRUE(hello);
    EXPECT_EQ(hello->at("client"), "alice");
    ws_client anonymous(relay.port, "/ws");
    ASSERT_TRUE(anonymous.wait_type("hello"));
}

TEST(RelayLimits, SilentConnectionsAndIdleKeepAliveAreClosedButWebSocketsStay) {
    relay_proc relay("timeouts-1", "memory",
                     {"--handshake-timeout-ms", "1000", "--idle-timeout-ms", "1500"});
    ws_client ws(relay.port, "/ws?client=quiet");
    ASSERT_TRUE(ws.wait_for(is_hello));

    raw_conn silent(relay.port);  // never sends a byte
    raw_conn slow(relay.port);    // a request head that never ends
    slow.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    raw_conn keep_alive(relay.port);
    keep_alive.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(eventually([&] { return silent.closed_by_peer(); }, 20s));
    ASSERT_TRUE(eventually([&] { return slow.closed_by_peer(); }, 20s));
    ASSERT_TRUE(eventually([&] { return keep_alive.closed_by_peer(); }, 20s));
    EXPECT_EQ(keep_alive.received().rfind("HTTP/1.1 200", 0), 0u) << keep_alive.received();
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_handshake_timeouts_total"), 2);
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_idle_timeouts_total"), 1);

    // The WebSocket has been silent longer than both timeouts: a session is not idle-closed.
    EXPECT_FALSE(ws.closed());
    ws.send(R"({"type":"ping","id":1})");
    EXPECT_TRUE(ws.wait_type("pong"));
}

TEST(RelayLimits, ConnectionsPerAddressAndInTotalAreRefusedWith503) {
    relay_proc relay("conn-limits-1", "memory",
                     {"--max-connections", "5", "--max-connections-per-address", "3",
                      "--handshake-timeout-ms", "600000"});
    std::vector<std::unique_ptr<raw_conn>> held;
    for (int i = 0; i < 3; ++i)
        held.push_back(std::make_unique<raw_conn>(relay.port, "127.0.0.1"));
    ASSERT_TRUE(
        eventually([&] { return metric(relay.admin, "switchyard_relay_open_connections") == 3; }));
    raw_conn fourth(relay.port, "127.0.0.1");
    ASSERT_TRUE(eventually([&] { return fourth.closed_by_peer(); }));
    EXPECT_EQ(fourth.received().rfind("HTTP/1.1 503", 0), 0u) << fourth.received();
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_connections_rejected_per_address_total"), 1);

    // Another address is still served, up to the total.
    for (int i = 0; i < 2; ++i)
        held.push_back(std::make_unique<raw_conn>(relay.port, "127.0.0.2"));
    ASSERT_TRUE(
        eventually([&] { return metric(relay.admin, "switchyard_relay_open_connections") == 5; }));
    raw_conn sixth(relay.port, "127.0.0.3");
    ASSERT_TRUE(eventually([&] { return sixth.closed_by_peer(); }));
    EXPECT_EQ(sixth.received().rfind("HTTP/1.1 503", 0), 0u) << sixth.received();
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_connections_rejected_total"), 1);
    for (auto& c : held)
        EXPECT_FALSE(c->closed_by_peer());

    // Closing frees the places.
    held.clear();
    ASSERT_TRUE(
        eventually([&] { return metric(relay.admin, "switchyard_relay_open_connections") == 0; }));
    EXPECT_EQ(http_get(relay.port, "/healthz").first, 200);
}

TEST(RelayLimits, OutOfFileDescriptorsNewClientsGet503AndTheRelayRecovers) {
    if (!std::filesystem::exists("/usr/bin/prlimit"))
        GTEST_SKIP() << "prlimit (util-linux) is needed to lower the relay's open-file limit";
    // A few dozen fds instead of the machine's 20,000: the same EMFILE path, cheaply.
    relay_proc relay("emfile-1", "memory", {"--handshake-timeout-ms", "600000"},
                     {"/usr/bin/prlimit", "--nofile=64:64", "--"});
    std::vector<std::unique_ptr<raw_conn>> held;
    for (int i = 0; i < 80; ++i)
        held.push_back(std::make_unique<raw_conn>(relay.port));
    // Past the limit a new client is answered 503 at once instead of waiting in the backlog.
    ASSERT_TRUE(eventually([&] { return http_get(relay.port, "/healthz").first == 503; }, 20s));
    held.clear();
    ASSERT_TRUE(eventually([&] { return http_get(relay.port, "/healthz").first == 200; }, 20s));
    EXPECT_GE(metric(relay.admin, "switchyard_relay_accept_fd_exhausted_total"), 1);
    EXPECT_GE(metric(relay.admin, "switchyard_relay_connections_shed_total"), 1);
    ws_client after(relay.port, "/ws?client=after");
    EXPECT_TRUE(after.wait_for(is_hello));
}

TEST(RelayLimits, ChannelsPerClientAreCapped) {
    relay_proc relay("channels-1", "memory", {"--max-channels-per-client", "3"});
    ws_client c(relay.port, "/ws?client=greedy");
    c.send(R"({"type":"subscribe","channels":["a","b","c","d"],"id":"s-1"})");
    auto err =
        c.wait_type("error", 10s, [](auto& o) { return o.at("code") == "too_many_channels"; });
    ASSERT_TRUE(err);
    EXPECT_EQ(err->at("id"), "s-1");
    ASSERT_TRUE(c.wait_type("subscribed", 10s, [](auto& o) { return o.at("channel") == "c"; }));
    EXPECT_FALSE(c.wait_type("subscribed", 200ms, [](auto& o) { return o.at("channel") == "d"; }));
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_channel_limit_rejections_total"), 1);
    // A channel already held is answered at the limit; one let go frees a place.
    c.send(R"({"type":"unsubscribe","channels":["a"]})");
    c.send(R"({"type":"subscribe","channels":["d"]})");
    EXPECT_TRUE(c.wait_type("subscribed", 10s, [](auto& o) { return o.at("channel") == "d"; }));
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_channel_limit_rejections_total"), 1);
}

TEST(RelayLimits, HistoryBytesAreBoundedAndIdleChannelsLoseTheirHistoryFirst) {
    relay_proc relay("history-1", "memory", {"--history-bytes", "20000"});
    ws_client pub(relay.port, "/ws?client=pub");
    const std::string data = "\"" + std::string(3000, 'x') + "\"";
    int n = 0;
    auto publish = [&](const std::string& channel) {
        const std::string id = "p-" + std::to_string(++n);
        pub.send(R"({"type":"publish","channel":")" + channel + R"(","data":)" + data +
                 R"(,"id":")" + id + "\"}");
        ASSERT_TRUE(pub.wait_type("ack", 10s, [&](auto& o) { return o.at("id") == id.c_str(); }));
    };
    for (int i = 0; i < 3; ++i)
        publish("quiet");
    for (int i = 0; i < 10; ++i)
        publish("busy");
    EXPECT_LE(metric(relay.admin, "switchyard_relay_history_bytes"), 20000);
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_history_evicted_channels_total"), 1);

    // The quiet channel lost all of its history (a resume reports the gap), the busy one keeps
    // its newest messages.
    ws_client r(relay.port, "/ws?client=reader");
    r.send(R"({"type":"subscribe","channels":["quiet","busy"],"resume":{"quiet":0,"busy":0}})");
    auto gap = r.wait_type("resume_gap", 10s, [](auto& o) { return o.at("channel") == "quiet"; });
    ASSERT_TRUE(gap);
    EXPECT_EQ(gap->at("oldest"), 4);
    ASSERT_TRUE(r.wait_type("subscribed", 10s, [](auto& o) { return o.at("channel") == "busy"; }));
    auto busy = r.messages("busy");
    ASSERT_FALSE(busy.empty());
    EXPECT_EQ(busy.back().first, 10u);
    EXPECT_LT(busy.size(), 10u);
    EXPECT_TRUE(r.messages("quiet").empty());
    // Sequence numbers go on where they were.
    pub.send(R"({"type":"publish","channel":"quiet","data":1,"id":"q"})");
    auto ack = pub.wait_type("ack", 10s, [](auto& o) { return o.at("id") == "q"; });
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->at("seq"), 4);
}

TEST(RelayLimits, FreedMemoryIsTrimmedAfterConnectionsClose) {
    relay_proc relay("trim-1", "memory", {"--trim-interval-ms", "100"});
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_heap_trims_total"), 0);
    {
        ws_client c(relay.port, "/ws?client=brief");
        ASSERT_TRUE(c.wait_for(is_hello));
    }
    EXPECT_TRUE(
        eventually([&] { return metric(relay.admin, "switchyard_relay_heap_trims_total") >= 1; }));
}

TEST(RelayResume, BeyondTheLatestSeqStartsFromNowAndLiveMessagesArrive) {
    relay_proc relay("resume-beyond-1", "memory");
    ws_client pub(relay.port, "/ws?client=pub");
    pub.send(R"({"type":"publish","channel":"global","data":1,"id":"a"})");
    ASSERT_TRUE(pub.wait_type("ack"));
    ws_client sub(relay.port, "/ws?client=sub");
    sub.send(
        R"({"type":"subscribe","channels":["global"],"resume":{"global":1000000000000000000}})");
    auto subscribed = sub.wait_type("subscribed");
    ASSERT_TRUE(subscribed);
    EXPECT_EQ(subscribed->at("seq"), 1);  // where the client stands now, below what it asked
    pub.send(R"({"type":"publish","channel":"global","data":2,"id":"b"})");
    ASSERT_TRUE(eventually([&] { return sub.messages("global").size() == 1; }));
    EXPECT_EQ(sub.messages("global")[0].first, 2u);
    EXPECT_EQ(metric(relay.admin, "switchyard_relay_resume_beyond_latest_total"), 1);
}
