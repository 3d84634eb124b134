#pragma once
// The reverse proxy's decisions about one request, apart from the I/O that carries them out:
// what to do after a failed attempt (retry on a fresh connection, redispatch, give up), which
// method may be replayed, whether the client connection stays open, which answers count
// against a backend's health, and which key routes a client that has no affinity cookie.
// Pure: no sockets, no clock; the balancer's http session asks, then acts.
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchyard::policy {

/// True for methods RFC 9110 9.2.2 calls idempotent: a request with one of these and no body
/// may be sent again after a backend failed to answer it.
bool idempotent_method(std::string_view method) noexcept;

/// What the session does after one attempt to forward a request failed.
enum class after_failure {
    retry_fresh_connection,  ///< a pooled keep-alive connection was stale: not the backend's fault
    retry_other_backend,     ///< the backend is charged (passive error, excluded for this request)
    give_up_charged,         ///< 502; the backend is charged and excluded
    give_up_passive_error,   ///< 502; the backend gets a passive health error only
    give_up,                 ///< 502; nothing charged
};

/// The attempts of one request, as a small state machine. One per request.
class forward_attempts {
  public:
    /// Extra fresh-connection attempts after a pooled connection turned out closed.
    static constexpr unsigned max_stale_retries = 2;

    /// `redispatch_max`: backends tried after the first that failed (limits.redispatch_max).
    forward_attempts(bool has_body, bool idempotent, unsigned redispatch_max) noexcept
        : has_body_(has_body), idempotent_(idempotent), redispatch_max_(redispatch_max) {}

    /// The TCP connect failed or timed out: nothing was sent, so any request may go elsewhere.
    after_failure on_connect_failed() noexcept { return charge(); }
    /// Writing the request failed. A body cannot be replayed, so only a bodiless request is
    /// retried; `reused`: the connection came from the keep-alive pool.
    after_failure on_send_failed(bool reused) noexcept;
    /// The request went out but no response header came back (closed, reset, timed out).
    after_failure on_no_response(bool reused) noexcept;

    unsigned failures() const noexcept { return failures_; }

  private:
    after_failure charge() noexcept;
    after_failure retry_bodiless(bool reused) noexcept;

    bool has_body_;
    bool idempotent_;
    unsigned redispatch_max_;
    unsigned failures_ = 0;
    unsigned stale_retries_ = 0;
};

/// Whether the client connection stays open after an answer the balancer made itself (503):
/// only when the client wants keep-alive, no unread body is left and the balancer is not
/// draining.
bool keep_client_after_own_answer(bool client_keep_alive, bool has_body, bool draining) noexcept;

/// Whether the client connection stays open after a relayed response. An upgrade never
/// returns to HTTP; a response whose body ends at close needs the close passed on.
bool keep_client_after_response(bool client_keep_alive, bool upgrade, bool draining,
                                bool body_ends_at_close) noexcept;

/// Whether a backend's answer counts as a passive health error (health.passive_5xx). 501 and
/// 505 are the client's fault, not the server's (HAProxy's observe layer7 says the same).
bool status_charges_backend(unsigned status, bool passive_5xx) noexcept;

/// The SockJS session id of `target` when it is a session request under `prefix`:
/// `<prefix>/<server>/<session>/<transport>[?query]`, e.g. `/sockjs/123/abcd/xhr_send`. Every
/// request of one session carries the same id, so routing by it keeps a session on one backend
/// before any affinity cookie exists (a first visit). nullopt for anything else.
std::optional<std::string_view> sockjs_session_id(std::string_view target,
                                                  std::string_view prefix) noexcept;

}  // namespace switchyard::policy
