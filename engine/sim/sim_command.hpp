#pragma once
// `switchyard sim FILE [options]`: flags, the run, the console table and the exit code. Lives
// beside the simulator so the CLI only dispatches to it.
#include <string>
#include <vector>

namespace switchyard::sim {

/// Help text for `switchyard sim --help`.
extern const char* const sim_help;

/// Runs the `sim` command with the arguments after "sim". Exit codes as `run`: 0 every
/// assertion held, 1 one failed, 2 bad input (flags, scenario, a cluster the simulator cannot
/// model), 3 interrupted or the run could not happen. The seed is in every summary.
int sim_command(const std::vector<std::string>& args);

}  // namespace switchyard::sim
