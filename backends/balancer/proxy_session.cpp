#include "backends/balancer/proxy_session.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include "backends/balancer/http_relay.hpp"
#include "backends/balancer/proxy_worker.hpp"
#include "backends/balancer/tunnel.hpp"
#include "backends/net/parser_without_trailers.hpp"
#include "backends/net/proxy_headers.hpp"
#include "backends/net/request_framing.hpp"
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

/// The last affinity cookie value a client connection sent and what it verified to: a client
/// sends the same value on every request, and checking its HMAC again would cost ~550 ns.
struct affinity_memo {
    std::string value;
    std::size_t index = 0;
    std::int64_t second = -1;  ///< when it was verified (matters only with max_age)
    bool valid = false;
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
    auto value = find_cookie(it->value(), cfg.sticky.cookie);
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

/// Handles one parsed request header: choose, forward (redispatching on refusal), relay the
/// answer. Returns true when the client connection may carry another request.
template <class Stream>
asio::awaitable<bool> forward(session_io& io, Stream& stream, beast::flat_buffer& buf,
                              net::parser_without_trailers<true>& parser, bool tls,
                              const std::string& client_ip, chunk_buffer& staging,
                              affinity_memo& memo) {
    auto& w = io.w;
    auto& st = w.state();
    const auto& cfg = st.config;
    const auto& lim = cfg.limits;
    auto& req = parser.get();
    const bool client_keep_alive = req.keep_alive();
    const bool has_body = !parser.is_done();
    const bool upgrade = beast::websocket::is_upgrade(req);
    beast::error_code ec;

    const auto pinned = affinity_of(w, req, memo);
    if (has_body) {
        auto expect = req.find(http::field::expect);
        if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
            // Answer the interim response ourselves; a backend's 100 would be taken for the
            // final answer by the relay.
            req.erase(http::field::expect);
            static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
            co_await write_all(io, stream, asio::buffer(cont.data(), cont.size()),
                               lim.header_timeout, ec);
            if (ec)
                co_return false;
        }
    }
    net::strip_hop_by_hop(req, upgrade);
    if (upgrade)
        req.set(http::field::connection, "Upgrade");
    else
        req.version(11);
    net::add_forwarded(req, client_ip, tls ? "https" : "http");
    policy::forward_attempts attempts(has_body, policy::idempotent_method(req.method_string()),
                                      lim.redispatch_max);
    const auto session = !cfg.sticky.enabled || cfg.sticky.sockjs_prefix.empty()
                             ? std::nullopt
                             : policy::sockjs_session_id(req.target(), cfg.sticky.sockjs_prefix);

    // One deadline for the whole body, from the end of the header (and of our 100 Continue):
    // the idle timeout bounds each read only, so a body sent a byte every few seconds would
    // hold the connection, and a backend connection, for as long as the client likes.
    const auto body_deadline = has_body ? std::chrono::steady_clock::now() + lim.body_timeout
                                        : std::chrono::steady_clock::time_point::max();
    std::vector<std::uint8_t> tried;
    bool capped = false;  // a backend was passed over for its connect cap
    for (;;) {
        auto ch = w.chooser().choose(pinned, tried, client_ip, session);
        if (!ch && capped) {
            // Every backend that could take it is at its connect cap: a reconnect storm. Ask
            // the client to come back instead of piling onto the survivors.
            st.totals.connects_refused_by_rate.fetch_add(1, std::memory_order_relaxed);
            co_await send_simple(io, stream, http::status::service_unavailable,
                                 "503 backends busy, retry\n", false, 1);
            co_return false;
        }
        if (!ch) {
            st.totals.no_backend.fetch_add(1, std::memory_order_relaxed);
            const bool keep =
                policy::keep_client_after_own_answer(client_keep_alive, has_body, st.draining);
            co_await send_simple(io, stream, http::status::service_unavailable,
                                 "503 no backend available\n", keep);
            co_return keep;
        }
        const std::size_t idx = ch->index;
        auto& counters = st.pool.counters(idx);
        // Carries out the verdict on a failed attempt; true when the request is tried again.
        auto act_on = [&](policy::after_failure verdict) -> bool {
            using policy::after_failure;
            switch (verdict) {
                case after_failure::retry_fresh_connection:
                    w.upstreams().flush(idx);
                    return true;
                case after_failure::retry_other_backend:
                case after_failure::give_up_charged:
                    st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
                    w.upstreams().flush(idx);
                    if (tried.empty())
                        tried.assign(st.pool.size(), 0);
                    tried[idx] = 1;
                    st.totals.redispatches.fetch_add(1, std::memory_order_relaxed);
                    return verdict == after_failure::retry_other_backend;
                case after_failure::give_up_passive_error:
                    st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
                    return false;
                case after_failure::give_up:
                    return false;
            }
            return false;
        };

        std::unique_ptr<upstream_connection> up;
        if (!upgrade) {
            up = w.upstreams().take(idx);
            // A body cannot be replayed once sent, so a pooled connection the backend has
            // already closed is found out before sending, not after.
            while (up && has_body && upstream_pool::is_stale(*up))
                up = w.upstreams().take(idx);
        }
        if (!up && !w.may_connect(idx)) {
            // Not a failure of the backend: it is only not taking new connections this instant.
            counters.connects_capped.fetch_add(1, std::memory_order_relaxed);
            if (tried.empty())
                tried.assign(st.pool.size(), 0);
            tried[idx] = 1;
            capped = true;
            continue;
        }
        if (!up) {
            counters.connects.fetch_add(1, std::memory_order_relaxed);
            st.totals.connects_pending.fetch_add(1, std::memory_order_relaxed);
            up = std::make_unique<upstream_connection>(w.context().get_executor(), idx);
            // (A plain pointer, not a scope guard: GCC 12 miscompiles guards declared in a
            // block that awaits and then leaves by `continue`.)
            io.slot.upstream = &up->socket;
            io.arm(lim.connect_timeout);
            co_await up->socket.async_connect(st.endpoints[idx], redirect_error(use_awaitable, ec));
            io.classify(ec);
            st.totals.connects_pending.fetch_sub(1, std::memory_order_relaxed);
            io.slot.upstream = nullptr;
            if (ec) {
                if (act_on(attempts.on_connect_failed()))
                    continue;
                break;
            }
            up->socket.set_option(tcp::no_delay(true), ec);
            up->socket.non_blocking(true, ec);
        }
        upstream_watch watch(io.slot, up->socket, idx);
        active_guard active(counters);

        auto fault =
            co_await relay_message(io, up->socket, stream, buf, parser, staging, lim.idle_timeout,
                                   lim.upstream_timeout, ec, body_deadline);
        if (fault == relay_fault::input) {
            if (ec == beast::error::timeout && has_body &&
                std::chrono::steady_clock::now() >= body_deadline) {
                // The body trickled in slower than the whole-body deadline allows (each read
                // inside the idle timeout): the backend saw a cut request; the client is told.
                st.totals.body_timeouts.fetch_add(1, std::memory_order_relaxed);
                st.totals.timeouts.fetch_add(1, std::memory_order_relaxed);
                co_await send_simple(io, stream, http::status::request_timeout,
                                     "408 request body timeout\n", false);
            } else if (ec == http::error::body_limit) {
                // A chunked body grew past the limit mid-stream: the backend saw a cut request
                // (its connection is dropped); the client learns why.
                st.totals.bad_requests.fetch_add(1, std::memory_order_relaxed);
                co_await send_simple(io, stream, http::status::payload_too_large,
                                     "413 request body too large\n", false);
            } else if (is_parse_error(ec)) {
                // A malformed chunk mid-body: no response has started, so say why.
                st.totals.bad_requests.fetch_add(1, std::memory_order_relaxed);
                co_await send_simple(io, stream, http::status::bad_request,
                                     "400 malformed request body\n", false);
            }
            co_return false;  // the client went away or broke the body
        }
        if (fault == relay_fault::output) {
            if (act_on(attempts.on_send_failed(up->reused)))
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
            if (act_on(attempts.on_no_response(up->reused)))
                continue;
            break;
        }

        auto& res = rp.get();
        counters.requests.fetch_add(1, std::memory_order_relaxed);
        st.totals.requests.fetch_add(1, std::memory_order_relaxed);
        const unsigned status = res.result_int();
        if (status >= 500)
            counters.responses_5xx.fetch_add(1, std::memory_order_relaxed);
        if (policy::status_charges_backend(status, cfg.health.passive_5xx))
            st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
        const bool set_cookie = ch->set_cookie && cfg.sticky.enabled;

        if (upgrade && res.result() == http::status::switching_protocols) {
            if (set_cookie)
                res.insert(http::field::set_cookie, w.set_cookie_for(idx, tls));
            fault = co_await relay_message(io, stream, up->socket, up->buffer, rp, staging,
                                           lim.upstream_timeout, lim.idle_timeout, ec);
            if (fault != relay_fault::none) {
                close_stream(up->socket);
                co_return false;
            }
            counters.tunnels.fetch_add(1, std::memory_order_relaxed);
            counters.active_tunnels.fetch_add(1, std::memory_order_relaxed);
            st.totals.tunnels.fetch_add(1, std::memory_order_relaxed);
            st.totals.tunnels_active.fetch_add(1, std::memory_order_relaxed);
            co_await run_tunnel(io, stream, buf, *up);
            counters.active_tunnels.fetch_sub(1, std::memory_order_relaxed);
            st.totals.tunnels_active.fetch_sub(1, std::memory_order_relaxed);
            co_return false;
        }

        const bool body_ends_at_close = !rp.is_done() && !rp.chunked() && !rp.content_length();
        const bool keep = policy::keep_client_after_response(
            client_keep_alive, upgrade, st.draining.load(std::memory_order_relaxed),
            body_ends_at_close);
        const bool upstream_reusable = rp.keep_alive();
        net::strip_hop_by_hop(res);
        res.keep_alive(keep);
        if (set_cookie)
            res.insert(http::field::set_cookie, w.set_cookie_for(idx, tls));
        fault = co_await relay_message(io, stream, up->socket, up->buffer, rp, staging,
                                       lim.upstream_timeout, lim.idle_timeout, ec);
        if (fault == relay_fault::input) {
            st.pool.on_passive_error(idx, std::chrono::steady_clock::now());
            co_return false;  // response cut short: only closing tells the client
        }
        if (fault == relay_fault::output)
            co_return false;
        if (upstream_reusable && rp.is_done())
            w.upstreams().put(std::move(up));
        co_return keep;
    }
    st.totals.bad_gateway.fetch_add(1, std::memory_order_relaxed);
    co_await send_simple(io, stream, http::status::bad_gateway, "502 backend failed\n", false);
    co_return false;
}

template <class Stream>
asio::awaitable<void> run_session(session_io& io, Stream& stream, bool tls,
                                  const std::string& client_ip) {
    auto& st = io.w.state();
    const auto& lim = st.config.limits;
    beast::flat_buffer buf;
    chunk_buffer staging;
    affinity_memo memo;
    bool first = true;
    for (;;) {
        beast::error_code ec;
        if (!first && buf.size() == 0) {
            if (st.draining.load(std::memory_order_relaxed))
                co_return;
            io.slot.idle = true;
            co_await read_more(io, stream, buf, lim.idle_timeout, ec);
            io.slot.idle = false;
            if (ec) {
                if (ec == beast::error::timeout)
                    st.totals.timeouts.fetch_add(1, std::memory_order_relaxed);
                co_return;
            }
        }
        first = false;
        net::parser_without_trailers<true> parser;
        parser.header_limit(lim.max_header_bytes);
        parser.body_limit(lim.max_body_bytes);
        std::optional<net::request_refusal> refused;
        co_await read_header(io, stream, buf, parser, lim.header_timeout, ec, &refused);
        if (!ec)
            refused = net::normalise_request_head(parser.get());
        if (refused) {
            st.totals.bad_requests.fetch_add(1, std::memory_order_relaxed);
            co_await send_simple(io, stream, refused->status,
                                 std::to_string(static_cast<unsigned>(refused->status)) + " " +
                                     std::string(refused->reason) + "\n",
                                 false);
            co_return;
        }
        if (ec) {
            if (ec == beast::error::timeout) {
                st.totals.timeouts.fetch_add(1, std::memory_order_relaxed);
                co_await send_simple(io, stream, http::status::request_timeout,
                                     "408 request header timeout\n", false);
                co_return;
            }
            if (!is_parse_error(ec))
                co_return;
            st.totals.bad_requests.fetch_add(1, std::memory_order_relaxed);
            if (ec == http::error::header_limit) {
                co_await send_simple(io, stream, http::status::request_header_fields_too_large,
                                     "431 request header too large\n", false);
            } else if (ec == http::error::body_limit) {
                co_await send_simple(io, stream, http::status::payload_too_large,
                                     "413 request body too large\n", false);
            } else {
                co_await send_simple(io, stream, http::status::bad_request,
                                     "400 malformed request\n", false);
            }
            co_return;
        }
        const bool keep = co_await forward(io, stream, buf, parser, tls, client_ip, staging, memo);
        if (!keep)
            co_return;
    }
}

/// Per-connection bookkeeping: totals and the worker's session list.
class connection_scope {
  public:
    explicit connection_scope(proxy_worker& w) : w_(w), slot_(w.add_session()) {
        auto& t = w.state().totals;
        t.connections_active.fetch_add(1, std::memory_order_relaxed);
        t.connections_total.fetch_add(1, std::memory_order_relaxed);
    }
    ~connection_scope() {
        w_.remove_session(slot_);
        w_.state().totals.connections_active.fetch_sub(1, std::memory_order_relaxed);
    }
    connection_scope(const connection_scope&) = delete;
    connection_scope& operator=(const connection_scope&) = delete;
    session_slot& slot() { return *slot_; }

  private:
    proxy_worker& w_;
    std::list<session_slot>::iterator slot_;
};

std::string peer_ip(const tcp::socket& s) {
    beast::error_code ec;
    auto ep = s.remote_endpoint(ec);
    return ec ? std::string("0.0.0.0") : ep.address().to_string();
}

}  // namespace

asio::awaitable<void> serve_plain_client(proxy_worker& w, tcp::socket socket,
                                         [[maybe_unused]] address_quota::lease slot) {
    // `slot` lives in the coroutine frame: the address's count drops when the session ends.
    connection_scope scope(w);
    const std::string ip = peer_ip(socket);
    beast::error_code ec;
    socket.non_blocking(true, ec);
    scope.slot().client = &socket;
    session_io io{w, scope.slot()};
    co_await run_session(io, socket, false, ip);
    scope.slot().client = nullptr;
    close_stream(socket);
}

asio::awaitable<void> serve_tls_client(proxy_worker& w, tcp::socket socket,
                                       [[maybe_unused]] address_quota::lease slot) {
    connection_scope scope(w);
    const std::string ip = peer_ip(socket);
    beast::ssl_stream<tcp::socket> stream(std::move(socket), *w.tls_context());
    scope.slot().client = &lowest(stream);
    session_io io{w, scope.slot()};
    io.arm(w.state().config.limits.header_timeout);
    beast::error_code ec;
    co_await stream.async_handshake(asio::ssl::stream_base::server,
                                    redirect_error(use_awaitable, ec));
    if (!ec)
        co_await run_session(io, stream, true, ip);
    scope.slot().client = nullptr;
    close_stream(lowest(stream));
}

}  // namespace switchyard::balancer
