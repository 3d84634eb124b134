#pragma once
// Factories of the delivery checkers (rows of checker_table).
#include <memory>

#include "engine/verify/checker.hpp"

namespace switchyard::verify {
std::unique_ptr<checker> make_delivery_ratio_checker();
std::unique_ptr<checker> make_lost_checker();
std::unique_ptr<checker> make_duplicates_checker();
std::unique_ptr<checker> make_order_checker();
std::unique_ptr<checker> make_deliveries_checker();
std::unique_ptr<checker> make_silent_clients_checker();
std::unique_ptr<checker> make_longest_silence_checker();
}  // namespace switchyard::verify
