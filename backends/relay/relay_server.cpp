#include "backends/relay/relay_server.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "backends/net/metrics_writer.hpp"
#include "backends/net/ready_line.hpp"
#include "backends/relay/client_session.hpp"
#include "backends/relay/http_session.hpp"
#include "backends/relay/sockjs_session.hpp"

namespace switchyard::relay {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// After accept failed for want of file descriptors, accepting resumes after this pause: the
// condition lasts until connections close, and retrying at once spins a core on EMFILE.
constexpr std::chrono::milliseconds accept_pause{100};
// Connections refused from the backlog per EMFILE episode (each needs the reserve fd).
constexpr int shed_per_pause_max = 64;

// What a refused connection is told before it is closed (best effort, non-blocking).
constexpr std::string_view busy_response =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 18\r\n"
    "Connection: close\r\nRetry-After: 1\r\n\r\nrelay at capacity\n";

void refuse(int fd) {
    // Closing with unread request bytes would send RST, which can destroy the 503 before the
    // client reads it: take what has arrived first (bounded), then answer and close.
    char sink[4096];
    for (int i = 0; i < 16 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
    }
    [[maybe_unused]] auto n =
        ::send(fd, busy_response.data(), busy_response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
}

bool out_of_fds(const boost::system::error_code& ec) {
    return ec == asio::error::no_descriptors ||
           ec == boost::system::errc::too_many_files_open_in_system ||
           ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

}  // namespace

connection_slot::~connection_slot() {
    server_.release_connection(address_);
}

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

relay_server::relay_server(relay_config config)
    : config_(std::move(config)),
      limits_(config_.max_connections, config_.max_connections_per_address) {
    if (!config_.client_token_secret.empty())
        token_ = std::make_unique<client_token>(config_.client_token_secret);
    std::string origin_error;
    auto origins = origin_allow_list::parse(config_.allowed_origins, origin_error);
    if (!origins)
        throw std::invalid_argument("switchyard-relay: --allowed-origins: " + origin_error);
    origins_ = std::move(*origins);
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
    options.history_bytes_max = config_.history_bytes_max;
    options.registry_ttl = config_.registry_ttl;
    options.gap_hold_max = config_.bus_gap_hold_max;
    options.ping_idle = config_.bus_ping_idle;
    options.ping_deadline = config_.bus_ping_deadline;
    options.canary_interval = config_.bus_canary_interval;
    options.canary_deadline = config_.bus_canary_deadline;
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
    if (reserve_fd_ >= 0)
        ::close(reserve_fd_);
}

std::shared_ptr<connection_slot> relay_server::admit_connection(const std::string& address) {
    admission verdict;
    {
        std::lock_guard lock(limits_mu_);
        verdict = limits_.admit(address);
    }
    if (verdict == admission::accepted)
        return std::make_shared<connection_slot>(*this, address);
    if (verdict == admission::over_total)
        ++metrics_.connections_rejected;
    else
        ++metrics_.connections_rejected_per_address;
    return nullptr;
}

void relay_server::release_connection(const std::string& address) {
    {
        std::lock_guard lock(limits_mu_);
        limits_.release(address);
    }
    ++metrics_.connections_closed;
}

void relay_server::claim_client_id(const std::string& client_id, policy::subscriber_id sub,
                                   std::size_t shard_index) {
    std::optional<id_holder> replaced;
    {
        std::lock_guard lock(claims_mu_);
        replaced = claims_.claim(client_id, id_holder{sub, shard_index});
    }
    if (!replaced || replaced->shard >= shards_.size())
        return;
    // The old connection lives on its own shard: it is closed there, by its subscriber id (it
    // may have gone meanwhile).
    shard* home = shards_[replaced->shard].get();
    asio::post(home->ioc, [this, home, old = replaced->sub] {
        auto it = home->sessions.find(old);
        if (it == home->sessions.end())
            return;
        ++metrics_.client_id_replaced;
        it->second->shared_from_this()->close_with(4001, "replaced by a newer connection");
    });
}

void relay_server::release_client_id(const std::string& client_id, policy::subscriber_id sub) {
    std::lock_guard lock(claims_mu_);
    claims_.release(client_id, sub);
}

void relay_server::arm_trim() {
    if (config_.trim_interval.count() == 0)
        return;
    if (!trim_timer_)
        trim_timer_ = std::make_unique<asio::steady_timer>(main_shard().ioc);
    trim_timer_->expires_after(config_.trim_interval);
    trim_timer_->async_wait([this](boost::system::error_code ec) {
        if (ec)
            return;
        // Only after something was freed: a trim walks the heap, no use while memory is flat.
        const std::uint64_t released =
            metrics_.connections_closed.load() + bus_->counters().history_evicted_entries.load();
        if (released != released_at_last_trim_) {
            released_at_last_trim_ = released;
            ::malloc_trim(0);
            ++metrics_.heap_trims;
        }
        arm_trim();
    });
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
    if (bus_lost_)
        return;  // already given up on (deaf): stays so until the bus is confirmed again
    outage_timer_->expires_after(config_.bus_outage_tolerance);
    outage_timer_->async_wait([this](boost::system::error_code ec) {
        if (ec || bus_->counters().up)
            return;
        // Past the tolerance: send clients to a relay that has its bus, and say so in health.
        give_up_bus("bus lost");
    });
}

void relay_server::on_bus_deaf() {
    // No tolerance: the links look fine, so this is not a blip every relay shares (a Redis
    // restart) but this relay missing messages now. Its clients resume elsewhere.
    give_up_bus("bus deaf (delivery canary not heard)");
}

void relay_server::give_up_bus(const char* why) {
    bus_lost_ = true;
    std::cerr << "switchyard-relay " << config_.id << ": " << why << ", closing clients 1011"
              << std::endl;
    for (auto& s : shards_)
        asio::post(s->ioc, [s = s.get()] { s->close_all(1011, "bus unavailable"); });
    sockjs_->close_all(1011, "bus unavailable");
}

std::string relay_server::metrics_text() const {
    net::metrics_writer o({{"relay", config_.id}});
    // Every family here is one sample; `type` is gauge or counter.
    auto counter = [&](const char* name, const char* help, auto value, const char* type) {
        o.family(name, type, help);
        o.sample(name, {}, value);
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
    std::size_t open_connections = 0;
    {
        std::lock_guard lock(limits_mu_);
        open_connections = limits_.total();
    }
    counter("switchyard_relay_open_connections",
            "Open client TCP connections (what --max-connections counts).", open_connections,
            "gauge");
    counter("switchyard_relay_handshake_timeouts_total",
            "Connections closed for sending no complete first request within "
            "--handshake-timeout-ms.",
            m.handshake_timeouts.load(), "counter");
    counter("switchyard_relay_idle_timeouts_total",
            "Keep-alive connections without a session closed after --idle-timeout-ms.",
            m.idle_timeouts.load(), "counter");
    counter("switchyard_relay_connections_rejected_total",
            "Connections refused at accept (503) for --max-connections.",
            m.connections_rejected.load(), "counter");
    counter("switchyard_relay_connections_rejected_per_address_total",
            "Connections refused at accept (503) for --max-connections-per-address.",
            m.connections_rejected_per_address.load(), "counter");
    counter("switchyard_relay_accept_fd_exhausted_total",
            "Times accept failed for want of file descriptors (accepting paused).",
            m.accept_fd_exhausted.load(), "counter");
    counter("switchyard_relay_connections_shed_total",
            "Connections refused (503) with the reserve fd while out of file descriptors.",
            m.connections_shed.load(), "counter");
    counter("switchyard_relay_client_id_replaced_total",
            "Connections closed 4001 because a newer connection took their client id.",
            m.client_id_replaced.load(), "counter");
    counter("switchyard_relay_token_rejections_total",
            "Connections refused (401) for a missing or bad client token.",
            m.token_rejections.load(), "counter");
    counter("switchyard_relay_origin_rejections_total",
            "WebSocket upgrades refused (403) for an Origin that is neither the relay's own "
            "nor in --allowed-origins.",
            m.origin_rejections.load(), "counter");
    counter("switchyard_relay_channel_limit_rejections_total",
            "Subscriptions refused (too_many_channels) for --max-channels-per-client.",
            m.channel_limit_rejections.load(), "counter");
    counter("switchyard_relay_resume_beyond_latest_total",
            "Resumes past the channel's latest seq, taken as from now.",
            m.resume_beyond_latest.load(), "counter");
    counter("switchyard_relay_history_bytes", "Memory bus history bytes held (--history-bytes).",
            b.history_bytes.load(), "gauge");
    counter("switchyard_relay_history_evicted_entries_total",
            "History entries dropped to stay within --history-bytes.",
            b.history_evicted_entries.load(), "counter");
    counter("switchyard_relay_history_evicted_channels_total",
            "Channels whose whole history was dropped for --history-bytes (idle ones first).",
            b.history_evicted_channels.load(), "counter");
    counter("switchyard_relay_heap_trims_total",
            "Heap trims (malloc_trim) that returned freed memory to the system.",
            m.heap_trims.load(), "counter");
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
    counter("switchyard_relay_bus_ping_timeouts_total",
            "Redis links closed because a PING or command got no reply within "
            "--bus-ping-deadline-ms (a silent, e.g. blackholed, link).",
            b.ping_timeouts.load(), "counter");
    counter("switchyard_relay_bus_canary_sent_total",
            "Delivery canaries published through the bus.", b.canary_sent.load(), "counter");
    counter("switchyard_relay_bus_canary_heard_total",
            "Own delivery canaries heard back through the subscription.", b.canary_heard.load(),
            "counter");
    counter("switchyard_relay_bus_deaf_total",
            "Times a canary was not heard back within --bus-canary-deadline-ms (clients closed).",
            b.canary_deaf_episodes.load(), "counter");
    counter("switchyard_relay_bus_deaf", "1 while the relay does not hear its own canary.",
            b.deaf.load() ? 1 : 0, "gauge");
    counter("switchyard_relay_bus_canary_peers",
            "Other relays whose canary was heard within the deadline.", b.canary_peers.load(),
            "gauge");
    return o.take();
}

void relay_server::accept(tcp::acceptor& acceptor, bool admin) {
    acceptor.async_accept(main_shard().ioc, [this, &acceptor, admin](boost::system::error_code ec,
                                                                     tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open())
            return;
        if (out_of_fds(ec)) {
            ++metrics_.accept_fd_exhausted;
            shed_backlog(acceptor);
            auto& pause = admin ? admin_accept_pause_ : accept_pause_;
            if (!pause)
                pause = std::make_unique<asio::steady_timer>(main_shard().ioc);
            pause->expires_after(accept_pause);
            pause->async_wait([this, &acceptor, admin](boost::system::error_code wait_ec) {
                if (!wait_ec)
                    accept(acceptor, admin);
            });
            return;
        }
        if (!ec) {
            socket.set_option(tcp::no_delay(true), ec);
            if (admin) {
                // The operator's port: not counted against the client limits.
                std::make_shared<http_session>(*this, std::move(socket), true, nullptr)->run();
            } else {
                boost::system::error_code peer_ec;
                const auto peer = socket.remote_endpoint(peer_ec);
                auto slot = peer_ec ? nullptr : admit_connection(peer.address().to_string());
                if (slot)
                    std::make_shared<http_session>(*this, std::move(socket), false, std::move(slot))
                        ->run();
                else
                    refuse(socket.release(peer_ec));
            }
        }
        accept(acceptor, admin);
    });
}

void relay_server::shed_backlog(tcp::acceptor& acceptor) {
    for (int i = 0; i < shed_per_pause_max && reserve_fd_ >= 0; ++i) {
        ::close(reserve_fd_);
        reserve_fd_ = -1;
        const int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
            refuse(fd);
            ++metrics_.connections_shed;
        }
        reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            break;  // the backlog is empty (EAGAIN) or accept fails for another reason
    }
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
        if (trim_timer_)
            trim_timer_->cancel();
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
    // Accepting must never block: shed_backlog calls accept4 on the acceptor's fd itself.
    acceptor_->native_non_blocking(true);
    admin_acceptor_->native_non_blocking(true);
    reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    bus_->start(*this);
    arm_trim();
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
