#pragma once
// A real child process in its own process group, with its output captured to a log file, so the
// engine and the tests can wait for its READY line and kill it for real.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::cluster {

/// What a server printed on its READY line: `READY name=<id> port=<p> admin=<p>`.
struct ready_info {
    std::string name;
    unsigned short port = 0;
    unsigned short admin = 0;
};

/// Parses a READY line; nullopt when `line` is not one.
std::optional<ready_info> parse_ready_line(const std::string& line);

/// Owns one child process. The child runs in a new process group and gets SIGKILL if this
/// process dies (PR_SET_PDEATHSIG), so no path leaves an orphan. The destructor kills the whole
/// group and reaps it.
class child_process {
  public:
    /// Starts `argv[0]` (looked up in PATH) with stdout and stderr appended to `log_path`.
    /// Throws std::system_error when fork/exec setup fails; an exec failure shows in the log and
    /// as an early exit.
    child_process(std::vector<std::string> argv, std::filesystem::path log_path);
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    pid_t pid() const noexcept { return pid_; }
    const std::filesystem::path& log_path() const noexcept { return log_path_; }
    const std::vector<std::string>& argv() const noexcept { return argv_; }

    /// Polls the log until a line starting with `prefix` appears (returned whole), the child
    /// exits, or `timeout` passes (both nullopt). Only output of this child counts: a log file
    /// reused across restarts keeps the old READY lines, and they must not answer for the new one.
    std::optional<std::string> wait_for_line(const std::string& prefix,
                                             std::chrono::milliseconds timeout);
    /// wait_for_line("READY ") parsed.
    std::optional<ready_info> wait_ready(std::chrono::milliseconds timeout);

    /// Sends `sig` to the whole process group. No-op once reaped.
    void signal(int sig) noexcept;
    /// True while the child has not been reaped (a stopped child is running).
    bool running();
    /// Waits up to `timeout` for the child to exit; returns its wait status if it did.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    /// SIGTERM, wait up to `grace`, then SIGKILL; always reaps.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{3000});
    /// SIGKILL to the group and reap.
    void kill_now() noexcept;

  private:
    bool reap(bool block) noexcept;
    std::vector<std::string> argv_;
    std::filesystem::path log_path_;
    pid_t pid_ = -1;
    std::streamoff log_start_ = 0;  ///< size of the log before this child wrote to it
    bool reaped_ = false;
    int status_ = 0;
};

/// A free TCP port on 127.0.0.1 right now (bind to 0, read, close). For servers such as
/// redis-server that cannot report a port they chose themselves; callers retry on a clash.
unsigned short pick_free_port();

/// Absolute path of a program built next to the running binary's build tree, or in PATH.
std::filesystem::path find_program(const std::string& name);

}  // namespace switchyard::cluster
