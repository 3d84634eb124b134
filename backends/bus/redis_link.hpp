#pragma once
// One hiredis async connection bound into Asio, reconnecting with backoff. The redis bus holds
// two: one for commands and one for subscriptions (a subscribed connection takes no commands).
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "backends/bus/link_watchdog.hpp"

struct redisAsyncContext;
struct redisReply;

namespace switchyard::bus {

/// A Redis connection driven by the executor's reactor. Not thread-safe: use on its executor.
/// `on_up` runs after each (re)connect, `on_down` once per lost connection; while down it
/// retries after `reconnect_min`, doubling up to `reconnect_max`. A link_watchdog PINGs it when
/// idle and closes it (on_timeout, then on_down, then reconnect) when a reply is overdue, so a
/// blackholed link is noticed instead of staying "connected" forever.
class redis_link {
  public:
    /// Reply callback: `reply` is null when the connection dropped before the answer.
    using reply_fn = std::function<void(redisReply* reply)>;

    redis_link(boost::asio::any_io_executor executor, std::string host, int port,
               std::chrono::milliseconds reconnect_min, std::chrono::milliseconds reconnect_max,
               link_watchdog_options watchdog = {});
    ~redis_link();
    redis_link(const redis_link&) = delete;
    redis_link& operator=(const redis_link&) = delete;

    std::function<void()> on_up;
    std::function<void()> on_down;
    /// The watchdog gave up on the link (no reply within the deadline); on_down follows.
    std::function<void()> on_timeout;

    void start();
    /// Disconnects for good; pending replies get null.
    void stop();
    bool connected() const noexcept { return connected_; }
    /// Closes the connection as if it had failed (on_down, then reconnect with on_up): a link
    /// that moves bytes but not messages heals by connecting and subscribing again.
    void reset();
    /// Sends a command. False (and `done` not called) when not connected. For SUBSCRIBE and
    /// PSUBSCRIBE, `done` runs for every message of the subscription.
    bool command(const std::vector<std::string>& args, reply_fn done);

  private:
    struct watch;
    void connect();
    void schedule_retry();
    static void on_connect(const redisAsyncContext* ctx, int status);
    static void on_disconnect(const redisAsyncContext* ctx, int status);
    static void on_reply(redisAsyncContext* ctx, void* reply, void* privdata);
    void lost();
    void on_received();
    void arm_watchdog();
    void arm_watchdog(std::chrono::steady_clock::time_point at);
    void on_watchdog();
    void send_ping();
    void drop_silent();
    void drop();

    boost::asio::any_io_executor executor_;
    std::string host_;
    int port_;
    std::chrono::milliseconds reconnect_min_, reconnect_max_, backoff_;
    boost::asio::steady_timer retry_;
    link_watchdog watchdog_;
    boost::asio::steady_timer watchdog_timer_;
    redisAsyncContext* ctx_ = nullptr;
    std::shared_ptr<watch> watch_;
    bool connected_ = false;
    bool stopped_ = false;
    bool ever_connected_ = false;
};

}  // namespace switchyard::bus
