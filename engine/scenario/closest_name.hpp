#pragma once
// "did you mean ...?" for misspelt keys, checkers, toxics and components.
#include <span>
#include <string>
#include <string_view>

namespace switchyard::scenario {

/// Edit distance (insert, delete, substitute, adjacent swap) between two short words.
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate nearest to `word` if it is close enough to be a plausible typo (distance at
/// most 2, or a third of the word's length for long words); "" otherwise.
std::string closest_name(std::string_view word, std::span<const std::string_view> candidates);
/// "; did you mean 'lost'?" or "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace switchyard::scenario
