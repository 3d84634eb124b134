#include "backends/balancer/health_prober.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace switchyard::balancer {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::redirect_error;
using asio::use_awaitable;

namespace {

/// Largest probe response header read; the body is never read.
constexpr std::uint32_t max_probe_header_bytes = 16384;

asio::awaitable<bool> probe_once(asio::any_io_executor ex, const asio::ip::tcp::endpoint& at,
                                 const backend_config& backend, const health_check_config& h) {
    beast::tcp_stream stream(ex);
    stream.expires_after(h.timeout);
    beast::error_code ec;
    co_await stream.async_connect(at, redirect_error(use_awaitable, ec));
    if (ec)
        co_return false;
    http::request<http::empty_body> req{http::string_to_verb(h.method), h.path, 11};
    if (req.method() == http::verb::unknown)
        req.method_string(h.method);
    req.set(http::field::host, backend.host + ":" + std::to_string(backend.port));
    req.set(http::field::user_agent, "switchyard-lb-check");
    req.keep_alive(false);
    co_await http::async_write(stream, req, redirect_error(use_awaitable, ec));
    if (ec)
        co_return false;
    beast::flat_buffer buf;
    http::response_parser<http::empty_body> rp;
    rp.header_limit(max_probe_header_bytes);
    rp.skip(true);
    co_await http::async_read_header(stream, buf, rp, redirect_error(use_awaitable, ec));
    if (ec)
        co_return false;
    const unsigned status = rp.get().result_int();
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    if (h.expect_status != 0)
        co_return status == h.expect_status;
    co_return status >= 200 && status < 400;
}

}  // namespace

health_prober::health_prober(asio::any_io_executor executor, balancer_state& state)
    : executor_(executor), state_(state) {
    for (std::size_t i = 0; i < state_.pool.size(); ++i)
        timers_.push_back(std::make_unique<asio::steady_timer>(executor_));
}

void health_prober::start() {
    for (std::size_t i = 0; i < timers_.size(); ++i) {
        asio::co_spawn(
            executor_,
            [this, i]() -> asio::awaitable<void> {
                auto& timer = *timers_[i];
                // Without scheduled checks a backend is still probed after a passive error, at
                // the tracker's pace, until it is up again: otherwise it could never come back.
                const bool scheduled = state_.config.health.enabled;
                for (;;) {
                    const bool up = state_.pool.state(i) == policy::backend_state::up;
                    if (scheduled || !up)
                        timer.expires_at(state_.pool.next_probe_at(i));
                    else
                        timer.expires_at(asio::steady_timer::time_point::max());
                    beast::error_code ec;
                    co_await timer.async_wait(redirect_error(use_awaitable, ec));
                    if (stopped_)
                        co_return;
                    if (!scheduled && state_.pool.state(i) == policy::backend_state::up)
                        continue;
                    const bool ok =
                        co_await probe_once(executor_, state_.endpoints[i],
                                            state_.config.backends[i], state_.config.health);
                    if (stopped_)
                        co_return;
                    state_.pool.on_probe(i, ok, std::chrono::steady_clock::now());
                }
            },
            asio::detached);
    }
}

void health_prober::stop() {
    asio::post(executor_, [this] {
        stopped_ = true;
        for (auto& t : timers_)
            t->cancel();
    });
}

void health_prober::wake(std::size_t i) {
    asio::post(executor_, [this, i] { timers_[i]->cancel(); });
}

}  // namespace switchyard::balancer
