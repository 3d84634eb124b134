#include "engine/run/timeline.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "engine/run/cluster_plan.hpp"
#include "engine/verify/expectation.hpp"

namespace switchyard::run {

std::string action::detail() const {
    using events::action_kind;
    switch (kind) {
        case action_kind::fault: {
            std::string s =
                "toxic=" + toxic + " direction=" + std::string(faults::to_string(params.direction));
            for (const auto& [k, v] : params.values)
                s += " " + k + "=" + verify::format_number(v);
            if (netns)
                s += " mode=netns";
            return s;
        }
        case action_kind::set_rate:
            return "publish_rate_hz=" + verify::format_number(rate_hz);
        case action_kind::set_count:
            return "count=" + std::to_string(count);
        default:
            return {};
    }
}

bool targets_relay(const action& a) {
    return a.target != "balancer" && a.target != "redis";
}

std::string relay_cut_off_by(const action& a) {
    constexpr std::array<std::string_view, 4> cutting{"blackhole", "timeout", "partition", "reset"};
    if (a.kind != events::action_kind::fault)
        return {};
    if (std::find(cutting.begin(), cutting.end(), a.toxic) == cutting.end())
        return {};
    return relay_of_link(a.target);
}

}  // namespace switchyard::run
