#include "backends/balancer/balancer_server.hpp"

#include <openssl/rand.h>
#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <iostream>
#include <thread>

#include "backends/net/ready_line.hpp"

namespace switchyard::balancer {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// How often a SIGTERM drain checks whether the last client has gone.
constexpr std::chrono::milliseconds drain_poll{20};

std::string random_secret() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw startup_error("cannot draw a random cookie secret");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

/// A seed for the selectors' random streams when the config says 0: drawn per start, as
/// documented, so two balancers (or two starts) do not place clients identically.
std::uint64_t random_seed() {
    std::uint64_t seed = 0;
    while (seed == 0) {
        if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1)
            throw startup_error("cannot draw a random seed");
    }
    return seed;
}

tcp::endpoint endpoint_for(const std::string& host, int port, const std::string& key) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) {
        asio::io_context ioc;
        tcp::resolver resolver(ioc);
        auto results = resolver.resolve(host, std::to_string(port), ec);
        if (ec || results.empty()) {
            startup_error e(key + ": cannot resolve '" + host + "'");
            e.exit_code = 2;
            throw e;
        }
        return *results.begin();
    }
    return tcp::endpoint(address, static_cast<unsigned short>(port));
}

}  // namespace

balancer_server::balancer_server(balancer_config config) {
    std::string secret = config.sticky.secret.empty() ? random_secret() : config.sticky.secret;
    if (config.seed == 0)
        config.seed = random_seed();
    state_ = std::make_unique<balancer_state>(std::move(config), std::move(secret));
    auto& cfg = state_->config;
    for (std::size_t i = 0; i < cfg.backends.size(); ++i) {
        const auto& b = cfg.backends[i];
        state_->endpoints.push_back(endpoint_for(b.host, b.port, "backends." + b.id + ".host"));
    }
    if (cfg.tls.enabled()) {
        try {
            std::vector<net::tls_certificate> certs;
            if (!cfg.tls.cert_file.empty())
                certs.push_back({cfg.tls.cert_file, cfg.tls.key_file});
            for (const auto& c : cfg.tls.certificates)
                certs.push_back({c.cert_file, c.key_file});
            tls_ = std::make_unique<net::sni_tls_contexts>(certs);
        } catch (const std::exception& e) {
            startup_error err(std::string("tls: ") + e.what());
            err.exit_code = 2;
            throw err;
        }
    }
    unsigned threads = cfg.threads;
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    state_->workers = threads;
    for (unsigned i = 0; i < threads; ++i)
        workers_.push_back(
            std::make_unique<proxy_worker>(*state_, i, tls_ ? &tls_->primary() : nullptr));

    const bool reuse = threads > 1;
    auto listen_all = [&](int port, bool tls, const char* key) -> unsigned short {
        auto at = endpoint_for(cfg.bind, port, "bind");
        try {
            const unsigned short got = workers_[0]->listen(at, tls, reuse);
            at.port(got);
            for (unsigned i = 1; i < threads; ++i)
                workers_[i]->listen(at, tls, reuse);
            return got;
        } catch (const boost::system::system_error& e) {
            throw startup_error(std::string(key) + ": cannot listen on " + cfg.bind + ":" +
                                std::to_string(port) + ": " + e.code().message());
        }
    };
    const bool main_is_tls = cfg.tls.enabled() && !cfg.tls.port;
    if (cfg.port)
        port_ = listen_all(*cfg.port, main_is_tls, "port");
    if (cfg.tls.enabled() && cfg.tls.port)
        tls_port_ = listen_all(*cfg.tls.port, true, "tls.port");
    if (!cfg.port)
        port_ = tls_port_;

    auto ex = workers_[0]->context().get_executor();
    if (cfg.admin_port) {
        try {
            admin_ = std::make_unique<admin_server>(
                ex, *state_, endpoint_for(cfg.admin_bind, *cfg.admin_port, "admin.bind"));
        } catch (const boost::system::system_error& e) {
            throw startup_error("admin.port: cannot listen on " + cfg.admin_bind + ":" +
                                std::to_string(*cfg.admin_port) + ": " + e.code().message());
        }
        admin_port_ = admin_->port();
    }
    prober_ = std::make_unique<health_prober>(ex, *state_);
    state_->pool.set_wake_prober([p = prober_.get()](std::size_t i) { p->wake(i); });
    state_->pool.set_transition_sink(
        [name = cfg.name](const std::string& id, const policy::health_transition& t) {
            std::fprintf(stderr, "%s: backend %s %s -> %s (%s)\n", name.c_str(), id.c_str(),
                         std::string(policy::to_string(t.from)).c_str(),
                         std::string(policy::to_string(t.to)).c_str(),
                         std::string(policy::to_string(t.reason)).c_str());
        });
}

balancer_server::~balancer_server() {
    stop_all();
    for (auto& w : workers_)
        w->join();
}

void balancer_server::stop_all() {
    if (prober_)
        prober_->stop();
    if (admin_)
        admin_->stop();
    for (auto& w : workers_)
        w->stop();
}

void balancer_server::begin_drain() {
    if (state_->draining.exchange(true))
        return;
    std::fprintf(stderr, "%s: SIGTERM, draining (up to %lld ms)\n", state_->config.name.c_str(),
                 static_cast<long long>(state_->config.limits.drain_timeout.count()));
    for (auto& w : workers_)
        w->stop_accepting();
    auto& ioc = workers_[0]->context();
    asio::co_spawn(
        ioc,
        [this, &ioc]() -> asio::awaitable<void> {
            const auto deadline =
                std::chrono::steady_clock::now() + state_->config.limits.drain_timeout;
            asio::steady_timer timer(ioc);
            while (state_->totals.connections_active.load() > 0 &&
                   std::chrono::steady_clock::now() < deadline) {
                timer.expires_after(drain_poll);
                boost::system::error_code ec;
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
            stop_all();
        },
        asio::detached);
}

int balancer_server::run() {
    ::signal(SIGPIPE, SIG_IGN);
    auto& ioc = workers_[0]->context();
    asio::signal_set signals(ioc, SIGTERM, SIGINT);
    std::function<void()> arm;
    arm = [&] {
        signals.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (ec)
                return;
            if (sig == SIGINT) {
                stop_all();
                return;
            }
            begin_drain();
            arm();
        });
    };
    arm();
    prober_->start();
    if (admin_)
        admin_->start();
    for (auto& w : workers_)
        w->start();
    if (tls_port_ && tls_port_ != port_)
        std::printf("LISTEN tls_port=%u\n", static_cast<unsigned>(tls_port_));
    net::print_ready_line(state_->config.name, port_, admin_port_);
    workers_[0]->run();
    for (auto& w : workers_)
        w->stop();
    for (auto& w : workers_)
        w->join();
    return 0;
}

}  // namespace switchyard::balancer
