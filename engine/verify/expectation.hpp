#pragma once
// One assertion from a scenario's `expect:` block: a checker name and the bounds its measured
// value must stay within.
#include <optional>
#include <string>

namespace switchyard::verify {

/// `lost: 0` is {name "lost", max 0}; `delivery_ratio: {min: 0.999}` is {min 0.999}.
/// Both bounds are inclusive; a missing bound is open.
struct expectation {
    std::string name;
    std::optional<double> min;
    std::optional<double> max;

    bool holds(double measured) const noexcept {
        return (!min || measured >= *min) && (!max || measured <= *max);
    }
    /// "<= 1000", ">= 0.999", "in [1, 5]".
    std::string text() const;
};

/// Shortest decimal text of a number ("1000", "0.999", "12.5").
std::string format_number(double v);

}  // namespace switchyard::verify
