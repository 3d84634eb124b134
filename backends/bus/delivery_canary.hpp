#pragma once
// End-to-end proof that the bus delivers: each relay publishes a small canary through the same
// pub/sub path as client messages and expects to hear it back. A TCP-level check (the link
// watchdog) sees only that bytes move; it cannot see a subscription the server dropped, a Redis
// that failed over to an empty replica, or a link that carries commands but not messages. A
// relay that stops hearing its own canary is deaf, whatever its sockets say. Peers' canaries are
// counted so operators can see who is heard. Pure: time comes in as `now`.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace switchyard::bus {

struct delivery_canary_options {
    /// A canary goes out this often while the bus is up (0 = the canary is off).
    std::chrono::milliseconds interval{250};
    /// A canary not heard back within this long makes the relay deaf. Also how long a peer
    /// counts as heard after its last canary.
    std::chrono::milliseconds deadline{1'000};
};

/// What the shell does next: send `send_seq` (when set) and poll again at `wake_at`.
struct canary_decision {
    std::optional<std::uint64_t> send_seq;
    bool deaf = false;
    std::chrono::steady_clock::time_point wake_at{};
};

class delivery_canary {
  public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit delivery_canary(delivery_canary_options options = {}) : options_(options) {}

    /// The bus is confirmed up: start judging afresh (canaries sent before do not count).
    void on_up(time_point now);
    /// The bus is down: nothing is judged until on_up().
    void on_down();
    /// Our own canary `seq` came back through the subscription.
    void on_heard_own(std::uint64_t seq);
    /// A peer's canary came back.
    void on_heard_peer(const std::string& peer, time_point now);
    /// Sends due canaries and judges the oldest one not heard back.
    canary_decision poll(time_point now);

    bool deaf() const noexcept { return deaf_; }
    bool active() const noexcept { return up_; }
    /// Peers heard within the deadline before `now`.
    std::size_t peers_heard(time_point now) const;
    /// Canaries sent, own canaries heard, times the relay became deaf.
    std::uint64_t sent() const noexcept { return next_seq_ - 1; }
    std::uint64_t heard() const noexcept { return heard_; }
    std::uint64_t deaf_episodes() const noexcept { return deaf_episodes_; }
    const delivery_canary_options& options() const noexcept { return options_; }

  private:
    delivery_canary_options options_;
    bool up_ = false;
    bool deaf_ = false;
    std::uint64_t next_seq_ = 1;
    std::uint64_t last_heard_ = 0;    // highest own seq heard back
    std::uint64_t first_judged_ = 1;  // canaries below this were sent before on_up()
    std::uint64_t heard_ = 0;
    std::uint64_t deaf_episodes_ = 0;
    time_point next_send_{};
    time_point expected_wake_{};  // the wake the last poll asked for ({} = none yet)
    // Send time of every own canary not yet heard back, oldest first.
    std::map<std::uint64_t, time_point> in_flight_;
    std::map<std::string, time_point, std::less<>> peers_;
};

}  // namespace switchyard::bus
