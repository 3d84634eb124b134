#include "backends/relay/connection_limits.hpp"

#include <cassert>

namespace switchyard::relay {

admission connection_limits::admit(const std::string& address) {
    if (total_max_ != 0 && total_ >= total_max_)
        return admission::over_total;
    auto it = per_address_.find(address);
    const std::size_t held = it == per_address_.end() ? 0 : it->second;
    if (per_address_max_ != 0 && held >= per_address_max_)
        return admission::over_address;
    ++total_;
    if (it == per_address_.end())
        per_address_.emplace(address, 1);
    else
        ++it->second;
    return admission::accepted;
}

void connection_limits::release(const std::string& address) {
    auto it = per_address_.find(address);
    assert(it != per_address_.end() && total_ > 0 && "release without admit");
    if (it == per_address_.end() || total_ == 0)
        return;
    --total_;
    // Zero counts are erased so that the map holds only addresses with open connections.
    if (--it->second == 0)
        per_address_.erase(it);
}

std::size_t connection_limits::from(const std::string& address) const {
    auto it = per_address_.find(address);
    return it == per_address_.end() ? 0 : it->second;
}

}  // namespace switchyard::relay
