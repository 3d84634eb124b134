#include "backends/bus/redis_link.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <sys/ioctl.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

namespace switchyard::bus {

namespace asio = boost::asio;

// The Asio side of one hiredis context. hiredis owns the fd; we only wait on it. Handlers hold
// a shared_ptr so a context freed inside hiredis (ctx set to null) never leaves them dangling.
struct redis_link::watch : std::enable_shared_from_this<redis_link::watch> {
    watch(asio::any_io_executor ex, int fd) : sd(ex, fd) {}
    redisAsyncContext* ctx = nullptr;
    redis_link* owner = nullptr;  // valid while ctx is (the link frees ctx before it goes)
    asio::posix::stream_descriptor sd;
    bool want_read = false, want_write = false, read_armed = false, write_armed = false;

    bool bytes_pending() {
        int n = 0;
        return ::ioctl(sd.native_handle(), FIONREAD, &n) == 0 && n > 0;
    }
    void arm_read() {
        if (!ctx || !want_read || read_armed)
            return;
        read_armed = true;
        sd.async_wait(asio::posix::stream_descriptor::wait_read,
                      [w = shared_from_this()](boost::system::error_code ec) {
                          w->read_armed = false;
                          if (ec)
                              return;
                          // Any byte is a sign of life for the watchdog, PONG or not.
                          if (w->ctx && w->owner && w->bytes_pending())
                              w->owner->on_received();
                          // Epoll is edge-triggered and hiredis reads at most 16 KiB a call:
                          // drain what is buffered, or the rest would wait for the next edge.
                          do {
                              if (!w->ctx || !w->want_read)
                                  return;
                              redisAsyncHandleRead(w->ctx);
                          } while (w->ctx && w->bytes_pending());
                          w->arm_read();
                      });
    }
    void arm_write() {
        if (!ctx || !want_write || write_armed)
            return;
        write_armed = true;
        sd.async_wait(asio::posix::stream_descriptor::wait_write,
                      [w = shared_from_this()](boost::system::error_code ec) {
                          w->write_armed = false;
                          if (ec || !w->ctx || !w->want_write)
                              return;
                          redisAsyncHandleWrite(w->ctx);
                          w->arm_write();
                      });
    }
    static watch* of(void* p) { return static_cast<watch*>(p); }
    static void add_read(void* p) {
        of(p)->want_read = true;
        of(p)->arm_read();
    }
    static void del_read(void* p) { of(p)->want_read = false; }
    static void add_write(void* p) {
        of(p)->want_write = true;
        of(p)->arm_write();
    }
    static void del_write(void* p) { of(p)->want_write = false; }
    static void cleanup(void* p) {
        watch* w = of(p);
        w->ctx = nullptr;
        w->want_read = w->want_write = false;
        w->sd.release();  // hiredis closes the fd; this cancels our waits
    }
};

redis_link::redis_link(asio::any_io_executor executor, std::string host, int port,
                       std::chrono::milliseconds reconnect_min,
                       std::chrono::milliseconds reconnect_max, link_watchdog_options watchdog)
    : executor_(std::move(executor)),
      host_(std::move(host)),
      port_(port),
      reconnect_min_(reconnect_min),
      reconnect_max_(reconnect_max),
      backoff_(reconnect_min),
      retry_(executor_),
      watchdog_(watchdog),
      watchdog_timer_(executor_) {}

redis_link::~redis_link() {
    stop();
}

void redis_link::start() {
    stopped_ = false;
    connect();
}

void redis_link::stop() {
    stopped_ = true;
    retry_.cancel();
    watchdog_timer_.cancel();
    if (ctx_) {
        redisAsyncContext* ctx = ctx_;
        ctx_ = nullptr;
        connected_ = false;
        ctx->data = nullptr;
        redisAsyncFree(ctx);  // pending callbacks get a null reply
    }
}

void redis_link::connect() {
    if (stopped_)
        return;
    redisAsyncContext* ctx = redisAsyncConnect(host_.c_str(), port_);
    if (!ctx || ctx->err) {
        if (ctx)
            redisAsyncFree(ctx);
        schedule_retry();
        return;
    }
    ctx->data = this;
    // Handlers hold the watch too, so replacing watch_ on reconnect never frees one in use.
    watch_ = std::make_shared<watch>(executor_, ctx->c.fd);
    watch_->ctx = ctx;
    watch_->owner = this;
    ctx->ev.data = watch_.get();
    ctx->ev.addRead = &watch::add_read;
    ctx->ev.delRead = &watch::del_read;
    ctx->ev.addWrite = &watch::add_write;
    ctx->ev.delWrite = &watch::del_write;
    ctx->ev.cleanup = &watch::cleanup;
    ctx_ = ctx;
    // Set after the event hooks: setting the connect callback arms the first write wait.
    redisAsyncSetConnectCallback(ctx, &redis_link::on_connect);
    redisAsyncSetDisconnectCallback(ctx, &redis_link::on_disconnect);
    // A connect into a blackhole may never complete: the handshake has the reply deadline too.
    watchdog_.on_connecting(std::chrono::steady_clock::now());
    arm_watchdog();
}

void redis_link::on_received() {
    watchdog_.on_received(std::chrono::steady_clock::now());
}

void redis_link::arm_watchdog() {
    arm_watchdog(watchdog_.next_wake());
}

void redis_link::arm_watchdog(std::chrono::steady_clock::time_point at) {
    watchdog_timer_.expires_at(at);
    watchdog_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec && !stopped_)
            on_watchdog();
    });
}

void redis_link::on_watchdog() {
    if (!ctx_)
        return;  // between attempts; connect() arms it again
    const link_decision d = watchdog_.poll(std::chrono::steady_clock::now());
    switch (d.verdict) {
        case link_verdict::lost:
            drop_silent();
            return;
        case link_verdict::ping:
            send_ping();
            break;
        case link_verdict::wait:
            break;
    }
    // The decision's wake, not next_wake(): after a PING it is one idle interval away, so an
    // answered PING is followed by the next one on time rather than at the reply deadline.
    arm_watchdog(d.wake_at);
}

void redis_link::send_ping() {
    if (!connected_)
        return;  // still connecting: the handshake is what is awaited
    if (ctx_->c.flags & REDIS_SUBSCRIBED) {
        // Subscribed (RESP2): the answer is the array ["pong", ""], which hiredis 0.14 would
        // file under a pattern named "" and never match to a command callback (one leaked
        // callback per PING). Written behind hiredis's back, the reply is parsed, matched to
        // no subscription and freed; the watchdog only needs the bytes.
        static constexpr char ping[] = "*1\r\n$4\r\nPING\r\n";
        if (redisAppendFormattedCommand(&ctx_->c, ping, sizeof ping - 1) == REDIS_OK &&
            ctx_->ev.addWrite)
            ctx_->ev.addWrite(ctx_->ev.data);
        return;
    }
    command({"PING"}, [](redisReply*) {});
}

void redis_link::drop_silent() {
    if (on_timeout)
        on_timeout();
    drop();
}

void redis_link::reset() {
    if (ctx_ && !stopped_)
        drop();
}

void redis_link::drop() {
    watchdog_timer_.cancel();
    redisAsyncContext* ctx = ctx_;
    ctx_ = nullptr;
    // redisAsyncDisconnect would wait for the pending replies, which never come: free at once
    // (pending callbacks get a null reply) and reconnect.
    ctx->data = nullptr;
    redisAsyncFree(ctx);
    lost();
}

void redis_link::schedule_retry() {
    if (stopped_)
        return;
    retry_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, reconnect_max_);
    retry_.async_wait([this](boost::system::error_code ec) {
        if (!ec)
            connect();
    });
}

void redis_link::on_connect(const redisAsyncContext* ctx, int status) {
    auto* self = static_cast<redis_link*>(ctx->data);
    if (!self)
        return;
    if (status != REDIS_OK) {
        // hiredis frees the context after this returns.
        self->ctx_ = nullptr;
        self->schedule_retry();
        return;
    }
    self->connected_ = true;
    self->ever_connected_ = true;
    self->backoff_ = self->reconnect_min_;
    self->on_received();
    // The timer still waits for the connect deadline; the first PING is due an idle interval
    // from now (a link blackholed right after connecting is found a second sooner).
    self->arm_watchdog();
    if (self->on_up)
        self->on_up();
}

void redis_link::on_disconnect(const redisAsyncContext* ctx, int /*status*/) {
    auto* self = static_cast<redis_link*>(ctx->data);
    if (!self)
        return;
    self->ctx_ = nullptr;
    self->watchdog_timer_.cancel();
    self->lost();
}

void redis_link::lost() {
    const bool was = connected_;
    connected_ = false;
    if (was && on_down)
        on_down();
    schedule_retry();
}

void redis_link::on_reply(redisAsyncContext* ctx, void* reply, void* privdata) {
    auto* fn = static_cast<reply_fn*>(privdata);
    if (!fn)
        return;
    (*fn)(static_cast<redisReply*>(reply));
    // Subscription callbacks stay registered until the context goes away; a null reply
    // (disconnect/free) or a one-shot command ends them.
    const bool subscribed = (ctx->c.flags & REDIS_SUBSCRIBED) && reply != nullptr;
    if (!subscribed)
        delete fn;
}

bool redis_link::command(const std::vector<std::string>& args, reply_fn done) {
    if (!ctx_ || !connected_)
        return false;
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    auto* fn = new reply_fn(std::move(done));
    if (redisAsyncCommandArgv(ctx_, &redis_link::on_reply, fn, static_cast<int>(argv.size()),
                              argv.data(), lens.data()) != REDIS_OK) {
        delete fn;
        return false;
    }
    watchdog_.on_sent(std::chrono::steady_clock::now());
    // Only ever earlier: a request sent after a long quiet spell may be due before the idle PING.
    if (watchdog_.next_wake() < watchdog_timer_.expiry())
        arm_watchdog();
    return true;
}

}  // namespace switchyard::bus
