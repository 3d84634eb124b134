#pragma once
// Reads a scenario file (YAML) into a `scenario`, checking every key, type, duration and name,
// and reporting every problem at once as `file:line:col: message`.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/scenario/scenario.hpp"

namespace switchyard::scenario {

/// Thrown when a file does not parse or does not validate; carries every problem found (up to
/// `diagnostics_max`), sorted by position. what() is all of them, one a line.
class scenario_error : public std::runtime_error {
  public:
    explicit scenario_error(std::vector<diagnostic> diagnostics);
    const std::vector<diagnostic>& diagnostics() const noexcept { return diagnostics_; }

  private:
    std::vector<diagnostic> diagnostics_;
};

/// More problems than this in one file are not worth listing.
inline constexpr std::size_t diagnostics_max = 50;

/// Parses and validates. Throws scenario_error (also for a file that cannot be read: line 0).
scenario parse_scenario_file(const std::filesystem::path& path);
/// Same, from text; `file_name` is used in messages.
scenario parse_scenario_text(std::string_view yaml, const std::string& file_name);

/// Every key the parser knows, as "section.key" paths, for docs and tests.
std::vector<std::string> known_scenario_keys();

}  // namespace switchyard::scenario
