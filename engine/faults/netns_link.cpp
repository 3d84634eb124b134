#include "engine/faults/netns_link.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <stdexcept>

extern char** environ;

namespace switchyard::faults {

namespace {

/// Links made by this process, for unique names and subnets.
std::atomic<unsigned> links_made{0};

/// Subnets per process: 10.231.<slot>.<4k..4k+3>; 64 slots x 64 links.
constexpr unsigned links_per_process_max = 64;

bool on_path(const std::string& program) {
    return run_command({"sh", "-c", "command -v " + program + " >/dev/null"}) == 0;
}

}  // namespace

int run_command(const std::vector<std::string>& argv, std::string* output) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    std::string out;
    char buf[512];
    ssize_t n = 0;
    while (rc == 0 && (n = ::read(pipe_fds[0], buf, sizeof buf)) != 0) {
        if (n > 0)
            out.append(buf, static_cast<std::size_t>(n));
        else if (errno != EINTR)
            break;
    }
    ::close(pipe_fds[0]);
    if (output)
        *output = out;
    if (rc != 0)
        return -1;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string netns_link::unavailable_reason() {
    if (::geteuid() != 0)
        return "not running as root (network namespaces and iptables need root)";
    if (!on_path("ip"))
        return "'ip' not found (apt-get install iproute2)";
    if (!on_path("iptables"))
        return "'iptables' not found (apt-get install iptables)";
    std::string out;
    if (run_command({"iptables", "-w", "-S", "OUTPUT"}, &out) != 0)
        return "iptables does not work here: " + out;
    const std::string probe = "sy" + std::to_string(::getpid()) + "probe";
    if (run_command({"ip", "netns", "add", probe}, &out) != 0)
        return "cannot create a network namespace here: " + out;
    run_command({"ip", "netns", "del", probe});
    return {};
}

netns_link::netns_link() {
    const unsigned k = links_made++;
    if (k >= links_per_process_max)
        throw std::runtime_error("netns_link: more than 64 links in one process");
    const auto pid = std::to_string(::getpid());
    const auto id = pid + "n" + std::to_string(k);
    name_ = "sy" + id;
    host_if_ = "sy" + pid + "h" + std::to_string(k);
    ns_if_ = "sy" + pid + "p" + std::to_string(k);
    const unsigned slot = static_cast<unsigned>(::getpid()) % 250 + 1;
    const std::string net = "10.231." + std::to_string(slot) + ".";
    host_ip_ = net + std::to_string(4 * k + 1);
    ns_ip_ = net + std::to_string(4 * k + 2);
    try {
        run_or_throw({"ip", "netns", "add", name_});
        run_or_throw({"ip", "link", "add", host_if_, "type", "veth", "peer", "name", ns_if_});
        run_or_throw({"ip", "link", "set", ns_if_, "netns", name_});
        run_or_throw({"ip", "addr", "add", host_ip_ + "/30", "dev", host_if_});
        run_or_throw({"ip", "link", "set", host_if_, "up"});
        run_or_throw(
            {"ip", "netns", "exec", name_, "ip", "addr", "add", ns_ip_ + "/30", "dev", ns_if_});
        run_or_throw({"ip", "netns", "exec", name_, "ip", "link", "set", ns_if_, "up"});
        run_or_throw({"ip", "netns", "exec", name_, "ip", "link", "set", "lo", "up"});
    } catch (...) {
        destroy();
        throw;
    }
}

netns_link::~netns_link() {
    destroy();
}

std::vector<std::string> netns_link::exec_prefix() const {
    return {"ip", "netns", "exec", name_};
}

void netns_link::run_or_throw(const std::vector<std::string>& argv) {
    std::string out;
    if (run_command(argv, &out) != 0) {
        std::string cmd;
        for (const auto& a : argv)
            cmd += (cmd.empty() ? "" : " ") + a;
        throw std::runtime_error("netns_link: '" + cmd + "' failed: " + out);
    }
}

void netns_link::partition(std::optional<std::uint16_t> port, port_side side) {
    for (const auto& r : rules_)
        if (r.port == port)
            return;
    std::vector<std::string> in_match{"INPUT", "-i", host_if_};
    std::vector<std::string> out_match{"OUTPUT", "-o", host_if_};
    if (port) {
        // INPUT carries what the namespace sends, OUTPUT what the host sends.
        const auto p = std::to_string(*port);
        const bool in_ns = side == port_side::ns;
        in_match.insert(in_match.end(), {"-p", "tcp", in_ns ? "--sport" : "--dport", p});
        out_match.insert(out_match.end(), {"-p", "tcp", in_ns ? "--dport" : "--sport", p});
    }
    for (auto spec : {in_match, out_match}) {
        spec.insert(spec.end(), {"-j", "DROP"});
        std::vector<std::string> argv{"iptables", "-w", "-I"};
        argv.insert(argv.end(), spec.begin(), spec.end());
        run_or_throw(argv);
        rules_.push_back({port, std::move(spec)});
    }
}

void netns_link::heal(std::optional<std::uint16_t> port) {
    for (auto it = rules_.begin(); it != rules_.end();) {
        if (port && it->port != port) {
            ++it;
            continue;
        }
        std::vector<std::string> argv{"iptables", "-w", "-D"};
        argv.insert(argv.end(), it->spec.begin(), it->spec.end());
        run_command(argv);
        it = rules_.erase(it);
    }
}

void netns_link::destroy() noexcept {
    try {
        heal();
        // Deleting the host end removes its peer; deleting the namespace kills nothing (its
        // processes belong to whoever started them) but leaves no trace of it.
        run_command({"ip", "link", "del", host_if_});
        run_command({"ip", "netns", "del", name_});
    } catch (...) {
    }
}

}  // namespace switchyard::faults
