#pragma once
// The relay's pure subscription core: channel -> subscribers, the last sequence number each
// subscriber has seen per channel, and the merge of a history replay with live traffic so that
// a (re)subscribing client sees every message exactly once, in order.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchyard::policy {

/// Opaque payload the hub carries for the shell (the relay keeps its pre-framed bytes in a
/// derived type). The hub never looks inside.
class hub_payload {
  public:
    virtual ~hub_payload() = default;
};

/// One message on one channel: its cluster-wide sequence number and the payload.
struct hub_entry {
    std::uint64_t seq = 0;
    std::shared_ptr<const hub_payload> payload;
};

using subscriber_id = std::uint64_t;

/// Outcome of finishing a subscription: what to tell the client and what to deliver, in order.
struct hub_sync_result {
    /// Set when the history did not reach back to `requested`+1: messages requested+1 ..
    /// oldest-1 are gone (protocol frame `resume_gap`).
    struct gap {
        std::uint64_t requested = 0;
        std::uint64_t oldest = 0;
    };
    std::optional<gap> missing;
    /// Replayed history then live messages buffered meanwhile: deliver before anything else.
    std::vector<hub_entry> deliver;
    /// The sequence number to report in `subscribed` (the last one the client now has).
    std::uint64_t subscribed_seq = 0;
    /// The subscription was not pending (unsubscribed meanwhile, or a duplicate answer).
    bool stale = false;
    /// The resume point was beyond the channel's latest seq (a seq this cluster never gave,
    /// e.g. from before a bus restart): the subscription starts from now, as without resume,
    /// and `subscribed_seq` (below the requested one) is where the client stands.
    bool resume_beyond_latest = false;
};

/// Channel -> subscribers with per-subscriber sequence tracking.
///
/// A subscription starts *pending*: live messages for it are buffered (at most
/// `pending_max` each, a named limit) while the shell fetches the channel's history; then
/// `on_synced` merges history and buffer, dropping anything the client already has. After that
/// a live message reaches a subscriber only if its seq is above the subscriber's last one, so
/// replay/live overlap never duplicates. Deterministic: subscribers of a channel are visited in
/// subscription order (removal swaps with the last).
class hub {
  public:
    /// Buffered live messages per pending subscription before it counts as overflowed.
    static constexpr std::size_t default_pending_max = 4096;

    explicit hub(std::size_t pending_max = default_pending_max) : pending_max_(pending_max) {}

    /// Starts a pending subscription. `resume_after`: the last seq the client already has
    /// (nullopt: start from whatever is current). False when already subscribed.
    bool subscribe(subscriber_id sub, std::string_view channel,
                   std::optional<std::uint64_t> resume_after);

    /// Completes a pending subscription with the channel's history: `history` holds entries
    /// with seq > the resume point (ascending, may overlap the buffer), `oldest` the oldest seq
    /// the history still holds (latest+1 when empty), `latest` the channel's current seq.
    /// A resume point beyond the channel's latest seq is taken as "from now" (see
    /// hub_sync_result::resume_beyond_latest): otherwise every live message would look already
    /// seen and the subscriber would receive nothing.
    hub_sync_result on_synced(subscriber_id sub, std::string_view channel,
                              const std::vector<hub_entry>& history, std::uint64_t oldest,
                              std::uint64_t latest);

    /// Removes one subscription. False when there was none.
    bool unsubscribe(subscriber_id sub, std::string_view channel);
    /// Removes every subscription of `sub` (disconnect).
    void remove(subscriber_id sub);

    /// A live message on `channel`: calls `deliver(sub)` for each synced subscriber that has
    /// not seen `entry.seq`, buffers it for pending ones. Calls `overflow(sub)` for a pending
    /// subscriber whose buffer passed `pending_max` (the shell closes it as a slow consumer).
    /// Neither callback may change the hub (defer removals until this returns).
    template <class Deliver, class Overflow>
    void on_message(std::string_view channel, const hub_entry& entry, Deliver&& deliver,
                    Overflow&& overflow);

    /// Highest seq seen on `channel` through on_message or on_synced (0 if none).
    std::uint64_t latest(std::string_view channel) const;
    std::size_t subscriber_count(std::string_view channel) const;
    std::size_t channel_count() const noexcept { return channels_.size(); }
    /// Channels `sub` is subscribed to (pending or synced).
    std::vector<std::string> channels_of(subscriber_id sub) const;
    bool is_subscribed(subscriber_id sub, std::string_view channel) const;
    /// The last seq a synced subscription has; nullopt when pending or absent.
    std::optional<std::uint64_t> last_seq(subscriber_id sub, std::string_view channel) const;

  private:
    struct member {
        subscriber_id sub = 0;
        std::uint64_t last_seq = 0;
        std::optional<std::uint64_t> resume_after;
        bool pending = true;
        /// Live messages while pending. A vector, not a deque: an empty vector holds no memory,
        /// while a deque allocates about 600 bytes at construction, for every subscription,
        /// though most are never pending long enough to buffer anything.
        std::vector<hub_entry> buffer;
    };
    struct channel_state {
        std::vector<member> members;
        std::uint64_t latest = 0;
    };
    member* find(channel_state& ch, subscriber_id sub);
    void erase_member(std::map<std::string, channel_state, std::less<>>::iterator it,
                      subscriber_id sub);

    std::size_t pending_max_;
    std::map<std::string, channel_state, std::less<>> channels_;
    std::unordered_map<subscriber_id, std::vector<std::string>> by_sub_;
};

template <class Deliver, class Overflow>
void hub::on_message(std::string_view channel, const hub_entry& entry, Deliver&& deliver,
                     Overflow&& overflow) {
    auto it = channels_.find(channel);
    if (it == channels_.end())
        return;
    channel_state& ch = it->second;
    if (entry.seq > ch.latest)
        ch.latest = entry.seq;
    for (member& m : ch.members) {
        if (m.pending) {
            if (m.buffer.size() >= pending_max_) {
                overflow(m.sub);
                continue;
            }
            m.buffer.push_back(entry);
            continue;
        }
        if (entry.seq <= m.last_seq)
            continue;  // already replayed to this subscriber
        m.last_seq = entry.seq;
        deliver(m.sub);
    }
}

}  // namespace switchyard::policy
