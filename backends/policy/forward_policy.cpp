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

own_answer answer_without_backend(bool capped, bool client_keep_alive, bool has_body,
                                  bool draining) noexcept {
    if (capped)
        return {503, "503 backends busy, retry\n", false, 1};
    return {503, "503 no backend available\n",
            keep_client_after_own_answer(client_keep_alive, has_body, draining)};
}

std::optional<own_answer> answer_body_fault(body_fault fault) noexcept {
    switch (fault) {
        case body_fault::deadline_passed:
            return own_answer{408, "408 request body timeout\n", false};
        case body_fault::too_large:
            return own_answer{413, "413 request body too large\n", false};
        case body_fault::malformed:
            return own_answer{400, "400 malformed request body\n", false};
        case body_fault::gone:
            break;
    }
    return std::nullopt;
}

bool answers_continue_itself(bool has_body, std::string_view expect) noexcept {
    constexpr std::string_view token = "100-continue";
    if (!has_body || expect.size() != token.size())
        return false;
    for (std::size_t i = 0; i < token.size(); ++i) {
        const char c = expect[i] >= 'A' && expect[i] <= 'Z' ? expect[i] - 'A' + 'a' : expect[i];
        if (c != token[i])
            return false;
    }
    return true;
}

std::optional<std::string_view> session_routing_key(bool sticky_enabled,
                                                    std::string_view sockjs_prefix,
                                                    std::string_view target) noexcept {
    if (!sticky_enabled || sockjs_prefix.empty())
        return std::nullopt;
    return sockjs_session_id(target, sockjs_prefix);
}

bool opens_tunnel(bool upgrade, unsigned status) noexcept {
    return upgrade && status == 101;
}

bool sets_affinity_cookie(bool sticky_enabled, bool chooser_wants_cookie) noexcept {
    return sticky_enabled && chooser_wants_cookie;
}

bool body_ends_at_close(bool response_done, bool chunked, bool has_content_length) noexcept {
    return !response_done && !chunked && !has_content_length;
}

bool upstream_reusable(bool backend_keep_alive, bool response_done) noexcept {
    return backend_keep_alive && response_done;
}

}  // namespace switchyard::policy
