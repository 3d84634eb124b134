#include "engine/verify/ledger.hpp"

#include <algorithm>
#include <memory>

#include "engine/verify/ledger_state.hpp"

namespace switchyard::verify {
namespace {

/// The fleet's xhr transports start a failure reason with this when a request of a session
/// landed on a relay that did not know the session (engine/fleet/xhr_transport.hpp).
constexpr std::string_view sticky_reason_prefix = "sticky violation";

}  // namespace

ledger::ledger()
    : shards_(std::make_unique<std::array<shard, shard_count>>()),
      names_(std::make_unique<tables>()) {}

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
    c.relay_id = names_->relays.index(r.relay);
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
    auto& table = names_->channels;
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
        t.end = table[t.channel].max.load(std::memory_order_relaxed);
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
    auto& table = names_->channels;
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
    auto& table = names_->channels;
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
    auto& table = names_->channels;
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
    // The relay's id: the client's own (one string compare) unless the record names another.
    const bool on_own_relay = c.connected && r.relay == c.relay;
    const auto relay_id = on_own_relay ? c.relay_id : names_->relays.index(r.relay);
    if (relay_id >= s.p_relay_deliveries.size())
        s.p_relay_deliveries.resize(relay_id + 1, 0);
    ++s.p_relay_deliveries[relay_id];
    if (!s.sample)
        s.sample = r;
    if (c.connected && !on_own_relay && !r.relay.empty() && !c.relay.empty()) {
        ++s.sticky_violations;
        if (s.sticky_example.empty())
            s.sticky_example = "client " + std::to_string(r.client) + " on " + c.relay +
                               " got seq " + std::to_string(r.seq) + " from " + r.relay;
    }
    if (c.awaiting_episode >= 0 && c.conn_gen > c.awaiting_gen) {
        const auto ep = static_cast<std::size_t>(c.awaiting_episode);
        c.awaiting_episode = -1;
        record_recovery(ep, r.client, r.received_at, c.gap_gen == c.conn_gen);
    }
    if (r.seq == 0)
        return;  // raw SockJS carries no sequence: counted, not checked
    channel_track* t = nullptr;
    for (auto& x : c.channels)
        if (table[x.channel].name == r.channel) {
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
        t->gaps.push_back(ledger_gap{t->max + 1, r.seq - 1});
        t->max = r.seq;
    } else {
        // At or below the running maximum: either it fills a gap (late) or it was seen.
        auto it = std::find_if(t->gaps.begin(), t->gaps.end(), [&](const ledger_gap& g) {
            return r.seq >= g.first && r.seq <= g.last;
        });
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
                const ledger_gap tail{r.seq + 1, it->last};
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
    auto& c = client_in(s.clients, r.client);
    c.gap_gen = c.conn_gen;
    ++s.resume_gaps;
}

bool ledger::relay_lost(const std::string& relay) const {
    std::lock_guard lock(relays_mutex_);
    return lost_relays_.count(relay) != 0;
}

void ledger::record_recovery(std::size_t episode, std::uint32_t client, micros at, bool with_gap) {
    std::lock_guard lock(relays_mutex_);
    auto& ep = episodes_.at(episode);
    ++ep.recovered;
    if (with_gap)
        ++ep.recovered_with_gap;
    const auto dt = at - ep.at;
    ep.recovery.record(std::max(dt, micros{0}));
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
    std::uint32_t connected = 0;
    const auto id = names_->relays.find(relay);  // none: no client ever reached it
    for (auto& s : *shards_) {
        std::lock_guard lock(s.mutex);
        for (auto& c : s.clients) {
            if (!c.connected)
                continue;
            ++connected;
            if (id && c.relay_id == *id) {
                c.awaiting_episode = static_cast<long>(idx);
                c.awaiting_gen = c.conn_gen;
                ++affected;
            }
        }
    }
    std::lock_guard lock(relays_mutex_);
    episodes_[idx].affected = affected;
    episodes_[idx].connected = connected;
}

void ledger::mark_relay_back(const std::string& relay) {
    std::lock_guard lock(relays_mutex_);
    lost_relays_.erase(relay);
}

}  // namespace switchyard::verify
