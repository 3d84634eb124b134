#include "engine/run/cluster_plan.hpp"

namespace switchyard::run {

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

std::vector<std::string> link_names(const std::vector<std::string>& relays) {
    std::vector<std::string> out{"client-balancer"};
    for (const auto& r : relays) {
        out.push_back("balancer-" + r);
        out.push_back(r + "-redis");
    }
    return out;
}

std::string relay_of_link(const std::string& link) {
    if (link.starts_with("balancer-"))
        return link.substr(std::string_view("balancer-").size());
    if (link.ends_with("-redis"))
        return link.substr(0, link.size() - std::string_view("-redis").size());
    return {};
}

}  // namespace switchyard::run
