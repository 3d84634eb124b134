// What switchyard-lb does when the backend side misbehaves: pooled connections the backend has
// closed, and 5xx answers as a passive health signal.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "lb_test_support.hpp"

using namespace lbtest;

namespace {
std::int64_t total(unsigned short admin, const char* key) {
    return stats(admin)["totals"].as_object()[key].as_int64();
}
boost::json::object backend_stats(unsigned short admin, const std::string& id) {
    const auto all = stats(admin);
    for (const auto& b : all.at("backends").as_array()) {
        if (b.as_object().at("id").as_string() == id)
            return b.as_object();
    }
    return {};
}
}  // namespace

TEST(BalancerUpstream, BodyOnAPooledConnectionTheBackendClosedIsNotLost) {
    // The backend closes keep-alive connections idle for 100 ms; the balancer's pool still holds
    // them. A POST body cannot be replayed once sent, so the dead connection must be noticed
    // before sending, and the request go out on a fresh one.
    auto b1 = start_backend("b1", 0, {"--idle-close-ms", "100"});
    auto lb = start_lb(
        {"--backend", "b1=127.0.0.1:" + std::to_string(b1.port), "--threads", "1", "--no-health"});
    http_client c(lb.port);
    for (int i = 0; i < 4; ++i) {
        const std::string body = "payload-" + std::to_string(i);
        auto r = c.request("POST", "/echo", {}, body);
        ASSERT_TRUE(r) << "round " << i;
        EXPECT_EQ(r->status, 200) << "round " << i << ": " << r->body;
        EXPECT_EQ(r->body, body);
        // The scenario itself: stay idle past the backend's keep-alive timeout.
        std::this_thread::sleep_for(400ms);
    }
    EXPECT_EQ(total(lb.admin, "bad_gateway"), 0);
    EXPECT_EQ(backend_stats(lb.admin, "b1")["errors"].as_int64(), 0)
        << "a closed idle connection is not a health signal";
}

TEST(BalancerUpstream, FiveHundredsAreCountedAndOptionallyMarkTheBackendDown) {
    auto b1 = start_backend("b1");
    const std::string backend = "b1=127.0.0.1:" + std::to_string(b1.port);
    // Default: 5xx answers are passed through and counted, but are no health signal.
    {
        auto lb = start_lb({"--backend", backend, "--fall", "1"});
        for (int i = 0; i < 2; ++i) {
            auto r = fetch(lb.port, "/status/503");
            ASSERT_TRUE(r);
            EXPECT_EQ(r->status, 503);
        }
        auto b = backend_stats(lb.admin, "b1");
        EXPECT_EQ(b["responses_5xx"].as_int64(), 2);
        EXPECT_EQ(b["errors"].as_int64(), 0);
        EXPECT_EQ(b["state"].as_string(), "up");
    }
    // health.passive_5xx: a 5xx counts like a refused connection (fall 1: down at once).
    const auto yaml = test_dir() / "lb.yaml";
    std::ofstream(yaml) << "health:\n  passive_5xx: true\n  fall: 1\n  rise: 2\n"
                           "  fastinter_ms: 60000\n  downinter_ms: 60000\n";
    auto lb = start_lb({"--config", yaml.string(), "--backend", backend});
    auto r = fetch(lb.port, "/status/500");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    EXPECT_TRUE(eventually([&] { return backend_state(lb.admin, "b1") == "down"; }, 5s))
        << backend_state(lb.admin, "b1");
    auto b = backend_stats(lb.admin, "b1");
    EXPECT_EQ(b["responses_5xx"].as_int64(), 1);
    EXPECT_GE(b["errors"].as_int64(), 1);
}
