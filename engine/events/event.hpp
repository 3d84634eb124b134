#pragma once
// The typed events every part of a run publishes: the one stream the console, the reports, the
// NDJSON log and the GUI subscribe to. Each event is a small struct with a timestamp on the run
// clock (`at`, microseconds since the run started). Deliveries are never events one by one: the
// engine publishes periodic `metrics` and a few sampled `delivery_sample`s instead.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/describe.hpp>

namespace switchyard::events {

/// Microseconds since the run started (virtual in the simulator).
using micros = std::chrono::microseconds;

/// A hand or timeline action the engine can apply to the running cluster.
enum class action_kind : std::uint8_t {
    kill,           ///< SIGKILL a relay (or the balancer)
    stop,           ///< SIGSTOP: the process hangs, sockets stay open
    cont,           ///< SIGCONT after stop
    restart,        ///< kill, then start again with the same id
    drain,          ///< SIGTERM: the relay closes clients with 1001 and exits
    add_relay,      ///< start a new relay and add it to the balancer
    remove_relay,   ///< drain a relay and take it out of the balancer
    fault,          ///< set a toxic on a link
    clear_fault,    ///< remove every toxic from a link
    set_rate,       ///< change a fleet's publish rate
    set_count,      ///< change a fleet's client count
    restart_redis,  ///< kill the bus's redis-server and start it on the same port
};
BOOST_DESCRIBE_ENUM(action_kind, kill, stop, cont, restart, drain, add_relay, remove_relay, fault,
                    clear_fault, set_rate, set_count, restart_redis)

/// Name of an action kind as written in scenario files and NDJSON ("add_relay").
std::string_view to_string(action_kind k) noexcept;
/// Inverse of to_string; false when `name` names no action.
bool parse_action_kind(std::string_view name, action_kind& out) noexcept;

/// The run began: the cluster is about to start.
struct run_started {
    micros at{};
    std::string scenario;  ///< scenario name (file stem when unnamed)
    std::string file;
    std::uint64_t seed = 0;
    std::string run_dir;  ///< per-run folder with component logs
    micros duration{};    ///< planned length of the traffic phase
};
BOOST_DESCRIBE_STRUCT(run_started, (), (at, scenario, file, seed, run_dir, duration))

/// The run ended with a verdict: "passed", "failed", "interrupted" or "error".
struct run_finished {
    micros at{};
    std::string verdict;
    int exit_code = 0;
    std::string detail;
};
BOOST_DESCRIBE_STRUCT(run_finished, (), (at, verdict, exit_code, detail))

/// A component process changed state ("starting", "ready", "killed", "stopped", "continued",
/// "draining", "exited", "failed").
struct component_changed {
    micros at{};
    std::string component;  ///< "relay-1", "balancer", "redis", "proxy:balancer-relay-1"
    std::string kind;       ///< "relay", "balancer", "redis", "proxy"
    std::string state;
    int pid = 0;
    unsigned port = 0;
    unsigned admin_port = 0;
};
BOOST_DESCRIBE_STRUCT(component_changed, (), (at, component, kind, state, pid, port, admin_port))

/// The balancer's view of a backend changed (read from its admin /stats).
struct health_changed {
    micros at{};
    std::string backend;
    std::string from;  ///< "up", "down", "suspect", "draining", "disabled", "" when first seen
    std::string to;
};
BOOST_DESCRIBE_STRUCT(health_changed, (), (at, backend, from, to))

/// A synthetic client connected (placement: "fresh", "sticky" or "failover").
/// `fleet` in the three client events names the client's fleet from the scenario. It has a
/// default so older initialisers still compile, and logs written before it existed read back
/// with "" (one unnamed fleet).
struct client_connected {
    micros at{};
    std::uint32_t client = 0;
    std::string relay;
    std::string placement;
    bool reconnect = false;
    std::string fleet{};
};
BOOST_DESCRIBE_STRUCT(client_connected, (), (at, client, relay, placement, reconnect, fleet))

struct client_disconnected {
    micros at{};
    std::uint32_t client = 0;
    std::string relay;
    std::string reason;
    std::string fleet{};
};
BOOST_DESCRIBE_STRUCT(client_disconnected, (), (at, client, relay, reason, fleet))

/// A connect attempt the client saw fail (HTTP 502, refused, timeout).
struct connect_failed {
    micros at{};
    std::uint32_t client = 0;
    std::string reason;
    std::string fleet{};
};
BOOST_DESCRIBE_STRUCT(connect_failed, (), (at, client, reason, fleet))

/// A resume the relay could not serve in full.
struct resume_gap {
    micros at{};
    std::uint32_t client = 0;
    std::string channel;
    std::uint64_t requested = 0;
    std::uint64_t oldest = 0;
};
BOOST_DESCRIBE_STRUCT(resume_gap, (), (at, client, channel, requested, oldest))

/// One delivery picked out of many (a bounded number per metrics period), so a viewer can draw
/// message flow without the engine publishing every delivery.
struct delivery_sample {
    micros at{};
    std::uint32_t publisher = 0;
    std::uint32_t client = 0;
    std::string relay;
    std::string channel;
    std::uint64_t seq = 0;
    micros latency{};
    bool replayed = false;
};
BOOST_DESCRIBE_STRUCT(delivery_sample, (),
                      (at, publisher, client, relay, channel, seq, latency, replayed))

/// Per-relay share of one metrics period.
struct relay_load {
    std::string relay;
    std::uint32_t clients = 0;     ///< connected at the end of the period
    std::uint64_t deliveries = 0;  ///< during the period
};
BOOST_DESCRIBE_STRUCT(relay_load, (), (relay, clients, deliveries))

/// Aggregated traffic over one period (default 250 ms).
struct metrics {
    micros at{};
    micros period{};
    std::uint64_t publishes = 0;  ///< during the period
    std::uint64_t acks = 0;
    std::uint64_t deliveries = 0;
    double publishes_per_s = 0;
    double deliveries_per_s = 0;
    micros latency_p50{};  ///< live deliveries of this period
    micros latency_p99{};
    micros latency_max{};
    std::uint32_t clients_connected = 0;
    std::uint64_t deliveries_total = 0;
    std::uint64_t connect_failures_total = 0;
    std::vector<relay_load> relays;
};
BOOST_DESCRIBE_STRUCT(metrics, (),
                      (at, period, publishes, acks, deliveries, publishes_per_s, deliveries_per_s,
                       latency_p50, latency_p99, latency_max, clients_connected, deliveries_total,
                       connect_failures_total, relays))

/// An action was applied (from the timeline or by hand through the run controller).
struct action_applied {
    micros at{};
    std::string source;  ///< "timeline" or "hand"
    action_kind kind = action_kind::kill;
    std::string target;  ///< component, link or fleet name
    std::string detail;  ///< parameters as text ("toxic=latency latency=200ms")
    bool ok = true;
    std::string error;
};
BOOST_DESCRIBE_STRUCT(action_applied, (), (at, source, kind, target, detail, ok, error))

/// A fault on a link was set (active) or cleared.
struct fault_changed {
    micros at{};
    std::string link;  ///< "balancer-relay-1", "relay-1-redis", "client-balancer"
    std::string toxic;
    std::string detail;
    bool active = true;
};
BOOST_DESCRIBE_STRUCT(fault_changed, (), (at, link, toxic, detail, active))

/// One assertion's verdict: measured value against the expectation.
struct assertion_result {
    micros at{};
    std::string name;  ///< checker name ("lost", "failover_ms")
    bool passed = false;
    double measured = 0;
    std::string expected;  ///< e.g. "<= 1000"
    std::string detail;    ///< what made it fail, in words
};
BOOST_DESCRIBE_STRUCT(assertion_result, (), (at, name, passed, measured, expected, detail))

/// A line the engine wants a person to see ("info", "warn", "error").
struct log_message {
    micros at{};
    std::string level;
    std::string text;
};
BOOST_DESCRIBE_STRUCT(log_message, (), (at, level, text))

/// Every event a run can publish. Add a type: define it above, describe it, append it here and
/// give it a name in event.cpp's table.
using event =
    std::variant<run_started, run_finished, component_changed, health_changed, client_connected,
                 client_disconnected, connect_failed, resume_gap, delivery_sample, metrics,
                 action_applied, fault_changed, assertion_result, log_message>;

/// The event's timestamp.
micros event_time(const event& e) noexcept;
/// The event's type name as written in NDJSON ("client_connected").
std::string_view event_name(const event& e) noexcept;
/// Name of the variant's alternative number `index` ("" past the end).
std::string_view event_name_at(std::size_t index) noexcept;

}  // namespace switchyard::events
