#pragma once
// What happens to a run's world and when, as plain data: the scenario's timeline, and the shape
// of a hand action (the GUI's apply()). engine/scenario builds it (make_timeline in
// plan_builder.hpp); the scenario runner carries it out through the world's drivers.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/events/event.hpp"
#include "engine/faults/toxic.hpp"

namespace switchyard::run {

using micros = std::chrono::microseconds;

/// One action on the world: a timeline entry, or a hand action (same shape, `at` ignored).
/// Only the fields of its `kind` are read; the rest may be left at their defaults.
struct action {
    micros at{};  ///< traffic-phase time (pauses excluded) the action is due at
    events::action_kind kind = events::action_kind::kill;
    /// Component ("relay-2", "balancer", "redis"), link ("balancer-relay-1", "relay-1-redis",
    /// "client-balancer") or fleet name, depending on `kind`.
    std::string target;
    std::string toxic;            ///< fault: toxic name
    faults::toxic_params params;  ///< fault: toxic parameters
    /// fault `mode: netns`: a real partition (the relay runs in its own network namespace,
    /// iptables drops the link's packets) instead of the fault proxy; real world only
    bool netns = false;
    double rate_hz = 0;       ///< set_rate: publishes per second per client
    std::uint32_t count = 0;  ///< set_count: clients

    /// Parameters in words for events and logs ("toxic=latency latency_ms=200").
    std::string detail() const;
};

/// The planned actions of a run, in the order they run.
///
/// Invariant (make_timeline keeps it): sorted by `at`; actions with equal `at` keep the order
/// the scenario wrote them in, and run in that order at the same instant.
struct timeline {
    std::vector<action> actions;
};

/// True when `a` names a relay (not "balancer", not "redis"): the runner tells the ledger that
/// the relay's clients are affected before killing, draining, restarting or removing it.
bool targets_relay(const action& a);

/// The relay a fault cuts off from its clients' traffic, or "" when it does not: a toxic that
/// lets no byte through (blackhole, timeout, partition) or resets every connection, on the
/// relay's Redis link (the relay goes deaf: it no longer hears other relays' messages) or on its
/// balancer link (health checks fail, the balancer marks it down). Its clients must move, so
/// the runner treats such a fault as a failover episode, as it does a kill. Latency, bandwidth
/// and slow_close only degrade the link.
std::string relay_cut_off_by(const action& a);

}  // namespace switchyard::run
