#pragma once
// A scenario's `sim:` keys as the simulated world's costs: cost figures (a profile file, then
// `sim.costs`) onto sim_costs, and zones with their latency matrix as extra delay on the links
// that cross zones.
#include "engine/scenario/sim_spec.hpp"
#include "engine/sim/sim_costs.hpp"

namespace switchyard::sim {

/// `base` with each figure put in its place, in order (a later figure for the same key wins).
/// Figures are microseconds. Service times (`*_accept_us`, `*_publish_us`, `relay_delivery_us`,
/// `bus_fanout_us`) are kept to the nanosecond, link latencies to the kernel's microsecond
/// (each rounded to the nearest, and to at least 1: a figure is > 0, work never costs nothing).
/// Throws std::invalid_argument for a key sim_costs does not have (the scenario parser checks keys,
/// so that is a key list out of step with this file).
sim_costs apply_cost_figures(sim_costs base, const scenario::cost_figures& figures);

/// Where each relay and fleet sits: the delay between its zone and the core zone, from
/// `sim.latency` (a pair holds both ways; a pair not given adds nothing). A relay or fleet no
/// zone names adds nothing: it sits next to the balancer and the bus.
zone_layout zone_layout_from(const scenario::sim_spec& sim);

/// The scenario's costs over `base`: its profile's figures (or `profile`, when given: `sim
/// --profile`), then its `sim.costs`, and its zones.
sim_costs costs_for(const scenario::sim_spec& sim, sim_costs base,
                    const scenario::cost_figures* profile = nullptr);

}  // namespace switchyard::sim
