#pragma once
// The simulated world: balancer, relays, bus and clients built on the real cores, wired by
// links, run by one discrete-event kernel. It reports to the same client_observer (ledger,
// events) as the real fleet, so the same checkers and reports read a simulated run.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/events/event.hpp"
#include "engine/fleet/client_behaviour.hpp"
#include "engine/fleet/client_observer.hpp"
#include "engine/sim/sim_balancer.hpp"
#include "engine/sim/sim_bus.hpp"
#include "engine/sim/sim_kernel.hpp"
#include "engine/sim/sim_link.hpp"
#include "engine/sim/sim_message.hpp"
#include "engine/sim/sim_relay.hpp"

namespace switchyard::sim {

/// One simulated client: its behaviour core and the few fields its shell needs.
struct sim_client {
    explicit sim_client(const fleet::fleet_config& config, std::uint32_t fleet_index)
        : core(config), fleet(fleet_index) {}
    fleet::client_behaviour core;
    std::uint32_t fleet;
    std::int32_t relay = -1;  ///< relay holding the current connection, -1 none
    std::uint32_t slot = 0;   ///< position in that relay's member list
    std::uint32_t conn = 0;   ///< connection generation: in-flight frames of older ones are void
    std::uint32_t timer = 0;  ///< timer generation: only the newest armed wake-up fires
    fleet::micros armed = fleet::never;
    bool cookie_sent = false;
    std::string cookie;  ///< the balancer's affinity cookie ("" = none yet)
};

/// Which events the world publishes besides the client records (component and health changes).
using event_sink = std::function<void(const events::event&)>;

/// The cluster a simulated world builds: the scenario's cluster keys the simulation reads.
struct sim_cluster_config {
    std::uint64_t seed = 1;              ///< every generator derives from it
    std::vector<std::string> relays;     ///< ids at start
    std::uint32_t history = 0;           ///< messages kept per channel for resume; 0 = default
    std::uint64_t send_queue_bytes = 0;  ///< per-client send queue; 0 = the relay's default
    balancer_settings balancer;
};

/// Runs one scenario's cluster and fleets in virtual time.
///
/// Contract: single-threaded; every call happens between kernel events (the runner calls in,
/// then advances the kernel). The observer sees records in (time, insertion) order. Same
/// scenario, costs and seed: the same records, byte for byte.
class sim_world {
  public:
    sim_world(sim_cluster_config config, sim_costs costs, event_sink sink = {});
    ~sim_world();
    sim_world(const sim_world&) = delete;
    sim_world& operator=(const sim_world&) = delete;

    sim_kernel& kernel() noexcept { return kernel_; }
    micros now() const noexcept { return kernel_.now(); }

    /// Relays, bus and balancer up; health probes begin.
    void start_cluster();
    /// Every fleet's clients begin now (the connect ramp spreads first connects); client
    /// indices are dense in fleet order. `observer` must outlive the world.
    void start_fleets(const std::vector<fleet::fleet_config>& fleets,
                      fleet::client_observer& observer);

    // Cluster actions by component or link name. Each returns "" or why it was not applied
    // ("unknown relay 'relay-9'", "relay-2 is not running").
    std::string kill(const std::string& relay);
    std::string stop_process(const std::string& relay);
    std::string cont(const std::string& relay);
    std::string restart(const std::string& relay);
    std::string drain(const std::string& relay);
    std::string add_relay_named(const std::string& relay);
    std::string remove_relay(const std::string& relay);
    std::string restart_redis();
    std::string set_fault(const std::string& link, const std::string& toxic,
                          const faults::toxic_params& params);
    std::string clear_fault(const std::string& link);

    bool set_publish_rate(std::string_view fleet, double hz);
    void pause_publishing();
    bool set_count(std::string_view fleet, std::uint32_t count);
    void stop_fleets();

    // Introspection (tests, reports).
    std::size_t relay_count() const noexcept { return relays_.size(); }
    const sim_relay& relay(std::size_t i) const { return *relays_[i]; }
    const sim_client& client(std::size_t i) const { return clients_[i]; }
    std::size_t client_count() const noexcept { return clients_.size(); }
    sim_balancer& balancer() noexcept { return balancer_; }
    sim_bus& bus() noexcept { return bus_; }
    std::size_t connected_clients() const;
    /// Clients connected to relay `id` now (0 for an unknown id).
    std::size_t relay_clients(const std::string& id) const;
    /// Group deliveries scheduled (one per relay per message), against per-client records.
    std::uint64_t group_events() const noexcept { return group_events_; }

  private:
    struct fleet_state;
    struct hop {
        sim_link* link;
        faults::stream_dir dir;
        flow_state* flow;
    };

    // Topology (sim_world.cpp).
    std::uint32_t add_relay(const std::string& id);
    std::uint32_t channel_index(const std::string& name);
    sim_link* find_link(std::string_view name);
    void schedule_probe(std::uint32_t b);
    void probe(std::uint32_t b, std::uint32_t epoch);
    void note_health(std::uint32_t b, const std::optional<policy::health_transition>& t);
    void component(const std::string& name, const char* kind, const char* state);
    void lose_relay(std::uint32_t r, const char* reason, const char* state);
    std::optional<std::uint32_t> relay_named(const std::string& id) const;
    void close_crossing(std::string_view link, faults::connection_action a);
    /// switchyard-lb's close_sessions_on_down: a backend marked down or disabled has its
    /// clients' connections ended so they reconnect elsewhere (a frozen relay says nothing).
    void close_sessions(std::uint32_t r, const char* reason);
    std::string restart_balancer();
    /// A fault that lets no byte through on a relay's bus link: its canary goes unheard, and
    /// after the canary's detection time the relay is deaf (until the fault is cleared).
    void cut_bus_link(std::uint32_t r, const std::string& toxic);
    void release_stalled(std::string_view link);

    // Carrying bytes (sim_world_traffic.cpp).
    /// `held`, when given, counts the bytes waiting in a stall (a relay's unsent backlog).
    void carry(std::vector<hop> hops, std::size_t bytes, micros at, std::function<void()> arrive,
               std::uint64_t* held = nullptr);
    void at_relay(std::uint32_t r, std::function<void()> work);
    void relay_publish(std::uint32_t c, std::uint32_t gen, std::uint32_t r,
                       std::shared_ptr<const sim_message> m);
    void bus_publish(std::uint32_t c, std::uint32_t gen, std::uint32_t r,
                     std::shared_ptr<const sim_message> m);
    void relay_message(std::uint32_t r, std::uint32_t ch, policy::hub_entry e);
    void deliver_group(std::uint32_t r, std::uint32_t ch, const policy::hub_entry& e,
                       const std::vector<std::pair<std::uint32_t, std::uint32_t>>& group);
    void relay_subscribe(std::uint32_t c, std::uint32_t gen, std::uint32_t r,
                         std::vector<std::uint64_t> resume);
    void fetch_history(std::uint32_t c, std::uint32_t gen, std::uint32_t r, std::uint32_t ch,
                       std::uint64_t after, bool resume);
    void relay_synced(std::uint32_t c, std::uint32_t gen, std::uint32_t r, std::uint32_t ch,
                      const policy::log_range& h);
    /// Relay r to client c and back: balancer-<relay>, client-balancer, and the client's zone
    /// hop when its fleet sits outside the core zone.
    std::vector<hop> down_path(std::uint32_t r, std::uint32_t c);
    std::vector<hop> up_path(std::uint32_t r, std::uint32_t c);
    /// Relay r down to the clients of one fleet (a delivery group splits by zone).
    std::vector<hop> fleet_down_path(std::uint32_t r, std::uint32_t fleet);
    /// The base latency client c's zone adds one way (0 in the core zone).
    micros zone_latency(std::uint32_t c) const;

    // The client shell (sim_world_clients.cpp): fleet_client::apply's twin.
    void start_client(std::uint32_t c, micros delay);
    void act(std::uint32_t c, const fleet::client_actions& a, std::string_view reason = {});
    void arm(std::uint32_t c, micros wake_at);
    bool send_lands_elsewhere(std::uint32_t c);
    void connect(std::uint32_t c);
    void balancer_route(std::uint32_t c, std::uint32_t gen, std::vector<std::uint8_t> tried,
                        std::uint32_t failures);
    void relay_accept(std::uint32_t c, std::uint32_t gen, std::uint32_t r, std::string cookie);
    void client_closed(std::uint32_t c, std::uint32_t gen, std::string reason);
    void detach(std::uint32_t c);
    void send_publishes(std::uint32_t c, const fleet::client_actions& a);
    fleet::client_observer& observer() { return *observer_; }
    std::size_t fleet_channel(const sim_client& cl, std::uint32_t ch) const;
    policy::fast_rng& rng_of(const sim_client& cl);

    sim_cluster_config config_;
    sim_costs costs_;
    fleet::client_observer* observer_ = nullptr;
    event_sink sink_;
    sim_kernel kernel_;
    sim_balancer balancer_;
    sim_bus bus_;
    std::size_t pending_max_;
    std::vector<std::unique_ptr<sim_relay>> relays_;
    std::vector<std::uint32_t> probe_epoch_;    ///< per relay: bumps when its probe chain restarts
    std::vector<std::uint32_t> bus_cut_epoch_;  ///< per relay: bumps when its bus link is cleared
    std::deque<sim_link> links_;                ///< stable addresses: hops point into it
    std::map<std::string, sim_link*, std::less<>> link_by_name_;
    std::vector<sim_link*> backend_links_, bus_links_;  ///< per relay
    sim_link* client_link_ = nullptr;
    flow_state balancer_in_;  ///< upgrade requests before a relay is chosen
    std::map<std::string, std::vector<std::function<void()>>, std::less<>> stalled_;
    std::vector<std::string> channels_;
    std::map<std::string, std::uint32_t, std::less<>> channel_by_name_;
    std::vector<std::unique_ptr<fleet_state>> fleets_;
    std::vector<sim_client> clients_;
    std::uint64_t group_events_ = 0;
};

}  // namespace switchyard::sim
