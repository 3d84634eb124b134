#pragma once
// The cluster under test as real processes: redis-server, relays, the balancer, and fault
// proxies on the links its plan names. Starts them in dependency order, waits for READY,
// logs each to the run folder, applies process actions for real (kill is SIGKILL), watches the
// balancer's view of backend health, and stops everything on any exit path.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/cluster/child_process.hpp"
#include "engine/cluster/redis_server.hpp"
#include "engine/events/event_stream.hpp"
#include "engine/events/run_clock.hpp"
#include "engine/faults/fault_proxy.hpp"
#include "engine/faults/netns_link.hpp"
#include "engine/fleet/target_address.hpp"
#include "engine/run/cluster_driver.hpp"
#include "engine/run/cluster_plan.hpp"

namespace switchyard::cluster {

/// The testbed itself could not run (a component did not start): the CLI's exit code 3.
class cluster_error : public run::world_error {
  public:
    using run::world_error::world_error;
};

/// A component as the GUI and reports see it.
using component_info = run::component_info;

/// The real world's cluster driver (run::cluster_driver states the contract), built from a
/// cluster plan; component logs go to `run_dir`. Events carry `clock`'s time.
/// Thread-safe: every method may be called from any thread (one lock; actions are rare).
class cluster final : public run::cluster_driver {
  public:
    cluster(run::cluster_plan plan, std::filesystem::path run_dir, events::event_stream& events,
            const events::run_clock& clock);
    /// stop()
    ~cluster();
    cluster(const cluster&) = delete;
    cluster& operator=(const cluster&) = delete;

    /// Starts every component; throws cluster_error naming the component and its log.
    void start() override;
    /// Kills everything (balancer first, so clients see one clean cut), idempotent.
    void stop() override;

    /// Base URL clients connect to: "ws://127.0.0.1:<port>" ("wss://" with TLS).
    std::string client_url() const override;

    /// Process actions; throw std::runtime_error (message for the action event) on failure.
    void kill(const std::string& id) override;
    void stop_process(const std::string& id) override;  ///< SIGSTOP
    void cont(const std::string& id) override;          ///< SIGCONT
    void restart(const std::string& id) override;       ///< kill, then start on the same port
    void drain(const std::string& id) override;  ///< SIGTERM (relay closes clients with 1001)
    void add_relay(const std::string& id) override;
    void remove_relay(const std::string& id) override;  ///< disable in the balancer, then drain
    void restart_redis() override;
    /// `netns`: a real partition of the link (the relay's namespace, iptables) instead of a
    /// toxic on its proxy; only `partition`, only for relays in the plan's netns_relays.
    void set_fault(const std::string& link, const std::string& toxic,
                   const faults::toxic_params& params, bool netns) override;
    void clear_fault(const std::string& link) override;

    /// Reads the balancer's /stats (health changes become events) and notices processes that
    /// exited on their own. Called periodically by the engine.
    void poll() override;

    std::vector<component_info> components() const override;
    /// Why this run has no health_changed events, or "" when the balancer's health is read
    /// (nginx: no status API; external without admin_url).
    std::string health_note() const override;
    std::vector<std::string> relay_ids() const;
    std::filesystem::path run_dir() const { return run_dir_; }

    struct relay_proc;

  private:
    void start_redis();
    void start_relay(relay_proc& r);
    void start_balancer();
    void start_external_balancer();
    void start_external_cluster();
    void poll_stats_page();  ///< HAProxy's CSV or an external admin_url
    void read_switchyard_stats(const std::string& body);
    void read_haproxy_csv(const std::string& body);
    void set_health(const std::string& backend, const std::string& state);
    void make_tls_material();
    relay_proc& relay(const std::string& id);
    child_process* process_of(const std::string& id, std::string& kind);
    void emit_component(const std::string& id, const std::string& kind, const std::string& state,
                        const child_process* p, unsigned port, unsigned admin);
    std::string bus_url_for(const relay_proc& r) const;
    unsigned short backend_port_for(const relay_proc& r) const;
    std::string backend_host_for(const relay_proc& r) const;
    faults::netns_link* netns_of(const std::string& relay) const;
    faults::fault_proxy* proxy(const std::string& link);
    void make_proxy(const std::string& link, unsigned short upstream_port,
                    const std::string& upstream_host = "127.0.0.1");
    bool proxied(const std::string& link) const;

    run::cluster_plan plan_;
    std::filesystem::path run_dir_;
    events::event_stream& events_;
    const events::run_clock& clock_;
    mutable std::recursive_mutex mutex_;

    std::unique_ptr<redis_server> redis_;
    std::vector<std::unique_ptr<relay_proc>> relays_;
    std::unique_ptr<child_process> balancer_;
    std::string balancer_state_ = "pending";
    unsigned short balancer_port_ = 0;
    unsigned short balancer_admin_ = 0;
    std::string admin_token_;
    std::filesystem::path cookie_secret_file_;  ///< one per run, for every balancer start
    unsigned short external_stats_port_ = 0;    ///< HAProxy/nginx stats listener, or admin_url's
    std::string external_stats_path_;
    std::string stats_host_ = "127.0.0.1";   ///< admin_url's host for an external balancer
    fleet::target_address external_target_;  ///< kind external: where clients go
    std::filesystem::path tls_cert_, tls_key_;
    std::map<std::string, std::unique_ptr<faults::fault_proxy>> proxies_;
    std::map<std::string, std::unique_ptr<faults::netns_link>> netns_;  ///< relay id -> its ns
    std::map<std::string, std::string> health_;  ///< backend id -> balancer's view
    bool stopped_ = false;
};

}  // namespace switchyard::cluster
