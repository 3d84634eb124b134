#include "engine/scenario/sim_section.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <set>

#include "engine/scenario/closest_name.hpp"
#include "engine/scenario/cost_profile_yaml.hpp"
#include "engine/scenario/duration.hpp"

namespace switchyard::scenario {
namespace {

using sv = std::string_view;
constexpr std::array<sv, 5> sim_keys{"profile", "costs", "zones", "core_zone", "latency"};
constexpr std::array<sv, 3> zone_keys{"name", "relays", "fleets"};
constexpr std::array<sv, 2> delay_keys{"latency", "jitter"};

source_mark mark_of(const YAML::Node& n) {
    if (!n.IsDefined())
        return {};
    const auto m = n.Mark();
    return m.line < 0 ? source_mark{} : source_mark{m.line + 1, m.column + 1};
}

std::string list_of(std::span<const sv> names) {
    std::string out;
    for (auto n : names)
        out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

class sim_parser {
  public:
    sim_parser(scenario& s, std::vector<diagnostic>& errors) : s_(s), errors_(errors) {}

    void run(const YAML::Node& n) {
        auto& sim = s_.sim;
        if (!n.IsMap()) {
            add(mark_of(n), "sim: must be a mapping (profile, costs, zones, core_zone, latency)");
            return;
        }
        for (const auto& kv : n) {
            const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
            if (std::find(sim_keys.begin(), sim_keys.end(), key) == sim_keys.end()) {
                add(mark_of(kv.first), "unknown key '" + key + "' in sim" +
                                           did_you_mean(key, sim_keys) +
                                           " (known: " + list_of(sim_keys) + ")");
                continue;
            }
            sim.marks.emplace_back("sim." + key, mark_of(kv.first));
        }
        if (const auto p = n["profile"])
            read_profile(p);
        if (const auto c = n["costs"])
            sim.cost_overrides = cost_figures_from(c, s_.file, "sim.costs", false, errors_);
        if (const auto z = n["zones"])
            read_zones(z);
        if (const auto c = n["core_zone"]) {
            sim.core_zone = c.IsScalar() ? c.Scalar() : std::string{};
            if (!zone_index_.count(sim.core_zone))
                add(mark_of(c), "sim.core_zone: unknown zone '" + sim.core_zone + "'");
        } else if (!sim.zones.empty()) {
            sim.core_zone = sim.zones.front().name;
        }
        if (const auto l = n["latency"])
            read_latency(l);
    }

  private:
    void add(source_mark m, std::string msg) { errors_.push_back({s_.file, m, std::move(msg)}); }

    void read_profile(const YAML::Node& p) {
        auto& sim = s_.sim;
        if (!p.IsScalar() || p.Scalar().empty()) {
            add(mark_of(p), "sim.profile: must be the path of a cost profile file");
            return;
        }
        sim.profile = p.Scalar();
        std::filesystem::path path(sim.profile);
        // Relative to the scenario, so a file and its profile travel together.
        if (path.is_relative() && !s_.file.empty())
            path = std::filesystem::path(s_.file).parent_path() / path;
        sim.profile_path = path.lexically_normal().string();
        std::vector<diagnostic> problems;
        sim.profile_costs = read_cost_profile(sim.profile_path, problems);
        if (!problems.empty() && problems.front().mark.line == 0)
            add(mark_of(p), "sim.profile: cannot read '" + sim.profile_path + "'");
        else
            errors_.insert(errors_.end(), problems.begin(), problems.end());
    }

    void read_zones(const YAML::Node& z) {
        auto& sim = s_.sim;
        if (!z.IsSequence() || z.size() == 0) {
            add(mark_of(z), "sim.zones: must be a list of zones (- name: eu, relays: 100, ...)");
            return;
        }
        const auto& relays = s_.cluster.relays.names;
        std::map<std::string, std::string> relay_zone, fleet_zone;
        std::size_t next_relay = 0;  // `relays: N` takes the next N relays in cluster order
        for (const auto& item : z) {
            if (!item.IsMap()) {
                add(mark_of(item), "sim.zones: each zone is a mapping (name, relays, fleets)");
                continue;
            }
            zone_spec zone;
            for (const auto& kv : item) {
                const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
                if (std::find(zone_keys.begin(), zone_keys.end(), key) == zone_keys.end())
                    add(mark_of(kv.first), "unknown key '" + key + "' in a zone" +
                                               did_you_mean(key, zone_keys) +
                                               " (known: " + list_of(zone_keys) + ")");
            }
            const auto name = item["name"];
            zone.name = name && name.IsScalar() ? name.Scalar() : std::string{};
            if (zone.name.empty()) {
                add(mark_of(item), "a zone needs a 'name'");
                continue;
            }
            if (!zone_index_.emplace(zone.name, sim.zones.size()).second)
                add(mark_of(name), "zone '" + zone.name + "' given twice");
            if (const auto r = item["relays"]) {
                std::uint64_t n = 0;
                const std::string t = r.IsScalar() ? r.Scalar() : std::string{};
                const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
                if (r.IsScalar() && !t.empty() && ec == std::errc{} && p == t.data() + t.size()) {
                    if (next_relay + n > relays.size())
                        add(mark_of(r), "zone '" + zone.name + "': relays: " + t +
                                            " is more than the relays left (" +
                                            std::to_string(relays.size() - next_relay) + ")");
                    for (; n > 0 && next_relay < relays.size(); --n)
                        zone.relays.push_back(relays[next_relay++]);
                } else if (r.IsSequence()) {
                    for (const auto& x : r) {
                        const std::string id = x.IsScalar() ? x.Scalar() : std::string{};
                        if (std::find(relays.begin(), relays.end(), id) == relays.end())
                            add(mark_of(x), "zone '" + zone.name + "': unknown relay '" + id + "'");
                        else
                            zone.relays.push_back(id);
                    }
                } else {
                    add(mark_of(r), "zone '" + zone.name +
                                        "': relays: a number (the next N relays) or a list of ids");
                }
            }
            if (const auto f = item["fleets"]) {
                if (!f.IsSequence())
                    add(mark_of(f), "zone '" + zone.name + "': fleets: must be a list of names");
                for (const auto& x : f) {
                    const std::string id = x.IsScalar() ? x.Scalar() : std::string{};
                    const bool known = std::any_of(s_.fleets.begin(), s_.fleets.end(),
                                                   [&](const auto& fl) { return fl.name == id; });
                    if (!known)
                        add(mark_of(x), "zone '" + zone.name + "': unknown fleet '" + id + "'");
                    else if (!fleet_zone.emplace(id, zone.name).second)
                        add(mark_of(x),
                            "fleet '" + id + "' is already in zone '" + fleet_zone[id] + "'");
                    else
                        zone.fleets.push_back(id);
                }
            }
            for (const auto& id : zone.relays)
                if (!relay_zone.emplace(id, zone.name).second)
                    add(mark_of(item["relays"]),
                        "relay '" + id + "' is already in zone '" + relay_zone[id] + "'");
            sim.zones.push_back(std::move(zone));
        }
    }

    std::optional<std::chrono::microseconds> duration_of(const YAML::Node& n,
                                                         const std::string& what) {
        const auto d = n.IsScalar() ? parse_duration(n.Scalar()) : std::nullopt;
        if (!d)
            add(mark_of(n), what + ": bad duration; write e.g. 40ms or 1.5ms");
        return d;
    }

    // latency: {eu: {us: 40ms, ap: {latency: 120ms, jitter: 5ms}}}: one-way, both directions.
    void read_latency(const YAML::Node& l) {
        auto& sim = s_.sim;
        if (!l.IsMap()) {
            add(mark_of(l), "sim.latency: must map a zone to {other zone: delay, ...}");
            return;
        }
        std::set<std::pair<std::string, std::string>> pairs;
        for (const auto& row : l) {
            const std::string from = row.first.IsScalar() ? row.first.Scalar() : std::string{};
            if (!zone_index_.count(from)) {
                add(mark_of(row.first), "sim.latency: unknown zone '" + from + "'");
                continue;
            }
            if (!row.second.IsMap()) {
                add(mark_of(row.second), "sim.latency." + from + ": must map zones to delays");
                continue;
            }
            for (const auto& cell : row.second) {
                const std::string to = cell.first.IsScalar() ? cell.first.Scalar() : std::string{};
                const std::string where = "sim.latency." + from + "." + to;
                if (!zone_index_.count(to)) {
                    add(mark_of(cell.first), "sim.latency." + from + ": unknown zone '" + to + "'");
                    continue;
                }
                if (!pairs.insert(std::minmax(from, to)).second) {
                    add(mark_of(cell.first), where +
                                                 ": this pair is already given (a delay "
                                                 "holds both ways)");
                    continue;
                }
                zone_delay d{from, to, {}, {}};
                if (cell.second.IsMap()) {
                    for (const auto& kv : cell.second) {
                        const std::string k =
                            kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
                        if (std::find(delay_keys.begin(), delay_keys.end(), k) == delay_keys.end())
                            add(mark_of(kv.first), "unknown key '" + k + "' in " + where +
                                                       " (known: latency, jitter)");
                    }
                    if (const auto x = cell.second["latency"])
                        d.latency = duration_of(x, where + ".latency").value_or(d.latency);
                    if (const auto x = cell.second["jitter"])
                        d.jitter = duration_of(x, where + ".jitter").value_or(d.jitter);
                } else {
                    d.latency = duration_of(cell.second, where).value_or(d.latency);
                }
                if (d.jitter > d.latency)
                    add(mark_of(cell.second), where + ": jitter above the latency");
                sim.latency.push_back(std::move(d));
            }
        }
    }

    scenario& s_;
    std::vector<diagnostic>& errors_;
    std::map<std::string, std::size_t> zone_index_;
};

}  // namespace

void parse_sim_section(const YAML::Node& n, scenario& s, std::vector<diagnostic>& errors) {
    sim_parser(s, errors).run(n);
}

std::vector<std::string> known_sim_keys() {
    std::vector<std::string> out;
    for (auto k : sim_keys)
        out.push_back("sim." + std::string(k));
    for (auto k : zone_keys)
        out.push_back("sim.zones[]." + std::string(k));
    for (auto k : delay_keys)
        out.push_back("sim.latency.<zone>.<zone>." + std::string(k));
    return out;
}

}  // namespace switchyard::scenario
