#pragma once
// Keeps a Redis link honest: when to PING an idle link and when silence means it is dead. A link
// whose packets are dropped (no RST, no FIN) never reports an error by itself; only a reply that
// does not come tells. Pure: time comes in as `now`, decisions go out as values.
#include <chrono>
#include <optional>

namespace switchyard::bus {

/// Timing of the watchdog. Both are durations on the steady clock.
struct link_watchdog_options {
    /// No byte received for this long: send a PING so an idle link proves it is alive.
    std::chrono::milliseconds ping_idle{1'000};
    /// Something that wants an answer was sent (a command, a PING, the connect itself) and no
    /// byte came back for this long: the link counts as lost.
    std::chrono::milliseconds reply_deadline{2'000};
};

enum class link_verdict {
    wait,  ///< nothing to do before `wake_at`
    ping,  ///< send one PING now (already counted as awaiting its reply)
    lost,  ///< close the link and reconnect
};

struct link_decision {
    link_verdict verdict = link_verdict::wait;
    /// When to poll again (for `lost`: now; the caller resets with on_connecting()). While a
    /// reply is awaited this is at most one idle interval away, so a link answered early is
    /// pinged again an idle interval after the answer: a dead link is found within
    /// ping_idle + reply_deadline of its last byte.
    std::chrono::steady_clock::time_point wake_at{};
};

/// One per connection attempt's lifetime; on_connecting() starts it over. Any byte received
/// counts as life (replies, pub/sub messages, PONGs), so a busy link is never pinged.
class link_watchdog {
  public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit link_watchdog(link_watchdog_options options = {}) : options_(options) {}

    /// A connect attempt starts: the handshake is awaited like a reply.
    void on_connecting(time_point now);
    /// A request that expects a reply went out.
    void on_sent(time_point now);
    /// Bytes arrived (or the handshake completed).
    void on_received(time_point now);
    /// What to do at `now`; call at `wake_at` of the previous decision or later.
    link_decision poll(time_point now);
    /// When the next decision is due, given what is known now (the latest safe wake: a caller
    /// that polls must re-arm at the decision's `wake_at`, which may be earlier).
    time_point next_wake() const;
    bool awaiting() const noexcept { return awaiting_since_.has_value(); }
    const link_watchdog_options& options() const noexcept { return options_; }

  private:
    link_watchdog_options options_;
    time_point last_received_{};
    // Oldest unanswered request with no byte received since it went out.
    std::optional<time_point> awaiting_since_;
};

}  // namespace switchyard::bus
