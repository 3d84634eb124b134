// `balancer: {kind: external}`: the engine starts nothing, drives clients at the URL and reads
// health from admin_url. The test plays the external operator: it starts redis, a relay and
// switchyard-lb itself, points a scenario at them and kills its own relay mid-run. Also: nginx
// runs say that health is not read; HAProxy runs read health from its CSV stats.
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <set>

#include <gtest/gtest.h>

#include "engine/cli/run_controller.hpp"
#include "engine/cluster/child_process.hpp"
#include "engine/cluster/redis_server.hpp"
#include "engine/scenario/scenario_parser.hpp"
#include "tests/scenarios/event_recorder.hpp"

using namespace switchyard;
using namespace std::chrono_literals;

namespace {

std::filesystem::path temp_dir(const std::string& name) {
    auto d = std::filesystem::temp_directory_path() /
             ("switchyard-external-test-" + std::to_string(::getpid())) / name;
    std::filesystem::create_directories(d);
    return d;
}

using recorder = switchyard::test::event_recorder;

/// Someone else's cluster: redis, one relay `ext-1`, switchyard-lb in front with an admin port.
struct operator_cluster {
    cluster::redis_server redis{temp_dir("redis")};
    std::unique_ptr<cluster::child_process> relay;
    std::unique_ptr<cluster::child_process> lb;
    unsigned short lb_port = 0;
    unsigned short lb_admin = 0;

    operator_cluster() {
        relay = std::make_unique<cluster::child_process>(
            std::vector<std::string>{cluster::find_program("switchyard-relay").string(), "--id",
                                     "ext-1", "--port", "0", "--admin-port", "0", "--bus",
                                     redis.url()},
            temp_dir("logs") / "ext-1.log");
        auto r = relay->wait_ready(20s);
        if (!r)
            throw std::runtime_error("relay did not start");
        lb = std::make_unique<cluster::child_process>(
            std::vector<std::string>{cluster::find_program("switchyard-lb").string(), "--port", "0",
                                     "--admin-port", "0", "--health-interval-ms", "100",
                                     "--health-timeout-ms", "100", "--rise", "1", "--fall", "1",
                                     "--backend", "ext-1=127.0.0.1:" + std::to_string(r->port)},
            temp_dir("logs") / "lb.log");
        auto b = lb->wait_ready(20s);
        if (!b)
            throw std::runtime_error("switchyard-lb did not start");
        lb_port = b->port;
        lb_admin = b->admin;
    }
};

}  // namespace

TEST(ExternalBalancer, DrivesClientsAtTheUrlReadsHealthAndStartsNothing) {
    operator_cluster ext;
    const auto text = R"(
name: external
seed: 3
duration: 4s
drain: 500ms
cluster:
  balancer:
    kind: external
    url: ws://127.0.0.1:)" +
                      std::to_string(ext.lb_port) +
                      R"(
    admin_url: http://127.0.0.1:)" +
                      std::to_string(ext.lb_admin) +
                      R"(/stats
clients:
  - name: c
    count: 5
    publish_rate_hz: 5
    reconnect: {initial_backoff: 50ms, max_backoff: 200ms}
timeline:
  - at: 1s
    fault: {link: client-balancer, toxic: latency, latency_ms: 30}
  - at: 2s
    clear_fault: client-balancer
)";
    engine::run_options o;
    o.runs_root = temp_dir("runs");
    engine::run_controller rc(scenario::parse_scenario_text(text, "external.yaml"), o);
    recorder rec;
    auto sub = rc.events().subscribe([&](const events::event& e) { rec.on(e); });
    rc.start();
    // Health comes from the operator's balancer through admin_url ...
    ASSERT_TRUE(rec.wait_for<events::health_changed>(
        [](const auto& h) { return h.backend == "ext-1" && h.to == "up"; }, 10s));
    ASSERT_TRUE(rec.wait_for<events::client_connected>(
        [](const auto& c) { return c.relay == "ext-1"; }, 10s));
    // ... and follows what happens to it: the operator's relay dies.
    ASSERT_TRUE(rec.wait_for<events::fault_changed>([](const auto& f) { return !f.active; }, 10s));
    ext.relay->kill_now();
    EXPECT_TRUE(rec.wait_for<events::health_changed>(
        [](const auto& h) { return h.backend == "ext-1" && h.to == "down"; }, 5s));
    auto result = rc.wait();
    rc.events().unsubscribe(sub);

    // Clients went through the URL (and through the fault proxy while the latency was on).
    EXPECT_GT(result.summary.deliveries, 0u);
    EXPECT_EQ(rec.all<events::fault_changed>().size(), 2u);
    for (const auto& f : rec.all<events::fault_changed>())
        EXPECT_EQ(f.link, "client-balancer");
    // The engine started nothing: no relay, redis or process-backed component of its own.
    for (const auto& c : rec.all<events::component_changed>()) {
        EXPECT_TRUE(c.kind == "balancer" || c.kind == "proxy") << c.component << " " << c.kind;
        EXPECT_EQ(c.pid, 0) << c.component;
    }
    EXPECT_TRUE(result.notes.empty());
    EXPECT_TRUE(ext.lb->running());  // the operator's balancer is not the engine's to stop
}

TEST(ExternalBalancer, WithoutAdminUrlTheRunSaysHealthIsNotRead) {
    operator_cluster ext;
    const auto text = R"(
name: external-no-admin
duration: 1s
drain: 200ms
cluster: {balancer: {kind: external, url: "ws://127.0.0.1:)" +
                      std::to_string(ext.lb_port) + R"("}}
clients: {count: 2, publish_rate_hz: 2}
expect: {lost: 0}
)";
    engine::run_options o;
    o.runs_root = temp_dir("runs");
    engine::run_controller rc(scenario::parse_scenario_text(text, "x.yaml"), o);
    recorder rec;
    auto sub = rc.events().subscribe([&](const events::event& e) { rec.on(e); });
    rc.start();
    auto result = rc.wait();
    rc.events().unsubscribe(sub);
    EXPECT_EQ(result.verdict, "passed") << result.error;
    ASSERT_EQ(result.notes.size(), 1u);
    EXPECT_NE(result.notes[0].find("no admin_url"), std::string::npos) << result.notes[0];
    EXPECT_TRUE(rec.all<events::health_changed>().empty());
    bool logged = false;
    for (const auto& l : rec.all<events::log_message>())
        logged = logged || l.text.find("health is not read") != std::string::npos;
    EXPECT_TRUE(logged);
}

namespace {

/// A one-relay run behind a balancer the engine starts from `kind`.
report::run_result run_behind(const std::string& kind, recorder& rec) {
    const auto text = R"(
name: behind-)" + kind +
                      R"(
duration: 2s
drain: 300ms
cluster:
  balancer: {kind: )" +
                      kind + R"(, health: {interval: 100ms, timeout: 100ms, rise: 1, fall: 1}}
  relays: 2
clients: {count: 2, publish_rate_hz: 2}
)";
    engine::run_options o;
    o.runs_root = temp_dir("runs");
    engine::run_controller rc(scenario::parse_scenario_text(text, kind + ".yaml"), o);
    auto sub = rc.events().subscribe([&](const events::event& e) { rec.on(e); });
    rc.start();
    auto r = rc.wait();
    rc.events().unsubscribe(sub);
    return r;
}

}  // namespace

TEST(ExternalBalancer, NginxRunsSayHealthIsNotRead) {
    if (!std::filesystem::exists("/usr/sbin/nginx"))
        GTEST_SKIP() << "nginx is not installed (scripts/setup installs it)";
    recorder rec;
    auto r = run_behind("nginx", rec);
    ASSERT_NE(r.verdict, "error") << r.error;
    ASSERT_EQ(r.notes.size(), 1u);
    EXPECT_NE(r.notes[0].find("nginx OSS has no per-backend status API"), std::string::npos);
    EXPECT_TRUE(rec.all<events::health_changed>().empty());
    bool logged = false;
    for (const auto& l : rec.all<events::log_message>())
        logged = logged || l.text.find("nginx OSS") != std::string::npos;
    EXPECT_TRUE(logged);
}

TEST(ExternalBalancer, HaproxyHealthIsReadFromItsCsvStats) {
    if (!std::filesystem::exists("/usr/sbin/haproxy"))
        GTEST_SKIP() << "haproxy is not installed (scripts/setup installs it)";
    recorder rec;
    auto r = run_behind("haproxy", rec);
    ASSERT_NE(r.verdict, "error") << r.error;
    EXPECT_TRUE(r.notes.empty());
    std::set<std::string> up;
    for (const auto& h : rec.all<events::health_changed>())
        if (h.to == "up")
            up.insert(h.backend);
    EXPECT_EQ(up, (std::set<std::string>{"relay-1", "relay-2"}));
}
