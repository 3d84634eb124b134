#pragma once
// The reverse proxy's decisions about one request, apart from the I/O that carries them out:
// what to do after a failed attempt (retry on a fresh connection, redispatch, give up), which
// method may be replayed, whether the client connection stays open, which answers count
// against a backend's health, which key routes a client that has no affinity cookie, what the
// balancer answers itself (no backend, a broken body, 100 Continue), and what follows a
// backend's response header (tunnel, affinity cookie, connection back to the pool).
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

/// An answer the balancer writes itself instead of a backend's.
struct own_answer {
    unsigned status;
    std::string_view body;
    bool keep;                   ///< the client connection stays open afterwards
    unsigned retry_after_s = 0;  ///< > 0: a Retry-After header asks the client to come back
};

/// No backend takes the request. `capped`: one was passed over only because it is at its
/// connect cap (a reconnect storm), so the client is asked to come back instead of piling onto
/// the survivors; otherwise plain 503, kept open as keep_client_after_own_answer says.
own_answer answer_without_backend(bool capped, bool client_keep_alive, bool has_body,
                                  bool draining) noexcept;

/// How reading the client's body broke while it was being relayed.
enum class body_fault {
    deadline_passed,  ///< trickled in slower than the whole-body deadline (each read in time)
    too_large,        ///< a chunked body grew past limits.max_body_bytes mid-stream
    malformed,        ///< a broken chunk mid-body
    gone,             ///< the client closed or reset: nobody to tell
};

/// What the client is told when its body broke (the backend saw a cut request); nullopt when
/// there is nobody to tell. The connection always closes: the rest of the body is unknown.
std::optional<own_answer> answer_body_fault(body_fault fault) noexcept;

/// True when the balancer answers `Expect: 100-continue` itself (case-insensitive, RFC 9110
/// 10.1.1): a backend's interim 100 would be taken for the final answer by the relay.
bool answers_continue_itself(bool has_body, std::string_view expect) noexcept;

/// The key that places a cookie-less SockJS session request (sockjs_session_id), only when
/// sticky routing is on and a SockJS prefix is configured.
std::optional<std::string_view> session_routing_key(bool sticky_enabled,
                                                    std::string_view sockjs_prefix,
                                                    std::string_view target) noexcept;

/// True when the backend accepted an upgrade: the connection becomes a byte tunnel.
bool opens_tunnel(bool upgrade, unsigned status) noexcept;

/// True when the response carries a new affinity cookie: sticky routing is on and the
/// client's own cookie did not name the chosen backend.
bool sets_affinity_cookie(bool sticky_enabled, bool chooser_wants_cookie) noexcept;

/// True when a response's body ends only when the backend closes (no length, not chunked).
bool body_ends_at_close(bool response_done, bool chunked, bool has_content_length) noexcept;

/// True when the backend connection goes back to the keep-alive pool after a relayed
/// response: the backend keeps it open and the whole response was read.
bool upstream_reusable(bool backend_keep_alive, bool response_done) noexcept;

}  // namespace switchyard::policy
