#include "engine/fleet/fleet_runner.hpp"

#include <boost/asio.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include "engine/fleet/fleet_client.hpp"

namespace switchyard::fleet {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// One thread: its io_context (inside the context), its copy of every fleet, its clients.
/// Member order matters: clients (timers) go before the io_context they were made on.
struct worker {
    worker(client_observer& observer, std::chrono::steady_clock::time_point epoch,
           std::uint64_t seed)
        : ctx(observer, epoch, seed) {}

    worker_context ctx;
    std::vector<std::unique_ptr<fleet_slot>> fleets;
    std::vector<std::unique_ptr<fleet_client>> clients;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    std::thread thread;
    std::promise<void> finished;

    fleet_client* find(std::uint32_t index) {
        for (auto& c : clients) {
            if (c->index() == index) {
                return c.get();
            }
        }
        return nullptr;
    }
};

}  // namespace

struct fleet_runner::impl {
    impl(std::vector<fleet_config> f, client_observer& obs, fleet_runner_options o)
        : configs(std::move(f)), observer(obs), options(o) {}

    std::vector<fleet_config> configs;  ///< the controlling thread's view
    client_observer& observer;
    fleet_runner_options options;
    std::vector<std::unique_ptr<fleet_shared_counters>> counters;
    std::vector<std::unique_ptr<worker>> workers;
    /// Per fleet: indices of its live clients in creation order (set_count trims the tail).
    std::vector<std::vector<std::uint32_t>> members;
    std::uint32_t next_index = 0;
    bool started = false;
    bool stopped = false;

    std::size_t fleet_of(std::string_view name) const {
        for (std::size_t i = 0; i < configs.size(); ++i) {
            if (configs[i].name == name) {
                return i;
            }
        }
        return configs.size();
    }

    worker& worker_for(std::uint32_t index) { return *workers[index % workers.size()]; }

    /// Creates client `index` of fleet `f` on its worker (on the worker's thread once running).
    void add_client(std::size_t f, std::uint32_t index, micros delay) {
        worker& w = worker_for(index);
        members[f].push_back(index);
        auto make = [&w, f, index, delay] {
            w.clients.push_back(std::make_unique<fleet_client>(w.ctx, *w.fleets[f], index));
            w.clients.back()->start(delay);
        };
        asio::post(w.ctx.io, make);
    }
};

fleet_runner::fleet_runner(std::vector<fleet_config> fleets, client_observer& observer,
                           fleet_runner_options options)
    : impl_(std::make_unique<impl>(std::move(fleets), observer, options)) {
    auto& s = *impl_;
    if (s.options.threads == 0) {
        throw std::invalid_argument("fleet runner: threads must be at least 1");
    }
    std::vector<target_address> targets;
    std::vector<std::vector<tcp::endpoint>> endpoints;
    asio::io_context resolve_io;
    tcp::resolver resolver(resolve_io);
    for (std::size_t i = 0; i < s.configs.size(); ++i) {
        const auto& cfg = s.configs[i];
        for (std::size_t j = 0; j < i; ++j) {
            if (s.configs[j].name == cfg.name) {
                throw std::invalid_argument("fleet '" + cfg.name + "': name used twice");
            }
        }
        if (auto problem = validate(cfg); !problem.empty()) {
            throw std::invalid_argument("fleet '" + cfg.name + "': " + problem);
        }
        std::string error;
        auto target = parse_target(cfg.target_url, &error);
        if (!target) {
            throw std::invalid_argument("fleet '" + cfg.name + "': target_url: " + error);
        }
        boost::system::error_code ec;
        auto results = resolver.resolve(target->host, std::to_string(target->port), ec);
        if (ec || results.empty()) {
            throw std::runtime_error("fleet '" + cfg.name + "': cannot resolve '" + target->host +
                                     "': " + ec.message());
        }
        std::vector<tcp::endpoint> eps;
        for (const auto& r : results) {
            eps.push_back(r.endpoint());
        }
        targets.push_back(std::move(*target));
        endpoints.push_back(std::move(eps));
        s.counters.push_back(std::make_unique<fleet_shared_counters>());
        s.members.emplace_back();
    }
    policy::fast_rng seeds(s.options.seed);
    for (unsigned t = 0; t < s.options.threads; ++t) {
        auto w = std::make_unique<worker>(observer, s.options.epoch, seeds());
        for (std::size_t i = 0; i < s.configs.size(); ++i) {
            auto slot = std::make_unique<fleet_slot>();
            slot->config = s.configs[i];
            slot->target = targets[i];
            slot->endpoints = endpoints[i];
            slot->counters = s.counters[i].get();
            slot->index = i;
            w->fleets.push_back(std::move(slot));
        }
        s.workers.push_back(std::move(w));
    }
}

fleet_runner::~fleet_runner() {
    stop();
}

void fleet_runner::start() {
    auto& s = *impl_;
    if (s.started) {
        return;
    }
    s.started = true;
    for (std::size_t f = 0; f < s.configs.size(); ++f) {
        const auto& cfg = s.configs[f];
        s.counters[f]->clients_target = cfg.count;
        const auto ramp = std::chrono::duration_cast<micros>(cfg.connect_ramp_ms);
        for (std::uint32_t i = 0; i < cfg.count; ++i) {
            const micros delay{cfg.count == 0 ? 0 : ramp.count() * i / cfg.count};
            s.add_client(f, s.next_index++, delay);
        }
    }
    for (auto& w : s.workers) {
        w->guard.emplace(w->ctx.io.get_executor());
        w->thread = std::thread([raw = w.get()] {
            raw->ctx.io.run();
            raw->finished.set_value();
        });
    }
}

void fleet_runner::stop() {
    auto& s = *impl_;
    if (!s.started || s.stopped) {
        return;
    }
    s.stopped = true;
    for (auto& w : s.workers) {
        asio::post(w->ctx.io, [raw = w.get()] {
            for (auto& c : raw->clients) {
                c->stop();
            }
        });
        w->guard.reset();
    }
    // Graceful closes run until the budget is spent; whatever still waits is cut.
    const auto deadline = std::chrono::steady_clock::now() + s.options.stop_grace_ms;
    for (auto& w : s.workers) {
        auto done = w->finished.get_future();
        if (done.wait_until(deadline) != std::future_status::ready) {
            w->ctx.io.stop();
        }
        w->thread.join();
    }
    for (auto& w : s.workers) {
        w->clients.clear();
    }
    for (auto& c : s.counters) {
        c->clients_target = 0;
    }
}

bool fleet_runner::set_publish_rate(std::string_view fleet, double hz) {
    auto& s = *impl_;
    const std::size_t f = s.fleet_of(fleet);
    if (f == s.configs.size() || !(hz >= 0.0) || hz > fleet_limits::publish_rate_hz_max) {
        return false;
    }
    s.configs[f].publish_rate_hz = hz;
    for (auto& w : s.workers) {
        asio::post(w->ctx.io, [raw = w.get(), f, hz] {
            raw->fleets[f]->config.publish_rate_hz = hz;
            for (auto& c : raw->clients) {
                if (c->fleet_index() == f && !c->stopped()) {
                    c->on_rate_changed();
                }
            }
        });
    }
    return true;
}

void fleet_runner::pause_publishing() {
    for (const auto& cfg : impl_->configs) {
        set_publish_rate(cfg.name, 0.0);
    }
}

bool fleet_runner::set_count(std::string_view fleet, std::uint32_t count) {
    auto& s = *impl_;
    const std::size_t f = s.fleet_of(fleet);
    if (f == s.configs.size() || count > fleet_limits::count_max) {
        return false;
    }
    s.configs[f].count = count;
    s.counters[f]->clients_target = count;
    if (!s.started || s.stopped) {
        return true;
    }
    auto& members = s.members[f];
    while (members.size() < count) {
        s.add_client(f, s.next_index++, micros{0});
    }
    while (members.size() > count) {
        const std::uint32_t index = members.back();
        members.pop_back();
        worker& w = s.worker_for(index);
        asio::post(w.ctx.io, [raw = &w, index] {
            if (auto* c = raw->find(index)) {
                c->stop();
            }
        });
    }
    return true;
}

fleet_counters fleet_runner::counters(std::string_view fleet) const {
    const auto& s = *impl_;
    const std::size_t f = s.fleet_of(fleet);
    fleet_counters out;
    if (f == s.configs.size()) {
        return out;
    }
    const auto& c = *s.counters[f];
    out.clients_target = c.clients_target.load();
    out.connected = c.connected.load();
    const auto alive = c.alive.load();
    out.connecting = alive > out.connected ? alive - out.connected : 0;
    out.connects = c.connects.load();
    out.reconnects = c.reconnects.load();
    out.connect_failures = c.connect_failures.load();
    out.disconnects = c.disconnects.load();
    out.publishes = c.publishes.load();
    out.acks = c.acks.load();
    out.publish_errors = c.publish_errors.load();
    out.deliveries = c.deliveries.load();
    out.replayed = c.replayed.load();
    out.resume_gaps = c.resume_gaps.load();
    out.bytes_in = c.bytes_in.load();
    out.bytes_out = c.bytes_out.load();
    return out;
}

fleet_counters fleet_runner::counters() const {
    fleet_counters total;
    for (const auto& cfg : impl_->configs) {
        const auto c = counters(cfg.name);
        total.clients_target += c.clients_target;
        total.connected += c.connected;
        total.connecting += c.connecting;
        total.connects += c.connects;
        total.reconnects += c.reconnects;
        total.connect_failures += c.connect_failures;
        total.disconnects += c.disconnects;
        total.publishes += c.publishes;
        total.acks += c.acks;
        total.publish_errors += c.publish_errors;
        total.deliveries += c.deliveries;
        total.replayed += c.replayed;
        total.resume_gaps += c.resume_gaps;
        total.bytes_in += c.bytes_in;
        total.bytes_out += c.bytes_out;
    }
    return total;
}

const std::vector<fleet_config>& fleet_runner::configs() const noexcept {
    return impl_->configs;
}

micros fleet_runner::now() const noexcept {
    return std::chrono::duration_cast<micros>(std::chrono::steady_clock::now() -
                                              impl_->options.epoch);
}

}  // namespace switchyard::fleet
