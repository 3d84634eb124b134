// The relay's SockJS side: info, raw websocket, session websocket, xhr polling + xhr_send,
// xhr streaming, heartbeats, close frames, session timeouts, and the real sockjs-client.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "tests/integration/relay/relay_test_support.hpp"

using namespace relay_test;

namespace {

/// One HTTP/1.1 request on a fresh connection; returns {status, body} ({0,""} on failure).
std::pair<int, std::string> http_post(unsigned short port, const std::string& target,
                                      const std::string& body = "") {
    try {
        asio::io_context ioc;
        beast::tcp_stream stream(ioc);
        stream.expires_after(30s);
        stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        http::request<http::string_body> req(http::verb::post, target, 11);
        req.set(http::field::host, "127.0.0.1");
        req.body() = body;
        req.prepare_payload();
        http::write(stream, req);
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(stream, buf, res);
        return {static_cast<int>(res.result_int()), res.body()};
    } catch (const std::exception&) {
        return {0, ""};
    }
}

/// Installs sockjs-client into the build tree once (a file lock serialises parallel tests).
bool ensure_sockjs_client(std::string& why) {
    const std::filesystem::path dir = SOCKJS_NODE_DIR;
    std::filesystem::create_directories(dir);
    const int lock = ::open((dir / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lock < 0) {
        why = "cannot open lock";
        return false;
    }
    ::flock(lock, LOCK_EX);
    bool ok = std::filesystem::exists(dir / "node_modules/sockjs-client/package.json");
    if (!ok) {
        child_process npm({"npm", "install", "--prefix", dir.string(), "--no-audit", "--no-fund",
                           "--loglevel=error", "sockjs-client@1"},
                          dir / "npm-install.log");
        auto st = npm.wait_exit(150s);
        ok = st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0 &&
             std::filesystem::exists(dir / "node_modules/sockjs-client/package.json");
        if (!ok)
            why = "npm install sockjs-client failed; see " + (dir / "npm-install.log").string();
    }
    ::flock(lock, LOCK_UN);
    ::close(lock);
    return ok;
}

void run_sockjs_client(const std::string& transport) {
    std::string why;
    ASSERT_TRUE(ensure_sockjs_client(why)) << why;
    relay_proc relay("sockjs-" + transport, "memory");
    child_process node({"node", SOCKJS_CHECK_SCRIPT, std::string(SOCKJS_NODE_DIR) + "/node_modules",
                        std::to_string(relay.port), transport},
                       temp_dir("logs") / ("node-" + transport + ".log"));
    auto st = node.wait_exit(60s);
    ASSERT_TRUE(st) << "node did not finish; see " << node.log_path();
    EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << "see " << node.log_path();
}

}  // namespace

TEST(SockJSClient, WebSocketTransport) {
    run_sockjs_client("websocket");
}
TEST(SockJSClient, XhrPollingTransport) {
    run_sockjs_client("xhr-polling");
}
TEST(SockJSClient, XhrStreamingTransport) {
    run_sockjs_client("xhr-streaming");
}

TEST(SockJS, InfoAndGreeting) {
    relay_proc relay("sockjs-info", "memory");
    auto [status, body] = http_get(relay.port, "/sockjs/info");
    EXPECT_EQ(status, 200);
    auto info = json::parse(body).as_object();
    EXPECT_EQ(info.at("websocket"), true);
    EXPECT_EQ(info.at("cookie_needed"), false);
    EXPECT_TRUE(info.at("entropy").is_number());
    EXPECT_EQ(http_get(relay.port, "/sockjs").second, "Welcome to SockJS!\n");
    EXPECT_EQ(http_get(relay.port, "/sockjs/a.b/c/xhr").first, 404);
}

TEST(SockJS, RawWebSocketIsAChatOnGlobalAndMeetsNativeClients) {
    relay_proc relay("sockjs-raw", "memory");
    ws_client raw1(relay.port, "/sockjs/websocket");
    ws_client raw2(relay.port, "/sockjs/websocket");
    ws_client native(relay.port, "/ws?client=nat");
    native.send(R"({"type":"subscribe","channels":["global"]})");
    ASSERT_TRUE(native.wait_type("subscribed"));
    // The raw sessions subscribe on connect; give their (asynchronous) sync a moment.
    ASSERT_TRUE(eventually([&] { return metric(relay.admin, "relay_connections") == 3; }));
    std::this_thread::sleep_for(100ms);
    raw1.send("hi there");
    ASSERT_TRUE(raw2.wait_for([](const std::string& f) { return f == "hi there"; }));
    ASSERT_TRUE(raw1.wait_for([](const std::string& f) { return f == "hi there"; }));
    auto m = native.wait_type("message");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->at("data"), "hi there");
    native.send(R"({"type":"publish","channel":"global","data":{"k":[1,2]}})");
    ASSERT_TRUE(raw2.wait_for([](const std::string& f) { return f == R"({"k":[1,2]})"; }));
}

TEST(SockJS, SessionWebSocketFramesOpenMessagesAndHeartbeats) {
    relay_proc relay("sockjs-sws", "memory", {"--sockjs-heartbeat-ms", "200"});
    ws_client s(relay.port, "/sockjs/000/sess-ws/websocket");
    ASSERT_TRUE(s.wait_for([](const std::string& f) { return f == "o"; }));
    ASSERT_TRUE(s.wait_for([](const std::string& f) { return f == "h"; }, 5s));
    s.send(R"(["raw text"])");
    ASSERT_TRUE(s.wait_for([](const std::string& f) { return f == R"(a["raw text"])"; }));
    // Broken framing closes the session.
    s.send("[not json");
    ASSERT_TRUE(eventually([&] { return s.closed(); }));
}

TEST(SockJS, XhrPollingSendHeartbeatCloseAndTimeout) {
    relay_proc relay("sockjs-xhr", "memory",
                     {"--sockjs-heartbeat-ms", "300", "--sockjs-disconnect-delay-ms", "500"});
    const auto p = relay.port;
    EXPECT_EQ(http_post(p, "/sockjs/000/s1/xhr"), std::make_pair(200, std::string("o\n")));
    // Nothing queued: the poll is held until the heartbeat.
    EXPECT_EQ(http_post(p, "/sockjs/000/s1/xhr").second, "h\n");
    EXPECT_EQ(http_post(p, "/sockjs/000/s1/xhr_send", R"(["one","two"])").first, 204);
    EXPECT_EQ(http_post(p, "/sockjs/000/s1/xhr").second, "a[\"one\",\"two\"]\n");
    EXPECT_EQ(http_post(p, "/sockjs/000/s1/xhr_send", "").first, 500);
    EXPECT_EQ(http_post(p, "/sockjs/000/s1/xhr_send", "[broken").first, 500);
    EXPECT_EQ(http_post(p, "/sockjs/000/nope/xhr_send", R"(["x"])").first, 404);

    // A second receiving request while one is held gets close frame 2010.
    std::pair<int, std::string> held;
    std::thread holder([&] { held = http_post(p, "/sockjs/000/s1/xhr"); });
    std::this_thread::sleep_for(100ms);  // let the first poll park (it stays valid either way)
    auto second = http_post(p, "/sockjs/000/s1/xhr");
    holder.join();
    EXPECT_TRUE(second.second == "c[2010,\"Another connection still open\"]\n" ||
                held.second == "c[2010,\"Another connection still open\"]\n")
        << second.second << " / " << held.second;

    // Session timeout: without a receiving request for the disconnect delay, it is gone.
    ASSERT_TRUE(eventually([&] { return metric(relay.admin, "relay_sockjs_sessions") == 0; }, 5s));
    EXPECT_EQ(http_post(p, "/sockjs/000/s1/xhr_send", R"(["late"])").first, 404);
    // Drain: an open session gets the going-away close frame.
    EXPECT_EQ(http_post(p, "/sockjs/000/s2/xhr").second, "o\n");
    std::pair<int, std::string> parked;
    std::thread poller([&] { parked = http_post(p, "/sockjs/000/s2/xhr"); });
    std::this_thread::sleep_for(100ms);
    relay.proc->signal(SIGTERM);
    poller.join();
    EXPECT_EQ(parked.second, "c[1001,\"going away\"]\n");
}

TEST(SockJS, XhrStreamingCarriesPreludeOpenAndMessages) {
    relay_proc relay("sockjs-stream", "memory", {"--sockjs-response-limit", "4096"});
    asio::io_context ioc;
    tcp::socket sock(ioc);
    sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), relay.port));
    asio::write(
        sock, asio::buffer(std::string("POST /sockjs/000/st1/xhr_streaming HTTP/1.1\r\nHost: x\r\n"
                                       "Content-Length: 0\r\n\r\n")));
    std::string got;
    auto read_until = [&](const std::string& needle) {
        char buf[8192];
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (got.find(needle) == std::string::npos &&
               std::chrono::steady_clock::now() < deadline) {
            boost::system::error_code ec;
            auto n = sock.read_some(asio::buffer(buf), ec);
            if (ec)
                break;
            got.append(buf, n);
        }
        return got.find(needle) != std::string::npos;
    };
    ASSERT_TRUE(read_until("o\n"));
    EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos);
    EXPECT_NE(got.find(std::string(2048, 'h') + "\n"), std::string::npos);
    EXPECT_EQ(http_post(relay.port, "/sockjs/000/st1/xhr_send", R"(["streamed"])").first, 204);
    ASSERT_TRUE(read_until("a[\"streamed\"]\n"));
    // Past the response limit the response ends (last chunk) so the client reconnects.
    for (int i = 0; i < 20; ++i)
        http_post(relay.port, "/sockjs/000/st1/xhr_send", "[\"" + std::string(300, 'z') + "\"]");
    EXPECT_TRUE(read_until("\r\n0\r\n\r\n"));
}

TEST(SockJS, XhrPollingResumeReplayLargerThanTheQueueIsPacedAcrossPolls) {
    // 100 x ~600 bytes of history against an 8 kB session queue: each poll carries a share.
    relay_proc relay("sockjs-replay", "memory",
                     {"--send-queue-bytes", "8192", "--send-queue-messages", "64"});
    const auto p = relay.port;
    ws_client pub(p, "/ws?client=replay-pub");
    ASSERT_TRUE(pub.wait_type("hello"));
    constexpr int total = 100;
    const std::string pad(500, 'q');
    for (int n = 1; n <= total; ++n)
        pub.send(R"({"type":"publish","channel":"global","id":"q-)" + std::to_string(n) +
                 R"(","data":{"n":)" + std::to_string(n) + R"(,"pad":")" + pad + "\"}}");
    ASSERT_TRUE(pub.wait_type(
        "ack", 10s, [&](auto& o) { return o.at("id") == ("q-" + std::to_string(total)).c_str(); }));

    EXPECT_EQ(http_post(p, "/sockjs/000/r1/xhr").second, "o\n");
    const std::string subscribe =
        R"({"type":"subscribe","channels":["global"],"resume":{"global":0}})";
    ASSERT_EQ(
        http_post(p, "/sockjs/000/r1/xhr_send", json::serialize(json::array{subscribe.c_str()}))
            .first,
        204);
    std::vector<std::uint64_t> seqs;
    bool subscribed = false;
    int polls = 0;
    while (!subscribed && polls < 200) {
        ++polls;
        auto [status, body] = http_post(p, "/sockjs/000/r1/xhr");
        ASSERT_EQ(status, 200);
        ASSERT_EQ(body.find("c["), std::string::npos) << "closed: " << body;
        if (body.rfind("a[", 0) != 0)
            continue;  // a heartbeat
        const json::value batch = json::parse(body.substr(1));
        for (const auto& e : batch.as_array()) {
            auto frame = json::parse(std::string(e.as_string())).as_object();
            if (frame.at("type") == "message")
                seqs.push_back(frame.at("seq").to_number<std::uint64_t>());
            else if (frame.at("type") == "subscribed") {
                EXPECT_EQ(frame.at("seq").to_number<std::uint64_t>(), std::uint64_t{total});
                subscribed = true;
            }
        }
    }
    ASSERT_TRUE(subscribed);
    ASSERT_EQ(seqs.size(), std::size_t{total});
    for (std::size_t i = 0; i < seqs.size(); ++i)
        EXPECT_EQ(seqs[i], i + 1);
    EXPECT_GT(polls, 3);  // it really was spread over several responses
    EXPECT_EQ(metric(relay.admin, "relay_slow_consumers_total"), 0);
}
