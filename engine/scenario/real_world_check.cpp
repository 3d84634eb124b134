#include "engine/scenario/real_world_check.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

namespace switchyard::scenario {
namespace {

constexpr const char* run_in_sim = " (run it with `switchyard sim`)";

std::string what_it_is(const std::string& key) {
    if (key == "sim.zones" || key == "sim.latency" || key == "sim.core_zone")
        return "only the simulator models zones";
    if (key == "sim.profile" || key == "sim.costs")
        return "only the simulator reads a cost profile";
    return "only the simulator reads it";
}

}  // namespace

std::vector<diagnostic> real_world_refusals(const scenario& s, const real_world_limits& limits) {
    std::vector<diagnostic> out;
    auto add = [&](source_mark m, std::string msg) { out.push_back({s.file, m, std::move(msg)}); };
    for (const auto& [key, mark] : s.sim.marks)
        add(mark, key.substr(4) + ": " + what_it_is(key) + run_in_sim);

    // Relays: those at start and every later add_relay each need a process of their own.
    std::size_t relays = s.cluster.relays.names.size();
    for (const auto& a : s.timeline)
        if (a.kind == events::action_kind::add_relay)
            ++relays;
    if (relays > limits.relays_max)
        add(s.relays_mark, "relays: " + std::to_string(relays) +
                               " relays is more than the real world starts on one machine (" +
                               std::to_string(limits.relays_max) + ")" + run_in_sim);

    // Clients: the peak over the timeline, since set_count can grow a fleet.
    std::map<std::string, std::uint64_t> counts;
    std::uint64_t total = 0;
    bool refused = false;
    for (std::size_t i = 0; i < s.fleets.size(); ++i) {
        counts[s.fleets[i].name] = s.fleets[i].count;
        total += s.fleets[i].count;
        if (total > limits.clients_max && !refused) {
            refused = true;
            const auto m = i < s.fleet_marks.size() ? s.fleet_marks[i] : source_mark{};
            add(m, "clients: " + std::to_string(total) +
                       " clients is more than one process holds here (" +
                       std::to_string(limits.clients_max) + " sockets)" + run_in_sim);
        }
    }
    for (const auto& a : s.timeline) {
        if (a.kind != events::action_kind::set_count || refused)
            continue;
        auto& n = counts[a.target];
        total = total - n + a.count;
        n = a.count;
        if (total > limits.clients_max) {
            refused = true;
            add(a.mark, "set_count: " + std::to_string(total) +
                            " clients is more than one process holds here (" +
                            std::to_string(limits.clients_max) + " sockets)" + run_in_sim);
        }
    }
    // In file order, like the parser's diagnostics.
    std::stable_sort(out.begin(), out.end(), [](const diagnostic& a, const diagnostic& b) {
        return std::tie(a.mark.line, a.mark.column) < std::tie(b.mark.line, b.mark.column);
    });
    return out;
}

}  // namespace switchyard::scenario
