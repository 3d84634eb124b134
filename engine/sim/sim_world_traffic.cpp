// Bytes through the simulated world: publishes to the bus, the bus's fan-out to relays, each
// relay's fan-out to its clients (one event per relay group, one ledger record per client), and
// the subscribe/resume exchange through the hub.
#include <algorithm>
#include <map>

#include "engine/fleet/message_codec.hpp"
#include "engine/sim/sim_world.hpp"
#include "engine/sim/sim_world_state.hpp"

namespace switchyard::sim {
namespace {

using faults::stream_dir;
constexpr micros sync_retry{200'000};  ///< the relay asks the bus for history again after this

}  // namespace

std::vector<sim_world::hop> sim_world::fleet_down_path(std::uint32_t r, std::uint32_t fleet) {
    auto& relay = *relays_[r];
    std::vector<hop> out{{backend_links_[r], stream_dir::downstream, &relay.backend_down},
                         {client_link_, stream_dir::downstream, &relay.client_down}};
    auto& f = *fleets_[fleet];
    if (f.zone_link)
        out.push_back({f.zone_link, stream_dir::downstream, &f.zone_down[r]});
    return out;
}

std::vector<sim_world::hop> sim_world::down_path(std::uint32_t r, std::uint32_t c) {
    return fleet_down_path(r, clients_[c].fleet);
}

std::vector<sim_world::hop> sim_world::up_path(std::uint32_t r, std::uint32_t c) {
    auto& relay = *relays_[r];
    std::vector<hop> out;
    auto& f = *fleets_[clients_[c].fleet];
    if (f.zone_link)
        out.push_back({f.zone_link, stream_dir::upstream, &f.zone_up[r]});
    out.push_back({client_link_, stream_dir::upstream, &relay.client_up});
    out.push_back({backend_links_[r], stream_dir::upstream, &relay.backend_up});
    return out;
}

micros sim_world::zone_latency(std::uint32_t c) const {
    const auto* z = fleets_[clients_[c].fleet]->zone_link;
    return z ? z->profile().latency : micros{0};
}

// Hop by hop, each link's toxics and profile decide; a stalled chunk waits for its link's
// faults to change and then travels on from there.
void sim_world::carry(std::vector<hop> hops, std::size_t bytes, micros at,
                      std::function<void()> arrive, std::uint64_t* held) {
    for (std::size_t i = 0; i < hops.size(); ++i) {
        const auto t = hops[i].link->send(hops[i].dir, bytes, at, *hops[i].flow);
        if (t.kind == transit::drop)
            return;
        if (t.kind == transit::stall) {
            std::vector<hop> rest(hops.begin() + static_cast<std::ptrdiff_t>(i), hops.end());
            if (held)
                *held += bytes;
            stalled_[hops[i].link->name()].push_back(
                [this, rest = std::move(rest), bytes, arrive = std::move(arrive), held]() mutable {
                    if (held)
                        *held -= bytes;
                    carry(std::move(rest), bytes, now(), std::move(arrive), held);
                });
            return;
        }
        at = t.at;
    }
    kernel_.at(at, std::move(arrive));
}

void sim_world::at_relay(std::uint32_t r, std::function<void()> work) {
    auto& relay = *relays_[r];
    if (relay.life() == relay_life::stopped)
        relay.hold(std::move(work));
    else if (relay.life() == relay_life::up)
        work();
    // dead: the work is lost with the process
}

void sim_world::send_publishes(std::uint32_t c, const fleet::client_actions& a) {
    auto& cl = clients_[c];
    if (cl.relay < 0)
        return;
    auto& f = *fleets_[cl.fleet];
    const auto r = static_cast<std::uint32_t>(cl.relay);
    const auto bytes = f.config.message_bytes + costs_.frame_overhead_bytes;
    for (std::uint32_t i = 0; i < a.publish_count; ++i) {
        const std::uint64_t n = a.first_msg_number + i;
        observer().on_publish({c, channels_[f.publish_channel], fleet::make_msg_id(c, n), now()});
        auto m = std::make_shared<const sim_message>(c, n, now(), f.publish_channel, bytes);
        carry(up_path(r, c), bytes, now(), [this, c, gen = cl.conn, r, m] {
            at_relay(r, [this, c, gen, r, m] { relay_publish(c, gen, r, m); });
        });
    }
}

void sim_world::relay_publish(std::uint32_t c, std::uint32_t gen, std::uint32_t r,
                              std::shared_ptr<const sim_message> m) {
    auto& relay = *relays_[r];
    const auto done = relay.queue().admit(now(), costs_.relay_publish);
    carry({{bus_links_[r], stream_dir::upstream, &relay.bus_up}}, m->bytes, done,
          [this, c, gen, r, m] { bus_publish(c, gen, r, m); });
}

void sim_world::bus_publish(std::uint32_t c, std::uint32_t gen, std::uint32_t r,
                            std::shared_ptr<const sim_message> m) {
    const auto msg_id = fleet::make_msg_id(m->publisher, m->number);
    auto answer = [this, c, gen, r](micros at, fleet::ack_record rec) {
        auto& relay = *relays_[r];
        carry({{bus_links_[r], stream_dir::downstream, &relay.bus_down}}, small_frame_bytes, at,
              [this, c, gen, r, rec = std::move(rec)]() mutable {
                  at_relay(r, [this, c, gen, r, rec = std::move(rec)]() mutable {
                      carry(down_path(r, c), small_frame_bytes, now(),
                            [this, c, gen, rec = std::move(rec)]() mutable {
                                if (clients_[c].conn != gen)
                                    return;  // the connection the ack was for is gone
                                clients_[c].core.on_activity(now());
                                rec.at = now();
                                observer().on_ack(rec);
                            });
                  });
              });
    };
    if (!bus_.up()) {
        answer(now(), {c, msg_id, 0, "bus_unavailable", now()});
        return;
    }
    const auto done = bus_.queue().admit(now(), costs_.bus_publish);
    const auto& channel = channels_[m->channel];
    const auto seq = bus_.append(channel, m);
    answer(done, {c, msg_id, seq, {}, now()});
    const policy::hub_entry entry{seq, m};
    for (const auto target : bus_.relays_of(channel)) {
        auto& relay = *relays_[target];
        // Queued behind the publish (the queue is busy past now()), to the nanosecond.
        const auto sent = bus_.queue().admit(now(), costs_.bus_fanout);
        carry({{bus_links_[target], stream_dir::downstream, &relay.bus_down}}, m->bytes, sent,
              [this, target, ch = m->channel, entry] {
                  at_relay(target, [this, target, ch, entry] { relay_message(target, ch, entry); });
              });
    }
}

// The hub decides who gets a message (synced subscribers that have not seen its seq; pending
// ones buffer it). Everyone it names shares one trip over the relay's links: one event.
void sim_world::relay_message(std::uint32_t r, std::uint32_t ch, policy::hub_entry e) {
    auto& relay = *relays_[r];
    std::vector<std::pair<std::uint32_t, std::uint32_t>> group;
    std::vector<std::uint32_t> overflowed;
    relay.hub().on_message(
        channels_[ch], e,
        [&](policy::subscriber_id s) {
            const auto c = static_cast<std::uint32_t>(s);
            group.emplace_back(c, clients_[c].conn);
        },
        [&](policy::subscriber_id s) { overflowed.push_back(static_cast<std::uint32_t>(s)); });
    for (const auto c : overflowed) {  // slow consumers: closed, never allowed to grow memory
        const auto gen = clients_[c].conn;
        detach(c);
        carry(down_path(r, c), small_frame_bytes, now(),
              [this, c, gen] { client_closed(c, gen, "1008 slow consumer"); });
    }
    if (group.empty())
        return;
    const auto* m = static_cast<const sim_message*>(e.payload.get());
    const auto done =
        relay.queue().admit(now(), costs_.relay_delivery * static_cast<std::int64_t>(group.size()));
    // The group's backlog, against the per-client send queue: frames held behind a stalled
    // link (past the proxy's read-ahead) and the wire time owed on a bandwidth-limited link.
    const auto& wire = relay.backend_down.wire.busy_until;
    const auto backlog = from_mono(wire) > done ? from_mono(wire) - done : micros{0};
    const double kbps = backend_links_[r]->profile().bandwidth_kbps;
    const double wire_bytes = kbps > 0 ? static_cast<double>(backlog.count()) * kbps / 1000.0 : 0;
    const auto stalled = relay.stalled_down_bytes > costs_.proxy_buffer_bytes
                             ? relay.stalled_down_bytes - costs_.proxy_buffer_bytes
                             : 0;
    if (wire_bytes + static_cast<double>(stalled) >
        static_cast<double>(costs_.send_queue_bytes_max)) {
        for (const auto& [c, gen] : group) {
            detach(c);
            // The close frame queues behind what is in flight, like the relay's real close.
            carry(down_path(r, c), small_frame_bytes, done,
                  [this, c, gen] { client_closed(c, gen, "1008 slow consumer"); });
        }
        return;
    }
    // Clients of a fleet outside the core zone take one more hop: the group splits by fleet
    // then (each part crosses the relay's links on its own).
    using members = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
    std::map<std::uint32_t, members> far;
    if (!costs_.zones.fleets.empty())
        std::erase_if(group, [&](const auto& g) {
            const auto f = clients_[g.first].fleet;
            if (!fleets_[f]->zone_link)
                return false;
            far[f].push_back(g);
            return true;
        });
    auto send = [&](std::vector<hop> path, members to) {
        ++group_events_;
        carry(
            std::move(path), m->bytes, done,
            [this, r, ch, e, to = std::move(to)] { deliver_group(r, ch, e, to); },
            &relay.stalled_down_bytes);
    };
    if (!group.empty()) {
        auto path = down_path(r, group.front().first);  // before `group` is moved from
        send(std::move(path), std::move(group));
    }
    for (auto& [f, to] : far)
        send(fleet_down_path(r, f), std::move(to));
}

void sim_world::deliver_group(std::uint32_t r, std::uint32_t ch, const policy::hub_entry& e,
                              const std::vector<std::pair<std::uint32_t, std::uint32_t>>& group) {
    const auto* m = static_cast<const sim_message*>(e.payload.get());
    fleet::delivery_record rec{0,
                               relays_[r]->id(),
                               channels_[ch],
                               e.seq,
                               fleet::make_msg_id(m->publisher, m->number),
                               m->publisher,
                               m->sent_at,
                               now(),
                               false};
    for (const auto& [c, gen] : group) {
        auto& cl = clients_[c];
        if (cl.conn != gen)
            continue;  // closed while the frame was in flight
        cl.core.on_activity(now());
        rec.client = c;
        rec.replayed = cl.core.on_message(fleet_channel(cl, ch), e.seq);
        observer().on_delivery(rec);
    }
}

void sim_world::relay_subscribe(std::uint32_t c, std::uint32_t gen, std::uint32_t r,
                                std::vector<std::uint64_t> resume) {
    auto& cl = clients_[c];
    if (cl.conn != gen || cl.relay != static_cast<std::int32_t>(r))
        return;
    auto& relay = *relays_[r];
    const auto& f = *fleets_[cl.fleet];
    for (std::size_t i = 0; i < f.channels.size(); ++i) {
        const auto ch = f.channels[i];
        if (!relay.bus_channels()[ch]) {
            relay.bus_channels()[ch] = true;
            bus_.subscribe(channels_[ch], r);
        }
        const auto after = resume[i] == 0 ? std::nullopt : std::optional<std::uint64_t>(resume[i]);
        if (!relay.hub().subscribe(c, channels_[ch], after))
            continue;  // already subscribed: nothing changes
        fetch_history(c, gen, r, ch, resume[i], after.has_value());
    }
}

void sim_world::fetch_history(std::uint32_t c, std::uint32_t gen, std::uint32_t r, std::uint32_t ch,
                              std::uint64_t after, bool resume) {
    auto& relay = *relays_[r];
    carry({{bus_links_[r], stream_dir::upstream, &relay.bus_up}}, small_frame_bytes, now(),
          [this, c, gen, r, ch, after, resume] {
              if (!bus_.up()) {  // bus down: keep the subscription pending and ask again
                  kernel_.after(sync_retry, [this, c, gen, r, ch, after, resume] {
                      at_relay(r, [=, this] { fetch_history(c, gen, r, ch, after, resume); });
                  });
                  return;
              }
              // Without resume the relay asks from the latest seq: no replay.
              const auto& name = channels_[ch];
              auto h = bus_.history(name, resume ? after : bus_.latest(name));
              const auto bytes = small_frame_bytes + h.entries.size() * 200;
              auto& rl = *relays_[r];
              carry({{bus_links_[r], stream_dir::downstream, &rl.bus_down}}, bytes, now(),
                    [this, c, gen, r, ch, h = std::move(h)] {
                        at_relay(r, [this, c, gen, r, ch, h] { relay_synced(c, gen, r, ch, h); });
                    });
          });
}

void sim_world::relay_synced(std::uint32_t c, std::uint32_t gen, std::uint32_t r, std::uint32_t ch,
                             const policy::log_range& h) {
    auto& relay = *relays_[r];
    if (clients_[c].conn != gen || !relay.hub().is_subscribed(c, channels_[ch]))
        return;
    auto sync = relay.hub().on_synced(c, channels_[ch], h.entries, h.oldest, h.latest);
    if (sync.stale)
        return;
    const auto frames = static_cast<std::int64_t>(sync.deliver.size()) + 1;
    const auto done = relay.queue().admit(now(), costs_.relay_delivery * frames);
    const auto bytes = small_frame_bytes * static_cast<std::size_t>(frames);
    carry(down_path(r, c), bytes, done, [this, c, gen, r, ch, sync = std::move(sync)] {
        auto& cl = clients_[c];
        if (cl.conn != gen)
            return;
        cl.core.on_activity(now());
        if (sync.missing)
            observer().on_resume_gap(
                {c, channels_[ch], sync.missing->requested, sync.missing->oldest, now()});
        for (const auto& e : sync.deliver)
            deliver_group(r, ch, e, {{c, gen}});
        act(c,
            cl.core.on_subscribed(now(), fleet_channel(cl, ch), sync.subscribed_seq, rng_of(cl)));
    });
}

std::size_t sim_world::fleet_channel(const sim_client& cl, std::uint32_t ch) const {
    const auto& v = fleets_[cl.fleet]->channels;
    return static_cast<std::size_t>(std::find(v.begin(), v.end(), ch) - v.begin());
}

}  // namespace switchyard::sim
