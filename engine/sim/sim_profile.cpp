#include "engine/sim/sim_profile.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace switchyard::sim {
namespace {

// Link latencies: the kernel's whole microseconds, at least 1.
micros to_micros(double us) {
    return micros{std::max<std::int64_t>(1, std::llround(us))};
}
// Service times: nanoseconds (service_queue sums them exactly), at least 1.
nanos to_nanos(double us) {
    return nanos{std::max<std::int64_t>(1, std::llround(us * 1000.0))};
}

/// The delay between zones a and b (either order), or none.
zone_delay delay_between(const scenario::sim_spec& sim, const std::string& a,
                         const std::string& b) {
    for (const auto& d : sim.latency)
        if ((d.from == a && d.to == b) || (d.from == b && d.to == a))
            return {d.latency, d.jitter};
    return {};
}

}  // namespace

// Keep in step with engine/scenario/cost_profile.cpp (the keys) and docs/simulator.md.
sim_costs apply_cost_figures(sim_costs c, const scenario::cost_figures& figures) {
    for (const auto& f : figures) {
        const auto v = to_nanos(f.value);
        const auto lat = to_micros(f.value);
        if (f.key == "balancer_accept_us")
            c.balancer_accept = v;
        else if (f.key == "relay_accept_us")
            c.relay_accept = v;
        else if (f.key == "relay_publish_us")
            c.relay_publish = v;
        else if (f.key == "relay_delivery_us")
            c.relay_delivery = v;
        else if (f.key == "bus_publish_us")
            c.bus_publish = v;
        else if (f.key == "bus_fanout_us")
            c.bus_fanout = v;
        else if (f.key == "client_link_latency_us")
            c.client_link.latency = lat;
        else if (f.key == "backend_link_latency_us")
            c.backend_link.latency = lat;
        else if (f.key == "bus_link_latency_us")
            c.bus_link.latency = lat;
        else
            throw std::invalid_argument("cost figure '" + f.key + "' has no place in sim_costs");
    }
    return c;
}

zone_layout zone_layout_from(const scenario::sim_spec& sim) {
    zone_layout out;
    if (sim.zones.empty())
        return out;
    for (const auto& z : sim.zones) {
        const auto d = delay_between(sim, z.name, sim.core_zone);
        if (d.latency.count() == 0 && d.jitter.count() == 0)
            continue;
        for (const auto& r : z.relays)
            out.relays[r] = d;
        for (const auto& f : z.fleets)
            out.fleets[f] = d;
    }
    return out;
}

sim_costs costs_for(const scenario::sim_spec& sim, sim_costs base,
                    const scenario::cost_figures* profile) {
    auto c = apply_cost_figures(std::move(base), profile ? *profile : sim.profile_costs);
    c = apply_cost_figures(std::move(c), sim.cost_overrides);
    c.zones = zone_layout_from(sim);
    return c;
}

}  // namespace switchyard::sim
