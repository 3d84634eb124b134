#include "engine/faults/fault_proxy.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <deque>
#include <future>
#include <set>
#include <thread>
#include <utility>

namespace switchyard::faults {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

/// The stronger of two connection actions (reset > close_after > no_upstream > hold > proceed);
/// among equals the sooner one.
connection_action stronger(connection_action a, connection_action b) {
    if (a.kind != b.kind) {
        return a.kind > b.kind ? a : b;
    }
    return a.after <= b.after ? a : b;
}

}  // namespace

struct toxic_entry {
    std::string key;
    std::unique_ptr<toxic> t;
};

/// Shared state of one proxy, used only on its thread except the atomics.
struct fault_proxy::impl : std::enable_shared_from_this<fault_proxy::impl> {
    struct counters_t {
        std::atomic<std::uint64_t> accepted{0}, active{0}, upstream_failures{0}, bytes_upstream{0},
            bytes_downstream{0}, bytes_dropped{0}, resets{0}, closes{0};
    };

    class connection;

    explicit impl(fault_proxy_options o) : options(std::move(o)), acceptor(io), rng(options.seed) {}

    fault_proxy_options options;
    asio::io_context io;
    tcp::acceptor acceptor;
    std::thread thread;
    fast_rng rng;
    std::vector<toxic_entry> toxics;
    std::set<std::shared_ptr<connection>> connections;
    std::uint16_t bound_port = 0;
    counters_t counters;

    void do_accept();
    void on_toxics_changed(toxic* added);

    /// Runs `f` on the proxy thread and waits for it.
    template <class F>
    auto run_sync(F f) -> decltype(f()) {
        if (thread.get_id() == std::this_thread::get_id()) {
            return f();
        }
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto fut = task.get_future();
        asio::post(io, [&task] { task(); });
        return fut.get();
    }
};

/// One proxied connection: the accepted socket, the upstream socket and, per direction, a queue
/// of chunks with the time each may leave.
class fault_proxy::impl::connection : public std::enable_shared_from_this<connection> {
  public:
    connection(std::shared_ptr<impl> owner, tcp::socket client)
        : owner_(std::move(owner)),
          client_(std::move(client)),
          upstream_(owner_->io),
          dirs_{direction_state(owner_->io), direction_state(owner_->io)},
          conn_timer_(owner_->io) {}

    void start() {
        connection_action action;
        for (auto& e : owner_->toxics) {
            action = stronger(action, e.t->on_connection(false, now(), owner_->rng));
        }
        apply(action, false);
        if (closed_) {
            return;
        }
        read(stream_dir::upstream);
    }

    /// Toxics changed: re-ask about the connection and retry stalled data.
    void on_toxics_changed(toxic* added) {
        if (closed_) {
            return;
        }
        if (added != nullptr && upstream_state_ != up_state::held) {
            apply(added->on_connection(true, now(), owner_->rng), true);
        }
        if (closed_) {
            return;
        }
        if (upstream_state_ == up_state::held) {
            connection_action action;
            for (auto& e : owner_->toxics) {
                action = stronger(action, e.t->on_connection(false, now(), owner_->rng));
            }
            apply(action, false);
        }
        for (auto d : {stream_dir::upstream, stream_dir::downstream}) {
            auto& st = dir(d);
            auto stalled = std::move(st.stalled);
            st.stalled.clear();
            for (auto& chunk : stalled) {
                st.queued_bytes -= chunk.data.size();  // route() counts it again
                route(d, std::move(chunk.data));
            }
            pump(d);
            read(d);
        }
    }

    /// Closes both sides; `abort` sends RST.
    void close(bool abort) {
        if (closed_) {
            return;
        }
        closed_ = true;
        error_code ec;
        for (auto* s : {&client_, &upstream_}) {
            if (s->is_open()) {
                if (abort) {
                    s->set_option(asio::socket_base::linger(true, 0), ec);
                }
                s->close(ec);
            }
        }
        for (auto& st : dirs_) {
            st.timer.cancel();
        }
        conn_timer_.cancel();
        owner_->counters.active--;
        owner_->connections.erase(shared_from_this());
    }

  private:
    enum class up_state : std::uint8_t { connecting, connected, held, none };

    struct chunk {
        std::vector<char> data;
        mono_time at{};
    };

    struct direction_state {
        explicit direction_state(asio::io_context& io) : timer(io) {}
        std::vector<char> buffer;
        std::deque<chunk> queue;    ///< scheduled, in order
        std::deque<chunk> stalled;  ///< waiting for the toxics to change
        std::size_t queued_bytes = 0;
        mono_time last_at{};
        link_state link;
        bool reading = false;
        bool writing = false;
        bool eof = false;      ///< the source side has closed
        bool shut = false;     ///< the close was passed on
        bool closing = false;  ///< the slow-close wait is running
        asio::steady_timer timer;
    };

    static mono_time now() { return std::chrono::steady_clock::now(); }
    direction_state& dir(stream_dir d) { return dirs_[d == stream_dir::upstream ? 0 : 1]; }
    tcp::socket& source(stream_dir d) { return d == stream_dir::upstream ? client_ : upstream_; }
    tcp::socket& sink(stream_dir d) { return d == stream_dir::upstream ? upstream_ : client_; }

    void apply(connection_action action, bool live) {
        switch (action.kind) {
            case connection_action::proceed:
                if (!live && upstream_state_ != up_state::connected &&
                    upstream_state_ != up_state::connecting) {
                    connect_upstream();
                }
                break;
            case connection_action::hold:
                upstream_state_ = up_state::held;
                break;
            case connection_action::no_upstream:
                upstream_state_ = up_state::none;
                break;
            case connection_action::close_after:
            case connection_action::reset: {
                const bool abort = action.kind == connection_action::reset;
                if (!live && upstream_state_ != up_state::connected) {
                    connect_upstream();
                }
                if (action.after.count() == 0) {
                    (abort ? owner_->counters.resets : owner_->counters.closes)++;
                    close(abort);
                    return;
                }
                conn_timer_.expires_after(action.after);
                conn_timer_.async_wait([self = shared_from_this(), abort](error_code ec) {
                    if (!ec && !self->closed_) {
                        (abort ? self->owner_->counters.resets : self->owner_->counters.closes)++;
                        self->close(abort);
                    }
                });
                break;
            }
        }
    }

    void connect_upstream() {
        upstream_state_ = up_state::connecting;
        error_code ec;
        const auto address = asio::ip::make_address(owner_->options.upstream_host, ec);
        if (ec) {
            // Names are resolved synchronously: proxies point at loopback addresses in practice.
            tcp::resolver resolver(owner_->io);
            auto results = resolver.resolve(owner_->options.upstream_host,
                                            std::to_string(owner_->options.upstream_port), ec);
            if (ec || results.empty()) {
                owner_->counters.upstream_failures++;
                close(false);
                return;
            }
            do_connect(results.begin()->endpoint());
            return;
        }
        do_connect(tcp::endpoint(address, owner_->options.upstream_port));
    }

    void do_connect(tcp::endpoint ep) {
        upstream_.async_connect(ep, [self = shared_from_this()](error_code ec) {
            if (self->closed_) {
                return;
            }
            if (ec) {
                self->owner_->counters.upstream_failures++;
                self->close(false);
                return;
            }
            error_code ignored;
            self->upstream_.set_option(tcp::no_delay(true), ignored);
            self->upstream_state_ = up_state::connected;
            self->read(stream_dir::downstream);
            self->pump(stream_dir::upstream);
        });
    }

    bool sink_ready(stream_dir d) const {
        return d == stream_dir::downstream || upstream_state_ == up_state::connected;
    }

    void read(stream_dir d) {
        auto& st = dir(d);
        if (closed_ || st.reading || st.eof || st.queued_bytes >= owner_->options.queue_bytes_max) {
            return;
        }
        if (d == stream_dir::downstream && upstream_state_ != up_state::connected) {
            return;
        }
        st.reading = true;
        st.buffer.resize(owner_->options.read_chunk_bytes);
        source(d).async_read_some(
            asio::buffer(st.buffer), [self = shared_from_this(), d](error_code ec, std::size_t n) {
                auto& st = self->dir(d);
                st.reading = false;
                if (self->closed_) {
                    return;
                }
                if (ec) {
                    if (ec == asio::error::eof) {
                        st.eof = true;
                        self->maybe_pass_close(d);
                    } else {
                        self->close(true);  // reset or error: pass the abort on
                    }
                    return;
                }
                self->route(d, std::vector<char>(st.buffer.begin(), st.buffer.begin() + n));
                self->pump(d);
                self->read(d);
            });
    }

    /// Runs one chunk through the toxics and queues, stalls or drops it.
    void route(stream_dir d, std::vector<char> data) {
        auto& st = dir(d);
        if (upstream_state_ == up_state::none) {
            owner_->counters.bytes_dropped += data.size();
            return;
        }
        if (!st.stalled.empty()) {  // keep order behind stalled data
            st.queued_bytes += data.size();
            st.stalled.push_back({std::move(data), {}});
            return;
        }
        mono_time at = now();
        for (auto& e : owner_->toxics) {
            if (!applies(e.t->direction(), d)) {
                continue;
            }
            const chunk_action a = e.t->on_chunk(d, data.size(), at, st.link, owner_->rng);
            if (a.kind == chunk_action::drop) {
                owner_->counters.bytes_dropped += data.size();
                return;
            }
            if (a.kind == chunk_action::stall) {
                st.queued_bytes += data.size();
                st.stalled.push_back({std::move(data), {}});
                return;
            }
            at = std::max(at, a.at);
        }
        at = std::max(at, st.last_at);  // never overtake an earlier chunk
        st.last_at = at;
        st.queued_bytes += data.size();
        st.queue.push_back({std::move(data), at});
    }

    /// Writes the head of the queue when it is due.
    void pump(stream_dir d) {
        auto& st = dir(d);
        if (closed_ || st.writing || !sink_ready(d)) {
            return;
        }
        if (st.queue.empty()) {
            maybe_pass_close(d);
            return;
        }
        const mono_time due = st.queue.front().at;
        if (due > now()) {
            st.writing = true;
            st.timer.expires_at(due);
            st.timer.async_wait([self = shared_from_this(), d](error_code ec) {
                self->dir(d).writing = false;
                if (!ec) {
                    self->pump(d);
                }
            });
            return;
        }
        st.writing = true;
        asio::async_write(sink(d), asio::buffer(st.queue.front().data),
                          [self = shared_from_this(), d](error_code ec, std::size_t n) {
                              auto& st = self->dir(d);
                              st.writing = false;
                              if (self->closed_) {
                                  return;
                              }
                              if (ec) {
                                  self->close(true);
                                  return;
                              }
                              (d == stream_dir::upstream
                                   ? self->owner_->counters.bytes_upstream
                                   : self->owner_->counters.bytes_downstream) += n;
                              st.queued_bytes -= st.queue.front().data.size();
                              st.queue.pop_front();
                              self->read(d);
                              self->pump(d);
                          });
    }

    /// Once a side has closed and everything it sent was delivered, passes the close on (after
    /// any slow_close delay); closes the connection when both directions are done.
    void maybe_pass_close(stream_dir d) {
        auto& st = dir(d);
        if (!st.eof || st.shut || st.closing || !st.queue.empty() || !st.stalled.empty() ||
            st.writing) {
            return;
        }
        if (!sink_ready(d)) {
            if (upstream_state_ == up_state::none || upstream_state_ == up_state::held) {
                close(false);
            }
            return;
        }
        millis delay{0};
        for (auto& e : owner_->toxics) {
            delay = std::max(delay, e.t->on_close(d, owner_->rng));
        }
        auto finish = [self = shared_from_this(), d] {
            auto& st = self->dir(d);
            st.closing = false;
            st.shut = true;
            error_code ignored;
            self->sink(d).shutdown(tcp::socket::shutdown_send, ignored);
            if (self->dirs_[0].shut && self->dirs_[1].shut) {
                self->close(false);
            }
        };
        if (delay.count() == 0) {
            finish();
            return;
        }
        st.closing = true;
        st.writing = true;  // the timer stands in for a write so pump waits
        st.timer.expires_after(delay);
        st.timer.async_wait([self = shared_from_this(), d, finish](error_code ec) {
            self->dir(d).writing = false;
            if (!ec && !self->closed_) {
                finish();
            }
        });
    }

    std::shared_ptr<impl> owner_;
    tcp::socket client_;
    tcp::socket upstream_;
    std::array<direction_state, 2> dirs_;
    asio::steady_timer conn_timer_;
    up_state upstream_state_ = up_state::held;
    bool closed_ = false;
};

void fault_proxy::impl::do_accept() {
    acceptor.async_accept([self = shared_from_this()](error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) {
            return;
        }
        if (!ec) {
            error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            self->counters.accepted++;
            self->counters.active++;
            auto conn = std::make_shared<connection>(self, std::move(socket));
            self->connections.insert(conn);
            conn->start();
        }
        self->do_accept();
    });
}

void fault_proxy::impl::on_toxics_changed(toxic* added) {
    auto copy = connections;  // a connection may close (and erase itself) while iterating
    for (const auto& c : copy) {
        c->on_toxics_changed(added);
    }
}

fault_proxy::fault_proxy(fault_proxy_options options)
    : impl_(std::make_shared<impl>(std::move(options))) {
    const tcp::endpoint ep(asio::ip::make_address(impl_->options.listen_host),
                           impl_->options.listen_port);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    impl_->bound_port = impl_->acceptor.local_endpoint().port();
    impl_->do_accept();
    impl_->thread = std::thread([state = impl_] { state->io.run(); });
}

fault_proxy::~fault_proxy() {
    impl_->run_sync([state = impl_] {
        error_code ignored;
        state->acceptor.close(ignored);
        auto copy = state->connections;
        for (const auto& c : copy) {
            c->close(false);
        }
        state->toxics.clear();
        return 0;
    });
    impl_->io.stop();
    impl_->thread.join();
    // Handlers still queued hold the impl; drop them so the cycle (impl -> connection -> impl)
    // cannot keep sockets alive.
    impl_->io.restart();
    impl_->io.poll();
}

std::uint16_t fault_proxy::port() const noexcept {
    return impl_->bound_port;
}
const std::string& fault_proxy::name() const noexcept {
    return impl_->options.name;
}

void fault_proxy::set_upstream(std::string host, std::uint16_t port) {
    impl_->run_sync([state = impl_, &host, port] {
        state->options.upstream_host = std::move(host);
        state->options.upstream_port = port;
        return 0;
    });
}

void fault_proxy::add_toxic(std::string key, std::unique_ptr<toxic> t) {
    impl_->run_sync([state = impl_, &key, &t] {
        toxic* added = t.get();
        bool replaced = false;
        for (auto& e : state->toxics) {
            if (e.key == key) {
                e.t = std::move(t);
                replaced = true;
            }
        }
        if (!replaced) {
            state->toxics.push_back({std::move(key), std::move(t)});
        }
        state->on_toxics_changed(added);
        return 0;
    });
}

bool fault_proxy::remove_toxic(std::string_view key) {
    return impl_->run_sync([state = impl_, key] {
        const auto before = state->toxics.size();
        std::erase_if(state->toxics, [key](const toxic_entry& e) { return e.key == key; });
        const bool removed = state->toxics.size() != before;
        if (removed) {
            state->on_toxics_changed(nullptr);
        }
        return removed;
    });
}

void fault_proxy::clear_toxics() {
    impl_->run_sync([state = impl_] {
        state->toxics.clear();
        state->on_toxics_changed(nullptr);
        return 0;
    });
}

std::vector<std::string> fault_proxy::toxic_keys() const {
    return impl_->run_sync([state = impl_] {
        std::vector<std::string> keys;
        for (const auto& e : state->toxics) {
            keys.push_back(e.key);
        }
        return keys;
    });
}

fault_proxy_counters fault_proxy::counters() const {
    const auto& c = impl_->counters;
    return {c.accepted.load(),
            c.active.load(),
            c.upstream_failures.load(),
            c.bytes_upstream.load(),
            c.bytes_downstream.load(),
            c.bytes_dropped.load(),
            c.resets.load(),
            c.closes.load()};
}

}  // namespace switchyard::faults
