#include "engine/run/timeline.hpp"

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

}  // namespace switchyard::run
