#include "backends/balancer/request_forwarder.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include "backends/balancer/tunnel.hpp"
#include "backends/net/proxy_headers.hpp"
#include "backends/policy/forward_policy.hpp"

namespace switchyard::balancer {

namespace {

/// Largest response header accepted from a backend.
constexpr std::uint32_t max_upstream_header_bytes = 65536;
/// Counts a backend's in-flight work for least-conn and /stats while a request or tunnel lives.
class active_guard {
  public:
    explicit active_guard(backend_counters& c) : c_(c) {
        c_.active_connections.fetch_add(1, std::memory_order_relaxed);
    }
    ~active_guard() { c_.active_connections.fetch_sub(1, std::memory_order_relaxed); }
    active_guard(const active_guard&) = delete;
    active_guard& operator=(const active_guard&) = delete;

  private:
    backend_counters& c_;
};

/// Keeps the slot's upstream pointer (for the deadline sweep) valid for one forward attempt.
class upstream_watch {
  public:
    upstream_watch(session_slot& slot, tcp::socket& s, std::size_t backend) : slot_(slot) {
        slot_.upstream = &s;
        slot_.backend = backend;
    }
    ~upstream_watch() {
        slot_.upstream = nullptr;
        slot_.backend = session_slot::no_backend;
    }
    upstream_watch(const upstream_watch&) = delete;
    upstream_watch& operator=(const upstream_watch&) = delete;

  private:
    session_slot& slot_;
};

/// The backend the client's valid affinity cookie names, if any.
std::optional<std::size_t> affinity_of(proxy_worker& w, const http::fields& req,
                                       affinity_memo& memo) {
    const auto& cfg = w.state().config;
    if (!cfg.sticky.enabled)
        return std::nullopt;
    auto it = req.find(http::field::cookie);
    if (it == req.end())
        return std::nullopt;
    auto value = policy::find_cookie(it->value(), cfg.sticky.cookie);
    if (value.empty())
        return std::nullopt;
    std::int64_t second = 0;
    if (cfg.sticky.max_age.count() > 0)
        second = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    if (memo.valid && memo.second == second && value == memo.value)
        return memo.index;
    auto pinned = w.decode_cookie(value);
    memo.valid = pinned.has_value();
    if (pinned) {
        memo.value.assign(value);
        memo.index = *pinned;
        memo.second = second;
    }
    return pinned;
}

/// One request on its way to a backend: what the steps of forward() share, and the backends
/// excluded for it so far.
struct forward_request {
    session_io& io;
    balancer_state& st;
    bool client_keep_alive;
    bool has_body;
    bool upgrade;
    std::vector<std::uint8_t> tried;  ///< tried[i]: backend i refused this request (empty = none)

    void exclude(std::size_t idx) {
        if (tried.empty())
            tried.assign(st.pool.size(), 0);
        tried[idx] = 1;
    }
};

/// Carries out the verdict on a failed attempt at backend `idx`; true when the request is
/// tried again.
bool carry_out(forward_request& r, std::size_t idx, policy::after_failure verdict) {
    using policy::after_failure;
    auto& st = r.st;
    switch (verdict) {
        case after_failure::retry_fresh_connection:
            r.io.w.upstreams().flush(idx);
            return true;
        case after_failure::retry_other_backend:
        case after_failure::give_up_charged:
            st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
            r.io.w.upstreams().flush(idx);
            r.exclude(idx);
            st.totals.redispatches.fetch_add(1, std::memory_order_relaxed);
            return verdict == after_failure::retry_other_backend;
        case after_failure::give_up_passive_error:
            st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
            return false;
        case after_failure::give_up:
            return false;
    }
    return false;
}

/// The value of the request's Expect field, empty when it has none.
std::string_view expect_of(const http::fields& req) {
    auto it = req.find(http::field::expect);
    return it == req.end() ? std::string_view{} : std::string_view(it->value());
}

/// The request head as the backend sees it: hop-by-hop fields gone (Upgrade kept for an
/// upgrade), HTTP/1.1 towards the backend, X-Forwarded-* added.
void rewrite_request_head(http::request_header<>& req, bool upgrade, const std::string& client_ip,
                          bool tls) {
    net::strip_hop_by_hop(req, upgrade);
    if (upgrade)
        req.set(http::field::connection, "Upgrade");
    else
        req.version(11);
    net::add_forwarded(req, client_ip, tls ? "https" : "http");
}

template <class Stream>
asio::awaitable<void> send_answer(session_io& io, Stream& stream, const policy::own_answer& a) {
    return send_simple(io, stream, static_cast<http::status>(a.status), a.body, a.keep,
                       a.retry_after_s);
}

/// A pooled keep-alive connection to backend `idx`, if there is one worth using.
std::unique_ptr<upstream_connection> take_upstream(proxy_worker& w, std::size_t idx, bool has_body,
                                                   bool upgrade) {
    if (upgrade)
        return nullptr;  // a tunnel never goes back to the pool, so it starts on its own
    auto up = w.upstreams().take(idx);
    // A body cannot be replayed once sent, so a pooled connection the backend has already
    // closed is found out before sending, not after.
    while (up && has_body && upstream_pool::is_stale(*up))
        up = w.upstreams().take(idx);
    return up;
}

/// Opens a new connection to backend `idx`; nullptr with `ec` set when it failed or timed out.
asio::awaitable<std::unique_ptr<upstream_connection>> connect_upstream(session_io& io,
                                                                       std::size_t idx,
                                                                       beast::error_code& ec) {
    auto& st = io.w.state();
    st.pool.counters(idx).connects.fetch_add(1, std::memory_order_relaxed);
    st.totals.connects_pending.fetch_add(1, std::memory_order_relaxed);
    auto up = std::make_unique<upstream_connection>(io.w.context().get_executor(), idx);
    // (A plain pointer, not a scope guard: GCC 12 miscompiles guards declared in a block that
    // awaits and then leaves early.)
    io.slot.upstream = &up->socket;
    io.arm(st.config.limits.connect_timeout);
    co_await up->socket.async_connect(st.endpoints[idx], redirect_error(use_awaitable, ec));
    io.classify(ec);
    st.totals.connects_pending.fetch_sub(1, std::memory_order_relaxed);
    io.slot.upstream = nullptr;
    if (ec)
        co_return nullptr;
    up->socket.set_option(tcp::no_delay(true), ec);
    up->socket.non_blocking(true, ec);
    ec = {};
    co_return up;
}

/// How the client's body broke, from the error relay_message left.
policy::body_fault body_fault_of(const beast::error_code& ec, bool has_body,
                                 std::chrono::steady_clock::time_point body_deadline) {
    if (ec == beast::error::timeout && has_body &&
        std::chrono::steady_clock::now() >= body_deadline)
        return policy::body_fault::deadline_passed;
    if (ec == http::error::body_limit)
        return policy::body_fault::too_large;
    if (is_parse_error(ec))
        return policy::body_fault::malformed;
    return policy::body_fault::gone;
}

/// Counts a broken client body and tells the client why, when there is anyone to tell.
template <class Stream>
asio::awaitable<void> answer_broken_body(session_io& io, Stream& stream, policy::body_fault fault) {
    auto& totals = io.w.state().totals;
    if (fault == policy::body_fault::deadline_passed) {
        totals.body_timeouts.fetch_add(1, std::memory_order_relaxed);
        totals.timeouts.fetch_add(1, std::memory_order_relaxed);
    } else if (fault != policy::body_fault::gone) {
        totals.bad_requests.fetch_add(1, std::memory_order_relaxed);
    }
    if (const auto answer = policy::answer_body_fault(fault))
        co_await send_answer(io, stream, *answer);
}

/// Counts a backend's response header and charges the backend for a server-side error.
void account_response(balancer_state& st, std::size_t idx, unsigned status) {
    auto& counters = st.pool.counters(idx);
    counters.requests.fetch_add(1, std::memory_order_relaxed);
    st.totals.requests.fetch_add(1, std::memory_order_relaxed);
    if (status >= 500)
        counters.responses_5xx.fetch_add(1, std::memory_order_relaxed);
    if (policy::status_charges_backend(status, st.config.health.passive_5xx))
        st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
}

/// After the backend's 101: passes it on and pumps bytes until either side ends.
template <class Stream>
asio::awaitable<void> relay_upgrade(session_io& io, Stream& stream, beast::flat_buffer& buf,
                                    upstream_connection& up,
                                    net::parser_without_trailers<false>& rp,
                                    chunk_buffer& staging) {
    auto& st = io.w.state();
    const auto& lim = st.config.limits;
    auto& counters = st.pool.counters(up.backend);
    beast::error_code ec;
    const auto fault = co_await relay_message(io, stream, up.socket, up.buffer, rp, staging,
                                              lim.upstream_timeout, lim.idle_timeout, ec);
    if (fault != relay_fault::none) {
        close_stream(up.socket);
        co_return;
    }
    counters.tunnels.fetch_add(1, std::memory_order_relaxed);
    counters.active_tunnels.fetch_add(1, std::memory_order_relaxed);
    st.totals.tunnels.fetch_add(1, std::memory_order_relaxed);
    st.totals.tunnels_active.fetch_add(1, std::memory_order_relaxed);
    co_await run_tunnel(io, stream, buf, up);
    counters.active_tunnels.fetch_sub(1, std::memory_order_relaxed);
    st.totals.tunnels_active.fetch_sub(1, std::memory_order_relaxed);
}

/// Answers `Expect: 100-continue` on the backend's behalf (the field is dropped, so the
/// backend does not send a 100 of its own). False when the client is gone.
template <class Stream>
asio::awaitable<bool> send_continue(session_io& io, Stream& stream, http::request_header<>& req) {
    req.erase(http::field::expect);
    static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
    beast::error_code ec;
    co_await write_all(io, stream, asio::buffer(cont.data(), cont.size()),
                       io.w.state().config.limits.header_timeout, ec);
    co_return !ec;
}

/// No backend takes the request: counts it and answers 503 as forward_policy says. Returns
/// whether the client connection stays open.
template <class Stream>
asio::awaitable<bool> refuse_without_backend(forward_request& r, Stream& stream, bool capped) {
    (capped ? r.st.totals.connects_refused_by_rate : r.st.totals.no_backend)
        .fetch_add(1, std::memory_order_relaxed);
    const auto answer =
        policy::answer_without_backend(capped, r.client_keep_alive, r.has_body, r.st.draining);
    co_await send_answer(r.io, stream, answer);
    co_return answer.keep;
}

/// Relays the backend's response (its header already in `rp`) to the client, or opens the
/// tunnel after a 101; `up` goes back to the keep-alive pool when it may. Returns whether the
/// client connection may carry another request.
template <class Stream>
asio::awaitable<bool> relay_response(forward_request& r, Stream& stream, beast::flat_buffer& buf,
                                     std::unique_ptr<upstream_connection>& up,
                                     net::parser_without_trailers<false>& rp, chunk_buffer& staging,
                                     bool set_cookie, bool tls) {
    auto& io = r.io;
    auto& st = r.st;
    const auto& lim = st.config.limits;
    const std::size_t idx = up->backend;
    auto& res = rp.get();
    if (policy::opens_tunnel(r.upgrade, res.result_int())) {
        if (set_cookie)
            res.insert(http::field::set_cookie, io.w.set_cookie_for(idx, tls));
        co_await relay_upgrade(io, stream, buf, *up, rp, staging);
        co_return false;
    }
    const bool keep = policy::keep_client_after_response(
        r.client_keep_alive, r.upgrade, st.draining.load(std::memory_order_relaxed),
        policy::body_ends_at_close(rp.is_done(), rp.chunked(), rp.content_length().has_value()));
    const bool backend_keep_alive = rp.keep_alive();
    net::strip_hop_by_hop(res);
    res.keep_alive(keep);
    if (set_cookie)
        res.insert(http::field::set_cookie, io.w.set_cookie_for(idx, tls));
    beast::error_code ec;
    const auto fault = co_await relay_message(io, stream, up->socket, up->buffer, rp, staging,
                                              lim.upstream_timeout, lim.idle_timeout, ec);
    if (fault == relay_fault::input) {
        st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
        co_return false;  // response cut short: only closing tells the client
    }
    if (fault == relay_fault::output)
        co_return false;
    if (policy::upstream_reusable(backend_keep_alive, rp.is_done()))
        io.w.upstreams().put(std::move(up));
    co_return keep;
}

/// Handles one parsed request header: choose, forward (redispatching on refusal), relay the
/// answer. The decisions are forward_policy's; this carries them out. Returns true when the
/// client connection may carry another request.
template <class Stream>
asio::awaitable<bool> forward_any(session_io& io, Stream& stream, beast::flat_buffer& buf,
                                  net::parser_without_trailers<true>& parser, bool tls,
                                  const std::string& client_ip, chunk_buffer& staging,
                                  affinity_memo& memo) {
    auto& w = io.w;
    auto& st = w.state();
    const auto& cfg = st.config;
    const auto& lim = cfg.limits;
    auto& req = parser.get();
    forward_request r{
        io, st, req.keep_alive(), !parser.is_done(), beast::websocket::is_upgrade(req), {}};
    beast::error_code ec;

    const auto pinned = affinity_of(w, req, memo);
    if (policy::answers_continue_itself(r.has_body, expect_of(req)) &&
        !co_await send_continue(io, stream, req))
        co_return false;
    rewrite_request_head(req, r.upgrade, client_ip, tls);
    policy::forward_attempts attempts(r.has_body, policy::idempotent_method(req.method_string()),
                                      lim.redispatch_max);
    const auto session =
        policy::session_routing_key(cfg.sticky.enabled, cfg.sticky.sockjs_prefix, req.target());
    // One deadline for the whole body, from the end of the header (and of our 100 Continue):
    // the idle timeout bounds each read only, so a body sent a byte every few seconds would
    // hold the connection, and a backend connection, for as long as the client likes.
    const auto body_deadline = r.has_body ? std::chrono::steady_clock::now() + lim.body_timeout
                                          : std::chrono::steady_clock::time_point::max();
    bool capped = false;  // a backend was passed over for its connect cap
    for (;;) {
        auto ch = w.chooser().choose(pinned, r.tried, client_ip, session);
        if (!ch)
            co_return co_await refuse_without_backend(r, stream, capped);
        const std::size_t idx = ch->index;
        auto& counters = st.pool.counters(idx);
        auto up = take_upstream(w, idx, r.has_body, r.upgrade);
        if (!up && !w.may_connect(idx)) {
            // Not a failure of the backend: it is only not taking new connections this instant.
            counters.connects_capped.fetch_add(1, std::memory_order_relaxed);
            r.exclude(idx);
            capped = true;
            continue;
        }
        if (!up) {
            up = co_await connect_upstream(io, idx, ec);
            if (!up) {
                if (carry_out(r, idx, attempts.on_connect_failed()))
                    continue;
                break;
            }
        }
        upstream_watch watch(io.slot, up->socket, idx);
        active_guard active(counters);

        auto fault =
            co_await relay_message(io, up->socket, stream, buf, parser, staging, lim.idle_timeout,
                                   lim.upstream_timeout, ec, body_deadline);
        if (fault == relay_fault::input) {
            co_await answer_broken_body(io, stream, body_fault_of(ec, r.has_body, body_deadline));
            co_return false;  // the client went away or broke the body
        }
        if (fault == relay_fault::output) {
            if (carry_out(r, idx, attempts.on_send_failed(up->reused)))
                continue;
            break;
        }

        net::parser_without_trailers<false> rp;
        rp.header_limit(max_upstream_header_bytes);
        rp.body_limit(boost::none);
        if (req.method() == http::verb::head)
            rp.skip(true);
        co_await read_header(io, up->socket, up->buffer, rp, lim.upstream_timeout, ec);
        if (ec) {
            if (carry_out(r, idx, attempts.on_no_response(up->reused)))
                continue;
            break;
        }

        account_response(st, idx, rp.get().result_int());
        co_return co_await relay_response(
            r, stream, buf, up, rp, staging,
            policy::sets_affinity_cookie(cfg.sticky.enabled, ch->set_cookie), tls);
    }
    st.totals.bad_gateway.fetch_add(1, std::memory_order_relaxed);
    co_await send_simple(io, stream, http::status::bad_gateway, "502 backend failed\n", false);
    co_return false;
}

}  // namespace

asio::awaitable<bool> forward(session_io& io, tcp::socket& client, beast::flat_buffer& buf,
                              net::parser_without_trailers<true>& parser,
                              const std::string& client_ip, chunk_buffer& staging,
                              affinity_memo& memo) {
    return forward_any(io, client, buf, parser, false, client_ip, staging, memo);
}

asio::awaitable<bool> forward(session_io& io, beast::ssl_stream<tcp::socket>& client,
                              beast::flat_buffer& buf, net::parser_without_trailers<true>& parser,
                              const std::string& client_ip, chunk_buffer& staging,
                              affinity_memo& memo) {
    return forward_any(io, client, buf, parser, true, client_ip, staging, memo);
}

}  // namespace switchyard::balancer
