#include "engine/scenario/cost_profile.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/scenario/closest_name.hpp"
#include "engine/scenario/cost_profile_yaml.hpp"

namespace switchyard::scenario {
namespace {

using sv = std::string_view;

// Keep in step with engine/sim/sim_profile.cpp (where each lands in sim_costs), the calibrate
// command (what it writes) and docs/simulator.md "Calibration".
constexpr std::array<cost_key, 9> keys{{
    {"balancer_accept_us", "balancer CPU per client connection it routes (1 / accept rate)"},
    {"relay_accept_us", "relay CPU per connection it accepts (accept, upgrade, hello)"},
    {"relay_publish_us", "relay CPU per publish it forwards to the bus"},
    {"relay_delivery_us", "relay CPU per client frame it writes (the fan-out cost)"},
    {"bus_publish_us", "bus (Redis) time per publish it sequences"},
    {"bus_fanout_us", "bus (Redis) time per relay it forwards one message to"},
    {"client_link_latency_us", "one-way latency of the client-balancer link"},
    {"backend_link_latency_us", "one-way latency of each balancer-<relay> link"},
    {"bus_link_latency_us", "one-way latency of each <relay>-redis link"},
}};
constexpr std::array<sv, 3> note_keys{"measured_at", "host", "method"};

source_mark mark_of(const YAML::Node& n) {
    const auto m = n.Mark();
    return m.line < 0 ? source_mark{} : source_mark{m.line + 1, m.column + 1};
}

std::vector<sv> names_of(bool notes) {
    std::vector<sv> out;
    for (const auto& k : keys)
        out.push_back(k.name);
    if (notes)
        out.insert(out.end(), note_keys.begin(), note_keys.end());
    return out;
}

}  // namespace

std::span<const cost_key> cost_keys() {
    return keys;
}
std::span<const std::string_view> cost_profile_note_keys() {
    return note_keys;
}

cost_figures cost_figures_from(const YAML::Node& map, const std::string& file, sv where,
                               bool notes_allowed, std::vector<diagnostic>& errors) {
    cost_figures out;
    auto add = [&](source_mark m, std::string msg) {
        errors.push_back({file, m, std::string(where) + ": " + std::move(msg)});
    };
    if (!map.IsMap()) {
        add(map.IsDefined() ? mark_of(map) : source_mark{},
            "must be a mapping of figures (relay_delivery_us: 1.5, ...)");
        return out;
    }
    const auto known = names_of(notes_allowed);
    std::set<std::string> seen;
    for (const auto& kv : map) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
        const auto at = mark_of(kv.first);
        if (!seen.insert(key).second) {
            add(at, "duplicate key '" + key + "'");
            continue;
        }
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            std::string list;
            for (auto k : known)
                list += (list.empty() ? "" : ", ") + std::string(k);
            add(at,
                "unknown key '" + key + "'" + did_you_mean(key, known) + " (known: " + list + ")");
            continue;
        }
        if (std::find(note_keys.begin(), note_keys.end(), key) != note_keys.end())
            continue;  // for people; any scalar
        const std::string text = kv.second.IsScalar() ? kv.second.Scalar() : std::string{};
        double v = 0;
        const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc{} || p != text.data() + text.size() ||
            !std::isfinite(v)) {
            add(mark_of(kv.second), key + ": must be a number of microseconds, got '" + text + "'");
            continue;
        }
        // A zero or negative cost would let one component do unbounded work in no time.
        if (v <= 0) {
            add(mark_of(kv.second), key + ": must be more than 0 (got " + text + ")");
            continue;
        }
        out.push_back({key, v, mark_of(kv.second), file});
    }
    return out;
}

cost_figures read_cost_profile_text(sv text, const std::string& file,
                                    std::vector<diagnostic>& errors) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
        errors.push_back({file, {e.mark.line + 1, e.mark.column + 1}, "YAML syntax: " + e.msg});
        return {};
    }
    return cost_figures_from(root, file, "cost profile", true, errors);
}

cost_figures read_cost_profile(const std::filesystem::path& path, std::vector<diagnostic>& errors) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        errors.push_back({path.string(), {}, "cannot read the cost profile"});
        return {};
    }
    std::stringstream text;
    text << in.rdbuf();
    return read_cost_profile_text(text.str(), path.string(), errors);
}

}  // namespace switchyard::scenario
