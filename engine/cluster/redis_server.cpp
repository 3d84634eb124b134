#include "engine/cluster/redis_server.hpp"

#include <fstream>
#include <stdexcept>
#include <thread>

namespace switchyard::cluster {

redis_server::redis_server(std::filesystem::path log_dir, unsigned short port,
                           std::vector<std::string> extra_binds, redis_persistence persistence)
    : log_dir_(std::move(log_dir)),
      port_(port),
      extra_binds_(std::move(extra_binds)),
      persistence_(persistence) {
    // A port picked free can be taken by the time redis binds it: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (port == 0)
            port_ = pick_free_port();
        try {
            start();
            return;
        } catch (const std::runtime_error&) {
            if (port != 0 || attempt == 4)
                throw;
        }
    }
}

void redis_server::start() {
    const std::string p = std::to_string(port_);
    std::vector<std::string> argv{"redis-server", "--port", p, "--bind", "127.0.0.1"};
    argv.insert(argv.end(), extra_binds_.begin(), extra_binds_.end());  // same --bind list
    argv.insert(argv.end(), {"--save", "", "--protected-mode", "no", "--daemonize", "no", "--dir",
                             log_dir_.string()});
    if (persistence_ == redis_persistence::aof)
        // `no`: written (to the page cache) before the reply, which is all a process kill needs.
        // Rewritten from 4 MiB on, so a restart replays a few MiB, not the whole run.
        argv.insert(argv.end(), {"--appendonly", "yes", "--appendfsync", "no",
                                 "--auto-aof-rewrite-min-size", "4mb"});
    else
        argv.insert(argv.end(), {"--appendonly", "no"});
    proc_ = std::make_unique<child_process>(argv, log_dir_ / ("redis-" + p + ".log"));
    // redis-server prints "Ready to accept connections" (with a prefix) once listening.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (std::chrono::steady_clock::now() < deadline) {
        std::ifstream in(proc_->log_path());
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (text.find("Ready to accept connections") != std::string::npos)
            return;
        if (!proc_->running())
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    proc_->kill_now();
    throw std::runtime_error("redis-server on port " + p + " did not become ready; see " +
                             proc_->log_path().string());
}

void redis_server::restart() {
    proc_->kill_now();
    start();
}

}  // namespace switchyard::cluster
