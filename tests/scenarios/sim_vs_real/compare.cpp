#include "tests/scenarios/sim_vs_real/compare.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace switchyard::sim_vs_real {
namespace {

namespace json = boost::json;

double number(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !(v->is_number()))
        throw std::invalid_argument("report has no number '" + std::string(key) + "'");
    return v->to_number<double>();
}

std::string fmt(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

}  // namespace

run_figures figures_from_json(std::string_view text) {
    json::value root;
    try {
        root = json::parse(text);
    } catch (const std::exception& e) {
        throw std::invalid_argument(std::string("report is not JSON: ") + e.what());
    }
    if (!root.is_object())
        throw std::invalid_argument("report is not a JSON object");
    const auto& r = root.as_object();
    const auto* totals = r.if_contains("totals");
    if (!totals || !totals->is_object())
        throw std::invalid_argument("report has no 'totals'");
    const auto& t = totals->as_object();
    run_figures f;
    if (const auto* s = r.if_contains("scenario"); s && s->is_string())
        f.scenario = std::string(s->as_string());
    f.delivery_ratio = number(t, "delivery_ratio");
    f.expected = number(t, "expected");
    f.lost = number(t, "lost");
    f.duplicates = number(t, "duplicates");
    f.sticky_violations = number(t, "sticky_violations");
    f.reconnects = number(t, "reconnects");
    if (const auto* fo = r.if_contains("failovers"); fo && fo->is_array())
        for (const auto& e : fo->as_array())
            if (e.is_object()) {
                const auto& ep = e.as_object();
                const double w = number(ep, "worst_ms");
                f.failover_ms = std::max(f.failover_ms.value_or(0), w);
                if (!f.connected_at_first_failover && ep.contains("connected"))
                    f.connected_at_first_failover = number(ep, "connected");
            }
    return f;
}

std::vector<comparison> compare(const run_figures& real, const run_figures& sim,
                                const tolerances& t, const std::vector<std::string>& ignore) {
    std::vector<comparison> out;
    auto add = [&](std::string name, double r, double s, double allowed, std::string bound) {
        if (std::find(ignore.begin(), ignore.end(), name) != ignore.end())
            return;
        // A small epsilon so a ratio printed and re-read from JSON compares as written.
        out.push_back({std::move(name), r, s, std::abs(s - r) <= allowed + 1e-9, std::move(bound)});
    };
    add("delivery_ratio", real.delivery_ratio, sim.delivery_ratio, t.delivery_ratio_abs,
        "|d| <= " + fmt(t.delivery_ratio_abs));
    const double lost_ok = t.lost_share * real.expected;
    add("lost", real.lost, sim.lost, lost_ok, "|d| <= " + fmt(lost_ok));
    const double dup_ok = t.duplicates_share * real.expected;
    add("duplicates", real.duplicates, sim.duplicates, dup_ok, "|d| <= " + fmt(dup_ok));
    add("sticky_violations", real.sticky_violations, sim.sticky_violations, t.sticky_violations_abs,
        "|d| <= " + fmt(t.sticky_violations_abs));
    const std::size_t placement_dependent = out.size();
    const double rec_ok = std::max(t.reconnects_abs, t.reconnects_share * real.reconnects);
    add("reconnects", real.reconnects, sim.reconnects, rec_ok, "|d| <= " + fmt(rec_ok));
    if (std::find(ignore.begin(), ignore.end(), "failover_ms") == ignore.end() &&
        (real.failover_ms || sim.failover_ms)) {
        comparison c{"failover_ms", real.failover_ms.value_or(-1), sim.failover_ms.value_or(-1),
                     false,
                     "within x" + fmt(t.failover_factor) + " or " + fmt(t.failover_abs_ms) +
                         " ms (both or neither)"};
        if (real.failover_ms && sim.failover_ms) {
            const double r = *real.failover_ms, s = *sim.failover_ms;
            c.ok = std::abs(s - r) <= t.failover_abs_ms ||
                   (s <= r * t.failover_factor && s * t.failover_factor >= r);
        }
        out.push_back(std::move(c));
    }
    if (real.connected_at_first_failover && sim.connected_at_first_failover &&
        *real.connected_at_first_failover < t.kept_plan_share * *sim.connected_at_first_failover) {
        const std::string why = "not judged: the real fleet was behind its plan (" +
                                fmt(*real.connected_at_first_failover) + " of " +
                                fmt(*sim.connected_at_first_failover) +
                                " clients connected at the first failover)";
        for (auto i = placement_dependent; i < out.size(); ++i)
            out[i] = {out[i].figure, out[i].real, out[i].sim, true, why, false};
    }
    return out;
}

std::string format_table(const std::vector<comparison>& rows) {
    std::string out;
    char line[200];
    std::snprintf(line, sizeof line, "%-18s %12s %12s  %s\n", "figure", "real", "sim", "tolerance");
    out += line;
    for (const auto& r : rows) {
        std::snprintf(line, sizeof line, "%-18s %12g %12g  ", r.figure.c_str(), r.real, r.sim);
        out += line + r.bound + (r.ok ? "" : "   OUT") + "\n";
    }
    return out;
}

}  // namespace switchyard::sim_vs_real
