// The ledger's reading half: the end-of-run summary and the periodic metrics.
#include <algorithm>
#include <tuple>

#include "engine/verify/ledger.hpp"
#include "engine/verify/ledger_state.hpp"

namespace switchyard::verify {
namespace {

std::string describe_gap(std::uint32_t client, const std::string& channel, std::uint64_t a,
                         std::uint64_t b) {
    std::string s = "client " + std::to_string(client) + " on " + channel + ": missing seq " +
                    std::to_string(a);
    if (b != a)
        s += ".." + std::to_string(b);
    return s;
}

}  // namespace

ledger_summary ledger::summary() const {
    const auto& table = names_->channels;
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
                const auto end = c.connected || !t.end ? table[t.channel].max.load() : *t.end;
                std::uint64_t missing = 0;
                auto note_range = [&](std::uint64_t first, std::uint64_t last) {
                    missing += last - first + 1;
                    if (out.lost_example.empty())
                        out.lost_example = describe_gap(client, table[t.channel].name, first, last);
                    out.lost_ranges.push_back({client, table[t.channel].name, first, last});
                };
                for (const auto& g : t.gaps)
                    note_range(g.first, g.last);
                if (end > t.max)
                    note_range(t.max + 1, end);
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
    // Shards interleave clients: sort so the list reads by client, then cut it (the ranges are
    // few next to what the ledger already holds, one per gap).
    std::sort(out.lost_ranges.begin(), out.lost_ranges.end(),
              [](const lost_range& a, const lost_range& b) {
                  return std::tie(a.client, a.channel, a.first) <
                         std::tie(b.client, b.channel, b.first);
              });
    if (out.lost_ranges.size() > ledger_summary::lost_ranges_max)
        out.lost_ranges.resize(ledger_summary::lost_ranges_max);
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
    // By relay id while counting, then sorted by name: the order the metrics event shows.
    std::vector<period_stats::relay_share> relays(names_->relays.size());
    auto share = [&](std::uint32_t id) -> period_stats::relay_share& {
        if (id >= relays.size())
            relays.resize(id + 1);  // a relay first seen after the size was read
        return relays[id];
    };
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
        for (std::uint32_t id = 0; id < s.p_relay_deliveries.size(); ++id) {
            if (s.p_relay_deliveries[id] != 0)
                share(id).deliveries += s.p_relay_deliveries[id];
            s.p_relay_deliveries[id] = 0;
        }
        if (s.sample) {
            out.samples.push_back(std::move(*s.sample));
            s.sample.reset();
        }
        for (const auto& c : s.clients)
            if (c.connected) {
                ++out.connected;
                ++share(c.relay_id).clients;
            }
    }
    for (std::uint32_t id = 0; id < relays.size(); ++id)
        if (relays[id].clients || relays[id].deliveries) {
            relays[id].relay = names_->relays[id].name;
            out.relays.push_back(std::move(relays[id]));
        }
    std::sort(out.relays.begin(), out.relays.end(),
              [](const auto& a, const auto& b) { return a.relay < b.relay; });
    return out;
}

}  // namespace switchyard::verify
