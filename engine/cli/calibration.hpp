#pragma once
// The pure half of `switchyard calibrate`: from counters read off real processes (CPU time in
// /proc/<pid>/stat, work counted by the relay's /metrics and the fleet) to per-unit costs, and
// those costs as a cost profile file (profiles/default.yaml's shape, read by `sim --profile`).
// No process, socket or clock here, so every step is unit-tested on literal numbers.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

/// CPU seconds (utime + stime) from the text of /proc/<pid>/stat, given the kernel's clock
/// ticks per second (sysconf(_SC_CLK_TCK)). nullopt when the text is not a stat line. The
/// command name (field 2) may hold spaces and parentheses, so fields are counted after the
/// last ')'.
std::optional<double> cpu_seconds_from_stat(std::string_view stat, long ticks_per_second);

/// The sum of every sample of metric `name` in Prometheus text (`name{labels} value` or
/// `name value`); nullopt when there is none.
std::optional<double> prometheus_value(std::string_view text, std::string_view name);

/// One process's CPU over one phase, and what it did when nothing was asked of it.
struct cpu_window {
    double cpu_s = 0;           ///< CPU seconds used during the phase
    double wall_s = 0;          ///< the phase's wall time
    double idle_cpu_per_s = 0;  ///< CPU seconds per wall second with no load (timers, checks)
    /// CPU the phase's work used: cpu_s less the idle rate over the phase, never below 0.
    double busy_s() const noexcept;
};

/// Microseconds of CPU per unit of work: busy CPU / work. nullopt when there was no work or no
/// busy CPU (a cost of 0 would let simulated work happen in no time).
std::optional<double> per_unit_us(const cpu_window& w, double work);

/// One relay phase: its busy CPU and the publishes and deliveries it handled.
struct relay_phase {
    double busy_s = 0;
    double publishes = 0;
    double deliveries = 0;
};
/// Per-publish and per-delivery relay cost (microseconds) from two phases with different
/// fan-out, solving busy = publishes * p + deliveries * d for both. nullopt when the phases
/// cannot separate the two (their fan-outs too close) or a cost comes out <= 0 (noise larger
/// than the work: measure longer).
struct relay_costs {
    double publish_us = 0;
    double delivery_us = 0;
};
std::optional<relay_costs> split_relay_costs(const relay_phase& a, const relay_phase& b);

/// A measured figure: a cost profile key, its value in microseconds, how it was measured.
struct calibrated_figure {
    std::string key;  ///< one of scenario::cost_keys()
    double value_us = 0;
    std::string how;  ///< one line: phase, counters, CPU
};

/// What the profile's `method:` note says besides each figure's measurement.
struct calibration_note {
    std::string host;         ///< "nproc 2, Intel(R) Xeon(R) ..." (from /proc/cpuinfo)
    std::string measured_at;  ///< UTC, ISO 8601
    std::string command;      ///< the command line that measured it
    std::vector<std::string> not_measured;  ///< keys left out, each with why
};

/// The profile file: the note keys (`host`, `measured_at`, `method`) and each figure, values to
/// the nanosecond (at least 0.001 us). read_cost_profile_text() reads it back.
std::string profile_yaml(const std::vector<calibrated_figure>& figures,
                         const calibration_note& note);

}  // namespace switchyard::engine
