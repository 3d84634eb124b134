#pragma once
// The cluster a world builds, as plain data: what the scenario asked for (balancer, relays,
// bus) plus what the engine decided from the whole scenario (which links need a fault proxy,
// which relays are reserved for a later add, which run in a network namespace). A world takes
// this, never a scenario: engine/scenario builds it (make_cluster_plan in plan_builder.hpp).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::run {

using millis = std::chrono::milliseconds;

enum class balancer_kind : std::uint8_t {
    switchyard,  ///< switchyard-lb, started by the engine
    haproxy,     ///< HAProxy, configured and started by the engine
    nginx,       ///< nginx, configured and started by the engine
    external,    ///< already running at `url`; the engine starts no balancer
};
std::string_view to_string(balancer_kind k) noexcept;

/// Active health checks of the balancer.
struct health_spec {
    millis interval{200};  ///< between probes of one backend
    millis timeout{200};   ///< a probe slower than this failed
    unsigned rise = 2;     ///< consecutive good probes to mark a backend up
    unsigned fall = 2;     ///< consecutive bad probes to mark it down
};

struct balancer_spec {
    balancer_kind kind = balancer_kind::switchyard;
    std::string url;  ///< external only: ws(s):// or http(s):// base URL
    /// external only, optional: http://host:port[/path] of the balancer's stats (switchyard-lb
    /// /stats JSON or HAProxy's CSV, told apart by the reply), polled for health changes
    std::string admin_url;
    std::string strategy = "round-robin";  ///< selector name (see switchyard-lb --help)
    bool sticky = true;                    ///< affinity cookie on
    bool tls = false;                      ///< clients connect with TLS (self-signed test cert)
    health_spec health;
    std::vector<std::string> args;  ///< extra command-line flags, passed as they are
};

struct relays_spec {
    std::vector<std::string> names;  ///< ids at start ("relay-1".. when given as a count)
    std::uint32_t history = 0;       ///< messages kept per channel for resume; 0 = relay default
    std::uint64_t send_queue_bytes = 0;  ///< per-client send queue limit; 0 = relay default
    std::vector<std::string> args;       ///< extra command-line flags for every relay
};

enum class bus_kind : std::uint8_t {
    redis,     ///< redis-server started by the engine
    external,  ///< a redis:// URL already running
    memory,    ///< in-process bus: single relay only
};

struct bus_spec {
    bus_kind kind = bus_kind::redis;
    std::string url;  ///< external only
};

/// The cluster as the scenario file describes it.
struct cluster_spec {
    balancer_spec balancer;
    relays_spec relays;
    bus_spec bus;
};

/// Everything a world needs to build and run the cluster. Plain data, copyable; no field
/// refers to a scenario file. A simulated world may ignore what has no meaning there
/// (`startup_timeout`, `netns_relays`: every simulated link can take every fault).
struct cluster_plan {
    cluster_spec cluster;
    std::uint64_t seed = 1;         ///< every random choice in the cluster derives from it
    millis startup_timeout{15000};  ///< per component, to print READY
    /// Links that get a fault proxy ("balancer-relay-1", "relay-1-redis", "client-balancer").
    /// Only these can take faults; links without faults stay direct (no extra hop).
    std::vector<std::string> proxied_links;
    /// Relays added later (timeline add_relay, or spares for hand add_relay), in name order:
    /// their ports are reserved and the balancer knows them from the start (down until they
    /// come up), since switchyard-lb has no runtime backend add.
    std::vector<std::string> future_relays;
    /// Relays that run inside their own network namespace because a `mode: netns` fault names
    /// one of their links. Needs root, ip and iptables.
    std::vector<std::string> netns_relays;
};

/// Link names faults may name, for these relay ids: "client-balancer", then per relay
/// "balancer-<relay>" and "<relay>-redis".
std::vector<std::string> link_names(const std::vector<std::string>& relays);
/// The relay a `balancer-<relay>` or `<relay>-redis` link belongs to ("" for client-balancer).
std::string relay_of_link(const std::string& link);

}  // namespace switchyard::run
