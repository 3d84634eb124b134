#include "engine/verify/ledger.hpp"

#include <algorithm>
#include <map>
#include <memory>

namespace switchyard::verify {
namespace {

/// Channels a run may use in all; a named limit so lookups can be lock-free.
constexpr std::size_t channels_max = 1024;

struct gap {
    std::uint64_t first;
    std::uint64_t last;  // inclusive
};

struct channel_track {
    std::size_t channel = 0;  // index into the ledger's channel table
    std::uint64_t first = 0;  // first seq received; 0 = none yet
    std::uint64_t max = 0;
    std::vector<gap> gaps;             // missing seqs below max, sorted
    std::optional<std::uint64_t> end;  // channel max when the client went down
};

/// The fleet's xhr transports start a failure reason with this when a request of a session
/// landed on a relay that did not know the session (engine/fleet/xhr_transport.hpp).
constexpr std::string_view sticky_reason_prefix = "sticky violation";

std::string describe_gap(std::uint32_t client, const std::string& channel, std::uint64_t a,
                         std::uint64_t b) {
    std::string s = "client " + std::to_string(client) + " on " + channel + ": missing seq " +
                    std::to_string(a);
    if (b != a)
        s += ".." + std::to_string(b);
    return s;
}

}  // namespace

struct channel_entry {
    std::string name;
    std::atomic<std::uint64_t> max{0};
};

struct ledger::client_state {
    bool seen = false;
    bool connected = false;
    bool ever_connected = false;
    std::string relay;
    std::string previous_relay;
    std::uint32_t conn_gen = 0;
    std::vector<channel_track> channels;
    std::optional<std::size_t> publish_channel;
    std::uint64_t last_ack_n = 0;
    std::uint64_t last_ack_seq = 0;
    long awaiting_episode = -1;
    std::uint32_t awaiting_gen = 0;
    std::uint64_t deliveries = 0;
};

struct ledger::shard {
    mutable std::mutex mutex;
    std::vector<client_state> clients;  // client index / shard_count

    std::uint64_t publishes = 0, acks = 0, publish_errors = 0;
    std::uint64_t deliveries = 0, replayed = 0, duplicates = 0, order_violations = 0;
    std::uint64_t sticky_violations = 0;
    std::uint64_t connects = 0, reconnects = 0, connect_failures = 0, disconnects = 0;
    std::uint64_t resume_gaps = 0;
    std::uint64_t placements[3] = {0, 0, 0};
    latency_histogram latency;

    std::uint64_t p_publishes = 0, p_acks = 0, p_deliveries = 0;
    latency_histogram p_latency;
    std::vector<std::pair<std::string, std::uint64_t>> p_relay_deliveries;
    std::optional<fleet::delivery_record> sample;

    std::string duplicate_example, order_example, sticky_example, connect_failure_example;
};

// The channel table lives beside the shards: fixed capacity, names written once before the
// count is published, so readers scan it without a lock.
struct ledger::channel_table {
    std::array<channel_entry, channels_max> entries;
    std::atomic<std::size_t> count{0};
    std::mutex insert_mutex;

    std::size_t index(const std::string& name) {
        auto n = count.load(std::memory_order_acquire);
        for (std::size_t i = 0; i < n; ++i)
            if (entries[i].name == name)
                return i;
        std::lock_guard lock(insert_mutex);
        n = count.load(std::memory_order_acquire);
        for (std::size_t i = 0; i < n; ++i)
            if (entries[i].name == name)
                return i;
        if (n == channels_max)
            return channels_max - 1;  // beyond the limit, channels share the last slot
        entries[n].name = name;
        count.store(n + 1, std::memory_order_release);
        return n;
    }
    void note(std::size_t i, std::uint64_t seq) {
        auto cur = entries[i].max.load(std::memory_order_relaxed);
        while (seq > cur &&
               !entries[i].max.compare_exchange_weak(cur, seq, std::memory_order_relaxed)) {
        }
    }
};

ledger::ledger()
    : shards_(std::make_unique<std::array<shard, shard_count>>()),
      channels_(std::make_unique<channel_table>()) {}

ledger::~ledger() = default;

ledger::shard& ledger::shard_of(std::uint32_t client) const noexcept {
    return (*shards_)[client % shard_count];
}

namespace {
ledger::client_state& client_in(std::vector<ledger::client_state>& v, std::uint32_t client) {
    const std::size_t i = client / ledger::shard_count;
    if (i >= v.size())
        v.resize(i + 1);
    auto& c = v[i];
    c.seen = true;
    return c;
}
}  // namespace

void ledger::on_connect(const fleet::connect_record& r) {
    if (frozen())
        return;
    auto& s = shard_of(r.client);
    std::lock_guard lock(s.mutex);
    auto& c = client_in(s.clients, r.client);
    c.connected = c.ever_connected = true;
    c.relay = r.relay;
    ++c.conn_gen;
    for (auto& t : c.channels)
        t.end.reset();
    ++s.connects;
    if (r.reconnect)
        ++s.reconnects;
    s.placements[static_cast<int>(r.how)]++;
    if (r.how == fleet::placement::failover && !c.previous_relay.empty() &&
        c.previous_relay != r.relay) {
        bool old_lost;
        {
            std::lock_guard rl(relays_mutex_);
            old_lost = lost_relays_.count(c.previous_relay) != 0;
        }
        if (!old_lost) {
            ++s.sticky_violations;
            if (s.sticky_example.empty())
                s.sticky_example = "client " + std::to_string(r.client) + " moved from " +
                                   c.previous_relay + " to " + r.relay + " while " +
                                   c.previous_relay + " was up";
        }
    }
}

void ledger::on_disconnect(const fleet::disconnect_record& r) {
    if (frozen())
        return;
    auto& table = *channels_;
    auto& s = shard_of(r.client);
    std::lock_guard lock(s.mutex);
    auto& c = client_in(s.clients, r.client);
    if (!c.connected)
        return;
    // Landing elsewhere is only a violation while the session's relay is up (else failover).
    if (r.reason.rfind(sticky_reason_prefix, 0) == 0 && !relay_lost(c.relay)) {
        ++s.sticky_violations;
        if (s.sticky_example.empty())
            s.sticky_example =
                "client " + std::to_string(r.client) + " on " + c.relay + ": " + r.reason;
    }
    c.connected = false;
    c.previous_relay = c.relay;
    c.relay.clear();
    ++s.disconnects;
    for (auto& t : c.channels)
        t.end = table.entries[t.channel].max.load(std::memory_order_relaxed);
}

void ledger::on_connect_failure(const fleet::connect_failure_record& r) {
    if (frozen())
        return;
    auto& s = shard_of(r.client);
    std::lock_guard lock(s.mutex);
    auto& c = client_in(s.clients, r.client);
    ++s.connect_failures;
    const auto& home = c.connected ? c.relay : c.previous_relay;
    if (r.reason.rfind(sticky_reason_prefix, 0) == 0 && !relay_lost(home)) {
        ++s.sticky_violations;
        if (s.sticky_example.empty())
            s.sticky_example = "client " + std::to_string(r.client) + ": " + r.reason;
    }
    if (s.connect_failure_example.empty())
        s.connect_failure_example = "client " + std::to_string(r.client) + ": " + r.reason;
}

void ledger::on_publish(const fleet::publish_record& r) {
    if (frozen())
        return;
    auto& table = *channels_;
    const auto ch = table.index(r.channel);
    auto& s = shard_of(r.client);
    std::lock_guard lock(s.mutex);
    auto& c = client_in(s.clients, r.client);
    c.publish_channel = ch;
    ++s.publishes;
    ++s.p_publishes;
}

void ledger::on_ack(const fleet::ack_record& r) {
    if (frozen())
        return;
    auto& table = *channels_;
    auto& s = shard_of(r.client);
    std::lock_guard lock(s.mutex);
    auto& c = client_in(s.clients, r.client);
    if (!r.error.empty() || r.seq == 0) {
        ++s.publish_errors;
        return;
    }
    ++s.acks;
    ++s.p_acks;
    if (c.publish_channel)
        table.note(*c.publish_channel, r.seq);
    // A publisher's messages must be sequenced in the order it sent them.
    const auto dash = r.msg_id.rfind('-');
    std::uint64_t n = 0;
    if (dash != std::string::npos)
        for (std::size_t i = dash + 1; i < r.msg_id.size(); ++i)
            n = n * 10 + static_cast<unsigned>(r.msg_id[i] - '0');
    if (n > c.last_ack_n && r.seq < c.last_ack_seq) {
        ++s.order_violations;
        if (s.order_example.empty())
            s.order_example = "publisher " + std::to_string(r.client) + ": " + r.msg_id +
                              " got seq " + std::to_string(r.seq) + " after seq " +
                              std::to_string(c.last_ack_seq);
    }
    if (n > c.last_ack_n) {
        c.last_ack_n = n;
        c.last_ack_seq = r.seq;
    }
}

void ledger::on_delivery(const fleet::delivery_record& r) {
    if (frozen())
        return;
    auto& table = *channels_;
    {
        // Cluster-wide silence: the gap before this delivery if it is the newest one yet.
        const auto t = r.received_at.count();
        auto last = last_delivery_us_.load(std::memory_order_relaxed);
        while (t > last &&
               !last_delivery_us_.compare_exchange_weak(last, t, std::memory_order_relaxed)) {
        }
        if (t > last && last >= 0) {
            auto longest = longest_silence_us_.load(std::memory_order_relaxed);
            while (t - last > longest && !longest_silence_us_.compare_exchange_weak(
                                             longest, t - last, std::memory_order_relaxed)) {
            }
        }
    }
    auto& s = shard_of(r.client);
    std::unique_lock lock(s.mutex);
    auto& c = client_in(s.clients, r.client);
    ++s.deliveries;
    ++s.p_deliveries;
    ++c.deliveries;
    if (r.replayed) {
        ++s.replayed;
    } else {
        const auto lat = r.received_at - r.sent_at;
        s.latency.record(lat);
        s.p_latency.record(lat);
    }
    {
        auto it = std::find_if(s.p_relay_deliveries.begin(), s.p_relay_deliveries.end(),
                               [&](const auto& p) { return p.first == r.relay; });
        if (it == s.p_relay_deliveries.end())
            s.p_relay_deliveries.emplace_back(r.relay, 1);
        else
            ++it->second;
    }
    if (!s.sample)
        s.sample = r;
    if (c.connected && !r.relay.empty() && !c.relay.empty() && r.relay != c.relay) {
        ++s.sticky_violations;
        if (s.sticky_example.empty())
            s.sticky_example = "client " + std::to_string(r.client) + " on " + c.relay +
                               " got seq " + std::to_string(r.seq) + " from " + r.relay;
    }
    if (c.awaiting_episode >= 0 && c.conn_gen > c.awaiting_gen) {
        const auto ep = static_cast<std::size_t>(c.awaiting_episode);
        c.awaiting_episode = -1;
        record_recovery(ep, r.client, r.received_at);
    }
    if (r.seq == 0)
        return;  // raw SockJS carries no sequence: counted, not checked
    channel_track* t = nullptr;
    for (auto& x : c.channels)
        if (table.entries[x.channel].name == r.channel) {
            t = &x;
            break;
        }
    if (!t) {
        channel_track fresh;
        fresh.channel = table.index(r.channel);
        c.channels.push_back(std::move(fresh));
        t = &c.channels.back();
    }
    table.note(t->channel, r.seq);
    if (t->first == 0) {
        t->first = t->max = r.seq;
        return;
    }
    if (r.seq == t->max + 1) {
        t->max = r.seq;
    } else if (r.seq > t->max) {
        t->gaps.push_back(gap{t->max + 1, r.seq - 1});
        t->max = r.seq;
    } else {
        // At or below the running maximum: either it fills a gap (late) or it was seen.
        auto it = std::find_if(t->gaps.begin(), t->gaps.end(),
                               [&](const gap& g) { return r.seq >= g.first && r.seq <= g.last; });
        if (it != t->gaps.end()) {
            ++s.order_violations;
            if (s.order_example.empty())
                s.order_example = "client " + std::to_string(r.client) + " on " + r.channel +
                                  ": seq " + std::to_string(r.seq) + " after seq " +
                                  std::to_string(t->max);
            if (it->first == it->last) {
                t->gaps.erase(it);
            } else if (r.seq == it->first) {
                ++it->first;
            } else if (r.seq == it->last) {
                --it->last;
            } else {
                const gap tail{r.seq + 1, it->last};
                it->last = r.seq - 1;
                t->gaps.insert(it + 1, tail);
            }
        } else if (r.seq < t->first) {
            ++s.order_violations;  // older than the window: arrived very late
        } else {
            ++s.duplicates;
            if (s.duplicate_example.empty())
                s.duplicate_example = "client " + std::to_string(r.client) + " on " + r.channel +
                                      ": seq " + std::to_string(r.seq) + " twice (" +
                                      (r.replayed ? "replayed" : "live") + ")";
        }
    }
}

void ledger::on_resume_gap(const fleet::resume_gap_record& r) {
    if (frozen())
        return;
    auto& s = shard_of(r.client);
    std::lock_guard lock(s.mutex);
    client_in(s.clients, r.client);
    ++s.resume_gaps;
}

bool ledger::relay_lost(const std::string& relay) const {
    std::lock_guard lock(relays_mutex_);
    return lost_relays_.count(relay) != 0;
}

void ledger::record_recovery(std::size_t episode, std::uint32_t client, micros at) {
    std::lock_guard lock(relays_mutex_);
    auto& ep = episodes_.at(episode);
    ++ep.recovered;
    const auto dt = at - ep.at;
    if (dt > ep.worst) {
        ep.worst = dt;
        ep.worst_client = client;
    }
}

void ledger::mark_relay_lost(const std::string& relay, const std::string& cause, micros at) {
    std::size_t idx;
    {
        std::lock_guard lock(relays_mutex_);
        lost_relays_.insert(relay);
        failover_episode ep;
        ep.relay = relay;
        ep.cause = cause;
        ep.at = at;
        episodes_.push_back(std::move(ep));
        idx = episodes_.size() - 1;
    }
    std::uint32_t affected = 0;
    for (auto& s : *shards_) {
        std::lock_guard lock(s.mutex);
        for (auto& c : s.clients)
            if (c.connected && c.relay == relay) {
                c.awaiting_episode = static_cast<long>(idx);
                c.awaiting_gen = c.conn_gen;
                ++affected;
            }
    }
    std::lock_guard lock(relays_mutex_);
    episodes_[idx].affected = affected;
}

void ledger::mark_relay_back(const std::string& relay) {
    std::lock_guard lock(relays_mutex_);
    lost_relays_.erase(relay);
}

ledger_summary ledger::summary() const {
    auto& table = *channels_;
    ledger_summary out;
    std::vector<std::pair<long, std::uint32_t>> unrecovered;
    for (std::size_t si = 0; si < shard_count; ++si) {
        const auto& s = (*shards_)[si];
        std::lock_guard lock(s.mutex);
        out.publishes += s.publishes;
        out.acks += s.acks;
        out.publish_errors += s.publish_errors;
        out.deliveries += s.deliveries;
        out.replayed += s.replayed;
        out.duplicates += s.duplicates;
        out.order_violations += s.order_violations;
        out.sticky_violations += s.sticky_violations;
        out.connects += s.connects;
        out.reconnects += s.reconnects;
        out.connect_failures += s.connect_failures;
        out.disconnects += s.disconnects;
        out.resume_gaps += s.resume_gaps;
        out.placements_fresh += s.placements[0];
        out.placements_sticky += s.placements[1];
        out.placements_failover += s.placements[2];
        out.latency.merge(s.latency);
        if (out.duplicate_example.empty())
            out.duplicate_example = s.duplicate_example;
        if (out.order_example.empty())
            out.order_example = s.order_example;
        if (out.sticky_example.empty())
            out.sticky_example = s.sticky_example;
        if (out.connect_failure_example.empty())
            out.connect_failure_example = s.connect_failure_example;
        for (std::size_t ci = 0; ci < s.clients.size(); ++ci) {
            const auto& c = s.clients[ci];
            if (!c.seen)
                continue;
            const auto client = static_cast<std::uint32_t>(ci * shard_count + si);
            ++out.clients;
            if (c.awaiting_episode >= 0)
                unrecovered.emplace_back(c.awaiting_episode, client);
            if (c.connected && c.deliveries == 0)
                ++out.silent_clients;  // cleared below when nothing was delivered at all
            for (const auto& t : c.channels) {
                if (t.first == 0)
                    continue;
                const auto end =
                    c.connected || !t.end ? table.entries[t.channel].max.load() : *t.end;
                std::uint64_t missing = 0;
                for (const auto& g : t.gaps) {
                    missing += g.last - g.first + 1;
                    if (out.lost_example.empty())
                        out.lost_example =
                            describe_gap(client, table.entries[t.channel].name, g.first, g.last);
                }
                if (end > t.max) {
                    missing += end - t.max;
                    if (out.lost_example.empty())
                        out.lost_example =
                            describe_gap(client, table.entries[t.channel].name, t.max + 1, end);
                }
                const std::uint64_t due = std::max(end, t.max) - t.first + 1;
                out.expected += due;
                out.lost += missing;
                out.received += due - missing;
            }
        }
    }
    {
        auto longest = longest_silence_us_.load();
        const auto last = last_delivery_us_.load();
        const auto end = traffic_end_us_.load();
        if (last >= 0 && end > last)
            longest = std::max(longest, end - last);
        out.longest_silence = micros{longest};
    }
    if (out.deliveries == 0)
        out.silent_clients = 0;  // nothing flowed at all: nothing to be silent about
    out.delivery_ratio = out.expected == 0 ? 1.0 : static_cast<double>(out.received) / out.expected;
    {
        std::lock_guard lock(relays_mutex_);
        out.failovers = episodes_;
    }
    for (const auto& [ep, client] : unrecovered)
        if (ep >= 0 && static_cast<std::size_t>(ep) < out.failovers.size() &&
            !out.failovers[ep].unrecovered_example)
            out.failovers[ep].unrecovered_example = client;
    return out;
}

period_stats ledger::take_period() {
    period_stats out;
    std::map<std::string, period_stats::relay_share> relays;
    for (auto& s : *shards_) {
        std::lock_guard lock(s.mutex);
        out.publishes += s.p_publishes;
        out.acks += s.p_acks;
        out.deliveries += s.p_deliveries;
        out.latency.merge(s.p_latency);
        out.deliveries_total += s.deliveries;
        out.connect_failures_total += s.connect_failures;
        s.p_publishes = s.p_acks = s.p_deliveries = 0;
        s.p_latency.clear();
        for (auto& [relay, n] : s.p_relay_deliveries) {
            auto& r = relays[relay];
            r.relay = relay;
            r.deliveries += n;
            n = 0;
        }
        if (s.sample) {
            out.samples.push_back(std::move(*s.sample));
            s.sample.reset();
        }
        for (const auto& c : s.clients)
            if (c.connected) {
                ++out.connected;
                auto& r = relays[c.relay];
                r.relay = c.relay;
                ++r.clients;
            }
    }
    for (auto& [name, share] : relays)
        if (share.clients || share.deliveries)
            out.relays.push_back(std::move(share));
    return out;
}

}  // namespace switchyard::verify
