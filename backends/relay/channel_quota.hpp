#pragma once
// How many channels one client may hold (--max-channels-per-client).

#include <cstddef>

namespace switchyard::relay {

/// True when a client holding `held` channels may subscribe one more under `max` (0 = no
/// maximum). A refused subscription gets the `too_many_channels` error frame.
constexpr bool may_subscribe(std::size_t max, std::size_t held) noexcept {
    return max == 0 || held < max;
}

}  // namespace switchyard::relay
