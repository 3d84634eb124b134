#include "engine/scenario/scenario_parser.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "backends/policy/selector.hpp"
#include "engine/faults/toxic_table.hpp"
#include "engine/fleet/target_address.hpp"
#include "engine/scenario/closest_name.hpp"
#include "engine/scenario/duration.hpp"
#include "engine/scenario/sim_section.hpp"
#include "engine/verify/checker_table.hpp"

namespace switchyard::scenario {

std::string diagnostic::text() const {
    return file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column) + ": " +
           message;
}

namespace {
std::string join_diagnostics(const std::vector<diagnostic>& d) {
    std::string out;
    for (const auto& x : d) {
        if (!out.empty())
            out += "\n";
        out += x.text();
    }
    return out;
}
}  // namespace

scenario_error::scenario_error(std::vector<diagnostic> diagnostics)
    : std::runtime_error(join_diagnostics(diagnostics)), diagnostics_(std::move(diagnostics)) {}

namespace {

using sv = std::string_view;
using events::action_kind;

// The schema, one list of keys per section. Keep docs/scenarios.md in step.
constexpr std::array<sv, 12> top_keys{"name",
                                      "description",
                                      "seed",
                                      "duration",
                                      "drain",
                                      "metrics_interval",
                                      "startup_timeout",
                                      "cluster",
                                      "clients",
                                      "timeline",
                                      "expect",
                                      "sim"};
constexpr std::array<sv, 3> cluster_keys{"balancer", "relays", "bus"};
constexpr std::array<sv, 8> balancer_keys{"kind", "url",    "admin_url", "strategy",
                                          "tls",  "health", "args",      "sticky"};
constexpr std::array<sv, 4> balancer_kinds{"switchyard", "haproxy", "nginx", "external"};
constexpr std::array<sv, 4> health_keys{"interval", "timeout", "rise", "fall"};
constexpr std::array<sv, 5> relays_keys{"count", "names", "history", "send_queue_bytes", "args"};
constexpr std::array<sv, 15> fleet_keys{
    "name",         "count",           "transport",       "ramp",          "connect_timeout",
    "channels",     "publish_channel", "publish_rate_hz", "message_bytes", "think_time",
    "poll_timeout", "tls_verify",      "reconnect",       "ping_interval", "sticky_cookie"};
constexpr std::array<sv, 6> reconnect_keys{"initial_backoff", "max_backoff",  "jitter",
                                           "resume",          "max_attempts", "enabled"};
constexpr std::array<sv, 2> set_rate_keys{"fleet", "publish_rate_hz"};
constexpr std::array<sv, 2> set_count_keys{"fleet", "count"};
constexpr std::array<sv, 2> bound_keys{"min", "max"};

/// Relay ids and fleet names: what a shell, a URL and a log file name all accept.
bool valid_id(sv s) {
    if (s.empty() || s.size() > 64)
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

std::string quoted_list(std::span<const sv> names) {
    std::string out;
    for (auto n : names) {
        if (!out.empty())
            out += ", ";
        out += n;
    }
    return out;
}

std::string scalar_text(const YAML::Node& n) {
    if (n.IsScalar())
        return n.Scalar();
    if (n.IsSequence())
        return "a list";
    if (n.IsMap())
        return "a mapping";
    return "nothing";
}

class parser {
  public:
    explicit parser(std::string file) : file_(std::move(file)) {}

    scenario run(std::string_view text) {
        scenario s;
        s.file = file_;
        YAML::Node root;
        try {
            root = YAML::Load(std::string(text));
        } catch (const YAML::ParserException& e) {
            add({e.mark.line + 1, e.mark.column + 1}, "YAML syntax: " + e.msg);
            finish();
        }
        if (!root.IsMap()) {
            add(mark(root), "a scenario is a mapping of keys (name, cluster, clients, ...)");
            finish();
        }
        check_keys(root, top_keys, "the top level");
        s.name = std::filesystem::path(file_).stem().string();
        get_string(root, "name", s.name);
        get_string(root, "description", s.description);
        get_uint64(root, "seed", s.seed);
        get_duration(root, "duration", s.duration);
        get_duration(root, "drain", s.drain);
        get_duration(root, "metrics_interval", s.metrics_interval);
        get_duration(root, "startup_timeout", s.startup_timeout);
        if (s.duration.count() <= 0)
            add(mark(root["duration"]), "duration: must be more than 0");
        if (s.metrics_interval < std::chrono::milliseconds{10})
            add(mark(root["metrics_interval"]), "metrics_interval: must be at least 10ms");
        if (root["cluster"])
            parse_cluster(root["cluster"], s.cluster);
        else
            s.cluster.relays.names = {"relay-1"};
        s.relays_mark = relays_mark_;
        if (root["clients"])
            parse_clients(root["clients"], s);
        else
            add(mark(root), "missing key 'clients': a scenario needs at least one fleet");
        if (root["timeline"])
            parse_timeline(root["timeline"], s);
        if (root["expect"])
            parse_expect(root["expect"], s);
        validate(root, s);
        if (root["sim"]) {  // after validate: zones name the relays and fleets it settled
            std::vector<diagnostic> found;
            parse_sim_section(root["sim"], s, found);
            for (auto& d : found)
                if (diags_.size() < diagnostics_max)
                    diags_.push_back(std::move(d));
        }
        finish();
        return s;
    }

  private:
    // Diagnostics -----------------------------------------------------------------------------
    void add(source_mark m, std::string msg) {
        if (diags_.size() < diagnostics_max)
            diags_.push_back(diagnostic{file_, m, std::move(msg)});
    }
    void finish() {
        if (diags_.empty())
            return;
        std::stable_sort(diags_.begin(), diags_.end(), [](const auto& a, const auto& b) {
            return std::tie(a.mark.line, a.mark.column) < std::tie(b.mark.line, b.mark.column);
        });
        throw scenario_error(std::move(diags_));
    }
    static source_mark mark(const YAML::Node& n) {
        if (!n.IsDefined())
            return {};
        const auto m = n.Mark();
        if (m.line < 0)
            return {};
        return {m.line + 1, m.column + 1};
    }
    static source_mark key_mark(const YAML::Node& map, sv key) {
        for (const auto& kv : map)
            if (kv.first.IsScalar() && kv.first.Scalar() == key)
                return mark(kv.first);
        return mark(map);
    }

    void check_keys(const YAML::Node& map, std::span<const sv> known, sv where) {
        if (!map.IsMap())
            return;
        std::set<std::string> seen;
        for (const auto& kv : map) {
            const auto key = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
            if (!seen.insert(key).second)
                add(mark(kv.first), "duplicate key '" + key + "'");
            if (std::find(known.begin(), known.end(), key) == known.end())
                add(mark(kv.first), "unknown key '" + key + "' in " + std::string(where) +
                                        did_you_mean(key, known) +
                                        " (known: " + quoted_list(known) + ")");
        }
    }

    bool need_map(const YAML::Node& n, sv what) {
        if (n.IsMap())
            return true;
        add(mark(n), std::string(what) + " must be a mapping, got " + scalar_text(n));
        return false;
    }

    // Typed getters: absent keys keep the default; a present key of the wrong type is an error.
    bool get_string(const YAML::Node& map, sv key, std::string& out) {
        const auto n = map[std::string(key)];
        if (!n)
            return false;
        if (!n.IsScalar()) {
            add(mark(n), std::string(key) + ": must be a string, got " + scalar_text(n));
            return false;
        }
        out = n.Scalar();
        return true;
    }
    template <class T>
    bool get_unsigned(const YAML::Node& map, sv key, T& out,
                      T max = std::numeric_limits<T>::max()) {
        const auto n = map[std::string(key)];
        if (!n)
            return false;
        return to_unsigned(n, key, out, max);
    }
    template <class T>
    bool to_unsigned(const YAML::Node& n, sv key, T& out, T max = std::numeric_limits<T>::max()) {
        std::uint64_t v = 0;
        const std::string text = n.IsScalar() ? n.Scalar() : std::string{};
        const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (!n.IsScalar() || text.empty() || ec != std::errc{} || p != text.data() + text.size()) {
            add(mark(n),
                std::string(key) + ": must be a whole number >= 0, got '" + scalar_text(n) + "'");
            return false;
        }
        if (v > max) {
            add(mark(n),
                std::string(key) + ": " + text + " is above the maximum " + std::to_string(max));
            return false;
        }
        out = static_cast<T>(v);
        return true;
    }
    bool get_uint64(const YAML::Node& map, sv key, std::uint64_t& out) {
        return get_unsigned<std::uint64_t>(map, key, out);
    }
    bool to_double(const YAML::Node& n, sv key, double& out) {
        const std::string text = n.IsScalar() ? n.Scalar() : std::string{};
        double v = 0;
        const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (!n.IsScalar() || text.empty() || ec != std::errc{} || p != text.data() + text.size() ||
            !std::isfinite(v)) {
            add(mark(n), std::string(key) + ": must be a number, got '" + scalar_text(n) + "'");
            return false;
        }
        out = v;
        return true;
    }
    bool get_double(const YAML::Node& map, sv key, double& out) {
        const auto n = map[std::string(key)];
        return n && to_double(n, key, out);
    }
    bool get_bool(const YAML::Node& map, sv key, bool& out) {
        const auto n = map[std::string(key)];
        if (!n)
            return false;
        const std::string t = n.IsScalar() ? n.Scalar() : std::string{};
        if (t == "true" || t == "yes" || t == "on") {
            out = true;
        } else if (t == "false" || t == "no" || t == "off") {
            out = false;
        } else {
            add(mark(n),
                std::string(key) + ": must be true or false, got '" + scalar_text(n) + "'");
            return false;
        }
        return true;
    }
    template <class D>
    bool get_duration(const YAML::Node& map, sv key, D& out) {
        const auto n = map[std::string(key)];
        if (!n)
            return false;
        const auto d = n.IsScalar() ? parse_duration(n.Scalar()) : std::nullopt;
        if (!d) {
            add(mark(n), std::string(key) + ": bad duration '" + scalar_text(n) +
                             "'; write a number and a unit: 250ms, 5s, 1.5s, 1m (us, ms, s, m, h)");
            return false;
        }
        if constexpr (std::is_same_v<D, micros>) {
            out = *d;
        } else {
            if (d->count() % 1000 != 0)
                add(mark(n), std::string(key) + ": must be whole milliseconds");
            out = std::chrono::duration_cast<D>(*d);
        }
        return true;
    }
    bool get_string_list(const YAML::Node& map, sv key, std::vector<std::string>& out) {
        const auto n = map[std::string(key)];
        if (!n)
            return false;
        if (!n.IsSequence()) {
            add(mark(n), std::string(key) + ": must be a list, got " + scalar_text(n));
            return false;
        }
        out.clear();
        for (const auto& x : n) {
            if (!x.IsScalar()) {
                add(mark(x), std::string(key) + ": every item must be a string");
                continue;
            }
            out.push_back(x.Scalar());
        }
        return true;
    }

    // Sections --------------------------------------------------------------------------------
    void parse_cluster(const YAML::Node& n, cluster_spec& c) {
        c.relays.names = {"relay-1"};
        if (!need_map(n, "cluster"))
            return;
        check_keys(n, cluster_keys, "cluster");
        if (const auto b = n["balancer"])
            parse_balancer(b, c.balancer);
        if (const auto r = n["relays"]) {
            parse_relays(r, c.relays);
            relays_mark_ = r.IsMap() && r["count"] ? mark(r["count"]) : mark(r);
        }
        if (c.balancer.kind == balancer_kind::external) {
            // Someone else's cluster: its relays and bus sit behind its balancer, out of reach.
            for (const char* key : {"relays", "bus"})
                if (n[key])
                    add(key_mark(n, key), std::string("cluster.") + key +
                                              ": balancer kind external starts nothing; the "
                                              "relays and bus are the external cluster's own");
            c.relays.names.clear();
        }
        if (const auto bus = n["bus"]) {
            const std::string t = bus.IsScalar() ? bus.Scalar() : std::string{};
            if (t == "redis") {
                c.bus.kind = bus_kind::redis;
            } else if (t == "memory") {
                c.bus.kind = bus_kind::memory;
            } else if (t.starts_with("redis://")) {
                c.bus.kind = bus_kind::external;
                c.bus.url = t;
            } else {
                add(mark(bus),
                    "bus: must be 'redis' (started by the engine), 'memory' or a "
                    "redis:// URL, got '" +
                        scalar_text(bus) + "'");
            }
        }
    }

    void parse_balancer(const YAML::Node& n, balancer_spec& b) {
        if (n.IsScalar()) {  // shorthand: `balancer: haproxy`
            set_balancer_kind(n, b);
            return;
        }
        if (!need_map(n, "cluster.balancer"))
            return;
        check_keys(n, balancer_keys, "cluster.balancer");
        if (const auto k = n["kind"])
            set_balancer_kind(k, b);
        get_string(n, "url", b.url);
        get_string(n, "admin_url", b.admin_url);
        if (get_string(n, "strategy", b.strategy)) {
            std::vector<sv> names;
            for (const auto& row : policy::selector_table())
                names.push_back(row.name);
            if (std::find(names.begin(), names.end(), b.strategy) == names.end())
                add(mark(n["strategy"]), "unknown strategy '" + b.strategy + "'" +
                                             did_you_mean(b.strategy, names) +
                                             " (known: " + quoted_list(names) + ")");
        }
        get_bool(n, "sticky", b.sticky);
        get_bool(n, "tls", b.tls);
        get_string_list(n, "args", b.args);
        if (const auto h = n["health"]; h && need_map(h, "cluster.balancer.health")) {
            check_keys(h, health_keys, "cluster.balancer.health");
            get_duration(h, "interval", b.health.interval);
            get_duration(h, "timeout", b.health.timeout);
            get_unsigned<unsigned>(h, "rise", b.health.rise, 100);
            get_unsigned<unsigned>(h, "fall", b.health.fall, 100);
        }
        if (b.kind == balancer_kind::external && b.url.empty())
            add(mark(n), "cluster.balancer: kind external needs 'url'");
        if (b.kind != balancer_kind::external && !b.url.empty())
            add(key_mark(n, "url"), "cluster.balancer.url: only for kind external");
        if (b.kind != balancer_kind::external && !b.admin_url.empty())
            add(key_mark(n, "admin_url"), "cluster.balancer.admin_url: only for kind external");
        if (!b.url.empty() && !fleet::parse_target(b.url))
            add(key_mark(n, "url"), "cluster.balancer.url: '" + b.url +
                                        "' is not a ws://, wss://, http:// or https:// "
                                        "host:port URL");
        if (!b.admin_url.empty() &&
            (!b.admin_url.starts_with("http://") || !fleet::parse_target(b.admin_url)))
            add(key_mark(n, "admin_url"), "cluster.balancer.admin_url: '" + b.admin_url +
                                              "' is not an http://host:port[/path] URL");
    }
    void set_balancer_kind(const YAML::Node& n, balancer_spec& b) {
        const std::string t = n.IsScalar() ? n.Scalar() : std::string{};
        for (std::size_t i = 0; i < balancer_kinds.size(); ++i)
            if (balancer_kinds[i] == t) {
                b.kind = static_cast<balancer_kind>(i);
                return;
            }
        add(mark(n), "unknown balancer kind '" + t + "'" + did_you_mean(t, balancer_kinds) +
                         " (known: " + quoted_list(balancer_kinds) + ")");
    }

    void parse_relays(const YAML::Node& n, relays_spec& r) {
        auto from_count = [&](const YAML::Node& c) {
            std::uint32_t count = 0;
            if (!to_unsigned<std::uint32_t>(c, "relays", count, relays_count_max))
                return;
            if (count == 0)
                add(mark(c), "relays: at least one relay");
            r.names.clear();
            for (std::uint32_t i = 1; i <= count; ++i)
                r.names.push_back("relay-" + std::to_string(i));
        };
        if (n.IsScalar()) {
            from_count(n);
        } else if (n.IsSequence()) {
            get_names(n, r);
        } else if (need_map(n, "cluster.relays")) {
            check_keys(n, relays_keys, "cluster.relays");
            if (n["count"] && n["names"])
                add(key_mark(n, "names"), "cluster.relays: give count or names, not both");
            if (const auto c = n["count"])
                from_count(c);
            if (const auto names = n["names"]) {
                if (names.IsSequence())
                    get_names(names, r);
                else
                    add(mark(names), "names: must be a list of relay ids");
            }
            get_unsigned<std::uint32_t>(n, "history", r.history, 10'000'000);
            get_unsigned<std::uint64_t>(n, "send_queue_bytes", r.send_queue_bytes);
            get_string_list(n, "args", r.args);
        }
    }
    void get_names(const YAML::Node& seq, relays_spec& r) {
        r.names.clear();
        for (const auto& x : seq) {
            const std::string id = x.IsScalar() ? x.Scalar() : std::string{};
            if (!valid_id(id) || id == "balancer" || id == "redis") {
                add(mark(x), "relay id '" + id +
                                 "' must be 1..64 of [A-Za-z0-9_-] and not 'balancer' or 'redis'");
                continue;
            }
            if (std::find(r.names.begin(), r.names.end(), id) != r.names.end())
                add(mark(x), "relay id '" + id + "' given twice");
            r.names.push_back(id);
        }
        if (r.names.empty())
            add(mark(seq), "relays: at least one relay");
    }

    void parse_clients(const YAML::Node& n, scenario& s) {
        if (n.IsMap()) {
            parse_fleet(n, s, 0);
        } else if (n.IsSequence()) {
            std::size_t i = 0;
            for (const auto& f : n)
                parse_fleet(f, s, i++);
            if (i == 0)
                add(mark(n), "clients: at least one fleet");
        } else {
            add(mark(n), "clients: must be a list of fleets, got " + scalar_text(n));
        }
        std::set<std::string> names;
        for (std::size_t i = 0; i < s.fleets.size(); ++i)
            if (!names.insert(s.fleets[i].name).second)
                add(fleet_marks_[i], "fleet name '" + s.fleets[i].name +
                                         "' used twice; give each fleet its own name");
    }

    void parse_fleet(const YAML::Node& n, scenario& s, std::size_t index) {
        if (!need_map(n, "a fleet"))
            return;
        check_keys(n, fleet_keys, "a fleet");
        fleet::fleet_config f;
        f.name = index == 0 ? "clients" : "clients-" + std::to_string(index + 1);
        get_string(n, "name", f.name);
        if (!valid_id(f.name))
            add(key_mark(n, "name"), "fleet name '" + f.name + "' must be 1..64 of [A-Za-z0-9_-]");
        get_unsigned<std::uint32_t>(n, "count", f.count);
        if (const auto t = n["transport"]) {
            const std::string name = t.IsScalar() ? t.Scalar() : std::string{};
            if (auto k = fleet::transport_from_string(name)) {
                f.kind = *k;
            } else {
                static constexpr std::array<sv, 4> transports{
                    "ws", "sockjs-ws", "sockjs-xhr-polling", "sockjs-xhr-streaming"};
                add(mark(t), "unknown transport '" + name + "'" + did_you_mean(name, transports) +
                                 " (known: " + fleet::known_transports() + ")");
            }
        }
        get_duration(n, "ramp", f.connect_ramp_ms);
        get_duration(n, "connect_timeout", f.connect_timeout_ms);
        get_string_list(n, "channels", f.channels);
        get_string(n, "publish_channel", f.publish_channel);
        get_double(n, "publish_rate_hz", f.publish_rate_hz);
        get_unsigned<std::uint32_t>(n, "message_bytes", f.message_bytes);
        get_duration(n, "think_time", f.think_time_ms);
        get_duration(n, "poll_timeout", f.poll_timeout_ms);
        get_duration(n, "ping_interval", f.ping_interval_ms);
        get_string(n, "sticky_cookie", f.sticky_cookie_name);
        get_bool(n, "tls_verify", f.tls_verify);
        if (const auto r = n["reconnect"]; r && need_map(r, "reconnect")) {
            check_keys(r, reconnect_keys, "reconnect");
            get_duration(r, "initial_backoff", f.reconnect.initial_backoff_ms);
            get_duration(r, "max_backoff", f.reconnect.max_backoff_ms);
            get_double(r, "jitter", f.reconnect.jitter_ratio);
            get_bool(r, "resume", f.reconnect.resume);
            get_unsigned<std::uint32_t>(r, "max_attempts", f.reconnect.max_attempts);
            get_bool(r, "enabled", f.reconnect.enabled);
        }
        // The fleet's own limits (rate, sizes, channel names), reported at the fleet.
        if (const auto problem = fleet::validate(f); !problem.empty()) {
            const auto field = problem.substr(0, problem.find(':'));
            source_mark m = key_mark(n, field);
            if (field == "jitter_ratio")
                m = mark(n["reconnect"]);
            add(m, "fleet '" + f.name + "': " + problem);
        }
        fleet_marks_.push_back(mark(n));
        s.fleet_marks.push_back(n["count"] ? mark(n["count"]) : mark(n));
        s.fleets.push_back(std::move(f));
    }

    void parse_timeline(const YAML::Node& n, scenario& s) {
        if (!n.IsSequence()) {
            add(mark(n), "timeline: must be a list of actions (- at: 5s ...)");
            return;
        }
        std::vector<sv> action_names;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<action_kind>>(
            [&](auto d) { action_names.push_back(d.name); });
        for (const auto& item : n) {
            if (!need_map(item, "a timeline entry"))
                continue;
            action_spec a;
            a.mark = mark(item);
            if (!item["at"])
                add(mark(item), "timeline entry needs 'at' (e.g. at: 5s)");
            get_duration(item, "at", a.at);
            int actions = 0;
            int unknown_actions = 0;
            for (const auto& kv : item) {
                const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
                if (key == "at")
                    continue;
                action_kind k{};
                if (!events::parse_action_kind(key, k)) {
                    ++unknown_actions;
                    add(mark(kv.first), "unknown action '" + key + "'" +
                                            did_you_mean(key, action_names) +
                                            " (known: " + quoted_list(action_names) + ")");
                    continue;
                }
                if (++actions > 1) {
                    add(mark(kv.first), "one action per timeline entry; start another '- at:'");
                    continue;
                }
                a.kind = k;
                parse_action_body(kv.second, a);
            }
            if (actions == 0 && unknown_actions == 0 && item["at"])
                add(mark(item),
                    "timeline entry has no action (known: " + quoted_list(action_names) + ")");
            if (actions > 0)
                s.timeline.push_back(std::move(a));
        }
        std::stable_sort(s.timeline.begin(), s.timeline.end(),
                         [](const auto& x, const auto& y) { return x.at < y.at; });
    }

    void parse_action_body(const YAML::Node& body, action_spec& a) {
        switch (a.kind) {
            case action_kind::restart_redis:
                a.target = "redis";
                if (body.IsScalar() && !body.Scalar().empty() && body.Scalar() != "redis" &&
                    body.Scalar() != "true")
                    add(mark(body), "restart_redis: takes no target (write restart_redis: redis)");
                return;
            case action_kind::fault: {
                if (!need_map(body, "fault"))
                    return;
                std::string direction = "both";
                for (const auto& kv : body) {
                    const std::string key = kv.first.Scalar();
                    if (key == "link") {
                        get_string(body, "link", a.target);
                    } else if (key == "toxic") {
                        get_string(body, "toxic", a.toxic);
                    } else if (key == "direction") {
                        get_string(body, "direction", direction);
                    } else if (key == "mode") {
                        std::string mode;
                        get_string(body, "mode", mode);
                        if (mode == "netns")
                            a.netns = true;
                        else if (mode != "proxy")
                            add(key_mark(body, "mode"),
                                "fault: mode must be proxy (default) or netns, got '" + mode + "'");
                    } else {
                        double v = 0;
                        if (to_double(kv.second, key, v))
                            a.params.values[key] = v;
                    }
                }
                if (a.target.empty())
                    add(mark(body), "fault: needs 'link' (e.g. link: balancer-relay-1)");
                if (a.toxic.empty()) {
                    add(mark(body), "fault: needs 'toxic' (known: " + faults::known_toxics() + ")");
                    return;
                }
                if (a.netns && a.toxic != "partition")
                    add(key_mark(body, "mode"),
                        "fault: mode netns only makes a partition (toxic: partition)");
                if (a.netns && direction != "both")
                    add(key_mark(body, "direction"), "fault: mode netns cuts both directions");
                if (!faults::toxic_direction_from_string(direction, a.params.direction))
                    add(key_mark(body, "direction"),
                        "fault: direction must be upstream, downstream or both");
                if (!faults::find_toxic(a.toxic)) {
                    std::vector<sv> names;
                    for (const auto& row : faults::toxic_table())
                        names.push_back(row.name);
                    add(mark(body["toxic"]), "fault: unknown toxic '" + a.toxic + "'" +
                                                 did_you_mean(a.toxic, names) +
                                                 " (known: " + faults::known_toxics() + ")");
                } else if (const auto problem = faults::validate_toxic(a.toxic, a.params);
                           !problem.empty()) {
                    add(mark(body["toxic"]), "fault: " + problem);
                }
                return;
            }
            case action_kind::set_rate:
                if (!need_map(body, "set_rate"))
                    return;
                check_keys(body, set_rate_keys, "set_rate");
                get_string(body, "fleet", a.target);
                if (!get_double(body, "publish_rate_hz", a.rate_hz))
                    add(mark(body), "set_rate: needs 'publish_rate_hz'");
                if (a.rate_hz < 0 || a.rate_hz > fleet::fleet_limits::publish_rate_hz_max)
                    add(mark(body),
                        "set_rate: publish_rate_hz must be in [0, " +
                            verify::format_number(fleet::fleet_limits::publish_rate_hz_max) + "]");
                return;
            case action_kind::set_count:
                if (!need_map(body, "set_count"))
                    return;
                check_keys(body, set_count_keys, "set_count");
                get_string(body, "fleet", a.target);
                if (!get_unsigned<std::uint32_t>(body, "count", a.count,
                                                 fleet::fleet_limits::count_max))
                    if (!body["count"])
                        add(mark(body), "set_count: needs 'count'");
                return;
            default:
                if (!body.IsScalar() || body.Scalar().empty()) {
                    add(mark(body), std::string(events::to_string(a.kind)) +
                                        ": needs a target (e.g. " +
                                        std::string(events::to_string(a.kind)) + ": relay-1)");
                    return;
                }
                a.target = body.Scalar();
        }
    }

    void parse_expect(const YAML::Node& n, scenario& s) {
        if (!need_map(n, "expect"))
            return;
        std::vector<sv> names;
        for (const auto& row : verify::checker_table())
            names.push_back(row.name);
        std::set<std::string> seen;
        for (const auto& kv : n) {
            const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
            const auto* row = verify::find_checker(key);
            if (!row) {
                add(mark(kv.first), "unknown assertion '" + key + "'" + did_you_mean(key, names) +
                                        " (known: " + verify::known_checkers() + ")");
                continue;
            }
            if (!seen.insert(key).second)
                add(mark(kv.first), "duplicate assertion '" + key + "'");
            verify::expectation e;
            e.name = key;
            const auto& v = kv.second;
            double x = 0;
            if (v.IsMap()) {
                check_keys(v, bound_keys, "expect." + key);
                if (get_double(v, "min", x))
                    e.min = x;
                if (get_double(v, "max", x))
                    e.max = x;
                if (!e.min && !e.max)
                    add(mark(v), key + ": give min, max or both");
            } else if (v.IsScalar() &&
                       (v.Scalar().starts_with("<=") || v.Scalar().starts_with(">="))) {
                const auto text = v.Scalar();
                const auto num = text.substr(text.find_first_not_of(" ", 2));
                const auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), x);
                if (ec != std::errc{} || p != num.data() + num.size())
                    add(mark(v), key + ": bad bound '" + text + "'; write e.g. '<= 1000' or 0");
                else if (text[0] == '<')
                    e.max = x;
                else
                    e.min = x;
            } else if (to_double(v, key, x)) {
                if (row->bare == verify::bare_bound::max)
                    e.max = x;
                else
                    e.min = x;
            }
            s.expect.push_back(std::move(e));
            s.expect_marks.push_back(mark(kv.first));
        }
    }

    // Cross-checks over the whole file ----------------------------------------------------------
    void validate(const YAML::Node& root, scenario& s) {
        auto& relays = s.cluster.relays.names;
        const bool external = s.cluster.balancer.kind == balancer_kind::external;
        if (relays.empty() && !external)
            relays = {"relay-1"};
        const bool memory = s.cluster.bus.kind == bus_kind::memory;
        if (memory && relays.size() > 1)
            add(mark(root["cluster"]["bus"]),
                "bus: memory only works with a single relay (relays cannot see each other)");
        std::set<std::string> alive(relays.begin(), relays.end());
        std::set<std::string> known_fleets;
        for (const auto& f : s.fleets)
            known_fleets.insert(f.name);
        for (const auto& a : s.timeline) {
            const std::string where = "at " + format_duration(a.at) + ": ";
            if (a.at > s.duration)
                add(a.mark, where + "after the end of the run (duration " +
                                format_duration(s.duration) + ")");
            if (external && a.kind != action_kind::set_rate && a.kind != action_kind::set_count &&
                !((a.kind == action_kind::fault || a.kind == action_kind::clear_fault) &&
                  a.target == "client-balancer")) {
                add(a.mark, where + std::string(events::to_string(a.kind)) +
                                ": balancer kind external runs no relay, balancer or redis of "
                                "the engine's; only set_rate, set_count and client-balancer "
                                "faults apply");
                continue;
            }
            std::vector<std::string> names(alive.begin(), alive.end());
            auto unknown = [&](const std::string& what, std::vector<std::string> known) {
                std::vector<sv> views(known.begin(), known.end());
                std::string list;
                for (auto& k : known)
                    list += (list.empty() ? "" : ", ") + k;
                add(a.mark, where + std::string(events::to_string(a.kind)) + ": unknown " + what +
                                " '" + a.target + "'" + did_you_mean(a.target, views) +
                                " (known: " + list + ")");
            };
            switch (a.kind) {
                case action_kind::add_relay:
                    if (memory)
                        add(a.mark, where + "add_relay: bus memory allows a single relay");
                    if (!valid_id(a.target) || a.target == "balancer" || a.target == "redis")
                        add(a.mark, where + "add_relay: bad relay id '" + a.target + "'");
                    else if (!alive.insert(a.target).second)
                        add(a.mark, where + "add_relay: relay '" + a.target + "' already exists");
                    break;
                case action_kind::remove_relay:
                case action_kind::drain:
                    if (!alive.count(a.target))
                        unknown("relay", names);
                    else if (a.kind == action_kind::remove_relay)
                        alive.erase(a.target);
                    break;
                case action_kind::kill:
                case action_kind::stop:
                case action_kind::cont:
                case action_kind::restart:
                    if (!alive.count(a.target) && a.target != "balancer" && a.target != "redis") {
                        names.push_back("balancer");
                        names.push_back("redis");
                        unknown("component", names);
                    } else if (a.target == "balancer" &&
                               s.cluster.balancer.kind == balancer_kind::external) {
                        add(a.mark, where + "the external balancer is not the engine's to " +
                                        std::string(events::to_string(a.kind)));
                    } else if (a.target == "redis" && s.cluster.bus.kind != bus_kind::redis) {
                        add(a.mark, where +
                                        "redis is not started by the engine (bus is not "
                                        "'redis')");
                    }
                    break;
                case action_kind::restart_redis:
                    if (s.cluster.bus.kind != bus_kind::redis)
                        add(a.mark, where +
                                        "restart_redis: the bus is not a redis the engine "
                                        "started");
                    break;
                case action_kind::fault:
                case action_kind::clear_fault: {
                    const auto links = link_names(names);
                    if (std::find(links.begin(), links.end(), a.target) == links.end())
                        unknown("link", links);
                    else if (a.target.ends_with("-redis") && s.cluster.bus.kind == bus_kind::memory)
                        add(a.mark, where + "no redis link with bus memory");
                    else if (a.netns && a.target == "client-balancer")
                        add(a.mark, where +
                                        "fault: mode netns works on balancer-<relay> and "
                                        "<relay>-redis links (the relay runs in a namespace)");
                    else if (a.netns && a.target.ends_with("-redis") &&
                             s.cluster.bus.kind != bus_kind::redis)
                        add(a.mark, where + "fault: mode netns on a redis link needs bus: redis");
                    else if (a.netns && std::find(relays.begin(), relays.end(),
                                                  netns_relay_of(a.target)) == relays.end())
                        add(a.mark, where +
                                        "fault: mode netns needs a relay that runs from the "
                                        "start ('" +
                                        netns_relay_of(a.target) + "' is added later)");
                    break;
                }
                case action_kind::set_rate:
                case action_kind::set_count:
                    if (!known_fleets.count(a.target))
                        unknown("fleet", {known_fleets.begin(), known_fleets.end()});
                    break;
            }
        }
    }

    std::string file_;
    std::vector<diagnostic> diags_;
    std::vector<source_mark> fleet_marks_;
    source_mark relays_mark_;
};

}  // namespace

scenario parse_scenario_text(std::string_view yaml, const std::string& file_name) {
    return parser(file_name).run(yaml);
}

scenario parse_scenario_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw scenario_error({diagnostic{path.string(), {}, "cannot read the file"}});
    std::stringstream text;
    text << in.rdbuf();
    return parse_scenario_text(text.str(), path.string());
}

std::vector<std::string> known_scenario_keys() {
    std::vector<std::string> out;
    auto add = [&](sv prefix, std::span<const sv> keys) {
        for (auto k : keys)
            out.push_back(std::string(prefix) + std::string(k));
    };
    add("", top_keys);
    add("cluster.", cluster_keys);
    add("cluster.balancer.", balancer_keys);
    add("cluster.balancer.health.", health_keys);
    add("cluster.relays.", relays_keys);
    add("clients[].", fleet_keys);
    add("clients[].reconnect.", reconnect_keys);
    for (auto& k : known_sim_keys())
        out.push_back(std::move(k));
    return out;
}

}  // namespace switchyard::scenario
