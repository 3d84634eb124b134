// One relay on the memory bus: the native protocol, health, flags, malformed input, drain.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "tests/integration/relay/relay_test_support.hpp"

using namespace relay_test;

TEST(RelayNative, HelloSubscribePublishAckAndDelivery) {
    relay_proc relay("native-1", "memory");
    ws_client alice(relay.port, "/ws?client=alice");
    ws_client bob(relay.port, "/ws?client=bob");
    auto hello = alice.wait_type("hello");
    ASSERT_TRUE(hello);
    EXPECT_EQ(hello->at("server"), "native-1");
    EXPECT_EQ(hello->at("client"), "alice");
    EXPECT_TRUE(hello->at("session").is_string());

    bob.send(R"({"type":"subscribe","channels":["global","room-1"]})");
    ASSERT_TRUE(
        bob.wait_type("subscribed", 10s, [](auto& o) { return o.at("channel") == "room-1"; }));
    auto sub =
        bob.wait_type("subscribed", 10s, [](auto& o) { return o.at("channel") == "global"; });
    ASSERT_TRUE(sub);
    EXPECT_EQ(sub->at("seq"), 0);

    alice.send(R"({"type":"publish","channel":"global","data":{"n":1},"id":"a-1"})");
    alice.send(R"({"type":"publish","channel":"global","data":"two","id":"a-2"})");
    auto ack = alice.wait_type("ack", 10s, [](auto& o) { return o.at("id") == "a-2"; });
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->at("channel"), "global");
    EXPECT_EQ(ack->at("seq"), 2);
    ASSERT_TRUE(eventually([&] { return bob.messages("global").size() == 2; }));
    auto msgs = bob.messages("global");
    EXPECT_EQ(msgs[0].first, 1u);
    EXPECT_EQ(msgs[0].second, json::parse(R"({"n":1})"));
    EXPECT_EQ(msgs[1].first, 2u);
    EXPECT_EQ(msgs[1].second, "two");
    auto m = bob.wait_type("message");
    EXPECT_EQ(m->at("from"), "alice");
    // Alice did not subscribe: nothing delivered to her.
    EXPECT_TRUE(alice.messages("global").empty());

    // Resume on the memory bus: a new client asking from seq 1 gets exactly seq 2.
    ws_client carol(relay.port, "/ws?client=carol");
    carol.send(R"({"type":"subscribe","channels":["global"],"resume":{"global":1}})");
    auto csub = carol.wait_type("subscribed");
    ASSERT_TRUE(csub);
    EXPECT_EQ(csub->at("seq"), 2);
    auto cm = carol.messages("global");
    ASSERT_EQ(cm.size(), 1u);
    EXPECT_EQ(cm[0].first, 2u);

    // Subscribing again changes nothing but is still answered.
    bob.send(R"({"type":"subscribe","channels":["room-1"]})");
    ASSERT_TRUE(eventually([&] {
        std::size_t n = 0;
        for (const auto& f : bob.frames())
            n += f.find(R"("type":"subscribed","channel":"room-1")") != std::string::npos;
        return n == 2;
    }));
    bob.send(R"({"type":"unsubscribe","channels":["global"]})");
    bob.send(R"({"type":"ping","id":7})");
    ASSERT_TRUE(bob.wait_type("pong"));
    alice.send(R"({"type":"publish","channel":"global","data":3,"id":"a-3"})");
    ASSERT_TRUE(alice.wait_type("ack", 10s, [](auto& o) { return o.at("id") == "a-3"; }));
    ASSERT_TRUE(eventually([&] { return carol.messages("global").size() == 2; }));
    EXPECT_EQ(bob.messages("global").size(), 2u);

    // Targeted delivery on one relay.
    alice.send(R"({"type":"send","to":"bob","data":"psst","id":"d-1"})");
    auto direct = bob.wait_type("direct");
    ASSERT_TRUE(direct);
    EXPECT_EQ(direct->at("from"), "alice");
    EXPECT_EQ(direct->at("data"), "psst");
    ASSERT_TRUE(alice.wait_type("ack", 10s, [](auto& o) { return o.at("id") == "d-1"; }));
    alice.send(R"({"type":"send","to":"nobody","data":1,"id":"d-2"})");
    auto nf = alice.wait_type("error", 10s, [](auto& o) { return o.at("id") == "d-2"; });
    ASSERT_TRUE(nf);
    EXPECT_EQ(nf->at("code"), "not_found");
}

TEST(RelayNative, HealthMetricsAndFlags) {
    relay_proc relay("health-1", "memory");
    EXPECT_EQ(http_get(relay.port, "/healthz").first, 200);
    EXPECT_EQ(http_get(relay.port, "/", http::verb::head).first, 200);
    EXPECT_EQ(http_get(relay.admin, "/healthz").first, 200);
    EXPECT_EQ(http_get(relay.port, "/nope").first, 404);
    auto [status, body] = http_get(relay.admin, "/metrics");
    EXPECT_EQ(status, 200);
    EXPECT_NE(body.find("relay_connections{relay=\"health-1\"} 0"), std::string::npos);
    EXPECT_NE(body.find("relay_bus_up{relay=\"health-1\"} 1"), std::string::npos);

    const auto bin = switchyard::cluster::find_program("switchyard-relay").string();
    for (auto args : std::vector<std::vector<std::string>>{{"--bogus"},
                                                           {"--port", "70000"},
                                                           {"--threads", "0"},
                                                           {"--bus", "kafka://x"},
                                                           {"--id"}}) {
        args.insert(args.begin(), bin);
        child_process p(args, temp_dir("logs") / "flags.log");
        auto st = p.wait_exit(10s);
        ASSERT_TRUE(st) << args[1];
        EXPECT_EQ(WEXITSTATUS(*st), 2) << args[1];
    }
    child_process help({bin, "--help"}, temp_dir("logs") / "help.log");
    auto st = help.wait_exit(10s);
    ASSERT_TRUE(st);
    EXPECT_EQ(WEXITSTATUS(*st), 0);
}

TEST(RelayNative, MalformedInputGetsErrorsNeverACrash) {
    relay_proc relay("malformed-1", "memory", {"--max-message-bytes", "1024"});
    ws_client c(relay.port, "/ws?client=m1");
    ASSERT_TRUE(c.wait_type("hello"));
    struct probe {
        std::string frame;
        std::string code;
    };
    const std::vector<probe> probes = {
        {"{not json", "bad_json"},
        {"", "bad_json"},
        {"[1,2,3]", "bad_frame"},
        {"42", "bad_frame"},
        {R"({"no":"type"})", "bad_frame"},
        {R"({"type":7})", "bad_frame"},
        {R"({"type":"fly","id":"x"})", "unknown_type"},
        {R"({"type":"subscribe"})", "bad_frame"},
        {R"({"type":"subscribe","channels":"global"})", "bad_frame"},
        {R"({"type":"subscribe","channels":["bad channel!"]})", "bad_channel"},
        {R"({"type":"subscribe","channels":[""]})", "bad_channel"},
        {R"({"type":"subscribe","channels":["g"],"resume":{"g":-4}})", "bad_frame"},
        {R"({"type":"subscribe","channels":["g"],"resume":[1]})", "bad_frame"},
        {R"({"type":"publish","data":1})", "bad_channel"},
        {R"({"type":"publish","channel":")" + std::string(129, 'a') + R"(","data":1})",
         "bad_channel"},
        {R"({"type":"send","data":1})", "bad_frame"},
        {R"({"type":"send","to":"no spaces","data":1})", "bad_frame"},
        {R"({"type":"unsubscribe","channels":5})", "bad_frame"},
        {"\xff\xfe", "bad_json"},
    };
    std::size_t expected_errors = 0;
    for (const auto& p : probes) {
        if (p.frame == "\xff\xfe")
            continue;  // invalid UTF-8 in a text frame is a protocol error: checked below
        c.send(p.frame);
        ++expected_errors;
        ASSERT_TRUE(eventually([&] {
            std::size_t n = 0;
            for (const auto& f : c.frames())
                n += f.find("\"type\":\"error\"") != std::string::npos;
            return n == expected_errors;
        })) << p.frame;
        auto last = c.frames().back();
        EXPECT_NE(last.find("\"code\":\"" + p.code + "\""), std::string::npos)
            << p.frame << " -> " << last;
    }
    c.send(R"({"type":"ping","id":"still-here"})");
    ASSERT_TRUE(c.wait_type("pong"));
    EXPECT_GE(metric(relay.admin, "relay_frames_rejected_total"),
              static_cast<long long>(expected_errors));

    // Invalid UTF-8 in a text frame: the connection is failed, the relay lives on.
    {
        ws_client bad(relay.port, "/ws");
        bad.send("\xff\xfe");
        ASSERT_TRUE(eventually([&] { return bad.closed(); }));
    }
    // Over max_message_bytes: close 1009.
    ws_client big(relay.port, "/ws");
    ASSERT_TRUE(big.wait_type("hello"));
    big.send(R"({"type":"publish","channel":"g","data":")" + std::string(2000, 'x') + "\"}");
    ASSERT_TRUE(eventually([&] { return big.closed(); }));
    EXPECT_EQ(big.close_code(), 1009) << big.last_error();
    EXPECT_TRUE(eventually([&] { return metric(relay.admin, "relay_too_large_total") == 1; }));
    // Garbage HTTP and a non-upgrade /ws do not hurt either.
    EXPECT_EQ(http_get(relay.port, "/ws").first, 400);
    {
        asio::io_context ioc;
        tcp::socket s(ioc);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), relay.port));
        asio::write(s, asio::buffer(std::string("\x16\x03\x01garbage\r\n\r\n")));
    }
    ws_client after(relay.port, "/ws");
    EXPECT_TRUE(after.wait_type("hello"));
    EXPECT_TRUE(relay.proc->running());
}

TEST(RelayNative, SigtermDrainsWith503AndGoingAway) {
    relay_proc relay("drain-1", "memory", {"--drain-grace-ms", "3000"});
    ws_client c(relay.port, "/ws?client=d1");
    ASSERT_TRUE(c.wait_type("hello"));
    // A client that does not answer the close keeps the drain open long enough to look at it.
    c.pause_reading();
    std::this_thread::sleep_for(50ms);  // let the reader park: not a synchronisation point
    relay.proc->signal(SIGTERM);
    EXPECT_TRUE(eventually([&] { return http_get(relay.admin, "/healthz").first == 503; }, 3s));
    c.resume_reading();
    ASSERT_TRUE(eventually([&] { return c.closed(); }));
    EXPECT_EQ(c.close_code(), 1001);
    auto st = relay.proc->wait_exit(10s);
    ASSERT_TRUE(st);
    EXPECT_TRUE(WIFEXITED(*st));
    EXPECT_EQ(WEXITSTATUS(*st), 0);
}

TEST(RelayNative, SeveralThreadsShareOneHubView) {
    // Connections are spread over 3 shards; every one must see every message, in order.
    relay_proc relay("threads-1", "memory", {"--threads", "3"});
    std::vector<std::unique_ptr<ws_client>> clients;
    for (int i = 0; i < 6; ++i) {
        clients.push_back(
            std::make_unique<ws_client>(relay.port, "/ws?client=t" + std::to_string(i)));
        clients.back()->send(R"({"type":"subscribe","channels":["global"]})");
        ASSERT_TRUE(clients.back()->wait_type("subscribed"));
    }
    for (int n = 0; n < 50; ++n)
        clients[n % 6]->send(R"({"type":"publish","channel":"global","data":)" + std::to_string(n) +
                             "}");
    for (auto& c : clients) {
        ASSERT_TRUE(eventually([&] { return c->messages("global").size() == 50; }));
        auto m = c->messages("global");
        for (std::size_t k = 0; k < m.size(); ++k)
            EXPECT_EQ(m[k].first, k + 1);
    }
    clients[0]->send(R"({"type":"send","to":"t5","data":"x","id":"d"})");
    EXPECT_TRUE(clients[5]->wait_type("direct"));
    relay.proc->signal(SIGTERM);
    auto st = relay.proc->wait_exit(10s);
    ASSERT_TRUE(st);
    EXPECT_EQ(WEXITSTATUS(*st), 0);
    for (auto& c : clients)
        EXPECT_TRUE(eventually([&] { return c->close_code() == 1001; }));
}

TEST(RelayNative, ResumeBeyondHistoryIsToldExplicitly) {
    relay_proc relay("gap-1", "memory", {"--history", "5"});
    ws_client pub(relay.port, "/ws?client=gp");
    for (int n = 1; n <= 10; ++n)
        pub.send(R"({"type":"publish","channel":"news","data":)" + std::to_string(n) +
                 R"(,"id":")" + std::to_string(n) + "\"}");
    ASSERT_TRUE(pub.wait_type("ack", 10s, [](auto& o) { return o.at("id") == "10"; }));
    ws_client late(relay.port, "/ws?client=late");
    late.send(R"({"type":"subscribe","channels":["news"],"resume":{"news":1}})");
    auto sub = late.wait_type("subscribed");
    ASSERT_TRUE(sub);
    EXPECT_EQ(sub->at("seq"), 10);
    auto gap = late.wait_type("resume_gap");
    ASSERT_TRUE(gap);
    EXPECT_EQ(gap->at("requested"), 1);
    EXPECT_EQ(gap->at("oldest"), 6);
    auto msgs = late.messages("news");
    ASSERT_EQ(msgs.size(), 5u);
    EXPECT_EQ(msgs.front().first, 6u);
    EXPECT_EQ(msgs.back().first, 10u);
    // The gap notice comes before the replay.
    auto frames = late.frames();
    std::size_t gap_at = 0, first_msg_at = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        if (frames[i].find("resume_gap") != std::string::npos)
            gap_at = i;
        if (!first_msg_at && frames[i].find("\"type\":\"message\"") != std::string::npos)
            first_msg_at = i;
    }
    EXPECT_LT(gap_at, first_msg_at);
}
