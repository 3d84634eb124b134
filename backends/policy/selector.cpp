#include "backends/policy/selector.hpp"

#include "backends/policy/consistent_hash_selector.hpp"
#include "backends/policy/least_conn_selector.hpp"
#include "backends/policy/power_of_two_selector.hpp"
#include "backends/policy/random_selector.hpp"
#include "backends/policy/round_robin_selector.hpp"

namespace switchyard::policy {

const std::vector<selector_info>& selector_table() {
    static const std::vector<selector_info> table{
        {"random", [] { return std::make_unique<random_selector>(); },
         "weighted random choice; the classic node-http-proxy setup"},
        {"round-robin", [] { return std::make_unique<round_robin_selector>(); },
         "smooth weighted round-robin: an even, interleaved rotation"},
        {"least-conn", [] { return std::make_unique<least_conn_selector>(); },
         "fewest active connections per unit of weight; ties broken at random"},
        {"power-of-two", [] { return std::make_unique<power_of_two_selector>(); },
         "two weighted random candidates, the less loaded one wins"},
        {"consistent-hash", [] { return std::make_unique<consistent_hash_selector>(); },
         "ring with virtual nodes per unit of weight, keyed by cookie, address or header"},
    };
    return table;
}

std::unique_ptr<selector> make_selector(std::string_view name) {
    for (const auto& row : selector_table()) {
        if (row.name == name)
            return row.make();
    }
    return nullptr;
}

std::string selector_names() {
    std::string out;
    for (const auto& row : selector_table()) {
        if (!out.empty())
            out += ", ";
        out += row.name;
    }
    return out;
}

backend_state serving_tier(std::span<const backend_view> backends) noexcept {
    for (const auto& b : backends) {
        if (b.weight > 0 && b.state == backend_state::up)
            return backend_state::up;
    }
    return backend_state::suspect;
}

}  // namespace switchyard::policy
