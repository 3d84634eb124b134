#pragma once
// A real redis-server on a free loopback port, owned like any child process; persistence off,
// or an append-only file so that a crash keeps what Redis acknowledged.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/cluster/child_process.hpp"

namespace switchyard::cluster {

/// What a redis-server keeps across a crash.
enum class redis_persistence {
    /// Nothing: a restart starts with no counters and no history.
    none,
    /// An append-only file (`appendfsync no`): Redis writes each command to it before it
    /// replies, so a killed process (not a lost host) comes back with every seq it acknowledged
    /// and the history holding it. Without it, a message acknowledged in the instant before a
    /// kill, whose pub/sub fan-out had not reached every relay yet, is gone for the relays that
    /// had not read it (their gap refill finds an empty history).
    aof,
};

/// Starts `redis-server` (Debian package) on 127.0.0.1, waits until it accepts connections, and
/// kills it on destruction. `restart()` brings it back on the same port (with `aof`, from the
/// file in `log_dir`, which must then belong to this server alone).
class redis_server {
  public:
    /// `log_dir` receives redis-<port>.log. Throws std::runtime_error if it does not start.
    /// `extra_binds`: addresses to listen on besides 127.0.0.1 (the host end of a netns veth,
    /// so a relay inside a namespace reaches it).
    explicit redis_server(std::filesystem::path log_dir, unsigned short port = 0,
                          std::vector<std::string> extra_binds = {},
                          redis_persistence persistence = redis_persistence::none);

    unsigned short port() const noexcept { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
    child_process& process() { return *proc_; }

    void kill() noexcept { proc_->kill_now(); }
    void restart();

  private:
    void start();
    std::filesystem::path log_dir_;
    unsigned short port_;
    std::vector<std::string> extra_binds_;
    redis_persistence persistence_;
    std::unique_ptr<child_process> proc_;
};

}  // namespace switchyard::cluster
