#include "backends/policy/forward_policy.hpp"

namespace switchyard::policy {

bool idempotent_method(std::string_view m) noexcept {
    return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE" ||
           m == "TRACE";
}

after_failure forward_attempts::charge() noexcept {
    ++failures_;
    return failures_ > redispatch_max_ ? after_failure::give_up_charged
                                       : after_failure::retry_other_backend;
}

after_failure forward_attempts::retry_bodiless(bool reused) noexcept {
    if (reused && stale_retries_ < max_stale_retries) {
        // The backend closed an idle pooled connection (its keep-alive timeout): not a health
        // signal, and the request never reached it.
        ++stale_retries_;
        return after_failure::retry_fresh_connection;
    }
    return charge();
}

after_failure forward_attempts::on_send_failed(bool reused) noexcept {
    if (!has_body_)
        return retry_bodiless(reused);
    // Part of the body may have reached the backend. A fresh connection failing is the
    // backend's fault; a pooled one may simply have timed out.
    return reused ? after_failure::give_up : after_failure::give_up_passive_error;
}

after_failure forward_attempts::on_no_response(bool reused) noexcept {
    // A bodiless request is replayed when the method allows it, or when the pooled connection
    // may have been closed before the request reached the backend.
    if (!has_body_ && (idempotent_ || reused))
        return retry_bodiless(reused);
    return reused ? after_failure::give_up : after_failure::give_up_passive_error;
}

bool keep_client_after_own_answer(bool client_keep_alive, bool has_body, bool draining) noexcept {
    return client_keep_alive && !has_body && !draining;
}

bool keep_client_after_response(bool client_keep_alive, bool upgrade, bool draining,
                                bool body_ends_at_close) noexcept {
    return client_keep_alive && !upgrade && !draining && !body_ends_at_close;
}

bool status_charges_backend(unsigned status, bool passive_5xx) noexcept {
    return passive_5xx && status >= 500 && status != 501 && status != 505;
}

std::optional<std::string_view> sockjs_session_id(std::string_view target,
                                                  std::string_view prefix) noexcept {
    const auto query = target.find('?');
    std::string_view path = target.substr(0, query);
    if (prefix.empty() || path.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    path.remove_prefix(prefix.size());
    // "/<server>/<session>/<transport>": three non-empty segments, no more.
    std::string_view parts[3];
    for (auto& part : parts) {
        if (path.empty() || path.front() != '/')
            return std::nullopt;
        path.remove_prefix(1);
        const auto slash = path.find('/');
        part = path.substr(0, slash);
        if (part.empty())
            return std::nullopt;
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    if (!path.empty() || parts[0].find('.') != std::string_view::npos ||
        parts[1].find('.') != std::string_view::npos)
        return std::nullopt;
    return parts[1];
}

}  // namespace switchyard::policy
