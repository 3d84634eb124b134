#include "engine/cli/calibration.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace switchyard::engine {
namespace {

std::optional<double> to_double(std::string_view s) {
    double v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

/// A YAML plain scalar cannot hold every character safely: quote it, escaping what must be.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    return out + "\"";
}

}  // namespace

std::optional<double> cpu_seconds_from_stat(std::string_view stat, long ticks_per_second) {
    const auto close = stat.rfind(')');
    if (close == std::string_view::npos || ticks_per_second <= 0)
        return std::nullopt;
    // After "pid (comm)": field 3 is the state; utime and stime are fields 14 and 15.
    std::istringstream in{std::string(stat.substr(close + 1))};
    std::string field;
    double utime = 0, stime = 0;
    for (int n = 3; n <= 15; ++n) {
        if (!(in >> field))
            return std::nullopt;
        if (n == 14 || n == 15) {
            const auto v = to_double(field);
            if (!v || *v < 0)
                return std::nullopt;
            (n == 14 ? utime : stime) = *v;
        }
    }
    return (utime + stime) / static_cast<double>(ticks_per_second);
}

std::optional<double> prometheus_value(std::string_view text, std::string_view name) {
    std::optional<double> sum;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        const auto line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty() || line[0] == '#' || line.substr(0, name.size()) != name)
            continue;
        const auto rest = line.substr(name.size());
        // The exact name: followed by labels or the value, not a longer name's tail.
        if (rest.empty() || (rest[0] != '{' && rest[0] != ' '))
            continue;
        const auto space = rest.rfind(' ');
        if (const auto v = to_double(rest.substr(space + 1)))
            sum = sum.value_or(0) + *v;
    }
    return sum;
}

double cpu_window::busy_s() const noexcept {
    return std::max(0.0, cpu_s - idle_cpu_per_s * wall_s);
}

std::optional<double> per_unit_us(const cpu_window& w, double work) {
    const double busy = w.busy_s();
    if (work <= 0 || busy <= 0)
        return std::nullopt;
    return busy / work * 1e6;
}

std::optional<relay_costs> split_relay_costs(const relay_phase& a, const relay_phase& b) {
    // busy = publishes * p + deliveries * d, twice: Cramer's rule.
    const double det = a.publishes * b.deliveries - b.publishes * a.deliveries;
    // The two fan-outs (deliveries per publish) must differ: det / (pa * pb) is their
    // difference, and below one delivery per publish the solve only amplifies noise.
    if (a.publishes <= 0 || b.publishes <= 0 || std::abs(det) < a.publishes * b.publishes)
        return std::nullopt;
    const double p = (a.busy_s * b.deliveries - b.busy_s * a.deliveries) / det;
    const double d = (a.publishes * b.busy_s - b.publishes * a.busy_s) / det;
    if (p <= 0 || d <= 0)
        return std::nullopt;
    return relay_costs{p * 1e6, d * 1e6};
}

std::string profile_yaml(const std::vector<calibrated_figure>& figures,
                         const calibration_note& note) {
    std::ostringstream o;
    o << "# A cost profile measured by `switchyard calibrate` (keys: docs/simulator.md \"Cost\n"
         "# profiles\"; every figure is microseconds, > 0). Use it with `switchyard sim FILE\n"
         "# --profile THIS`. Figures not listed keep the simulator's built-in costs.\n";
    o << "host: " << quoted(note.host) << "\n";
    o << "measured_at: " << quoted(note.measured_at) << "\n";
    o << "method: |-\n";
    o << "  Measured on this machine (" << note.host << ") at " << note.measured_at << " by\n";
    o << "  `" << note.command << "`: redis-server, one switchyard-relay and switchyard-lb as\n";
    o << "  real processes on 127.0.0.1, a known load from the fleet, each process's CPU time\n";
    o << "  (utime + stime from /proc/<pid>/stat) before and after each phase, less its idle\n";
    o << "  rate, divided by the work counted (relay /metrics, fleet connects).\n";
    for (const auto& f : figures)
        o << "  " << f.key << ": " << f.how << "\n";
    for (const auto& n : note.not_measured)
        o << "  not measured: " << n << "\n";
    for (const auto& f : figures) {
        char value[32];
        // Nanoseconds are what the simulator keeps; never write 0 (a figure must be > 0).
        std::snprintf(value, sizeof value, "%.3f", std::max(0.001, f.value_us));
        o << f.key << ": " << value << "\n";
    }
    return o.str();
}

}  // namespace switchyard::engine
