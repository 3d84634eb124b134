#include "engine/events/event.hpp"

#include <array>

namespace switchyard::events {
namespace {
// Same order as the `event` variant; a static_assert below keeps them in step.
constexpr std::array<std::string_view, 14> event_names{"run_started",       "run_finished",
                                                       "component_changed", "health_changed",
                                                       "client_connected",  "client_disconnected",
                                                       "connect_failed",    "resume_gap",
                                                       "delivery_sample",   "metrics",
                                                       "action_applied",    "fault_changed",
                                                       "assertion_result",  "log"};
static_assert(event_names.size() == std::variant_size_v<event>);
}  // namespace

std::string_view to_string(action_kind k) noexcept {
    std::string_view name = "?";
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<action_kind>>([&](auto d) {
        if (d.value == k)
            name = d.name;
    });
    return name;
}

bool parse_action_kind(std::string_view name, action_kind& out) noexcept {
    bool found = false;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<action_kind>>([&](auto d) {
        if (!found && name == d.name) {
            out = d.value;
            found = true;
        }
    });
    return found;
}

micros event_time(const event& e) noexcept {
    return std::visit([](const auto& v) { return v.at; }, e);
}

std::string_view event_name(const event& e) noexcept {
    return event_names[e.index()];
}

std::string_view event_name_at(std::size_t index) noexcept {
    return index < event_names.size() ? event_names[index] : std::string_view{};
}

}  // namespace switchyard::events
