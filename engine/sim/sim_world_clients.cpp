// The simulated clients' shell: engine/fleet/fleet_client.cpp's apply() in virtual time. The
// decisions (when to connect, back off, resume, publish, how a placement counts) are the
// client_behaviour core's; this file only carries them out and reports what happened.
#include "engine/fleet/message_codec.hpp"
#include "engine/sim/component_rng.hpp"
#include "engine/sim/sim_world.hpp"
#include "engine/sim/sim_world_state.hpp"

namespace switchyard::sim {
namespace {

using faults::connection_action;
using faults::stream_dir;

}  // namespace

policy::fast_rng& sim_world::rng_of(const sim_client& cl) {
    return fleets_[cl.fleet]->rng;
}

void sim_world::start_fleets(const std::vector<fleet::fleet_config>& fleets,
                             fleet::client_observer& observer) {
    observer_ = &observer;
    for (const auto& config : fleets) {
        auto st = std::make_unique<fleet_state>();
        st->config = config;
        for (const auto& ch : config.channels)
            st->channels.push_back(channel_index(ch));
        st->publish_channel = channel_index(!config.publish_channel.empty() ? config.publish_channel
                                            : config.channels.empty()       ? "global"
                                                                      : config.channels.front());
        st->rng = component_rng(config_.seed, "fleet:" + config.name);
        if (const auto z = costs_.zones.fleets.find(config.name); z != costs_.zones.fleets.end()) {
            const auto name = "zone:" + config.name;
            link_profile p{z->second.latency};
            p.jitter = z->second.jitter;
            links_.emplace_back(name, p, component_rng(config_.seed, "link:" + name));
            st->zone_link = &links_.back();
        }
        fleets_.push_back(std::move(st));
    }
    for (std::uint32_t fi = 0; fi < fleets_.size(); ++fi) {
        auto& f = *fleets_[fi];
        const auto count = f.config.count;
        const std::uint32_t first = static_cast<std::uint32_t>(clients_.size());
        for (std::uint32_t i = 0; i < count; ++i) {
            clients_.emplace_back(f.config, fi);
            f.clients.push_back(first + i);
        }
        for (std::uint32_t i = 0; i < count; ++i) {
            const micros ramp = f.config.connect_ramp_ms;
            start_client(first + i, ramp * i / std::max<std::uint32_t>(count, 1));
        }
    }
}

void sim_world::start_client(std::uint32_t c, micros delay) {
    act(c, clients_[c].core.start(now(), delay));
}

void sim_world::act(std::uint32_t c, const fleet::client_actions& a, std::string_view reason) {
    auto& cl = clients_[c];
    const auto& fleet_name = fleets_[cl.fleet]->config.name;
    if (a.close) {
        detach(c);
        ++cl.conn;
    }
    if (a.report_disconnect) {
        std::string_view why = reason;
        if (why.empty())
            why = a.disconnect_reason.empty() ? std::string_view("closed") : a.disconnect_reason;
        observer().on_disconnect({c, cl.core.relay(), std::string(why), now(), fleet_name});
    }
    if (!a.failure.empty())
        observer().on_connect_failure(
            {c, std::string(reason.empty() ? a.failure : reason), now(), fleet_name});
    if (a.report_connect)
        observer().on_connect({c, cl.core.relay(), a.how, a.reconnect, now(), fleet_name});
    if (a.connect)
        connect(c);
    if ((a.ping || a.publish_count > 0) && cl.relay >= 0 && send_lands_elsewhere(c))
        return;
    if (a.ping && cl.relay >= 0) {
        // The relay answers a ping with a pong: activity one round trip later.
        const auto r = static_cast<std::uint32_t>(cl.relay);
        carry(up_path(r, c), small_frame_bytes, now(), [this, c, gen = cl.conn, r] {
            at_relay(r, [this, c, gen, r] {
                carry(down_path(r, c), small_frame_bytes, now(), [this, c, gen] {
                    if (clients_[c].conn == gen)
                        clients_[c].core.on_activity(now());
                });
            });
        });
    }
    if (a.subscribe && cl.relay >= 0) {
        const auto r = static_cast<std::uint32_t>(cl.relay);
        const auto n = fleets_[cl.fleet]->channels.size();
        std::vector<std::uint64_t> resume(n);
        for (std::size_t i = 0; i < n; ++i)
            resume[i] = cl.core.resume_point(i);
        carry(up_path(r, c), small_frame_bytes, now(),
              [this, c, gen = cl.conn, r, resume = std::move(resume)]() mutable {
                  at_relay(r, [this, c, gen, r, resume = std::move(resume)]() mutable {
                      relay_subscribe(c, gen, r, std::move(resume));
                  });
              });
    }
    if (a.publish_count > 0)
        send_publishes(c, a);
    arm(c, a.wake_at);
}

// SockJS xhr transports send each frame as its own request (xhr_send), routed by the balancer
// on its own: with the affinity cookie it reaches the session's relay; without it (sticky off)
// the balancer may place it elsewhere, where the session is unknown (404), and the transport
// closes with a sticky violation, as engine/fleet/xhr_transport does.
bool sim_world::send_lands_elsewhere(std::uint32_t c) {
    auto& cl = clients_[c];
    if (!fleet::is_polling(fleets_[cl.fleet]->config.kind))
        return false;
    // The request carries the jar as it is now: the cookie set on this session's answer.
    const bool with_cookie = balancer_.settings().sticky && !cl.cookie.empty();
    const auto choice =
        balancer_.choose(with_cookie ? cl.cookie : std::string(), std::to_string(c), {}, now());
    if (choice.backend && *choice.backend == static_cast<std::size_t>(cl.relay))
        return false;
    const auto gen = cl.conn;
    const micros trip =
        client_link_->profile().latency + zone_latency(c) + backend_links_[0]->profile().latency;
    kernel_.after(trip * 2, [this, c, gen] {
        client_closed(c, gen,
                      "sticky violation: xhr_send got 404 (the session is unknown where it "
                      "landed)");
    });
    arm(c, fleet::never);
    return true;
}

void sim_world::arm(std::uint32_t c, micros wake_at) {
    auto& cl = clients_[c];
    if (wake_at == cl.armed)
        return;
    cl.armed = wake_at;
    const auto gen = ++cl.timer;  // cancels the previous wake-up
    if (wake_at == fleet::never)
        return;
    kernel_.at(wake_at, [this, c, gen] {
        auto& x = clients_[c];
        if (x.timer != gen)
            return;
        x.armed = fleet::never;
        act(c, x.core.on_wake(now(), rng_of(x)));
    });
}

// The upgrade request: through the client link to the balancer, which routes it.
void sim_world::connect(std::uint32_t c) {
    auto& cl = clients_[c];
    const auto gen = ++cl.conn;
    const bool sticky = balancer_.settings().sticky;
    cl.cookie_sent = sticky && !cl.cookie.empty();
    const auto action = client_link_->on_connect(now());
    if (action.kind == connection_action::reset || action.kind == connection_action::close_after) {
        const char* why = action.kind == connection_action::reset ? "connection reset" : "timeout";
        kernel_.after(action.after, [this, c, gen, why] { client_closed(c, gen, why); });
        return;
    }
    if (action.kind != connection_action::proceed)
        return;  // partition or blackhole: nothing answers; the core's connect deadline fires
    std::vector<hop> to_balancer;
    if (auto& f = *fleets_[cl.fleet]; f.zone_link)
        to_balancer.push_back(
            {f.zone_link, stream_dir::upstream, &f.zone_up[fleet_state::balancer_flow]});
    to_balancer.push_back({client_link_, stream_dir::upstream, &balancer_in_});
    carry(std::move(to_balancer), costs_.handshake_bytes, now(), [this, c, gen] {
        const auto done = balancer_.accept_queue().admit(now(), costs_.balancer_accept);
        kernel_.at(done, [this, c, gen] { balancer_route(c, gen, {}, 0); });
    });
}

// switchyard-lb's choice: the cookie's backend when it accepts clients, else the selector; a
// refused connect counts as a passive error and is redispatched up to redispatch_max times.
void sim_world::balancer_route(std::uint32_t c, std::uint32_t gen, std::vector<std::uint8_t> tried,
                               std::uint32_t failures) {
    auto& cl = clients_[c];
    if (cl.conn != gen)
        return;
    const auto choice = balancer_.choose(cl.cookie_sent ? cl.cookie : std::string(),
                                         std::to_string(c), tried, now());
    const micros back = client_link_->profile().latency + zone_latency(c);
    if (!choice.backend) {
        kernel_.after(back, [this, c, gen] { client_closed(c, gen, "HTTP 503"); });
        return;
    }
    const auto r = static_cast<std::uint32_t>(*choice.backend);
    const auto action = backend_links_[r]->on_connect(now());
    if (relays_[r]->life() == relay_life::dead || action.kind == connection_action::reset) {
        note_health(r, balancer_.on_passive_error(r, now()));
        tried.resize(relays_.size());
        tried[r] = 1;
        if (failures + 1 > balancer_.settings().redispatch_max) {
            kernel_.after(back, [this, c, gen] { client_closed(c, gen, "HTTP 502"); });
            return;
        }
        // The refusal comes back after one trip over the backend link.
        kernel_.after(backend_links_[r]->profile().latency * 2,
                      [this, c, gen, tried = std::move(tried), failures]() mutable {
                          balancer_route(c, gen, std::move(tried), failures + 1);
                      });
        return;
    }
    if (action.kind != connection_action::proceed)
        return;  // held or blackholed upstream: the client times out
    std::string cookie;
    if (balancer_.settings().sticky && !choice.cookie_honoured)
        cookie = balancer_.cookie_for(r, now());
    auto& relay = *relays_[r];
    carry({{backend_links_[r], stream_dir::upstream, &relay.backend_up}}, costs_.handshake_bytes,
          now(), [this, c, gen, r, cookie = std::move(cookie)]() mutable {
              at_relay(r, [this, c, gen, r, cookie = std::move(cookie)]() mutable {
                  relay_accept(c, gen, r, std::move(cookie));
              });
          });
}

// The relay takes the connection and says hello; the balancer's Set-Cookie rides on the answer.
void sim_world::relay_accept(std::uint32_t c, std::uint32_t gen, std::uint32_t r,
                             std::string cookie) {
    auto& cl = clients_[c];
    if (cl.conn != gen)
        return;
    auto& relay = *relays_[r];
    if (relay.deaf()) {  // the real relay answers the upgrade 503 until it hears its canary
        kernel_.after(backend_links_[r]->profile().latency + client_link_->profile().latency +
                          zone_latency(c),
                      [this, c, gen] { client_closed(c, gen, "HTTP 503"); });
        return;
    }
    cl.relay = static_cast<std::int32_t>(r);
    cl.slot = relay.add_member(c);
    balancer_.on_opened(r);
    const auto done = relay.queue().admit(now(), costs_.relay_accept);
    carry(down_path(r, c), costs_.handshake_bytes, done,
          [this, c, gen, r, cookie = std::move(cookie)] {
              auto& x = clients_[c];
              if (x.conn != gen)
                  return;
              if (!cookie.empty())
                  x.cookie = cookie;
              x.core.on_activity(now());
              act(c, x.core.on_hello(now(), relays_[r]->id(), x.cookie_sent, rng_of(x)));
          });
}

void sim_world::client_closed(std::uint32_t c, std::uint32_t gen, std::string reason) {
    auto& cl = clients_[c];
    if (cl.conn != gen)
        return;
    detach(c);
    ++cl.conn;
    act(c, cl.core.on_closed(now(), rng_of(cl)), reason);
}

// Forgets the client's connection on the relay side (members, hub, balancer count). The
// connection generation is left alone: the caller decides whether frames in flight still count.
void sim_world::detach(std::uint32_t c) {
    auto& cl = clients_[c];
    if (cl.relay < 0)
        return;
    const auto r = static_cast<std::uint32_t>(cl.relay);
    auto& relay = *relays_[r];
    const auto moved = relay.remove_member(cl.slot);
    if (moved != UINT32_MAX)
        clients_[moved].slot = cl.slot;
    relay.hub().remove(c);
    balancer_.on_closed(r);
    cl.relay = -1;
}

}  // namespace switchyard::sim
