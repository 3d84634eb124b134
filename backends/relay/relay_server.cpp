#include "backends/relay/relay_server.hpp"

#include <csignal>
#include <iostream>
#include <sstream>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "backends/net/ready_line.hpp"
#include "backends/relay/client_session.hpp"
#include "backends/relay/http_session.hpp"
#include "backends/relay/sockjs_session.hpp"

namespace switchyard::relay {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

void shard::on_message(const std::shared_ptr<const relay_message>& msg) {
    arrived.push_back(msg);
    want_round();
}

void shard::fan_out(const std::shared_ptr<const relay_message>& msg) {
    std::vector<policy::subscriber_id> overflowed;
    std::uint64_t delivered = 0;
    hub.on_message(
        msg->bus_message().channel, policy::hub_entry{msg->seq(), msg},
        [&](policy::subscriber_id sub) {
            auto it = sessions.find(sub);
            if (it != sessions.end()) {
                it->second->deliver(msg);
                ++delivered;
            }
        },
        [&](policy::subscriber_id sub) { overflowed.push_back(sub); });
    // One shared-counter update per message and shard, not one per client.
    if (delivered)
        metrics->deliveries.fetch_add(delivered, std::memory_order_relaxed);
    for (auto sub : overflowed) {
        auto it = sessions.find(sub);
        if (it != sessions.end())
            it->second->slow_consumer();
    }
}

void shard::want_flush(std::shared_ptr<client_session> s) {
    dirty.push_back(std::move(s));
    want_round();
}

void shard::want_round() {
    if (flush_pending || in_round)
        return;  // the round already scheduled (or running) takes it
    flush_pending = true;
    if (round_interval.count() > 0 && last_round_sessions >= round_min_sessions) {
        const auto due = last_flush + round_interval;
        if (due > std::chrono::steady_clock::now()) {
            // A round ran less than the interval ago: gather until the next one is due.
            flush_timer.expires_at(due);
            flush_timer.async_wait([this](boost::system::error_code) { run_flush(); });
            return;
        }
    }
    // End of this turn: whatever the rest of the turn brings (several bus messages read at
    // once, a replay, acks) joins the same round.
    asio::post(ioc, [this] { run_flush(); });
}

void shard::run_flush() {
    flush_pending = false;
    in_round = true;
    last_flush = std::chrono::steady_clock::now();
    // Swaps, so every vector keeps its capacity: no allocation per round.
    fanning.swap(arrived);
    for (const auto& msg : fanning)
        fan_out(msg);
    fanning.clear();
    flushing.swap(dirty);
    last_round_sessions = flushing.size();
    for (auto& s : flushing)
        s->flush_now();
    flushing.clear();
    in_round = false;
    if (!dirty.empty() || !arrived.empty())
        want_round();
}

void shard::on_direct(const bus::bus_direct& d) {
    std::vector<client_session*> targets;
    auto range = by_client.equal_range(d.to);
    for (auto it = range.first; it != range.second; ++it)
        targets.push_back(it->second);
    for (auto* s : targets)
        s->deliver_direct(d.from, d.data);
}

void shard::close_all(std::uint16_t code, const std::string& reason) {
    std::vector<std::shared_ptr<client_session>> all;
    for (auto& [id, s] : sessions)
        all.push_back(s->shared_from_this());
    for (auto& s : all)
        s->close_with(code, reason);
}

relay_server::relay_server(relay_config config) : config_(std::move(config)) {
    for (unsigned i = 0; i < config_.threads; ++i)
        shards_.push_back(std::make_unique<shard>(i, config_.send_queue_messages_max));
    for (auto& s : shards_) {
        s->metrics = &metrics_;
        s->round_interval = config_.coalesce;
        s->round_min_sessions = config_.coalesce_min_clients;
    }
    sockjs_ = std::make_unique<sockjs_registry>();
    bus::bus_options options;
    options.relay_id = config_.id;
    options.history_max = config_.history_max;
    options.registry_ttl = config_.registry_ttl;
    options.gap_hold_max = config_.bus_gap_hold_max;
    bus_ = bus::make_bus(config_.bus, options, main_shard().ioc.get_executor());
}

relay_server::~relay_server() {
    stopping_ = true;
    if (bus_)
        bus_->stop();
    // Sessions still referenced by queued handlers die with their io_context, after the hubs
    // they would update: stopping_ makes their teardown skip that bookkeeping.
    for (auto& s : shards_) {
        s->dirty.clear();
        s->flushing.clear();
        s->arrived.clear();
        s->fanning.clear();
    }
    sockjs_.reset();
}

shard& relay_server::next_shard() noexcept {
    return *shards_[rr_++ % shards_.size()];
}

void relay_server::with_bus(std::function<void(bus::bus&)> fn) {
    asio::dispatch(main_shard().ioc, [this, fn = std::move(fn)] { fn(*bus_); });
}

std::string relay_server::next_session_name() {
    static std::atomic<std::uint64_t> counter{0};
    std::ostringstream out;
    out << "s-" << std::hex << (static_cast<std::uint64_t>(::getpid()) << 20 | ++counter);
    return out.str();
}

void relay_server::on_bus_message(bus::message_ptr msg) {
    auto rm = std::make_shared<const relay_message>(std::move(msg));
    for (std::size_t i = 1; i < shards_.size(); ++i)
        asio::post(shards_[i]->ioc, [s = shards_[i].get(), rm] { s->on_message(rm); });
    main_shard().on_message(rm);
}

void relay_server::on_bus_direct(bus::bus_direct msg) {
    auto d = std::make_shared<const bus::bus_direct>(std::move(msg));
    for (std::size_t i = 1; i < shards_.size(); ++i)
        asio::post(shards_[i]->ioc, [s = shards_[i].get(), d] { s->on_direct(*d); });
    main_shard().on_direct(*d);
}

void relay_server::on_bus_state(bool up) {
    std::cerr << "switchyard-relay " << config_.id << ": bus " << (up ? "up" : "down") << std::endl;
    if (!outage_timer_)
        outage_timer_ = std::make_unique<asio::steady_timer>(main_shard().ioc);
    if (up) {
        outage_timer_->cancel();
        bus_lost_ = false;
        return;
    }
    outage_timer_->expires_after(config_.bus_outage_tolerance);
    outage_timer_->async_wait([this](boost::system::error_code ec) {
        if (ec || bus_->counters().up)
            return;
        // Past the tolerance: send clients to a relay that has its bus, and say so in health.
        bus_lost_ = true;
        std::cerr << "switchyard-relay " << config_.id << ": bus lost, closing clients 1011"
                  << std::endl;
        for (auto& s : shards_)
            asio::post(s->ioc, [s = s.get()] { s->close_all(1011, "bus unavailable"); });
        sockjs_->close_all(1011, "bus unavailable");
    });
}

std::string relay_server::metrics_text() const {
    std::ostringstream o;
    auto counter = [&](const char* name, const char* help, auto value, const char* type) {
        o << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
          << name << "{relay=\"" << config_.id << "\"} " << value << "\n";
    };
    const auto& m = metrics_;
    const auto& b = bus_->counters();
    counter("relay_connections", "Open client sessions.", m.connections.load(), "gauge");
    counter("relay_connections_total", "Client sessions opened.", m.connections_total.load(),
            "counter");
    counter("relay_sockjs_sessions", "Open SockJS HTTP sessions.", m.sockjs_sessions.load(),
            "gauge");
    counter("relay_frames_received_total", "Client messages received.", m.frames_received.load(),
            "counter");
    counter("relay_frames_rejected_total", "Client frames answered with an error.",
            m.frames_rejected.load(), "counter");
    counter("relay_publishes_total", "Publish requests.", m.publishes.load(), "counter");
    counter("relay_publish_errors_total", "Publishes refused because the bus was down.",
            m.publish_errors.load(), "counter");
    counter("relay_deliveries_total", "Channel messages queued to clients.", m.deliveries.load(),
            "counter");
    counter("relay_directs_delivered_total", "Targeted messages queued to clients.",
            m.directs_delivered.load(), "counter");
    counter("relay_slow_consumers_total", "Clients closed 1008 for a full send queue.",
            m.slow_consumers.load(), "counter");
    counter("relay_too_large_total", "Client frames over max_message_bytes.", m.too_large.load(),
            "counter");
    counter("relay_resumes_total", "Subscriptions with resume.", m.resumes.load(), "counter");
    counter("relay_resume_gaps_total", "Resumes the history could not fully serve.",
            m.resume_gaps.load(), "counter");
    counter("relay_replayed_total", "Messages replayed from history.", m.replayed.load(),
            "counter");
    counter("relay_replay_live_held_total",
            "Live messages that waited behind a client's paced resume replay.",
            m.replay_live_held.load(), "counter");
    counter("relay_draining", "1 while draining.", draining_.load() ? 1 : 0, "gauge");
    counter("relay_bus_up", "1 while the bus is connected.", b.up.load() ? 1 : 0, "gauge");
    counter("relay_bus_lost", "1 while the bus has been down past the tolerance.",
            bus_lost_.load() ? 1 : 0, "gauge");
    counter("relay_bus_outages_total", "Times the bus went down.", b.outages.load(), "counter");
    counter("relay_bus_reconnects_total", "Bus connections (re)established.", b.reconnects.load(),
            "counter");
    counter("relay_bus_published_total", "Messages published to the bus.", b.published.load(),
            "counter");
    counter("relay_bus_publish_failures_total", "Publishes the bus refused.",
            b.publish_failures.load(), "counter");
    counter("relay_bus_received_total", "Channel messages received from the bus.",
            b.received.load(), "counter");
    counter("relay_bus_directs_sent_total", "Targeted messages routed.", b.directs_sent.load(),
            "counter");
    counter("relay_bus_directs_received_total", "Targeted messages received.",
            b.directs_received.load(), "counter");
    counter("relay_bus_gap_refills_total", "Gaps in bus delivery refilled from history.",
            b.gap_refills.load(), "counter");
    counter("relay_bus_gap_hold_overflows_total",
            "Gap refills whose held messages passed --bus-gap-hold (dropped, refilled again).",
            b.gap_hold_overflows.load(), "counter");
    return o.str();
}

void relay_server::accept(tcp::acceptor& acceptor, bool admin) {
    acceptor.async_accept(main_shard().ioc, [this, &acceptor, admin](boost::system::error_code ec,
                                                                     tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open())
            return;
        if (!ec) {
            socket.set_option(tcp::no_delay(true), ec);
            std::make_shared<http_session>(*this, std::move(socket), admin)->run();
        }
        accept(acceptor, admin);
    });
}

void relay_server::begin_drain() {
    if (draining_.exchange(true))
        return;
    std::cerr << "switchyard-relay " << config_.id << ": draining" << std::endl;
    boost::system::error_code ec;
    acceptor_->close(ec);
    for (auto& s : shards_)
        asio::post(s->ioc, [s = s.get()] { s->close_all(1001, "going away"); });
    sockjs_->close_all(1001, "going away");
    drain_started_ = std::chrono::steady_clock::now();
    drain_timer_ = std::make_unique<asio::steady_timer>(main_shard().ioc);
    check_drained();
}

void relay_server::check_drained() {
    const bool empty = metrics_.connections.load() <= 0;
    if (empty || std::chrono::steady_clock::now() - drain_started_ >= config_.drain_grace) {
        boost::system::error_code ignored;
        if (admin_acceptor_)
            admin_acceptor_->close(ignored);
        if (outage_timer_)
            outage_timer_->cancel();
        bus_->stop();
        for (auto& s : shards_)
            s->ioc.stop();
        return;
    }
    drain_timer_->expires_after(std::chrono::milliseconds{20});
    drain_timer_->async_wait([this](boost::system::error_code ec) {
        if (!ec)
            check_drained();
    });
}

int relay_server::run() {
    auto& ioc = main_shard().ioc;
    try {
        const auto address = asio::ip::make_address(config_.bind);
        acceptor_ = std::make_unique<tcp::acceptor>(ioc);
        tcp::endpoint ep(address, config_.port);
        acceptor_->open(ep.protocol());
        acceptor_->set_option(tcp::acceptor::reuse_address(true));
        acceptor_->bind(ep);
        acceptor_->listen(asio::socket_base::max_listen_connections);
        admin_acceptor_ = std::make_unique<tcp::acceptor>(ioc);
        tcp::endpoint admin_ep(address, config_.admin_port);
        admin_acceptor_->open(admin_ep.protocol());
        admin_acceptor_->set_option(tcp::acceptor::reuse_address(true));
        admin_acceptor_->bind(admin_ep);
        admin_acceptor_->listen();
    } catch (const std::exception& e) {
        std::cerr << "switchyard-relay: cannot listen on " << config_.bind << ":" << config_.port
                  << " / admin " << config_.admin_port << ": " << e.what() << std::endl;
        return 3;
    }
    bus_->start(*this);
    accept(*acceptor_, false);
    accept(*admin_acceptor_, true);

    asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([this](boost::system::error_code ec, int) {
        if (!ec)
            begin_drain();
    });
    ::signal(SIGPIPE, SIG_IGN);

    net::print_ready_line(config_.id, acceptor_->local_endpoint().port(),
                          admin_acceptor_->local_endpoint().port());

    std::vector<std::thread> threads;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    for (std::size_t i = 1; i < shards_.size(); ++i) {
        guards.push_back(asio::make_work_guard(shards_[i]->ioc));
        threads.emplace_back([s = shards_[i].get()] { s->ioc.run(); });
    }
    ioc.run();
    for (auto& s : shards_)
        s->ioc.stop();
    for (auto& t : threads)
        t.join();
    stopping_ = true;
    return 0;
}

}  // namespace switchyard::relay
