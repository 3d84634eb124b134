#include "engine/cluster/child_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

namespace switchyard::cluster {

std::optional<ready_info> parse_ready_line(const std::string& line) {
    if (line.rfind("READY ", 0) != 0)
        return std::nullopt;
    ready_info info;
    std::istringstream in(line.substr(6));
    std::string field;
    bool have_port = false;
    while (in >> field) {
        const auto eq = field.find('=');
        if (eq == std::string::npos)
            continue;
        const std::string key = field.substr(0, eq);
        const std::string value = field.substr(eq + 1);
        try {
            if (key == "name") {
                info.name = value;
            } else if (key == "port") {
                info.port = static_cast<unsigned short>(std::stoul(value));
                have_port = true;
            } else if (key == "admin") {
                info.admin = static_cast<unsigned short>(std::stoul(value));
            }
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    if (!have_port)
        return std::nullopt;
    return info;
}

child_process::child_process(std::vector<std::string> argv, std::filesystem::path log_path)
    : argv_(std::move(argv)), log_path_(std::move(log_path)) {
    if (argv_.empty())
        throw std::invalid_argument("child_process: empty argv");
    if (log_path_.has_parent_path())
        std::filesystem::create_directories(log_path_.parent_path());
    const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
        throw std::system_error(errno, std::generic_category(), "open " + log_path_.string());
    log_start_ = ::lseek(log_fd, 0, SEEK_END);
    std::vector<char*> args;
    for (auto& a : argv_)
        args.push_back(a.data());
    args.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) {
        const int err = errno;
        ::close(log_fd);
        throw std::system_error(err, std::generic_category(), "fork");
    }
    if (pid_ == 0) {
        // Child: only async-signal-safe calls from here to exec.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        // The engine blocks SIGINT/SIGTERM in its threads (it waits for them with sigwait);
        // the mask survives exec, and a relay that cannot see SIGTERM cannot drain.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (::getppid() != parent)
            ::_exit(127);  // parent died before prctl took effect
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            ::dup2(devnull, STDIN_FILENO);
        // Nothing else of the engine's may cross exec: Asio opens its sockets without
        // SOCK_CLOEXEC, so a relay restarted mid-run would hold a copy of every fleet client
        // socket open then, keeping each one half-open (CLOSE_WAIT) after the fleet closed it
        // (the soak found this: a restarted relay's descriptors grew with the fleet's churn).
        ::close_range(3, ~0U, 0);
        ::execvp(args[0], args.data());
        const char msg[] = "child_process: exec failed\n";
        [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(127);
    }
    ::setpgid(pid_, pid_);  // also in the parent, so signal() works before the child runs
    ::close(log_fd);
}

child_process::~child_process() {
    kill_now();
}

bool child_process::reap(bool block) noexcept {
    if (reaped_ || pid_ <= 0)
        return true;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (r == pid_) {
        reaped_ = true;
        status_ = status;
        return true;
    }
    if (r < 0 && errno == ECHILD) {
        reaped_ = true;
        return true;
    }
    return false;
}

bool child_process::running() {
    return !reap(false);
}

void child_process::signal(int sig) noexcept {
    if (reaped_ || pid_ <= 0)
        return;
    ::kill(-pid_, sig);
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (reap(false))
            return status_;
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
}

void child_process::stop(std::chrono::milliseconds grace) {
    if (reaped_)
        return;
    signal(SIGCONT);  // a stopped process cannot act on SIGTERM
    signal(SIGTERM);
    if (!wait_exit(grace))
        kill_now();
}

void child_process::kill_now() noexcept {
    if (pid_ <= 0)
        return;
    // Kill the group even after the leader is reaped: helpers it forked may live on.
    ::kill(-pid_, SIGKILL);
    reap(true);
}

std::optional<std::string> child_process::wait_for_line(const std::string& prefix,
                                                        std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::streamoff offset = log_start_;
    std::string partial;
    while (true) {
        std::ifstream in(log_path_, std::ios::binary);
        if (in) {
            in.seekg(offset);
            std::string chunk((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
            offset += static_cast<std::streamoff>(chunk.size());
            partial += chunk;
            std::size_t start = 0;
            for (auto nl = partial.find('\n'); nl != std::string::npos;
                 nl = partial.find('\n', start)) {
                std::string line = partial.substr(start, nl - start);
                start = nl + 1;
                if (line.rfind(prefix, 0) == 0)
                    return line;
            }
            partial.erase(0, start);
        }
        if (!running())
            return std::nullopt;
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
}

std::optional<ready_info> child_process::wait_ready(std::chrono::milliseconds timeout) {
    auto line = wait_for_line("READY ", timeout);
    if (!line)
        return std::nullopt;
    return parse_ready_line(*line);
}

unsigned short pick_free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        const int err = errno;
        ::close(fd);
        throw std::system_error(err, std::generic_category(), "bind 127.0.0.1:0");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::filesystem::path find_program(const std::string& name) {
    // Next to the running binary or in sibling build folders (build/<preset>/backends/...).
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        for (auto dir = self.parent_path(); !dir.empty() && dir != dir.root_path();
             dir = dir.parent_path()) {
            for (const char* sub :
                 {"", "backends/balancer", "backends/relay", "engine/cli", "gui"}) {
                const auto candidate = dir / sub / name;
                if (std::filesystem::is_regular_file(candidate, ec))
                    return candidate;
            }
            if (std::filesystem::exists(dir / "CMakeCache.txt", ec))
                break;  // top of build tree
        }
    }
    return name;  // let execvp search PATH
}

}  // namespace switchyard::cluster
