#include "engine/scenario/scenario.hpp"

#include <algorithm>

namespace switchyard::scenario {

std::vector<std::string> netns_relays(const scenario& s) {
    std::vector<std::string> out;
    for (const auto& a : s.timeline)
        if (a.kind == events::action_kind::fault && a.netns) {
            auto r = netns_relay_of(a.target);
            if (!r.empty() && std::find(out.begin(), out.end(), r) == out.end())
                out.push_back(std::move(r));
        }
    return out;
}

bool action_targets_relay_only(events::action_kind k) noexcept {
    return k == events::action_kind::drain || k == events::action_kind::remove_relay;
}

}  // namespace switchyard::scenario
