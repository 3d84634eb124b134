#include "engine/scenario/scenario.hpp"

#include <algorithm>

#include "engine/scenario/duration.hpp"
#include "engine/verify/expectation.hpp"

namespace switchyard::scenario {

std::string_view to_string(balancer_kind k) noexcept {
    switch (k) {
        case balancer_kind::switchyard:
            return "switchyard";
        case balancer_kind::haproxy:
            return "haproxy";
        case balancer_kind::nginx:
            return "nginx";
        case balancer_kind::external:
            return "external";
    }
    return "?";
}

std::string action_spec::detail() const {
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

std::vector<std::string> link_names(const std::vector<std::string>& relays) {
    std::vector<std::string> out{"client-balancer"};
    for (const auto& r : relays) {
        out.push_back("balancer-" + r);
        out.push_back(r + "-redis");
    }
    return out;
}

std::string netns_relay_of(const std::string& link) {
    if (link.starts_with("balancer-"))
        return link.substr(std::string_view("balancer-").size());
    if (link.ends_with("-redis"))
        return link.substr(0, link.size() - std::string_view("-redis").size());
    return {};
}

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
