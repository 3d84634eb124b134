#pragma once
// What one synthetic client decides, with no sockets and no clock: when to connect, how long to
// back off after a failure, when to publish, what to ask for on resume, and how it was placed.
// The fleet runner drives it with real sockets; the simulator drives the same class in virtual
// time.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backends/policy/fast_rng.hpp"
#include "engine/fleet/client_observer.hpp"
#include "engine/fleet/fleet_config.hpp"

namespace switchyard::fleet {

/// "No wake-up wanted."
inline constexpr micros never = micros::max();

/// Where a client is in its life.
enum class client_state : std::uint8_t {
    waiting,      ///< before its first connect (connect ramp)
    connecting,   ///< transport and handshake in flight, waiting for hello
    subscribing,  ///< hello received, subscribe sent, waiting for every `subscribed`
    connected,    ///< subscribed to every channel: receiving, and publishing after think time
    backoff,      ///< lost or failed, waiting to retry
    stopped,      ///< stop() was called, or the server closed and reconnect is disabled
    given_up,     ///< reconnect.max_attempts consecutive failures
};
std::string_view to_string(client_state s) noexcept;

/// What the shell must do after an event, in this order: close, report, connect, subscribe,
/// publish. Then arm one timer for `wake_at` (never = none) and call on_wake then.
struct client_actions {
    bool close = false;                  ///< close the current connection (timeout, stop)
    bool connect = false;                ///< open a new connection (sending the cookie jar)
    bool subscribe = false;              ///< send subscribe for every channel, with resume_point()s
    std::uint32_t publish_count = 0;     ///< publish this many messages now ...
    std::uint64_t first_msg_number = 0;  ///< ... numbered first_msg_number, +1, ...
    bool report_connect = false;         ///< report a connect_record with `how` and `reconnect`
    placement how = placement::fresh;
    bool reconnect = false;
    bool ping = false;                   ///< send a native ping (keep-alive)
    bool report_disconnect = false;      ///< an established connection was lost ...
    std::string_view disconnect_reason;  ///< ... for this reason, when the core decided it
    std::string_view failure;            ///< non-empty: report a connect failure with this reason
    bool gave_up = false;                ///< reconnect.max_attempts reached: the client is done
    micros wake_at = never;
};

/// The per-client state machine. Holds a pointer to its fleet's config (shared by every client
/// of the fleet on one thread, so a rate change is one write); the config must outlive it.
///
/// Limits: at most `publish_burst_max` publishes per wake-up; a publisher that fell further
/// behind (a stalled thread, a long outage) skips ahead instead of bursting.
class client_behaviour {
  public:
    static constexpr std::uint32_t publish_burst_max = 16;

    explicit client_behaviour(const fleet_config& config);

    /// Begins the client: its first connect is at now + delay (the connect ramp).
    client_actions start(micros now, micros delay);
    /// The timer the last actions asked for fired (calling early or late is harmless).
    client_actions on_wake(micros now, policy::fast_rng& rng);
    /// The relay's hello arrived. `cookie_sent`: the request that reached this relay carried a
    /// sticky cookie from the jar.
    client_actions on_hello(micros now, std::string_view relay, bool cookie_sent,
                            policy::fast_rng& rng);
    /// A `subscribed` for channels()[channel] with the channel's latest seq.
    client_actions on_subscribed(micros now, std::size_t channel, std::uint64_t seq,
                                 policy::fast_rng& rng);
    /// A `message` on channels()[channel]. Returns true when it is a replay (resume history),
    /// i.e. it arrived before that channel's `subscribed` on a resuming subscribe.
    bool on_message(std::size_t channel, std::uint64_t seq) noexcept;
    /// Any frame arrived (the shell calls this for every frame, before the frame's own event).
    /// Cheap on purpose: it only notes the time; the silence deadline is checked on wake-ups.
    void on_activity(micros now) noexcept { last_rx_ = now; }
    /// The connection closed or failed, whatever the stage (the shell cannot tell a failed
    /// connect from a lost connection; the state machine can).
    client_actions on_closed(micros now, policy::fast_rng& rng);
    /// The fleet's publish rate changed: re-plan the next publish.
    client_actions on_rate_changed(micros now, policy::fast_rng& rng);
    /// Stops for good (closes if open).
    client_actions stop(micros now);

    client_state state() const noexcept { return state_; }
    /// Seq to resume channels()[channel] from, or 0 for "no resume" (never received one, or
    /// resume is off).
    std::uint64_t resume_point(std::size_t channel) const noexcept;
    /// Highest seq seen on channels()[channel] (0 = none).
    std::uint64_t last_seq(std::size_t channel) const noexcept { return last_seq_[channel]; }
    /// Relay of the current (or last) connection; "" before the first hello.
    const std::string& relay() const noexcept { return relay_; }
    /// Consecutive failed attempts.
    std::uint32_t failed_attempts() const noexcept { return failed_attempts_; }
    /// Publishes handed out so far (the next msg number is this + 1).
    std::uint64_t published() const noexcept { return next_msg_number_ - 1; }
    bool has_connected() const noexcept { return has_connected_; }
    /// Backoff before retry number `attempt` (0-based), jittered with `rng`.
    static micros backoff_delay(const reconnect_policy& policy, std::uint32_t attempt,
                                policy::fast_rng& rng);

  private:
    client_actions begin_connect(micros now);
    client_actions fail_attempt(micros now, std::string_view reason, policy::fast_rng& rng);
    client_actions lost_connection(micros now, policy::fast_rng& rng);
    void plan_publishing(micros from, policy::fast_rng& rng);
    micros publish_interval() const noexcept;
    /// The earliest pending deadline, never before `now` (a missed one means "at once").
    micros next_wake(micros now) const noexcept;
    micros silence_deadline() const noexcept;

    const fleet_config* config_;
    std::vector<std::uint64_t> last_seq_;  ///< per channel
    std::string relay_;
    micros deadline_ = never;      ///< connect/subscribe deadline
    micros retry_at_ = never;      ///< backoff end, or the start time while waiting
    micros next_publish_ = never;  ///< next publish due (connected only)
    micros next_ping_ = never;     ///< next keep-alive ping (connected only)
    micros last_rx_{0};            ///< last frame received
    std::uint64_t next_msg_number_ = 1;
    std::uint32_t failed_attempts_ = 0;
    std::uint32_t pending_subscriptions_ = 0;
    std::uint64_t subscribed_mask_ = 0;  ///< channels acked in this connection (<= 64 channels)
    client_state state_ = client_state::waiting;
    bool has_connected_ = false;
    bool resuming_ = false;                     ///< this connection's subscribe asked for resume
    placement pending_how_ = placement::fresh;  ///< placement of the connection being set up
};

}  // namespace switchyard::fleet
