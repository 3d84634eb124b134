// A real partition: switchyard-relay runs inside a network namespace the test creates, the host
// reaches it over a veth pair, and iptables DROP rules cut the link. Needs root, iproute2 and
// iptables; skipped with the reason otherwise. Everything made is removed at the end (checked).
#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "engine/cluster/child_process.hpp"
#include "engine/cluster/http_get.hpp"
#include "engine/faults/netns_link.hpp"

using namespace switchyard;
using namespace std::chrono_literals;

namespace {

/// Polls until `cond` holds or `timeout` passes.
template <class F>
bool eventually(F cond, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (cond())
            return true;
        std::this_thread::sleep_for(20ms);
    }
    return cond();
}

int healthz(const std::string& host, unsigned short port) {
    auto r = cluster::http_request(host, port, "GET", "/healthz", "", 300ms);
    return r ? r->status : 0;
}

}  // namespace

TEST(NetnsLink, PartitionCutsTheRelayOffAndHealRestoresIt) {
    if (auto why = faults::netns_link::unavailable_reason(); !why.empty())
        GTEST_SKIP() << "netns faults unavailable: " << why;
    std::string ns_name;
    {
        faults::netns_link link;
        ns_name = link.name();
        auto argv = link.exec_prefix();
        const std::vector<std::string> relay_argv{
            cluster::find_program("switchyard-relay").string(),
            "--id",
            "ns-1",
            "--bind",
            link.ns_ip(),
            "--port",
            "0",
            "--admin-port",
            "0",
            "--bus",
            "memory"};
        argv.insert(argv.end(), relay_argv.begin(), relay_argv.end());
        const auto log = std::filesystem::temp_directory_path() /
                         ("switchyard-netns-" + std::to_string(::getpid()) + ".log");
        cluster::child_process relay(argv, log);
        auto ready = relay.wait_ready(20s);
        ASSERT_TRUE(ready) << "relay in the namespace did not start; see " << log;

        // Reachable from the host over the veth, and only there (its loopback is its own).
        EXPECT_TRUE(eventually([&] { return healthz(link.ns_ip(), ready->port) == 200; }, 5s));
        EXPECT_EQ(healthz("127.0.0.1", ready->port), 0);

        link.partition();
        EXPECT_TRUE(link.partitioned());
        EXPECT_EQ(healthz(link.ns_ip(), ready->port), 0);  // dropped: the request times out

        link.heal();
        EXPECT_TRUE(eventually([&] { return healthz(link.ns_ip(), ready->port) == 200; }, 5s));

        // A partition of the relay's port only.
        link.partition(ready->port);
        EXPECT_EQ(healthz(link.ns_ip(), ready->port), 0);
        // The rules name the port: the destructor must remove them too (checked below).
        relay.kill_now();
    }
    // Nothing left behind: no namespace, no rule naming our interfaces.
    std::string out;
    faults::run_command({"ip", "netns", "list"}, &out);
    EXPECT_EQ(out.find(ns_name), std::string::npos) << out;
    faults::run_command({"iptables", "-w", "-S"}, &out);
    EXPECT_EQ(out.find("sy" + std::to_string(::getpid())), std::string::npos) << out;
}

TEST(NetnsLink, UnavailableReasonIsPlainWhenNotRoot) {
    const auto why = faults::netns_link::unavailable_reason();
    if (::geteuid() != 0)
        EXPECT_NE(why.find("not running as root"), std::string::npos) << why;
    else
        EXPECT_TRUE(why.empty() || why.find("not found") != std::string::npos ||
                    why.find("here") != std::string::npos)
            << why;
}
