#pragma once
// A cost profile: what work costs on some machine (CPU per delivery, per connection, ...), as
// `switchyard calibrate` measures it and the simulator reads it (sim_costs). The keys and
// their checks live here so the scenario parser can check `sim.costs` and `sim.profile` with
// file:line errors; engine/sim maps the figures onto its sim_costs.
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/scenario/source_mark.hpp"

namespace switchyard::scenario {

/// One figure: a key of cost_keys() and its value in the key's unit (microseconds, > 0).
struct cost_figure {
    std::string key;
    double value = 0;
    source_mark mark;  ///< where it was written (in `file`)
    std::string file;
};
using cost_figures = std::vector<cost_figure>;

/// One known figure: its key (unit last) and what it measures.
struct cost_key {
    std::string_view name;
    std::string_view doc;
};
/// Every figure a profile may give, in the order calibrate writes them.
std::span<const cost_key> cost_keys();
/// Keys a profile may carry besides figures, for people: where and when it was measured.
std::span<const std::string_view> cost_profile_note_keys();

/// Reads a profile file. Problems (unknown key, a value that is not a number > 0, YAML
/// syntax, an unreadable file) are appended to `errors` as file:line:col diagnostics.
cost_figures read_cost_profile(const std::filesystem::path& path, std::vector<diagnostic>& errors);
/// Same, from text; `file` names it in diagnostics.
cost_figures read_cost_profile_text(std::string_view text, const std::string& file,
                                    std::vector<diagnostic>& errors);

}  // namespace switchyard::scenario
