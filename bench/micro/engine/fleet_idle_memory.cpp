// Measures what an idle synthetic client costs: starts a real switchyard-relay (or uses --url),
// connects N clients that subscribe and never publish, and reports resident memory per client
// (this process only; the relay is a separate process) and CPU while idle.
//
//   fleet_idle_memory [--clients N] [--threads T] [--transport ws|sockjs-ws|...] [--url URL]
//                     [--rate HZ]   (then publish HZ per client for 5 s: deliveries/s, CPU)
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "engine/cluster/child_process.hpp"
#include "engine/fleet/fleet_runner.hpp"

namespace {

using namespace std::chrono_literals;
namespace fleet = switchyard::fleet;

/// Counts reports and nothing else, so the observer adds no memory per client.
class counting_observer final : public fleet::client_observer {
  public:
    void on_connect(const fleet::connect_record&) override {}
    void on_disconnect(const fleet::disconnect_record&) override {}
    void on_connect_failure(const fleet::connect_failure_record& r) override {
        std::lock_guard lock(mutex_);
        if (last_failure_.empty()) {
            last_failure_ = r.reason;
        }
    }
    void on_publish(const fleet::publish_record&) override {}
    void on_ack(const fleet::ack_record&) override {}
    void on_delivery(const fleet::delivery_record&) override {}
    void on_resume_gap(const fleet::resume_gap_record&) override {}
    std::string last_failure() {
        std::lock_guard lock(mutex_);
        return last_failure_;
    }

  private:
    std::mutex mutex_;
    std::string last_failure_;
};

long rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint32_t clients = 2000;
    unsigned threads = 1;
    std::string kind = "ws";
    std::string url;
    double rate_hz = 0;  // per client, switched on after the idle measurement
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "fleet_idle_memory: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--clients") {
            clients = static_cast<std::uint32_t>(std::stoul(next()));
        } else if (a == "--threads") {
            threads = static_cast<unsigned>(std::stoul(next()));
        } else if (a == "--transport") {
            kind = next();
        } else if (a == "--rate") {
            rate_hz = std::stod(next());
        } else if (a == "--url") {
            url = next();
        } else if (a == "--help") {
            std::cout << "usage: fleet_idle_memory [--clients N] [--threads T] [--transport "
                      << fleet::known_transports() << "] [--url URL] [--rate HZ]\n";
            return 0;
        } else {
            std::cerr << "fleet_idle_memory: unknown flag '" << a << "'\n";
            return 2;
        }
    }
    const auto transport = fleet::transport_from_string(kind);
    if (!transport) {
        std::cerr << "fleet_idle_memory: --transport: unknown '" << kind
                  << "'; known: " << fleet::known_transports() << "\n";
        return 2;
    }

    std::unique_ptr<switchyard::cluster::child_process> relay;
    if (url.empty()) {
        // A fresh log: wait_ready reads the first READY line in the file.
        const auto log = std::filesystem::temp_directory_path() /
                         ("fleet_idle_memory_relay_" + std::to_string(::getpid()) + ".log");
        std::filesystem::remove(log);
        relay = std::make_unique<switchyard::cluster::child_process>(
            std::vector<std::string>{switchyard::cluster::find_program("switchyard-relay").string(),
                                     "--id", "relay-mem", "--port", "0", "--admin-port", "0"},
            log);
        const auto ready = relay->wait_ready(15s);
        if (!ready) {
            std::cerr << "fleet_idle_memory: relay did not start\n";
            return 3;
        }
        url = "ws://127.0.0.1:" + std::to_string(ready->port);
    }

    fleet::fleet_config f;
    f.name = "idle";
    f.count = clients;
    f.kind = *transport;
    f.target_url = url;
    f.publish_rate_hz = 0;
    f.connect_ramp_ms = std::chrono::milliseconds(clients / 2);  // ~2000 connects/s
    f.connect_timeout_ms = 20s;
    counting_observer observer;
    const long rss_before = rss_kib();
    fleet::fleet_runner runner({f}, observer, fleet::fleet_runner_options{.threads = threads});
    runner.start();
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (runner.counters().connected < clients && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
    }
    const auto connected = runner.counters().connected;
    if (connected < clients) {
        std::cerr << "fleet_idle_memory: only " << connected << " of " << clients
                  << " connected; last failure: " << observer.last_failure() << "\n";
    }
    std::this_thread::sleep_for(1s);  // let buffers settle
    const long rss_after = rss_kib();
    const double cpu_start = cpu_seconds();
    std::this_thread::sleep_for(5s);
    const double idle_cpu = (cpu_seconds() - cpu_start) / 5.0;
    double deliveries_per_second = 0;
    double busy_cpu = 0;
    if (rate_hz > 0) {
        runner.set_publish_rate("idle", rate_hz);
        std::this_thread::sleep_for(1s);
        const auto d0 = runner.counters().deliveries;
        const double c0 = cpu_seconds();
        std::this_thread::sleep_for(5s);
        deliveries_per_second = static_cast<double>(runner.counters().deliveries - d0) / 5.0;
        busy_cpu = (cpu_seconds() - c0) / 5.0;
    }
    runner.stop();
    if (rate_hz > 0) {
        std::cout << "publishing: rate_hz_per_client=" << rate_hz
                  << " deliveries_per_second=" << deliveries_per_second
                  << " fleet_cpu_fraction=" << busy_cpu << "\n";
    }
    std::cout << "transport=" << kind << " clients=" << connected << " threads=" << threads
              << " rss_before_kib=" << rss_before << " rss_after_kib=" << rss_after
              << " bytes_per_idle_client="
              << (connected ? (rss_after - rss_before) * 1024 / static_cast<long>(connected) : 0)
              << " idle_cpu_fraction=" << idle_cpu << "\n";
    return connected == clients ? 0 : 1;
}
