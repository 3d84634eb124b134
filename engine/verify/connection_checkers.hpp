#pragma once
// Factories of the connection checkers (rows of checker_table).
#include <memory>

#include "engine/verify/checker.hpp"

namespace switchyard::verify {
std::unique_ptr<checker> make_failover_checker();
/// Quantile `q` of every recovered client's time back (all episodes), ms.
std::unique_ptr<checker> make_recovery_quantile_checker(double q);
/// Share of recovered clients whose resume the history served without a gap.
std::unique_ptr<checker> make_resumed_without_gap_checker();
/// Messages replayed from history on resume.
std::unique_ptr<checker> make_replayed_checker();
std::unique_ptr<checker> make_sticky_checker();
std::unique_ptr<checker> make_errors_checker();
std::unique_ptr<checker> make_connect_failures_checker();
std::unique_ptr<checker> make_publish_errors_checker();
std::unique_ptr<checker> make_reconnects_checker();
std::unique_ptr<checker> make_disconnects_checker();
std::unique_ptr<checker> make_resume_gaps_checker();
}  // namespace switchyard::verify
