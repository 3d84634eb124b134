#include "backends/policy/backend_chooser.hpp"

namespace switchyard::policy {

bool honours_affinity(backend_state s) noexcept {
    return s == backend_state::up || s == backend_state::suspect || s == backend_state::draining;
}

std::string_view find_cookie(std::string_view header, std::string_view name) noexcept {
    while (!header.empty()) {
        auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t'))
            pair.remove_prefix(1);
        auto eq = pair.find('=');
        if (eq == std::string_view::npos)
            continue;
        std::string_view key = pair.substr(0, eq);
        while (!key.empty() && (key.back() == ' ' || key.back() == '\t'))
            key.remove_suffix(1);
        if (key != name)
            continue;
        std::string_view value = pair.substr(eq + 1);
        while (!value.empty() && (value.front() == ' ' || value.back() == ' '))
            value = value.front() == ' ' ? value.substr(1) : value.substr(0, value.size() - 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        return value;
    }
    return {};
}

backend_chooser::backend_chooser(std::vector<std::string> ids, std::unique_ptr<selector> strategy,
                                 std::uint64_t seed)
    : strategy_(std::move(strategy)), rng_(seed) {
    for (auto& id : ids) {
        backend_view v;
        v.id = std::move(id);
        views_.push_back(std::move(v));
    }
    scratch_ = views_;
    strategy_->on_backends_changed(views_);
    session_ring_.on_backends_changed(views_);
}

void backend_chooser::refresh(std::size_t i, backend_state state, std::uint32_t weight,
                              std::uint32_t active) noexcept {
    auto& v = views_[i];
    v.state = state;
    v.weight = weight;
    v.active_connections = active;
}

std::optional<choice> backend_chooser::choose(std::optional<std::size_t> pinned,
                                              std::span<const std::uint8_t> tried,
                                              std::string_view hash_key,
                                              std::optional<std::string_view> session) {
    if (pinned && *pinned < views_.size() && !(*pinned < tried.size() && tried[*pinned]) &&
        honours_affinity(views_[*pinned].state)) {
        return choice{*pinned, false};
    }
    bool any_tried = false;
    for (std::size_t i = 0; i < tried.size() && i < views_.size(); ++i)
        any_tried = any_tried || tried[i];
    pick_request request{session ? *session : hash_key};
    selector& by = session ? static_cast<selector&>(session_ring_) : *strategy_;
    std::optional<std::size_t> picked;
    if (!any_tried) {
        picked = by.pick(views_, request, rng_);
    } else {
        // A backend that already refused this request is out of the running for it: the strategy
        // sees it with weight 0, which its contract says it never returns.
        for (std::size_t i = 0; i < views_.size(); ++i) {
            scratch_[i].state = views_[i].state;
            scratch_[i].active_connections = views_[i].active_connections;
            scratch_[i].weight = (i < tried.size() && tried[i]) ? 0 : views_[i].weight;
        }
        picked = by.pick(scratch_, request, rng_);
    }
    if (!picked)
        return std::nullopt;
    return choice{*picked, true};
}

}  // namespace switchyard::policy
