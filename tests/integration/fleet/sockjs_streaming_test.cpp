// The xhr-streaming client against a small SockJS stub (no relay needed): frames split into
// 7-byte pieces, responses that end after 4 KB and must be reopened, cookies from Set-Cookie.
#include <gtest/gtest.h>

#include <thread>

#include "engine/fleet/fleet_runner.hpp"
#include "tests/integration/fleet/recording_observer.hpp"
#include "tests/integration/fleet/sockjs_stub.hpp"

namespace switchyard::fleet::testing {
namespace {

using namespace std::chrono_literals;

template <class F>
bool eventually(F cond, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (cond()) {
            return true;
        }
        std::this_thread::sleep_for(10ms);
    }
    return cond();
}

TEST(sockjs_streaming, reassembles_split_frames_and_reopens_ended_responses) {
    sockjs_stub stub(7, 4096);
    recording_observer obs;
    fleet_config f;
    f.name = "s";
    f.count = 3;
    f.kind = transport::sockjs_xhr_streaming;
    f.target_url = "http://127.0.0.1:" + std::to_string(stub.port());
    f.publish_rate_hz = 0;  // starts once all are subscribed, so everyone gets everything
    f.message_bytes = 300;
    fleet_runner runner({f}, obs, {});
    runner.start();
    ASSERT_TRUE(eventually([&] { return runner.counters().connected == 3; }))
        << "failures " << runner.counters().connect_failures << " "
        << (obs.failures().empty() ? "" : obs.failures().front().reason);
    runner.set_publish_rate("s", 20);
    // 4 KB per response and ~300-byte messages: many responses end and are reopened.
    ASSERT_TRUE(eventually([&] { return stub.streaming_requests() >= 12; }));
    runner.pause_publishing();
    ASSERT_TRUE(eventually([&] {
        const auto c = runner.counters();
        return c.acks == c.publishes && c.deliveries == 3 * c.acks;
    })) << "publishes "
        << runner.counters().publishes << " deliveries " << runner.counters().deliveries;
    runner.stop();
    EXPECT_TRUE(obs.disconnects().size() == 3) << "only the stop disconnects";
    for (const auto& [client, list] : obs.by_client()) {
        for (std::size_t i = 1; i < list.size(); ++i) {
            ASSERT_EQ(list[i].seq, list[i - 1].seq + 1) << "client " << client;
            ASSERT_FALSE(list[i].msg_id.empty());
        }
    }
}

}  // namespace
}  // namespace switchyard::fleet::testing
