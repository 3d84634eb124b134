#pragma once
// Decides whether one backend is up, suspect, down, draining or disabled, from probe results,
// passive errors and operator commands, each fed in with an explicit `now`.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "backends/policy/backend_state.hpp"

namespace switchyard::policy {

using mono_time = std::chrono::steady_clock::time_point;
using millis = std::chrono::milliseconds;

/// Health-check timing and thresholds, named after HAProxy's `check` keywords.
///
/// The defaults are tighter than HAProxy's (inter 2 s, fall 3): a frozen backend (SIGSTOP, a GC
/// pause) answers nothing, and its WebSocket clients only move once it is marked down, so
/// detection time is the outage they see. Worst case with these and the balancer's 300 ms probe
/// timeout: inter + timeout + fastinter + timeout = 1.2 s to down, leaving room for the clients
/// to reconnect and receive within 2 s. A probe is a HEAD on loopback or a LAN, so 2.5 probes
/// per second per backend cost nothing measurable.
struct health_config {
    std::uint32_t rise = 2;  ///< consecutive good probes that bring a down backend up
    std::uint32_t fall = 2;  ///< consecutive failures (probes or passive) that take it down
    millis inter{400};       ///< probe interval while steadily up
    millis fastinter{200};   ///< probe interval while changing state (suspect, or rising)
    millis downinter{1000};  ///< probe interval while steadily down
    millis slowstart{0};     ///< weight ramps from 1 to full over this long after coming up
    bool start_up = true;    ///< a new backend starts up (and is probed at once)
};

/// Why a state changed, for logs, events and stats.
enum class health_reason : std::uint8_t {
    probe_failed,
    probe_ok,
    passive_error,
    admin_drain,
    admin_disable,
    admin_enable,
};
std::string_view to_string(health_reason r) noexcept;

/// A change in the reported state, returned to the caller so it can log and publish it.
struct health_transition {
    backend_state from;
    backend_state to;
    health_reason reason;
    mono_time at;
};

/// HAProxy-style rise/fall as arithmetic on one counter: `health_` runs from 0 to
/// rise + fall - 1. At or above `rise` the backend is up (`suspect` below the top, after a
/// failure); below `rise` it is down. A failure while up steps down by one, so `fall` failures in
/// a row take a backend down; a success while up returns to the top. A success while down steps
/// up, so `rise` in a row bring it back; a failure while down resets to zero.
///
/// Operator state (draining, disabled) overlays the health state: probes go on underneath, so
/// `enable` reveals the true health at once.
class health_tracker {
  public:
    health_tracker(health_config config, mono_time now);

    /// Result of one active probe (a timeout is a failure).
    std::optional<health_transition> on_probe(bool ok, mono_time now);
    /// A refused, reset or timed-out connection, or a configured 5xx, seen on live traffic.
    /// Counts like a failed probe and asks for a probe right away.
    std::optional<health_transition> on_passive_error(mono_time now);

    std::optional<health_transition> drain(mono_time now);
    std::optional<health_transition> disable(mono_time now);
    std::optional<health_transition> enable(mono_time now);

    backend_state state() const noexcept;
    /// Health ignoring the operator overlay.
    backend_state health_state() const noexcept;
    /// When the caller should send the next probe.
    mono_time next_probe_at() const noexcept { return next_probe_at_; }
    /// `configured` scaled down during slow start; 0 stays 0, otherwise at least 1.
    std::uint32_t effective_weight(std::uint32_t configured, mono_time now) const noexcept;

    std::uint64_t state_changes() const noexcept { return state_changes_; }
    std::optional<mono_time> last_probe_at() const noexcept { return last_probe_at_; }
    bool last_probe_ok() const noexcept { return last_probe_ok_; }
    const health_config& config() const noexcept { return config_; }

  private:
    enum class admin_mode : std::uint8_t { none, draining, disabled };
    std::uint32_t top() const noexcept { return config_.rise + config_.fall - 1; }
    void count_failure(mono_time now);
    void count_success(mono_time now);
    void schedule_next(mono_time now);
    std::optional<health_transition> report(backend_state before, health_reason why, mono_time now);

    health_config config_;
    std::uint32_t health_;
    admin_mode admin_ = admin_mode::none;
    mono_time next_probe_at_;
    std::optional<mono_time> up_since_;  ///< set when a backend comes back; drives slow start
    std::optional<mono_time> last_probe_at_;
    bool last_probe_ok_ = false;
    std::uint64_t state_changes_ = 0;
};

}  // namespace switchyard::policy
