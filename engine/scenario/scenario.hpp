#pragma once
// A scenario as plain data: the cluster to start, the fleets to drive, the timeline of actions
// and the assertions. Parsed from YAML by scenario_parser; read by the engine and the simulator.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/events/event.hpp"
#include "engine/faults/toxic.hpp"
#include "engine/fleet/fleet_config.hpp"
#include "engine/verify/expectation.hpp"

namespace switchyard::scenario {

using micros = std::chrono::microseconds;
using millis = std::chrono::milliseconds;

/// Where in the file something was written (1-based; 0 = not from a file).
struct source_mark {
    int line = 0;
    int column = 0;
};

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

struct cluster_spec {
    balancer_spec balancer;
    relays_spec relays;
    bus_spec bus;
};

/// One timeline entry (or a hand action from the GUI: same shape, `at` ignored).
struct action_spec {
    micros at{};
    events::action_kind kind = events::action_kind::kill;
    /// Component ("relay-2", "balancer", "redis"), link ("balancer-relay-1", "relay-1-redis",
    /// "client-balancer") or fleet name, depending on `kind`.
    std::string target;
    std::string toxic;            ///< fault: toxic name
    faults::toxic_params params;  ///< fault: toxic parameters
    /// fault `mode: netns`: a real partition (faults::netns_link: the relay runs in its own
    /// network namespace, iptables drops the link's packets) instead of the fault proxy
    bool netns = false;
    double rate_hz = 0;       ///< set_rate: publishes per second per client
    std::uint32_t count = 0;  ///< set_count: clients
    source_mark mark;

    /// Parameters in words for events and logs ("toxic=latency latency_ms=200").
    std::string detail() const;
};

/// A whole scenario file.
struct scenario {
    std::string name;  ///< defaults to the file stem
    std::string description;
    std::string file;                    ///< path it was read from ("" for text)
    std::uint64_t seed = 1;              ///< every random choice derives from it
    micros duration{10'000'000};         ///< traffic phase, from the first client's start
    micros drain{2'000'000};             ///< after publishing stops, before the checks
    micros metrics_interval{250'000};    ///< period of the metrics event
    micros startup_timeout{15'000'000};  ///< per component, to print READY
    cluster_spec cluster;
    std::vector<fleet::fleet_config> fleets;
    std::vector<action_spec> timeline;  ///< sorted by `at`, ties in file order
    std::vector<verify::expectation> expect;
    std::vector<source_mark> expect_marks;  ///< one per expectation
};

/// Link names a scenario may put faults on, for these relay ids.
std::vector<std::string> link_names(const std::vector<std::string>& relays);
/// The relay a `balancer-<relay>` or `<relay>-redis` link belongs to ("" for client-balancer).
std::string netns_relay_of(const std::string& link);
/// Relays some `mode: netns` fault of the timeline names (they must start in a namespace).
std::vector<std::string> netns_relays(const scenario& s);

/// Kinds of actions that name a component, and which components each accepts.
bool action_targets_relay_only(events::action_kind k) noexcept;

}  // namespace switchyard::scenario
