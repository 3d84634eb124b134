#pragma once
// Everything a report needs about a finished (or interrupted) run, as plain data.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/events/event.hpp"
#include "engine/verify/ledger_summary.hpp"

namespace switchyard::report {

struct run_result {
    std::string command = "run";  ///< which command ran it ("run" or "sim"), for the title
    std::string scenario;
    std::string file;
    std::string run_dir;
    std::uint64_t seed = 0;
    /// "passed", "failed" (an assertion failed), "interrupted" (Ctrl-C: partial), "error"
    /// (the testbed could not run).
    std::string verdict;
    int exit_code = 0;
    std::string error;  ///< why, for "error" and "interrupted"
    std::chrono::microseconds elapsed{};
    verify::ledger_summary summary;
    std::vector<events::assertion_result> assertions;
    /// Things a reader should know about what this run could not observe (e.g. "balancer
    /// health is not read: nginx ..."); printed under the table and in the JSON.
    std::vector<std::string> notes;
};

}  // namespace switchyard::report
