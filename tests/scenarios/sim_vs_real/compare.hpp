#pragma once
// Sim-vs-real: the figures two JSON reports of one scenario file share (a real run by
// `switchyard run`, a simulated one by `switchyard sim`), compared within stated tolerances.
// Pure: text in, verdict lines out (docs/simulator.md "Simulation against reality" says why
// each tolerance is what it is).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::sim_vs_real {

/// What one report says about a run.
struct run_figures {
    std::string scenario;
    double delivery_ratio = 0;
    double expected = 0;  ///< deliveries the ledger expected
    double lost = 0;
    double duplicates = 0;
    double sticky_violations = 0;
    double reconnects = 0;
    std::optional<double> failover_ms;  ///< slowest client back over every failover; none: none
    /// Clients connected (anywhere) when the first failover began; none: no failover, or a
    /// report from before the figure existed.
    std::optional<double> connected_at_first_failover;
};

/// Reads a `--json` report; throws std::invalid_argument naming what is missing.
run_figures figures_from_json(std::string_view text);

/// How far the simulation may be from the real run, per figure.
struct tolerances {
    double delivery_ratio_abs = 0.01;  ///< |sim - real|
    double lost_share = 0.001;         ///< |sim - real| <= this x real expected deliveries
    double duplicates_share = 0.001;   ///< the same for duplicates
    double sticky_violations_abs = 0;  ///< exact
    double reconnects_abs = 2;         ///< |sim - real| <= max(this, share x real)
    double reconnects_share = 0.2;
    double failover_factor = 2;    ///< sim within [real / f, real x f] ...
    double failover_abs_ms = 250;  ///< ... or within this of real
    /// Reconnects and failover time depend on how many clients each relay held when it went.
    /// The simulated fleet keeps its connect ramp exactly; a real fleet on a loaded machine can
    /// fall behind it (reconnect-storm on 2 busy cores: 1,910 of 3,010 clients connected at a
    /// kill planned after the ramp). Below this share of the simulated count, those two figures
    /// are not judged: the real run did not run the plan the simulation ran.
    double kept_plan_share = 0.95;
};

/// One compared figure.
struct comparison {
    std::string figure;
    double real = 0, sim = 0;
    bool ok = true;
    std::string bound;  ///< the tolerance as text ("|d| <= 2"), or why the figure is not judged
    bool judged = true;
};

/// Every figure, in a fixed order; `ignore` names figures not compared (each documented).
std::vector<comparison> compare(const run_figures& real, const run_figures& sim,
                                const tolerances& t = {},
                                const std::vector<std::string>& ignore = {});

/// A table of the comparisons, one line each, "OUT" marking those out of tolerance.
std::string format_table(const std::vector<comparison>& rows);

}  // namespace switchyard::sim_vs_real
