// Synthetic clients against a real switchyard-relay process: every transport connects, publishes
// and receives every message in order; clients come back after a real kill -9 and resume without
// loss; fleets grow, shrink and change rate at runtime.
#include "engine/fleet/fleet_runner.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <thread>

#include "engine/cluster/child_process.hpp"
#include "engine/cluster/redis_server.hpp"
#include "engine/faults/fault_proxy.hpp"
#include "engine/faults/toxic_table.hpp"
#include "tests/integration/fleet/recording_observer.hpp"
#include "tests/integration/fleet/tls_terminator.hpp"

namespace switchyard::fleet::testing {
namespace {

using namespace std::chrono_literals;
using cluster::child_process;
using steady = std::chrono::steady_clock;

std::filesystem::path log_dir() {
    auto dir = std::filesystem::temp_directory_path() /
               ("switchyard-fleet-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

/// A log path not used before in this process: wait_ready reads the first READY line of the
/// file, so a restarted or repeated relay must not append to an old log.
std::filesystem::path unique_log(const std::string& id) {
    static std::atomic<int> counter{0};
    return log_dir() / (id + "-" + std::to_string(counter++) + ".log");
}

/// A real relay on a free port.
struct relay_process {
    relay_process(std::string id, std::string bus = "memory")
        : proc({cluster::find_program("switchyard-relay").string(), "--id", id, "--port", "0",
                "--admin-port", "0", "--bus", bus},
               unique_log(id)) {
        auto ready = proc.wait_ready(15s);
        if (!ready) {
            throw std::runtime_error("relay " + id + " did not print READY");
        }
        port = ready->port;
        this->id = id;
    }
    std::string url(std::string_view scheme = "ws") const {
        return std::string(scheme) + "://127.0.0.1:" + std::to_string(port);
    }
    child_process proc;
    std::uint16_t port = 0;
    std::string id;
};

/// Polls `cond` every 10 ms until it holds or `limit` passes.
template <class F>
bool eventually(F cond, std::chrono::milliseconds limit = 10s) {
    const auto deadline = steady::now() + limit;
    while (steady::now() < deadline) {
        if (cond()) {
            return true;
        }
        std::this_thread::sleep_for(10ms);
    }
    return cond();
}

// Publishes written just before or after a SIGKILL, on a connection not yet seen dead, are never
// answered (nor sequenced, so they are no gap either). Waits until the answers stop coming and
// leaves their count in `answered`; callers then allow a few unanswered per affected client.
bool answers_stopped(fleet_runner& runner, std::uint64_t& answered) {
    return eventually([&] {
        std::this_thread::sleep_for(200ms);  // no answer for this long: the rest are gone
        const auto c = runner.counters();
        const bool settled = c.acks + c.publish_errors == answered;
        answered = c.acks + c.publish_errors;
        return settled;
    });
}

/// Checks the delivery log the way the ledger will: per receiving client, per channel, seqs
/// strictly increase by one (no loss, no duplicate) and every message carries its publisher's
/// id and send time.
void expect_complete_and_ordered(const recording_observer& obs) {
    for (const auto& [client, list] : obs.by_client()) {
        std::map<std::string, std::uint64_t> last;
        for (const auto& d : list) {
            ASSERT_FALSE(d.msg_id.empty()) << "client " << client;
            ASSERT_EQ(d.msg_id.substr(0, d.msg_id.find('-')), std::to_string(d.publisher));
            ASSERT_LE(d.sent_at, d.received_at);
            auto it = last.find(d.channel);
            if (it != last.end()) {
                ASSERT_EQ(d.seq, it->second + 1)
                    << "client " << client << " channel " << d.channel << " msg " << d.msg_id;
            }
            last[d.channel] = d.seq;
        }
    }
}

fleet_config base_fleet(const std::string& url, transport kind, std::uint32_t count) {
    fleet_config f;
    f.name = "f";
    f.count = count;
    f.kind = kind;
    f.target_url = url;
    f.channels = {"global"};
    f.publish_rate_hz = 20;
    f.message_bytes = 200;
    f.reconnect.initial_backoff_ms = 50ms;
    f.reconnect.max_backoff_ms = 500ms;
    return f;
}

class every_transport : public ::testing::TestWithParam<transport> {};

TEST_P(every_transport, connects_publishes_and_receives_every_message_in_order) {
    relay_process relay("relay-a");
    recording_observer obs;
    const std::uint32_t clients = 8;
    // Publishing starts once every client is subscribed, so every client should get every
    // message (a client that subscribes later rightly misses what came before).
    auto f = base_fleet(relay.url(), GetParam(), clients);
    f.publish_rate_hz = 0;
    fleet_runner runner({f}, obs, fleet_runner_options{.seed = 11, .threads = 2});
    runner.start();
    ASSERT_TRUE(eventually([&] { return runner.counters().connected == clients; }))
        << "connected " << runner.counters().connected << ", failures "
        << runner.counters().connect_failures;
    runner.set_publish_rate("f", 20);
    ASSERT_TRUE(eventually([&] { return runner.counters().acks >= 40; }));
    runner.pause_publishing();
    // Once publishing stopped, every acked message reaches every client.
    ASSERT_TRUE(eventually([&] {
        const auto c = runner.counters();
        return c.acks == c.publishes && c.deliveries == c.acks * clients;
    })) << "publishes "
        << runner.counters().publishes << " acks " << runner.counters().acks << " deliveries "
        << runner.counters().deliveries;
    runner.stop();

    EXPECT_EQ(obs.clients_connected(), clients);
    for (const auto& c : obs.connects()) {
        EXPECT_EQ(c.relay, "relay-a");
        EXPECT_EQ(c.how, placement::fresh);
        EXPECT_FALSE(c.reconnect);
    }
    EXPECT_TRUE(obs.failures().empty());
    EXPECT_EQ(obs.disconnects().size(), clients) << "stop reports each connected client";
    expect_complete_and_ordered(obs);
    for (const auto& a : obs.acks()) {
        EXPECT_GT(a.seq, 0u);
        EXPECT_TRUE(a.error.empty());
    }
    const auto c = runner.counters();
    EXPECT_GT(c.bytes_in, c.deliveries * 200);
}

INSTANTIATE_TEST_SUITE_P(fleet, every_transport,
                         ::testing::Values(transport::ws, transport::sockjs_ws,
                                           transport::sockjs_xhr_polling,
                                           transport::sockjs_xhr_streaming),
                         [](const auto& info) {
                             std::string name(to_string(info.param));
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

class over_tls : public ::testing::TestWithParam<transport> {};

TEST_P(over_tls, wss_and_https_targets_handshake_tls_and_deliver) {
    relay_process relay("relay-a");
    tls_terminator tls(relay.port, log_dir());
    recording_observer obs;
    const bool ws = GetParam() == transport::ws || GetParam() == transport::sockjs_ws;
    const std::string url =
        std::string(ws ? "wss" : "https") + "://127.0.0.1:" + std::to_string(tls.port());
    const std::uint32_t clients = 3;
    fleet_runner runner({base_fleet(url, GetParam(), clients)}, obs, {});
    runner.start();
    ASSERT_TRUE(eventually([&] { return runner.counters().connected == clients; }))
        << "failures " << runner.counters().connect_failures
        << ", first: " << (obs.failures().empty() ? "" : obs.failures().front().reason);
    ASSERT_TRUE(eventually([&] { return runner.counters().deliveries >= 30; }));
    runner.stop();
    expect_complete_and_ordered(obs);
}

TEST(fleet_runner, tls_verification_rejects_a_self_signed_certificate_when_asked) {
    relay_process relay("relay-a");
    tls_terminator tls(relay.port, log_dir());
    recording_observer obs;
    auto f = base_fleet("wss://127.0.0.1:" + std::to_string(tls.port()), transport::ws, 1);
    f.tls_verify = true;
    fleet_runner runner({f}, obs, {});
    runner.start();
    ASSERT_TRUE(eventually([&] { return runner.counters().connect_failures >= 1; }));
    runner.stop();
    EXPECT_EQ(runner.counters().connects, 0u);
    EXPECT_NE(obs.failures().front().reason.find("TLS"), std::string::npos)
        << obs.failures().front().reason;
}

INSTANTIATE_TEST_SUITE_P(fleet, over_tls,
                         ::testing::Values(transport::ws, transport::sockjs_ws,
                                           transport::sockjs_xhr_polling),
                         [](const auto& info) {
                             std::string name(to_string(info.param));
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

TEST(fleet_runner, message_data_is_padded_to_message_bytes) {
    relay_process relay("relay-a");
    recording_observer obs;
    auto f = base_fleet(relay.url(), transport::ws, 1);
    f.message_bytes = 1000;
    fleet_runner runner({f}, obs, {});
    runner.start();
    ASSERT_TRUE(eventually([&] { return runner.counters().deliveries >= 3; }));
    runner.stop();
    // A 1000-byte data plus the message envelope: each frame is a bit over 1000 bytes.
    const auto c = runner.counters();
    EXPECT_GE(c.bytes_in / c.deliveries, 1000u);
    EXPECT_LT(c.bytes_in / c.deliveries, 1300u);
}

TEST(fleet_runner, a_refused_target_counts_connect_failures_and_backs_off) {
    recording_observer obs;
    auto f = base_fleet("ws://127.0.0.1:1", transport::ws, 2);
    f.reconnect.initial_backoff_ms = 100ms;
    f.reconnect.max_backoff_ms = 100ms;
    f.reconnect.jitter_ratio = 0;
    fleet_runner runner({f}, obs, {});
    runner.start();
    ASSERT_TRUE(eventually([&] { return runner.counters().connect_failures >= 6; }));
    runner.stop();
    const auto failures = obs.failures();
    ASSERT_FALSE(failures.empty());
    EXPECT_NE(failures.front().reason.find("refused"), std::string::npos)
        << failures.front().reason;
    // Backoff is 100 ms: a client cannot fail more than about 10 times a second.
    std::map<std::uint32_t, std::vector<micros>> per_client;
    for (const auto& r : failures) {
        per_client[r.client].push_back(r.at);
    }
    for (const auto& [client, times] : per_client) {
        for (std::size_t i = 1; i < times.size(); ++i) {
            EXPECT_GE(times[i] - times[i - 1], micros(90ms)) << "client " << client;
        }
    }
    EXPECT_EQ(runner.counters().connected, 0u);
}

TEST(fleet_runner, clients_survive_a_relay_kill_and_resume_without_loss) {
    // Two relays on one Redis; the fault proxy stands in for the balancer so the test can move
    // the route from the killed relay to the survivor.
    cluster::redis_server redis(log_dir());
    relay_process a("relay-a", redis.url());
    relay_process b("relay-b", redis.url());
    faults::fault_proxy lb(faults::fault_proxy_options{.name = "lb", .upstream_port = a.port});

    recording_observer obs;
    const std::uint32_t clients = 6;
    auto f = base_fleet("ws://127.0.0.1:" + std::to_string(lb.port()), transport::ws, clients);
    f.publish_rate_hz = 10;
    fleet_runner runner({f}, obs, fleet_runner_options{.seed = 5, .threads = 1});
    runner.start();
    ASSERT_TRUE(eventually([&] { return runner.counters().connected == clients; }));
    ASSERT_TRUE(eventually([&] { return runner.counters().deliveries >= 100; }));

    lb.set_upstream("127.0.0.1", b.port);
    a.proc.kill_now();  // SIGKILL to the relay's process group
    ASSERT_TRUE(eventually([&] { return runner.counters().reconnects == clients; }))
        << "reconnects " << runner.counters().reconnects;
    const auto before = runner.counters().deliveries;
    ASSERT_TRUE(eventually([&] { return runner.counters().deliveries >= before + 100; }));
    runner.pause_publishing();
    std::uint64_t answered = 0;
    ASSERT_TRUE(answers_stopped(runner, answered));
    const auto c = runner.counters();
    EXPECT_LE(c.publishes - answered, 3u * clients)
        << c.publishes << " publishes, " << answered << " answered";
    std::this_thread::sleep_for(200ms);  // let the last broadcast land before the stop
    runner.stop();

    for (const auto& c : obs.connects()) {
        EXPECT_EQ(c.relay, c.reconnect ? "relay-b" : "relay-a");
    }
    EXPECT_EQ(obs.disconnects().size(), 2 * clients) << "one loss each, then the stop";
    expect_complete_and_ordered(obs);  // resume closed every gap
    std::size_t replayed = 0;
    for (const auto& d : obs.deliveries()) {
        replayed += d.replayed ? 1 : 0;
    }
    SUCCEED() << replayed << " messages came from history";
}

TEST(fleet_runner, without_resume_a_relay_kill_loses_messages) {
    // The same failover with resume off: the order check must see a gap. This proves the
    // check in the test above can fail.
    cluster::redis_server redis(log_dir());
    relay_process a("relay-a", redis.url());
    relay_process b("relay-b", redis.url());
    faults::fault_proxy lb(faults::fault_proxy_options{.name = "lb", .upstream_port = a.port});
    recording_observer obs;
    const std::uint32_t clients = 4;
    auto f = base_fleet("ws://127.0.0.1:" + std::to_string(lb.port()), transport::ws, clients);
    f.publish_rate_hz = 50;
    f.reconnect.resume = false;
    f.reconnect.initial_backoff_ms = 300ms;
    f.reconnect.max_backoff_ms = 300ms;
    f.reconnect.jitter_ratio = 0;
    // A second fleet publishes through relay-b the whole time, so messages flow while the first
    // fleet is away.
    auto g = base_fleet(b.url(), transport::ws, 1);
    g.name = "steady";
    g.publish_rate_hz = 50;
    fleet_runner runner({f, g}, obs, fleet_runner_options{.seed = 5, .threads = 1});
    runner.start();
    ASSERT_TRUE(eventually([&] { return runner.counters().connected == clients + 1; }));
    // A gap needs a message before it: every client of the first fleet has one before the kill.
    ASSERT_TRUE(eventually([&] {
        const auto got = obs.by_client();
        for (std::uint32_t i = 0; i < clients; ++i) {
            if (!got.count(i)) {
                return false;
            }
        }
        return true;
    }));
    // The proxy keeps pointing at the dead relay until the steady fleet has published while
    // every client of the first fleet is away: the outage is then certain to hold messages.
    a.proc.kill_now();
    ASSERT_TRUE(eventually([&] { return runner.counters("f").connected == 0; }));
    const auto acked_at_outage = runner.counters("steady").acks;
    ASSERT_TRUE(eventually([&] { return runner.counters("steady").acks >= acked_at_outage + 10; }));
    lb.set_upstream("127.0.0.1", b.port);
    ASSERT_TRUE(eventually([&] { return runner.counters("f").connected == clients; }));
    // The gap shows only in what arrives after the reconnect, so wait for some of it.
    const auto at_reconnect = runner.counters("f").deliveries;
    ASSERT_TRUE(eventually([&] { return runner.counters("f").deliveries >= at_reconnect + 20; }));
    runner.stop();
    bool gap = false;
    for (const auto& [client, list] : obs.by_client()) {
        for (std::size_t i = 1; i < list.size(); ++i) {
            gap = gap || list[i].seq != list[i - 1].seq + 1;
        }
    }
    EXPECT_TRUE(gap) << "with resume off, messages published during the outage are lost";
}

TEST(fleet_runner, a_silent_link_is_detected_by_pings_and_the_clients_come_back) {
    relay_process relay("relay-a");
    faults::fault_proxy link(
        faults::fault_proxy_options{.name = "c->r", .upstream_port = relay.port});
    recording_observer obs;
    const std::uint32_t clients = 3;
    auto f = base_fleet("ws://127.0.0.1:" + std::to_string(link.port()), transport::ws, clients);
    f.publish_rate_hz = 0;
    f.ping_interval_ms = 200ms;
    f.poll_timeout_ms = 800ms;
    fleet_runner runner({f}, obs, {});
    runner.start();
    ASSERT_TRUE(eventually([&] { return runner.counters().connected == clients; }));
    std::this_thread::sleep_for(1200ms);  // longer than poll_timeout: pongs keep it alive
    EXPECT_EQ(runner.counters().disconnects, 0u);
    link.add_toxic("hole", faults::make_toxic("blackhole", {}));
    ASSERT_TRUE(eventually([&] { return runner.counters().disconnects == clients; }));
    for (const auto& d : obs.disconnects()) {
        EXPECT_EQ(d.reason, "silent for poll_timeout_ms");
    }
    link.clear_toxics();
    ASSERT_TRUE(eventually([&] { return runner.counters().reconnects == clients; }));
    runner.stop();
}

#ifdef SWITCHYARD_HAVE_LB
/// switchyard-lb in front of the given relays, sticky unless told otherwise.
struct balancer_process {
    balancer_process(const std::vector<const relay_process*>& relays, bool sticky)
        : proc(args(relays, sticky), unique_log("lb")) {
        auto ready = proc.wait_ready(15s);
        if (!ready) {
            throw std::runtime_error("switchyard-lb did not print READY");
        }
        port = ready->port;
    }
    static std::vector<std::string> args(const std::vector<const relay_process*>& relays,
                                         bool sticky) {
        std::vector<std::string> a{cluster::find_program("switchyard-lb").string(),
                                   "--port",
                                   "0",
                                   "--admin-port",
                                   "0",
                                   "--strategy",
                                   "round-robin",
                                   "--threads",
                                   "1",
                                   "--seed",
                                   "3",
                                   "--health-interval-ms",
                                   "200",
                                   "--fall",
                                   "1"};
        if (!sticky) {
            a.push_back("--no-sticky");
        }
        for (const auto* r : relays) {
            a.push_back("--backend");
            a.push_back(r->id + "=127.0.0.1:" + std::to_string(r->port));
        }
        return a;
    }
    child_process proc;
    std::uint16_t port = 0;
};

TEST(fleet_with_balancer, the_sticky_cookie_places_reconnects_as_failover_after_a_kill) {
    cluster::redis_server redis(log_dir());
    relay_process a("relay-a", redis.url()), b("relay-b", redis.url()), c("relay-c", redis.url());
    balancer_process lb({&a, &b, &c}, true);
    recording_observer obs;
    const std::uint32_t clients = 9;
    auto f = base_fleet("ws://127.0.0.1:" + std::to_string(lb.port), transport::ws, clients);
    f.publish_rate_hz = 10;
    fleet_runner runner({f}, obs, fleet_runner_options{.seed = 3});
    runner.start();
    ASSERT_TRUE(eventually([&] { return runner.counters().connected == clients; }));
    std::set<std::uint32_t> on_a;
    for (const auto& r : obs.connects()) {
        EXPECT_EQ(r.how, placement::fresh) << "no cookie on a first connection";
        if (r.relay == "relay-a") {
            on_a.insert(r.client);
        }
    }
    ASSERT_FALSE(on_a.empty()) << "round-robin puts some clients on relay-a";
    ASSERT_TRUE(eventually([&] { return runner.counters().deliveries >= 200; }));
    a.proc.kill_now();
    ASSERT_TRUE(eventually([&] { return runner.counters().reconnects >= on_a.size(); }))
        << "reconnects " << runner.counters().reconnects;
    const auto before = runner.counters().deliveries;
    ASSERT_TRUE(eventually([&] { return runner.counters().deliveries >= before + 200; }));
    runner.pause_publishing();
    std::uint64_t answered = 0;
    ASSERT_TRUE(answers_stopped(runner, answered));
    const auto k = runner.counters();
    EXPECT_LE(k.publishes - answered, 3u * on_a.size())
        << k.publishes << " publishes, " << answered << " answered";
    std::this_thread::sleep_for(200ms);  // let the last broadcast land before the stop
    runner.stop();
    for (const auto& r : obs.connects()) {
        if (r.reconnect) {
            EXPECT_TRUE(on_a.count(r.client)) << "only relay-a's clients had to move";
            EXPECT_EQ(r.how, placement::failover) << "cookie sent, landed elsewhere";
            EXPECT_NE(r.relay, "relay-a");
        }
    }
    expect_complete_and_ordered(obs);
}

/// Disconnects and failed connects whose reason says a SockJS session's requests reached two
/// relays (before hello it is a failed connect, after it a lost connection).
std::size_t sticky_violations(const recording_observer& obs) {
    std::size_t n = 0;
    for (const auto& d : obs.disconnects()) {
        n += d.reason.rfind("sticky violation", 0) == 0 ? 1 : 0;
    }
    for (const auto& f : obs.failures()) {
        n += f.reason.rfind("sticky violation", 0) == 0 ? 1 : 0;
    }
    return n;
}

TEST(fleet_with_balancer, polling_sessions_stay_on_one_relay_with_the_cookie_and_not_without) {
    cluster::redis_server redis(log_dir());
    relay_process a("relay-a", redis.url()), b("relay-b", redis.url());
    for (bool sticky : {true, false}) {
        SCOPED_TRACE(sticky ? "sticky" : "no-sticky");
        balancer_process lb({&a, &b}, sticky);
        recording_observer obs;
        auto f = base_fleet("http://127.0.0.1:" + std::to_string(lb.port),
                            transport::sockjs_xhr_polling, 4);
        f.publish_rate_hz = 10;
        fleet_runner runner({f}, obs, fleet_runner_options{.seed = 9});
        runner.start();
        if (sticky) {
            ASSERT_TRUE(eventually([&] { return runner.counters().connected == 4; }));
            ASSERT_TRUE(eventually([&] { return runner.counters().deliveries >= 150; }));
            runner.stop();
            EXPECT_EQ(sticky_violations(obs), 0u);
            expect_complete_and_ordered(obs);
        } else {
            // Without affinity, round-robin sends a session's requests to both relays.
            ASSERT_TRUE(eventually([&] { return sticky_violations(obs) >= 4; }))
                << "disconnects " << obs.disconnects().size() << " failures "
                << obs.failures().size()
                << " first: " << (obs.failures().empty() ? "" : obs.failures().front().reason);
            runner.stop();
        }
    }
}
#endif

TEST(fleet_runner, set_count_grows_and_shrinks_and_set_publish_rate_applies) {
    relay_process relay("relay-a");
    recording_observer obs;
    auto f = base_fleet(relay.url(), transport::ws, 2);
    f.publish_rate_hz = 0;
    fleet_runner runner({f}, obs, fleet_runner_options{.threads = 2});
    runner.start();
    ASSERT_TRUE(eventually([&] { return runner.counters().connected == 2; }));
    EXPECT_EQ(runner.counters().publishes, 0u);
    EXPECT_TRUE(runner.set_count("f", 5));
    ASSERT_TRUE(eventually([&] { return runner.counters("f").connected == 5; }));
    EXPECT_TRUE(runner.set_publish_rate("f", 20));
    ASSERT_TRUE(eventually([&] { return runner.counters().publishes >= 20; }));
    EXPECT_TRUE(runner.set_count("f", 1));
    ASSERT_TRUE(eventually([&] { return runner.counters().connected == 1; }));
    EXPECT_EQ(runner.counters().clients_target, 1u);
    EXPECT_FALSE(runner.set_count("nope", 1));
    EXPECT_FALSE(runner.set_publish_rate("nope", 1));
    runner.stop();
    // New clients got fresh indices after the first two.
    std::set<std::uint32_t> ids;
    for (const auto& c : obs.connects()) {
        ids.insert(c.client);
    }
    EXPECT_EQ(ids, (std::set<std::uint32_t>{0, 1, 2, 3, 4}));
}

TEST(fleet_runner, rejects_bad_configs_naming_fleet_and_field) {
    recording_observer obs;
    auto f = base_fleet("ws://127.0.0.1:1", transport::ws, 1);
    f.message_bytes = 10;
    try {
        fleet_runner runner({f}, obs, {});
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "fleet 'f': message_bytes: 10 is below the minimum 64");
    }
    f = base_fleet("tcp://x", transport::ws, 1);
    EXPECT_THROW(fleet_runner({f}, obs, {}), std::invalid_argument);
    EXPECT_THROW(fleet_runner({base_fleet("ws://127.0.0.1:1", transport::ws, 1),
                               base_fleet("ws://127.0.0.1:1", transport::ws, 1)},
                              obs, {}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace switchyard::fleet::testing
