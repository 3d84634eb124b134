#pragma once
// `switchyard run|validate|list`: argument handling and the three commands, apart from main()
// so tests can call them.
#include <string>
#include <vector>

namespace switchyard::engine {

/// Runs the CLI with `args` (without the program name). Returns the process exit code:
/// 0 all assertions held, 1 an assertion failed, 2 bad input, 3 the testbed could not run
/// (or the run was interrupted).
int run_cli(const std::vector<std::string>& args);

}  // namespace switchyard::engine
