#pragma once
// A real network partition, for when a TCP fault proxy is not real enough: a network namespace
// joined to the host by a veth pair, and iptables rules on the host end that drop its traffic.
// Only for namespaces this object creates itself; the destructor removes the rules, the veth and
// the namespace on every path. Needs root, `ip` (iproute2) and `iptables`;
// netns_link::unavailable_reason() says plainly why not when they are missing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::faults {

/// Runs argv (searched on PATH), waits, returns the exit status (-1 if it could not start) and,
/// in `output`, what it printed on stdout and stderr (for error messages).
int run_command(const std::vector<std::string>& argv, std::string* output = nullptr);

/// One namespace `sy<pid>n<k>` with a veth pair: host end `sy<pid>h<k>` at host_ip(), namespace
/// end at ns_ip() (a /30 in 10.231.0.0/16), loopback up in the namespace. Start a server inside
/// with exec_prefix() + its argv and `--bind ns_ip()`; reach it from the host at ns_ip().
class netns_link {
  public:
    /// "" when namespaces and iptables can be used here; otherwise why not ("not running as
    /// root", "'iptables' not found (apt-get install iptables)", ...).
    static std::string unavailable_reason();

    /// Creates the namespace and the veth; throws std::runtime_error with the failing command's
    /// output (after undoing what was made).
    netns_link();
    ~netns_link();
    netns_link(const netns_link&) = delete;
    netns_link& operator=(const netns_link&) = delete;

    const std::string& name() const noexcept { return name_; }
    const std::string& host_ip() const noexcept { return host_ip_; }
    const std::string& ns_ip() const noexcept { return ns_ip_; }
    /// {"ip", "netns", "exec", name()}: prepend to a command to run it inside the namespace.
    std::vector<std::string> exec_prefix() const;

    /// Which end of the link a partition's port is on.
    enum class port_side : std::uint8_t {
        ns,    ///< a server inside the namespace (the host connects to it)
        host,  ///< a server on the host (the namespace connects to it, e.g. Redis)
    };

    /// Drops every packet between the host and the namespace in both directions (iptables
    /// INPUT and OUTPUT on the host end). Open TCP connections stall and retransmit; new ones
    /// time out. With `port`, only TCP traffic of that server port (on `side`). Partitions
    /// add up; the same one twice is one.
    void partition(std::optional<std::uint16_t> port = std::nullopt,
                   port_side side = port_side::ns);
    /// Removes the rules of the partition on `port` (every partition without one); idempotent.
    void heal(std::optional<std::uint16_t> port = std::nullopt);
    bool partitioned() const noexcept { return !rules_.empty(); }

  private:
    void run_or_throw(const std::vector<std::string>& argv);
    void destroy() noexcept;

    std::string name_, host_if_, ns_if_, host_ip_, ns_ip_;
    struct rule {
        std::optional<std::uint16_t> port;
        std::vector<std::string> spec;  ///< iptables rule spec in place (-I form, no -I)
    };
    std::vector<rule> rules_;
};

}  // namespace switchyard::faults
