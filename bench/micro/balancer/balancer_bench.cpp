// The per-request work switchyard-lb adds on top of I/O: choosing a backend, finding and
// checking the affinity cookie, rewriting headers.
#include <benchmark/benchmark.h>

#include <boost/beast/http.hpp>

#include "backends/balancer/admin_server.hpp"
#include "backends/net/proxy_headers.hpp"
#include "backends/policy/backend_chooser.hpp"
#include "backends/policy/sticky_codec.hpp"

using namespace switchyard;

namespace {
policy::backend_chooser make(const char* strategy, std::size_t n) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < n; ++i)
        ids.push_back("relay-" + std::to_string(i));
    return policy::backend_chooser(ids, policy::make_selector(strategy), 1);
}
}  // namespace

static void BM_ChooseFresh(benchmark::State& state) {
    auto c = make(state.range(0) == 0 ? "random" : "round-robin", 8);
    for (auto _ : state)
        benchmark::DoNotOptimize(c.choose(std::nullopt, {}, ""));
}
BENCHMARK(BM_ChooseFresh)->Arg(0)->Arg(1);

static void BM_ChoosePinned(benchmark::State& state) {
    auto c = make("random", 8);
    for (auto _ : state)
        benchmark::DoNotOptimize(c.choose(3, {}, ""));
}
BENCHMARK(BM_ChoosePinned);

static void BM_FindCookie(benchmark::State& state) {
    const std::string header =
        "_ga=GA1.2.3; theme=dark; server=relay-3.6b07.AAAAAAAAAAAAAAAAAAAAAA; lang=en";
    for (auto _ : state)
        benchmark::DoNotOptimize(policy::find_cookie(header, "server"));
}
BENCHMARK(BM_FindCookie);

static void BM_DecodeCookie(benchmark::State& state) {
    policy::sticky_codec codec("secret", std::chrono::seconds(0));
    const auto now = std::chrono::system_clock::now();
    const auto value = codec.encode("relay-3", now);
    for (auto _ : state)
        benchmark::DoNotOptimize(codec.decode(value, now));
}
BENCHMARK(BM_DecodeCookie);

static void BM_RewriteRequestHeaders(benchmark::State& state) {
    namespace http = boost::beast::http;
    for (auto _ : state) {
        http::request<http::empty_body> req{http::verb::get, "/", 11};
        req.set(http::field::host, "example.test");
        req.set(http::field::user_agent, "bench");
        req.set(http::field::connection, "keep-alive");
        req.set(http::field::accept, "*/*");
        net::strip_hop_by_hop(req);
        net::add_forwarded(req, "10.1.2.3", "http");
        benchmark::DoNotOptimize(req);
    }
}
BENCHMARK(BM_RewriteRequestHeaders);

static void BM_StatsJson(benchmark::State& state) {
    balancer::balancer_config c;
    for (int i = 0; i < 16; ++i)
        c.backends.push_back(
            {"relay-" + std::to_string(i), "127.0.0.1", static_cast<unsigned short>(4000 + i), 1});
    balancer::balancer_state st(c, "secret");
    for (auto _ : state)
        benchmark::DoNotOptimize(balancer::handle_admin_request(st, "GET", "/stats", ""));
}
BENCHMARK(BM_StatsJson);
