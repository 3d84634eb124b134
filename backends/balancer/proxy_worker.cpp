#include "backends/balancer/proxy_worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "backends/balancer/proxy_session.hpp"
#include "backends/net/reuseport_acceptor.hpp"

namespace switchyard::balancer {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
/// Bounds of the deadline sweep period.
constexpr std::chrono::milliseconds min_sweep_period{5};
constexpr std::chrono::milliseconds max_sweep_period{250};

std::chrono::milliseconds sweep_period_for(const limits_config& l) {
    const auto shortest = std::min(
        {l.header_timeout, l.idle_timeout, l.body_timeout, l.connect_timeout, l.upstream_timeout});
    return std::clamp(shortest / 4, min_sweep_period, max_sweep_period);
}

std::vector<std::string> backend_ids(const balancer_state& s) {
    std::vector<std::string> ids;
    for (const auto& b : s.config.backends)
        ids.push_back(b.id);
    return ids;
}
}  // namespace

proxy_worker::proxy_worker(balancer_state& state, std::size_t index, asio::ssl::context* tls)
    : state_(state),
      index_(index),
      tls_(tls),
      chooser_(backend_ids(state), policy::make_selector(state.config.strategy),
               state.config.seed * 0x9e3779b97f4a7c15ULL + index + 1),
      upstreams_(state.config.backends.size(), state.config.limits.max_idle_upstream_per_backend),
      cookies_(state.config.backends.size()),
      sweep_period_(sweep_period_for(state.config.limits)) {
    // Each worker holds its share of the cap (at least one a second), so no lock is taken.
    const double rate = static_cast<double>(state.config.limits.max_connects_per_backend_per_s) /
                        static_cast<double>(std::max<std::size_t>(1, state.workers));
    const double share = rate > 0 ? std::max(1.0, rate) : 0.0;
    connect_buckets_.assign(state.config.backends.size(), policy::token_bucket(share, share));
}

bool proxy_worker::may_connect(std::size_t i) {
    return connect_buckets_[i].try_take(coarse_now_);
}

void proxy_worker::sample_accept_rate() {
    const auto elapsed = coarse_now_ - rate_sampled_at_;
    if (elapsed < std::chrono::seconds(1))
        return;
    const auto total = state_.totals.connections_total.load(std::memory_order_relaxed);
    const auto per_s = static_cast<std::uint64_t>(static_cast<double>(total - rate_sampled_total_) /
                                                  std::chrono::duration<double>(elapsed).count());
    auto& peak = state_.totals.accepts_peak_per_s;
    auto seen = peak.load(std::memory_order_relaxed);
    while (per_s > seen && !peak.compare_exchange_weak(seen, per_s, std::memory_order_relaxed)) {
    }
    rate_sampled_at_ = coarse_now_;
    rate_sampled_total_ = total;
}

proxy_worker::~proxy_worker() {
    join();
}

unsigned short proxy_worker::listen(const tcp::endpoint& at, bool tls, bool reuse_port) {
    auto l = std::make_unique<listener>(
        listener{net::make_reuseport_acceptor(ioc_.get_executor(), at, reuse_port), tls});
    const auto port = l->acceptor.local_endpoint().port();
    listeners_.push_back(std::move(l));
    return port;
}

void proxy_worker::spawn_accept(listener& l) {
    asio::co_spawn(
        ioc_,
        [this, &l]() -> asio::awaitable<void> {
            asio::steady_timer backoff(ioc_);
            for (;;) {
                boost::system::error_code ec;
                tcp::socket socket =
                    co_await l.acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
                if (ec) {
                    if (!l.acceptor.is_open() || ec == asio::error::operation_aborted)
                        co_return;
                    // Out of descriptors or similar: back off instead of spinning.
                    backoff.expires_after(std::chrono::milliseconds(20));
                    co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                    continue;
                }
                auto& totals = state_.totals;
                if (totals.connections_active.load(std::memory_order_relaxed) >=
                    state_.config.limits.max_connections) {
                    totals.connections_rejected.fetch_add(1, std::memory_order_relaxed);
                    socket.close(ec);
                    continue;
                }
                address_quota::lease slot;
                const auto peer = socket.remote_endpoint(ec);
                if (!ec && !state_.per_address.try_acquire(peer.address(), slot)) {
                    totals.connections_rejected_per_address.fetch_add(1, std::memory_order_relaxed);
                    socket.close(ec);
                    continue;
                }
                socket.set_option(tcp::no_delay(true), ec);
                if (l.tls)
                    asio::co_spawn(ioc_,
                                   serve_tls_client(*this, std::move(socket), std::move(slot)),
                                   asio::detached);
                else
                    asio::co_spawn(ioc_,
                                   serve_plain_client(*this, std::move(socket), std::move(slot)),
                                   asio::detached);
            }
        },
        asio::detached);
}

void proxy_worker::spawn_sweep() {
    asio::co_spawn(
        ioc_,
        [this]() -> asio::awaitable<void> {
            asio::steady_timer timer(ioc_);
            for (;;) {
                timer.expires_after(sweep_period_);
                boost::system::error_code ec;
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                if (ec)
                    co_return;
                coarse_now_ = std::chrono::steady_clock::now();
                if (state_.config.health.close_sessions_on_down)
                    close_sessions_on_dead_backends();
                if (index_ == 0)
                    sample_accept_rate();
                for (auto& s : sessions_) {
                    if (s.deadline > coarse_now_)
                        continue;
                    // Cancelling makes the pending step fail; the session sees `timed_out`.
                    s.deadline = session_slot::time_point::max();
                    s.timed_out = true;
                    if (s.client)
                        s.client->cancel(ec);
                    if (s.upstream)
                        s.upstream->cancel(ec);
                }
            }
        },
        asio::detached);
}

void proxy_worker::close_sessions_on_dead_backends() {
    auto& pool = state_.pool;
    dead_.assign(pool.size(), 0);
    bool any = false;
    for (std::size_t i = 0; i < pool.size(); ++i) {
        const auto s = pool.state(i);
        if (s == policy::backend_state::down || s == policy::backend_state::disabled) {
            dead_[i] = 1;
            any = true;
        }
    }
    if (!any)
        return;
    boost::system::error_code ec;
    for (auto& s : sessions_) {
        if (!s.upstream || s.backend >= dead_.size() || !dead_[s.backend])
            continue;
        // The session sees its backend side fail: a tunnel closes the client at once, an HTTP
        // exchange ends with the client connection closed. Either way the client reconnects
        // through the balancer to a live backend.
        s.upstream->shutdown(tcp::socket::shutdown_both, ec);
        s.upstream->cancel(ec);
        s.backend = session_slot::no_backend;
        state_.totals.sessions_closed_on_down.fetch_add(1, std::memory_order_relaxed);
    }
}

void proxy_worker::start() {
    spawn_sweep();
    for (auto& l : listeners_)
        spawn_accept(*l);
    if (index_ != 0)
        thread_ = std::thread([this] { ioc_.run(); });
}

void proxy_worker::run() {
    ioc_.run();
}

void proxy_worker::join() {
    if (thread_.joinable())
        thread_.join();
}

void proxy_worker::stop_accepting() {
    asio::post(ioc_, [this] {
        boost::system::error_code ec;
        for (auto& l : listeners_)
            l->acceptor.close(ec);
        for (auto& s : sessions_) {
            if (s.idle && s.client)
                s.client->cancel(ec);
        }
    });
}

void proxy_worker::stop() {
    ioc_.stop();
}

policy::backend_chooser& proxy_worker::chooser() {
    // Refresh the chooser's view from the shared atomics: a handful of relaxed loads.
    auto& pool = state_.pool;
    for (std::size_t i = 0; i < pool.size(); ++i) {
        auto& c = pool.counters(i);
        chooser_.refresh(i, pool.state(i), c.effective_weight.load(std::memory_order_relaxed),
                         c.active_connections.load(std::memory_order_relaxed));
    }
    return chooser_;
}

std::optional<std::size_t> proxy_worker::decode_cookie(std::string_view value) {
    const auto now = std::chrono::system_clock::now();
    const auto second =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    // Verifying an HMAC per request is the costly part; a client on keep-alive sends the same
    // value over and over, so remember the last good one for the rest of this second.
    if (second == last_cookie_checked_ && value == last_cookie_value_)
        return last_cookie_index_;
    auto id = state_.codec.decode(value, now);
    if (!id)
        return std::nullopt;
    auto index = state_.pool.index_of(*id);
    if (!index)
        return std::nullopt;
    last_cookie_value_.assign(value);
    last_cookie_index_ = *index;
    last_cookie_checked_ = second;
    return index;
}

const std::string& proxy_worker::set_cookie_for(std::size_t i, bool secure) {
    const auto now = std::chrono::system_clock::now();
    const auto second =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    auto& cache = cookies_[i];
    if (cache.second != second) {
        const auto& sticky = state_.config.sticky;
        std::string v = sticky.cookie + "=" +
                        state_.codec.encode(state_.config.backends[i].id, now) +
                        "; Path=/; HttpOnly; SameSite=Lax";
        if (sticky.max_age.count() > 0)
            v += "; Max-Age=" + std::to_string(sticky.max_age.count());
        cache.plain = v;
        cache.secure = v + "; Secure";
        cache.second = second;
    }
    return secure ? cache.secure : cache.plain;
}

std::list<session_slot>::iterator proxy_worker::add_session() {
    return sessions_.insert(sessions_.end(), session_slot{});
}

void proxy_worker::remove_session(std::list<session_slot>::iterator it) {
    sessions_.erase(it);
}

}  // namespace switchyard::balancer
