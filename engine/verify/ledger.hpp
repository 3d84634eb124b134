#pragma once
// The ledger: records every publish, ack and delivery the fleet reports, and at the end says
// what was lost, duplicated, reordered, how long failovers took and how latency was spread.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/fleet/client_observer.hpp"
#include "engine/verify/latency_histogram.hpp"
#include "engine/verify/ledger_summary.hpp"

namespace switchyard::verify {

/// Traffic since the previous take_period(), for the periodic metrics event.
struct period_stats {
    std::uint64_t publishes = 0;
    std::uint64_t acks = 0;
    std::uint64_t deliveries = 0;
    latency_histogram latency;  ///< live deliveries of the period
    std::uint64_t deliveries_total = 0;
    std::uint64_t connect_failures_total = 0;
    std::uint32_t connected = 0;
    struct relay_share {
        std::string relay;
        std::uint32_t clients = 0;
        std::uint64_t deliveries = 0;
    };
    std::vector<relay_share> relays;  ///< sorted by relay name
    /// At most one sampled delivery per shard per period.
    std::vector<fleet::delivery_record> samples;
};

/// What a client should have received and what it did.
///
/// Model: per (client, channel) the relay's sequence numbers form a window that starts at the
/// first seq the client received and ends at the channel's last seq (or, for a client that is
/// down at the end, at the channel's last seq when it went down). Every seq inside the window is
/// due exactly once and in order: a missing one is lost (this is how a reconnect without resume
/// shows), a repeated one a duplicate, a late one an order violation. Seqs are kept as a running
/// maximum plus a list of gaps, so memory per client is O(gaps), not O(messages).
/// Failover: mark_relay_lost() takes the relay's connected clients; each recovers at its first
/// delivery on a newer connection. Sticky: a delivery from a relay other than the one the
/// client's session is on, or a `failover` placement while the old relay was not lost.
///
/// Thread safety: every on_* may be called from many fleet threads at once; state is sharded by
/// client index (`shard_count` mutexes), and the hot path (on_delivery) allocates nothing once a
/// client's channel is known. Channels and relays are kept by id (name_table, up to 1,048,576
/// each), so a delivery costs the same with 10 channels or 10,000 and 1 relay or 1,000. summary()
/// and take_period() may run concurrently with recording. After freeze(), records are ignored (the
/// engine freezes before it stops the fleet so the closes of a shutdown do not count as losses).
class ledger final : public fleet::client_observer {
  public:
    static constexpr std::size_t shard_count = 32;

    ledger();
    ~ledger() override;

    void on_connect(const fleet::connect_record&) override;
    void on_disconnect(const fleet::disconnect_record&) override;
    void on_connect_failure(const fleet::connect_failure_record&) override;
    void on_publish(const fleet::publish_record&) override;
    void on_ack(const fleet::ack_record&) override;
    void on_delivery(const fleet::delivery_record&) override;
    void on_resume_gap(const fleet::resume_gap_record&) override;

    /// A relay went away at `at` (cause: "kill", "drain", ...): starts a failover episode for
    /// the clients connected to it now.
    void mark_relay_lost(const std::string& relay, const std::string& cause, micros at);
    /// The relay serves again (restart, cont): placements away from it are sticky violations.
    void mark_relay_back(const std::string& relay);

    /// Publishing stopped at `at` (the drain begins): the silence from the last delivery to
    /// here counts toward longest_silence, so an outage that lasts to the end is not missed.
    void end_traffic(micros at) noexcept { traffic_end_us_.store(at.count()); }

    void freeze() noexcept { frozen_.store(true, std::memory_order_release); }
    bool frozen() const noexcept { return frozen_.load(std::memory_order_acquire); }

    ledger_summary summary() const;
    period_stats take_period();

    struct client_state;
    struct shard;
    struct tables;

  private:
    shard& shard_of(std::uint32_t client) const noexcept;
    bool relay_lost(const std::string& relay) const;
    void record_recovery(std::size_t episode, std::uint32_t client, micros at, bool with_gap);

    std::unique_ptr<std::array<shard, shard_count>> shards_;
    std::unique_ptr<tables> names_;  // channel and relay names -> ids
    std::atomic<bool> frozen_{false};
    std::atomic<std::int64_t> last_delivery_us_{-1};  // latest received_at seen
    std::atomic<std::int64_t> longest_silence_us_{0};
    std::atomic<std::int64_t> traffic_end_us_{-1};

    mutable std::mutex relays_mutex_;  // rare paths: relay loss, episodes
    std::set<std::string> lost_relays_;
    std::vector<failover_episode> episodes_;
};

}  // namespace switchyard::verify
