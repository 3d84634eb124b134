#pragma once
// The runner's handle on the cluster of a world: start it, act on components by name, read
// their states. The real world implements it with processes and fault proxies
// (cluster::cluster); the simulated world with components on the same cores in virtual time.
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/faults/toxic.hpp"

namespace switchyard::run {

/// The testbed itself could not run (a component did not start): the CLI's exit code 3.
class world_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// A component as the GUI and reports see it.
struct component_info {
    std::string id;
    std::string kind;    ///< "relay", "balancer", "redis", "proxy"
    std::string state;   ///< "ready", "killed", "stopped", "draining", "exited", "pending", ...
    std::string health;  ///< the balancer's view ("up", "down", ...) for relays; "" unknown
    int pid = 0;         ///< 0 when there is no process (simulated, external, pending)
    unsigned port = 0;
    unsigned admin_port = 0;
};

/// The cluster of one run, built from a cluster_plan given to the world's constructor.
///
/// Contract:
/// - Threading: the runner calls every method from its clock's run() thread (or before and
///   after it), one call at a time. components() may also be called from any other thread
///   (the GUI reads it live), so an implementation guards what it reads there.
/// - Events: the driver publishes what only it can see to the run's event stream, which the
///   world is given at construction: `component_changed` (starting, ready, killed, stopped,
///   continued, draining, exited, failed), `health_changed` (the balancer's view of a backend),
///   `fault_changed` (a fault set or cleared). The runner publishes `action_applied` itself.
/// - Errors: start() throws (world_error for "the testbed could not run", message naming the
///   component); an action that cannot be carried out throws std::runtime_error whose what()
///   is the action's error text ("relay-9 is not running"). A failed action leaves the
///   cluster usable. The runner does the ledger bookkeeping (relay lost/back) itself.
/// - Ids: "balancer", "redis", a relay id from the plan (initial or future), a link name
///   (link_names()). Unknown ids throw.
class cluster_driver {
  public:
    virtual ~cluster_driver() = default;

    /// Builds the whole cluster and returns when clients can connect.
    virtual void start() = 0;
    /// Tears everything down. Idempotent, no throw, also after a failed start().
    virtual void stop() = 0;
    /// Where clients connect ("ws://127.0.0.1:<port>", "wss://..."); the runner puts it in
    /// every fleet's target_url. A simulated world may return any label.
    virtual std::string client_url() const = 0;

    virtual void kill(const std::string& id) = 0;          ///< hard kill (SIGKILL)
    virtual void stop_process(const std::string& id) = 0;  ///< freeze (SIGSTOP)
    virtual void cont(const std::string& id) = 0;          ///< unfreeze (SIGCONT)
    virtual void restart(const std::string& id) = 0;       ///< kill, start again, same id and port
    virtual void drain(const std::string& id) = 0;         ///< relay closes clients (1001), exits
    virtual void add_relay(const std::string& id) = 0;     ///< one of plan.future_relays
    virtual void remove_relay(const std::string& id) = 0;  ///< out of the balancer, then drain
    virtual void restart_redis() = 0;
    /// Puts `toxic` on `link`. `netns`: a real partition instead of a proxy toxic (only
    /// "partition", only for plan.netns_relays); a world without namespaces throws.
    virtual void set_fault(const std::string& link, const std::string& toxic,
                           const faults::toxic_params& params, bool netns) = 0;
    virtual void clear_fault(const std::string& link) = 0;

    /// Called by the runner every poll interval (100 ms) in traffic and drain: the real world
    /// reads the balancer's /stats for health changes and notices processes that exited. A
    /// world that sees changes as they happen (simulated) does nothing.
    virtual void poll() {}
    virtual std::vector<component_info> components() const = 0;
    /// Why this run has no health_changed events, or "" when health is observed; the runner
    /// adds it to the report's notes. Optional.
    virtual std::string health_note() const { return {}; }
};

}  // namespace switchyard::run
