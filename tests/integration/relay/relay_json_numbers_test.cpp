// The relay_message fuzz finding against the real relay: a publish whose data holds a number
// too large for a double is refused (bad_json), so no subscriber is sent a frame that is not
// JSON; the publisher's next, valid publish is delivered. docs/security.md, findings table.
#include <gtest/gtest.h>

#include "tests/integration/relay/relay_test_support.hpp"

using namespace relay_test;

TEST(RelayJsonNumbers, AnOutOfRangeNumberIsRefusedAndNoSubscriberGetsAFrameThatIsNotJson) {
    relay_proc relay("numbers-1", "memory");
    ws_client sub(relay.port, "/ws?client=reader");
    sub.send(R"({"type":"subscribe","channels":["n"]})");
    ASSERT_TRUE(sub.wait_type("subscribed", 10s));
    ws_client pub(relay.port, "/ws?client=writer");
    ASSERT_TRUE(pub.wait_type("hello", 10s));

    // The fuzzer's number, a nested one, and one in `send` and in the frame's own id.
    pub.send(R"({"type":"publish","channel":"n","data":4e35555515,"id":"p-1"})");
    pub.send(R"({"type":"publish","channel":"n","data":{"a":[1,-1e400]},"id":"p-2"})");
    pub.send(R"({"type":"send","to":"reader","data":1e999,"id":"s-1"})");
    pub.send(R"({"type":"publish","channel":"n","data":1,"id":1e999})");
    ASSERT_TRUE(eventually(
        [&] {
            int refused = 0;
            for (const auto& f : pub.frames())
                refused += f.find(R"("code":"bad_json")") != std::string::npos;
            return refused == 4;
        },
        10s))
        << "each of the four frames is answered bad_json";
    pub.send(R"({"type":"publish","channel":"n","data":{"ok":1.5e300},"id":"p-3"})");
    ASSERT_TRUE(pub.wait_type("ack", 10s, [](auto& o) { return o.at("id") == "p-3"; }));
    ASSERT_TRUE(sub.wait_type("message", 10s));

    // Everything either client was sent is JSON; the subscriber got only the valid message.
    for (auto* c : {&sub, &pub})
        for (const auto& f : c->frames()) {
            json::error_code ec;
            json::parse(f, ec);
            EXPECT_FALSE(ec) << "not JSON: " << f;
        }
    const auto got = sub.messages("n");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].second.at("ok").as_double(), 1.5e300);
    for (const auto& f : sub.frames())
        EXPECT_EQ(f.find(R"("type":"direct")"), std::string::npos) << f;
    EXPECT_EQ(metric(relay.admin, "relay_frames_rejected_total"), 4);
}
