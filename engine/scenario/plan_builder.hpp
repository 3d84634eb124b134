#pragma once
// From a scenario to the run layer's plain data: the plan a world builds its cluster from, the
// timeline, and the whole plan the scenario runner carries out. Pure functions: same scenario
// and options, same plans.
#include "engine/run/cluster_plan.hpp"
#include "engine/run/run_plan.hpp"
#include "engine/run/timeline.hpp"
#include "engine/scenario/scenario.hpp"

namespace switchyard::scenario {

/// What the caller adds to the scenario when planning the cluster (the GUI's needs).
struct plan_options {
    /// Relays reserved (ports, balancer backends) for hand add_relay. Named "relay-<n>" with
    /// the smallest n that neither the scenario's relays nor its timeline's add_relay use.
    unsigned spare_relays = 0;
    /// Put a fault proxy on every link (initial and future relays), not only the ones the
    /// timeline faults, so hand actions can fault any link. Costs one hop per link.
    bool proxy_all_links = false;
};

/// The cluster: the scenario's cluster_spec, seed and startup timeout, plus future relays
/// (timeline add_relay targets and spares, sorted by name), proxied links (every link with
/// proxy_all_links, else the targets of the timeline's proxy faults, in timeline order) and
/// netns relays (those whose links a `mode: netns` fault names).
run::cluster_plan make_cluster_plan(const scenario& s, const plan_options& options = {});

/// The timeline, stably sorted by `at` (file order kept for equal times), file marks dropped.
run::timeline make_timeline(const scenario& s);

/// Everything the runner needs: name, file, seed, phases, fleets, timeline, expectations.
run::run_plan make_run_plan(const scenario& s);

}  // namespace switchyard::scenario
