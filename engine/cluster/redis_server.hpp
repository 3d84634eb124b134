#pragma once
// A real redis-server on a free loopback port, persistence off, owned like any child process.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/cluster/child_process.hpp"

namespace switchyard::cluster {

/// Starts `redis-server` (Debian package) on 127.0.0.1 with no persistence, waits until it
/// accepts connections, and kills it on destruction. `restart()` brings it back on the same port.
class redis_server {
  public:
    /// `log_dir` receives redis-<port>.log. Throws std::runtime_error if it does not start.
    /// `extra_binds`: addresses to listen on besides 127.0.0.1 (the host end of a netns veth,
    /// so a relay inside a namespace reaches it).
    explicit redis_server(std::filesystem::path log_dir, unsigned short port = 0,
                          std::vector<std::string> extra_binds = {});

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
    std::unique_ptr<child_process> proc_;
};

}  // namespace switchyard::cluster
