#include "backends/balancer/admin_server.hpp"

#include <openssl/crypto.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "backends/net/reuseport_acceptor.hpp"

namespace switchyard::balancer {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::redirect_error;
using asio::use_awaitable;

namespace {
/// Admin requests are tiny; anything bigger is refused by the parser.
constexpr std::uint32_t max_admin_header_bytes = 8192;
constexpr std::uint64_t max_admin_body_bytes = 4096;
constexpr std::chrono::seconds admin_io_timeout{10};

std::string json_error(std::string_view message) {
    return "{\"error\":\"" + std::string(message) + "\"}\n";
}

bool token_matches(std::string_view given, const std::string& expected) {
    // Constant-time compare so the token cannot be guessed byte by byte from timing.
    if (given.size() != expected.size())
        return false;
    return CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

/// True when `authorization` is `Bearer <expected>` (expected non-empty).
bool bearer_matches(std::string_view authorization, const std::string& expected) {
    constexpr std::string_view bearer = "Bearer ";
    return !expected.empty() && authorization.substr(0, bearer.size()) == bearer &&
           token_matches(authorization.substr(bearer.size()), expected);
}

admin_answer unauthorized() {
    admin_answer a;
    a.status = 401;
    a.www_authenticate = true;
    a.body = json_error("missing or wrong bearer token");
    return a;
}
}  // namespace

stats_view make_stats_view(const balancer_state& st) {
    const auto now = std::chrono::steady_clock::now();
    stats_view v;
    v.name = st.config.name;
    v.strategy = st.config.strategy;
    v.seed = st.config.seed;
    v.draining = st.draining.load();
    v.uptime = std::chrono::duration_cast<std::chrono::milliseconds>(now - st.started);
    const auto& t = st.totals;
    v.totals.connections_active = t.connections_active.load();
    v.totals.connections_total = t.connections_total.load();
    v.totals.connections_rejected = t.connections_rejected.load();
    v.totals.connections_rejected_per_address = t.connections_rejected_per_address.load();
    v.totals.sessions_closed_on_down = t.sessions_closed_on_down.load();
    v.totals.connects_pending = t.connects_pending.load();
    v.totals.connects_refused_by_rate = t.connects_refused_by_rate.load();
    v.totals.accepts_peak_per_s = t.accepts_peak_per_s.load();
    v.totals.requests = t.requests.load();
    v.totals.tunnels_active = t.tunnels_active.load();
    v.totals.tunnels = t.tunnels.load();
    v.totals.redispatches = t.redispatches.load();
    v.totals.no_backend = t.no_backend.load();
    v.totals.bad_gateway = t.bad_gateway.load();
    v.totals.bad_requests = t.bad_requests.load();
    v.totals.timeouts = t.timeouts.load();
    v.totals.body_timeouts = t.body_timeouts.load();
    v.backends = st.pool.snapshot(now);
    return v;
}

admin_answer handle_admin_request(balancer_state& st, std::string_view method,
                                  std::string_view target, std::string_view authorization) {
    admin_answer a;
    if (auto q = target.find('?'); q != std::string_view::npos)
        target = target.substr(0, q);
    if (target == "/stats" || target == "/metrics" || target == "/healthz") {
        if (method != "GET" && method != "HEAD") {
            a.status = 405;
            a.body = json_error("use GET");
            return a;
        }
        // /healthz stays open: orchestrators and peer balancers probe it without credentials,
        // and it tells nothing but "up" or "draining". /stats and /metrics describe the
        // backends (addresses, load), which admin.token_for_reads keeps to token holders.
        if (target != "/healthz" && st.config.admin_token_for_reads &&
            !bearer_matches(authorization, st.config.admin_token))
            return unauthorized();
        if (target == "/stats") {
            a.body = render_stats_json(make_stats_view(st));
        } else if (target == "/metrics") {
            a.content_type = "text/plain; version=0.0.4";
            a.body = render_metrics(make_stats_view(st));
        } else {
            const bool draining = st.draining.load();
            a.status = draining ? 503 : 200;
            a.content_type = "text/plain";
            a.body = draining ? "draining\n" : "ok\n";
        }
        return a;
    }
    constexpr std::string_view prefix = "/backends/";
    if (target.substr(0, prefix.size()) == prefix) {
        auto rest = target.substr(prefix.size());
        auto slash = rest.find('/');
        if (slash == std::string_view::npos) {
            a.status = 404;
            a.body = json_error("use /backends/<id>/{drain,disable,enable}");
            return a;
        }
        const auto id = rest.substr(0, slash);
        const auto verb = rest.substr(slash + 1);
        std::optional<backend_pool::admin_command> cmd;
        if (verb == "drain")
            cmd = backend_pool::admin_command::drain;
        else if (verb == "disable")
            cmd = backend_pool::admin_command::disable;
        else if (verb == "enable")
            cmd = backend_pool::admin_command::enable;
        if (!cmd) {
            a.status = 404;
            a.body = json_error("unknown command; known: drain, disable, enable");
            return a;
        }
        if (method != "POST") {
            a.status = 405;
            a.body = json_error("use POST");
            return a;
        }
        if (st.config.admin_token.empty()) {
            a.status = 403;
            a.body = json_error("admin commands are off: no admin.token configured");
            return a;
        }
        if (!bearer_matches(authorization, st.config.admin_token))
            return unauthorized();
        if (!st.pool.apply(id, *cmd, std::chrono::steady_clock::now())) {
            a.status = 404;
            a.body = json_error("unknown backend '" + std::string(id) + "'");
            return a;
        }
        const auto i = *st.pool.index_of(id);
        a.body = "{\"id\":\"" + std::string(id) + "\",\"state\":\"" +
                 std::string(policy::to_string(st.pool.state(i))) + "\"}\n";
        return a;
    }
    a.status = 404;
    a.body = json_error("not found; try /stats, /metrics, /healthz, POST /backends/<id>/<cmd>");
    return a;
}

admin_server::admin_server(asio::any_io_executor executor, balancer_state& state,
                           const asio::ip::tcp::endpoint& at)
    : executor_(executor),
      state_(state),
      acceptor_(net::make_reuseport_acceptor(executor, at, false, 64)) {}

unsigned short admin_server::port() const {
    return acceptor_.local_endpoint().port();
}

void admin_server::start() {
    asio::co_spawn(
        executor_,
        [this]() -> asio::awaitable<void> {
            for (;;) {
                beast::error_code ec;
                auto socket = co_await acceptor_.async_accept(redirect_error(use_awaitable, ec));
                if (ec) {
                    if (!acceptor_.is_open())
                        co_return;
                    continue;
                }
                asio::co_spawn(
                    executor_,
                    [this, s = std::move(socket)]() mutable -> asio::awaitable<void> {
                        beast::tcp_stream stream(std::move(s));
                        beast::flat_buffer buf;
                        for (;;) {
                            beast::error_code e;
                            http::request_parser<http::string_body> parser;
                            parser.header_limit(max_admin_header_bytes);
                            parser.body_limit(max_admin_body_bytes);
                            stream.expires_after(admin_io_timeout);
                            co_await http::async_read(stream, buf, parser,
                                                      redirect_error(use_awaitable, e));
                            if (e)
                                break;
                            auto& req = parser.get();
                            auto auth = req[http::field::authorization];
                            auto ans = handle_admin_request(state_, req.method_string(),
                                                            req.target(), auth);
                            http::response<http::string_body> res{
                                static_cast<http::status>(ans.status), req.version()};
                            res.set(http::field::server, "switchyard-lb");
                            res.set(http::field::content_type, ans.content_type);
                            res.set(http::field::cache_control, "no-store");
                            if (ans.www_authenticate)
                                res.set(http::field::www_authenticate, "Bearer");
                            res.body() = std::move(ans.body);
                            res.keep_alive(req.keep_alive());
                            res.prepare_payload();
                            co_await http::async_write(stream, res,
                                                       redirect_error(use_awaitable, e));
                            if (e || !res.keep_alive())
                                break;
                        }
                        beast::error_code ignored;
                        stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
                    },
                    asio::detached);
            }
        },
        asio::detached);
}

void admin_server::stop() {
    asio::post(executor_, [this] {
        beast::error_code ec;
        acceptor_.close(ec);
    });
}

}  // namespace switchyard::balancer
