#include "engine/sim/sim_bus.hpp"

#include <algorithm>

namespace switchyard::sim {

void sim_bus::subscribe(std::string_view channel, std::uint32_t relay) {
    auto it = subscribers_.find(channel);
    if (it == subscribers_.end())
        it = subscribers_.emplace(std::string(channel), std::vector<std::uint32_t>{}).first;
    auto& v = it->second;
    const auto pos = std::lower_bound(v.begin(), v.end(), relay);
    if (pos == v.end() || *pos != relay)
        v.insert(pos, relay);
}

void sim_bus::unsubscribe_all(std::uint32_t relay) {
    for (auto& [channel, v] : subscribers_) {
        const auto pos = std::lower_bound(v.begin(), v.end(), relay);
        if (pos != v.end() && *pos == relay)
            v.erase(pos);
    }
}

const std::vector<std::uint32_t>& sim_bus::relays_of(std::string_view channel) const {
    static const std::vector<std::uint32_t> none;
    const auto it = subscribers_.find(channel);
    return it == subscribers_.end() ? none : it->second;
}

}  // namespace switchyard::sim
