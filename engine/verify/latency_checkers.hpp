#pragma once
// Factories of the latency checkers (rows of checker_table).
#include <memory>

#include "engine/verify/checker.hpp"

namespace switchyard::verify {
std::unique_ptr<checker> make_latency_p50_checker();
std::unique_ptr<checker> make_latency_p99_checker();
std::unique_ptr<checker> make_latency_max_checker();
}  // namespace switchyard::verify
