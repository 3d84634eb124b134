#pragma once
// `switchyard calibrate`: measures the real relay and balancer on this machine and writes a
// cost profile that `switchyard sim --profile FILE` reads.
#include <string>
#include <vector>

namespace switchyard::engine {

/// Runs the command with the arguments after "calibrate"; returns the exit code (0 measured,
/// 2 bad flags, 3 the testbed could not run or a figure could not be measured).
int calibrate_command(const std::vector<std::string>& args);

}  // namespace switchyard::engine
