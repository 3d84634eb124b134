#include "backends/bus/redis_bus.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>

namespace switchyard::bus {

namespace asio = boost::asio;

namespace {

constexpr std::string_view prefix = "sy:";

// KEYS: seq, hist. ARGV: floor, history_max, pubsub channel, from, data.
constexpr const char* publish_script = R"lua(
local seq = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if seq <= floor then
  seq = floor + 1
  redis.call('SET', KEYS[1], seq)
end
local entry = seq .. ' ' .. ARGV[4] .. ' ' .. ARGV[5]
redis.call('RPUSH', KEYS[2], entry)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('PUBLISH', ARGV[3], entry)
return seq
)lua";

// KEYS: seq, hist. ARGV: after (-1: only latest and oldest). Returns {latest, oldest, entries..}.
constexpr const char* history_script = R"lua(
local latest = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = redis.call('LLEN', KEYS[2])
local oldest = latest + 1
if n > 0 then
  oldest = tonumber(string.match(redis.call('LINDEX', KEYS[2], 0), '^%d+'))
end
local res = {latest, oldest}
local after = tonumber(ARGV[1])
if after < 0 or n == 0 then return res end
local start = after + 1 - oldest
if start < 0 then start = 0 end
if start >= n then return res end
for _, v in ipairs(redis.call('LRANGE', KEYS[2], start, -1)) do res[#res + 1] = v end
return res
)lua";

// KEYS: client. ARGV: relay channel prefix, envelope. -1 unknown client, else receivers.
constexpr const char* send_script = R"lua(
local relay = redis.call('GET', KEYS[1])
if not relay then return -1 end
return redis.call('PUBLISH', ARGV[1] .. relay, ARGV[2])
)lua";

// KEYS: client. ARGV: relay. Deletes the entry only if it still names this relay.
constexpr const char* unregister_script = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

std::string key(std::string_view kind, std::string_view name) {
    std::string k;
    k.reserve(prefix.size() + kind.size() + name.size());
    k.append(prefix).append(kind).append(name);
    return k;
}

// "<seq> <from> <data>" -> message; nullptr when malformed.
message_ptr parse_entry(std::string_view channel, std::string_view entry) {
    const auto sp1 = entry.find(' ');
    if (sp1 == std::string_view::npos)
        return nullptr;
    const auto sp2 = entry.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos)
        return nullptr;
    auto msg = std::make_shared<bus_message>();
    std::uint64_t seq = 0;
    for (char c : entry.substr(0, sp1)) {
        if (c < '0' || c > '9')
            return nullptr;
        seq = seq * 10 + static_cast<std::uint64_t>(c - '0');
    }
    msg->channel = std::string(channel);
    msg->seq = seq;
    msg->from = std::string(entry.substr(sp1 + 1, sp2 - sp1 - 1));
    msg->data = std::string(entry.substr(sp2 + 1));
    return msg;
}

std::string_view str(const redisReply* r) {
    return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)
               ? std::string_view(r->str, r->len)
               : std::string_view{};
}

}  // namespace

redis_bus::redis_bus(bus_options options, asio::any_io_executor executor, std::string host,
                     int port)
    : options_(std::move(options)),
      executor_(executor),
      cmd_(executor, host, port, options_.reconnect_min, options_.reconnect_max,
           {options_.ping_idle, options_.ping_deadline}),
      sub_(executor, host, port, options_.reconnect_min, options_.reconnect_max,
           {options_.ping_idle, options_.ping_deadline}),
      refresh_(executor),
      canary_({options_.canary_interval, options_.canary_deadline}),
      canary_timer_(executor) {}

redis_bus::~redis_bus() {
    stop();
}

void redis_bus::start(bus_listener& listener) {
    listener_ = &listener;
    stopped_ = false;
    cmd_.on_up = [this] {
        ++counters_.reconnects;
        // The registry may have been lost with a Redis restart: write it again at once.
        refresh_registry();
        update_state();
    };
    cmd_.on_down = [this] { update_state(); };
    cmd_.on_timeout = [this] { ++counters_.ping_timeouts; };
    sub_.on_timeout = [this] { ++counters_.ping_timeouts; };
    sub_.on_up = [this] {
        ++counters_.reconnects;
        on_sub_up();
    };
    sub_.on_down = [this] {
        sub_confirmed_ = 0;
        update_state();
    };
    cmd_.start();
    sub_.start();
    arm_refresh();
}

void redis_bus::stop() {
    if (stopped_)
        return;
    stopped_ = true;
    refresh_.cancel();
    canary_timer_.cancel();
    listener_ = nullptr;
    cmd_.stop();
    sub_.stop();
    counters_.up = false;
}

void redis_bus::update_state() {
    const bool up = cmd_.connected() && sub_.connected() && sub_confirmed_ >= 2;
    if (up == up_)
        return;
    up_ = up;
    counters_.up = up;
    if (!up)
        ++counters_.outages;
    if (up) {
        canary_.on_up(std::chrono::steady_clock::now());
        arm_canary(std::chrono::steady_clock::now());
    } else {
        canary_.on_down();
        counters_.deaf = false;
    }
    if (listener_)
        listener_->on_bus_state(up);
}

void redis_bus::arm_canary(std::chrono::steady_clock::time_point at) {
    if (options_.canary_interval.count() <= 0 || stopped_)
        return;
    canary_timer_.expires_at(at);
    canary_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec && !stopped_)
            on_canary_timer();
    });
}

void redis_bus::on_canary_timer() {
    if (!up_)
        return;  // update_state re-arms when the bus is confirmed again
    const auto now = std::chrono::steady_clock::now();
    const bool was_deaf = canary_.deaf();
    const canary_decision d = canary_.poll(now);
    if (d.send_seq) {
        ++counters_.canary_sent;
        cmd_.command({"PUBLISH", key("ch:", "#canary"),
                      options_.relay_id + ' ' + std::to_string(*d.send_seq)},
                     [](redisReply*) {});
    }
    counters_.canary_peers = canary_.peers_heard(now);
    if (d.deaf && !was_deaf) {
        ++counters_.canary_deaf_episodes;
        counters_.deaf = true;
        if (listener_)
            listener_->on_bus_deaf();
        // Heal what can be healed: a subscription Redis dropped, or a failover to a server
        // that never had it, is fixed by connecting and subscribing again; the gap is refilled
        // from the history. update_state() re-arms the canary once both links are confirmed.
        sub_.reset();
        cmd_.reset();
        return;
    }
    arm_canary(d.wake_at);
}

void redis_bus::on_canary(std::string_view payload) {
    const auto sp = payload.find(' ');
    if (sp == std::string_view::npos)
        return;
    const std::string_view relay = payload.substr(0, sp);
    std::uint64_t seq = 0;
    for (char c : payload.substr(sp + 1)) {
        if (c < '0' || c > '9')
            return;
        seq = seq * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (relay == options_.relay_id) {
        const std::uint64_t before = canary_.heard();
        canary_.on_heard_own(seq);
        if (canary_.heard() != before)
            ++counters_.canary_heard;
        counters_.deaf = canary_.deaf();
    } else {
        canary_.on_heard_peer(std::string(relay), std::chrono::steady_clock::now());
    }
}

void redis_bus::on_sub_up() {
    sub_confirmed_ = 0;
    // One command per subscription: hiredis keeps one callback per channel or pattern.
    auto confirm_or_message = [this](redisReply* r, bool pattern) {
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 3)
            return;
        const std::string_view kind = str(r->element[0]);
        if (kind == "subscribe" || kind == "psubscribe") {
            ++sub_confirmed_;
            update_state();
            return;
        }
        if (pattern && kind == "pmessage" && r->elements >= 4) {
            std::string_view ch = str(r->element[2]);
            ch.remove_prefix(std::min(ch.size(), prefix.size() + 3));  // "sy:ch:"
            if (ch == "#canary")
                on_canary(str(r->element[3]));
            else
                on_sub_message(ch, str(r->element[3]));
        } else if (!pattern && kind == "message") {
            on_direct(str(r->element[2]));
        }
    };
    sub_.command({"PSUBSCRIBE", key("ch:", "*")},
                 [confirm_or_message](redisReply* r) { confirm_or_message(r, true); });
    sub_.command({"SUBSCRIBE", key("relay:", options_.relay_id)},
                 [confirm_or_message](redisReply* r) { confirm_or_message(r, false); });
}

void redis_bus::on_sub_message(std::string_view channel, std::string_view payload) {
    auto msg = parse_entry(channel, payload);
    if (!msg)
        return;
    ++counters_.received;
    accept(std::move(msg));
}

void redis_bus::accept(message_ptr msg) {
    auto it = channels_.find(msg->channel);
    if (it == channels_.end())
        it = channels_.emplace(msg->channel, channel_state{}).first;
    channel_state& st = it->second;
    if (st.refilling) {
        if (st.held.size() >= options_.gap_hold_max) {
            // Everything held was published, so the history has it: drop it rather than grow,
            // and read the history once more when the read in flight returns.
            ++counters_.gap_hold_overflows;
            st.held.clear();
            st.refill_again = true;
        }
        st.held.push_back(std::move(msg));
        return;
    }
    if (st.last != 0 && msg->seq <= st.last)
        return;
    if (st.last != 0 && msg->seq > st.last + 1) {
        // Missed messages (a dropped subscription): fetch them from the history first.
        st.held.push_back(std::move(msg));
        refill(it->first);
        return;
    }
    deliver(st, std::move(msg));
}

void redis_bus::deliver(channel_state& st, message_ptr msg) {
    st.last = msg->seq;
    if (listener_)
        listener_->on_bus_message(std::move(msg));
}

void redis_bus::refill(const std::string& channel) {
    channel_state& st = channels_[channel];
    st.refilling = true;
    ++counters_.gap_refills;
    // The subscription is live (it delivered the jump), so this read cannot miss anything.
    read_history(channel, st.last, [this, channel](bus_history h) {
        channel_state& st = channels_[channel];
        st.refilling = false;
        for (auto& e : h.entries)
            if (e->seq > st.last)
                deliver(st, e);
        if (st.refill_again && h.status == bus_status::ok) {
            // Held messages were dropped: what came between is in the history, read it first.
            st.refill_again = false;
            refill(channel);
            return;
        }
        st.refill_again = false;
        auto held = std::move(st.held);
        st.held.clear();
        // What the history could not provide is gone (e.g. Redis restarted): move on.
        for (auto& m : held)
            if (m->seq > st.last)
                deliver(st, m);
    });
}

void redis_bus::on_direct(std::string_view payload) {
    const auto sp1 = payload.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : payload.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos)
        return;
    ++counters_.directs_received;
    if (listener_)
        listener_->on_bus_direct(bus_direct{std::string(payload.substr(0, sp1)),
                                            std::string(payload.substr(sp1 + 1, sp2 - sp1 - 1)),
                                            std::string(payload.substr(sp2 + 1))});
}

void redis_bus::publish(std::string channel, std::string from, std::string data,
                        std::function<void(bus_status, std::uint64_t)> done) {
    auto it = channels_.find(channel);
    std::uint64_t floor = it == channels_.end() ? 0 : it->second.last;
    if (const auto p = published_max_.find(channel); p != published_max_.end())
        floor = std::max(floor, p->second);
    auto cb = [this, done, channel](redisReply* r) {
        if (!r || r->type != REDIS_REPLY_INTEGER) {
            ++counters_.publish_failures;
            done(bus_status::unavailable, 0);
            return;
        }
        ++counters_.published;
        const auto seq = static_cast<std::uint64_t>(r->integer);
        auto& max = published_max_[channel];
        max = std::max(max, seq);
        done(bus_status::ok, seq);
    };
    if (!up_ ||
        !cmd_.command({"EVAL", publish_script, "2", key("seq:", channel), key("hist:", channel),
                       std::to_string(floor), std::to_string(options_.history_max),
                       key("ch:", channel), from.empty() ? std::string("-") : from, data},
                      cb)) {
        ++counters_.publish_failures;
        asio::post(executor_, [done] { done(bus_status::unavailable, 0); });
    }
}

void redis_bus::history(std::string channel, std::optional<std::uint64_t> after,
                        std::function<void(bus_history)> done) {
    if (!up_) {
        // Until the subscription is confirmed, messages published after this read would reach
        // neither the history it returns nor this relay: a client resuming on a relay that has
        // just started (or is resubscribing) would silently miss them. The caller retries.
        asio::post(executor_, [done = std::move(done)] {
            bus_history h;
            h.status = bus_status::unavailable;
            done(std::move(h));
        });
        return;
    }
    read_history(std::move(channel), after, std::move(done));
}

void redis_bus::read_history(std::string channel, std::optional<std::uint64_t> after,
                             std::function<void(bus_history)> done) {
    auto cb = [channel, done](redisReply* r) {
        bus_history h;
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 2) {
            h.status = bus_status::unavailable;
            done(std::move(h));
            return;
        }
        h.latest = static_cast<std::uint64_t>(r->element[0]->integer);
        h.oldest = static_cast<std::uint64_t>(r->element[1]->integer);
        for (std::size_t i = 2; i < r->elements; ++i)
            if (auto m = parse_entry(channel, str(r->element[i])))
                h.entries.push_back(std::move(m));
        done(std::move(h));
    };
    if (!cmd_.command({"EVAL", history_script, "2", key("seq:", channel), key("hist:", channel),
                       after ? std::to_string(*after) : std::string("-1")},
                      cb)) {
        asio::post(executor_, [done] {
            bus_history h;
            h.status = bus_status::unavailable;
            done(std::move(h));
        });
    }
}

void redis_bus::send(std::string to, std::string from, std::string data,
                     std::function<void(bus_status)> done) {
    auto cb = [this, done](redisReply* r) {
        if (!r || r->type != REDIS_REPLY_INTEGER) {
            done(bus_status::unavailable);
            return;
        }
        if (r->integer <= 0) {
            done(bus_status::not_found);
            return;
        }
        ++counters_.directs_sent;
        done(bus_status::ok);
    };
    std::string envelope = to + ' ' + (from.empty() ? std::string("-") : from) + ' ' + data;
    if (!up_ ||
        !cmd_.command({"EVAL", send_script, "1", key("client:", to), key("relay:", ""), envelope},
                      cb))
        asio::post(executor_, [done] { done(bus_status::unavailable); });
}

void redis_bus::register_one(const std::string& client) {
    cmd_.command({"SET", key("client:", client), options_.relay_id, "PX",
                  std::to_string(options_.registry_ttl.count())},
                 [](redisReply*) {});
}

void redis_bus::register_client(const std::string& client) {
    if (++clients_[client] == 1)
        register_one(client);
}

void redis_bus::unregister_client(const std::string& client) {
    auto it = clients_.find(client);
    if (it == clients_.end() || --it->second > 0)
        return;
    clients_.erase(it);
    cmd_.command({"EVAL", unregister_script, "1", key("client:", client), options_.relay_id},
                 [](redisReply*) {});
}

void redis_bus::refresh_registry() {
    for (const auto& [client, n] : clients_)
        register_one(client);
}

void redis_bus::arm_refresh() {
    // Refresh at a third of the expiry so two missed rounds still keep entries alive.
    refresh_.expires_after(options_.registry_ttl / 3);
    refresh_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopped_)
            return;
        refresh_registry();
        arm_refresh();
    });
}

}  // namespace switchyard::bus
