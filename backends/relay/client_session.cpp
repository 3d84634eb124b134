#include "backends/relay/client_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include "backends/relay/channel_quota.hpp"
#include "backends/relay/json_finite.hpp"
#include "backends/relay/relay_server.hpp"

namespace switchyard::relay {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

// Delay between history reads while the bus is down for a pending subscription.
constexpr std::chrono::milliseconds sync_retry{200};

std::string id_field(const std::string& id_json) {
    return id_json.empty() ? std::string() : ",\"id\":" + id_json;
}

}  // namespace

client_session::client_session(relay_server& server, shard& home, std::string client_id,
                               client_mode mode, bool mode_switchable)
    : server_(server),
      home_(home),
      id_(server.next_subscriber_id()),
      client_id_(std::move(client_id)),
      session_name_(server.next_session_name()),
      mode_(mode),
      mode_switchable_(mode_switchable) {
    if (client_id_.empty())
        client_id_ = "c-" + session_name_.substr(2);
}

client_session::~client_session() {
    end_session();
}

bool client_session::valid_channel(std::string_view s) {
    if (s.empty() || s.size() > channel_bytes_max)
        return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' ||
              c == '-'))
            return false;
    return true;
}

bool client_session::valid_client_id(std::string_view s) {
    if (s.empty() || s.size() > client_id_bytes_max)
        return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
            return false;
    return true;
}

void client_session::start_session() {
    if (started_)
        return;
    started_ = true;
    home_.sessions[id_] = this;
    home_.by_client.emplace(client_id_, this);
    // The id rule: this connection takes the id; one still holding it is closed 4001.
    server_.claim_client_id(client_id_, id_, home_.index);
    ++server_.metrics().connections;
    ++server_.metrics().connections_total;
    server_.with_bus([c = client_id_](bus::bus& b) { b.register_client(c); });
    if (mode_ == client_mode::native) {
        send_text(R"({"type":"hello","server":")" + server_.config().id + R"(","session":")" +
                  session_name_ + R"(","client":")" + client_id_ + "\"}");
    } else {
        if (home_.hub.subscribe(id_, "global", std::nullopt))
            ++channels_held_;
        start_sync("global", std::nullopt);
    }
}

void client_session::end_session() {
    if (!started_ || ended_)
        return;
    ended_ = true;
    clear_backlog();
    if (server_.stopping())
        return;  // the process is exiting: shards and bus are going away
    home_.hub.remove(id_);
    channels_held_ = 0;
    server_.release_client_id(client_id_, id_);
    home_.sessions.erase(id_);
    auto range = home_.by_client.equal_range(client_id_);
    for (auto it = range.first; it != range.second; ++it) {
        if (it->second == this) {
            home_.by_client.erase(it);
            break;
        }
    }
    --server_.metrics().connections;
    server_.with_bus([c = client_id_](bus::bus& b) { b.unregister_client(c); });
}

void client_session::slow_consumer() {
    ++server_.metrics().slow_consumers;
    clear_backlog();
    close_with(1008, "slow consumer");
}

bool client_session::admit(std::size_t messages, std::size_t bytes, std::size_t frame_bytes) {
    const auto& cfg = server_.config();
    if (messages >= cfg.send_queue_messages_max || bytes + frame_bytes > cfg.send_queue_bytes_max) {
        slow_consumer();
        return false;
    }
    return true;
}

bool client_session::below_half(std::size_t messages, std::size_t bytes) const {
    const auto& cfg = server_.config();
    return messages == 0 ||
           (messages < cfg.send_queue_messages_max / 2 && bytes < cfg.send_queue_bytes_max / 2);
}

void client_session::clear_backlog() {
    backlog_.clear();
    backlog_live_messages_ = 0;
    backlog_live_bytes_ = 0;
}

void client_session::deliver(const std::shared_ptr<const relay_message>& msg) {
    if (backlog_.empty()) {
        send_broadcast(msg);
        return;
    }
    // Behind a replay: keep seq order. What waits here is live traffic the client has not
    // taken yet, so it is bounded exactly like the send queue.
    const auto& cfg = server_.config();
    const std::size_t bytes = msg->bus_message().data.size() + msg->bus_message().channel.size();
    if (backlog_live_messages_ + 1 > cfg.send_queue_messages_max ||
        backlog_live_bytes_ + bytes > cfg.send_queue_bytes_max) {
        slow_consumer();
        return;
    }
    ++backlog_live_messages_;
    backlog_live_bytes_ += bytes;
    ++server_.metrics().replay_live_held;
    backlog_.push_back({msg, {}, true});
}

void client_session::pump_backlog() {
    while (!backlog_.empty() && !ended_ && has_room()) {
        backlog_item item = std::move(backlog_.front());
        backlog_.pop_front();
        if (item.live) {
            --backlog_live_messages_;
            backlog_live_bytes_ -=
                std::min(backlog_live_bytes_, item.msg->bus_message().data.size() +
                                                  item.msg->bus_message().channel.size());
        }
        if (item.msg)
            send_broadcast(item.msg);
        else
            send_text(std::move(item.text));
    }
}

void client_session::deliver_direct(const std::string& from, const std::string& data) {
    ++server_.metrics().directs_delivered;
    if (mode_ == client_mode::raw) {
        // Raw clients get the data as text, as for channel messages.
        auto m = std::make_shared<bus::bus_message>();
        m->data = data;
        auto rm = std::make_shared<relay_message>(m);
        send_text(*rm->text(true));
        return;
    }
    send_text(R"({"type":"direct","from":")" + from + R"(","data":)" + data + "}");
}

void client_session::on_text(std::string_view text) {
    if (ended_)
        return;
    ++server_.metrics().frames_received;
    if (mode_ == client_mode::raw && mode_switchable_ && !saw_first_) {
        saw_first_ = true;
        // A SockJS session whose first message is a native frame speaks native from now on.
        json::error_code ec;
        auto v = json::parse(json::string_view(text.data(), text.size()), ec);
        if (!ec && v.is_object() && v.as_object().contains("type") &&
            v.as_object().at("type").is_string()) {
            mode_ = client_mode::native;
            if (home_.hub.unsubscribe(id_, "global"))
                --channels_held_;
            send_text(R"({"type":"hello","server":")" + server_.config().id + R"(","session":")" +
                      session_name_ + R"(","client":")" + client_id_ + "\"}");
        }
    }
    saw_first_ = true;
    if (mode_ == client_mode::raw)
        handle_raw(text);
    else
        handle_native(text);
}

void client_session::handle_raw(std::string_view text) {
    ++server_.metrics().publishes;
    auto data = json_quote(text);
    server_.with_bus(
        [data = std::move(data), from = client_id_, &m = server_.metrics()](bus::bus& b) mutable {
            b.publish("global", from, std::move(data), [&m](bus::bus_status st, std::uint64_t) {
                if (st != bus::bus_status::ok)
                    ++m.publish_errors;  // raw mode has no error frame; the metric shows it
            });
        });
}

void client_session::error(std::string_view code, std::string_view message,
                           const std::string& id_json) {
    ++server_.metrics().frames_rejected;
    send_text(R"({"type":"error","code":")" + std::string(code) + R"(","message":)" +
              json_quote(message) + id_field(id_json) + "}");
}

void client_session::handle_native(std::string_view text) {
    json::error_code ec;
    json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
    if (ec) {
        error("bad_json", "invalid JSON: " + ec.message(), "");
        return;
    }
    if (!json_numbers_finite(v)) {
        // Refused whole, id included: written back, such a number would not be JSON (not
        // for the subscribers, nor in the error's own id field).
        error("bad_json", "a number is out of range (JSON has no infinity)", "");
        return;
    }
    if (!v.is_object()) {
        error("bad_frame", "a frame must be a JSON object", "");
        return;
    }
    const json::object& o = v.as_object();
    std::string id_json;
    if (auto it = o.find("id"); it != o.end())
        id_json = json::serialize(it->value());
    auto t = o.find("type");
    if (t == o.end() || !t->value().is_string()) {
        error("bad_frame", "a frame needs a string 'type'", id_json);
        return;
    }
    const json::string& type = t->value().as_string();
    if (type == "publish")
        publish(v, id_json);
    else if (type == "subscribe")
        subscribe(v, id_json);
    else if (type == "unsubscribe") {
        auto ch = o.find("channels");
        if (ch == o.end() || !ch->value().is_array()) {
            error("bad_frame", "unsubscribe needs 'channels': [..]", id_json);
            return;
        }
        for (const auto& c : ch->value().as_array())
            if (c.is_string() && home_.hub.unsubscribe(id_, std::string_view(c.as_string())))
                --channels_held_;
    } else if (type == "send")
        send_to(v, id_json);
    else if (type == "ping")
        send_text(R"({"type":"pong","id":)" + (id_json.empty() ? std::string("null") : id_json) +
                  "}");
    else
        error("unknown_type", "unknown type '" + std::string(type) + "'", id_json);
}

void client_session::subscribe(const json::value& frame, const std::string& id_json) {
    const json::object& o = frame.as_object();
    auto ch = o.find("channels");
    if (ch == o.end() || !ch->value().is_array()) {
        error("bad_frame", "subscribe needs 'channels': [..]", id_json);
        return;
    }
    const json::object* resume = nullptr;
    if (auto r = o.find("resume"); r != o.end()) {
        if (!r->value().is_object()) {
            error("bad_frame", "'resume' must be an object of channel: seq", id_json);
            return;
        }
        resume = &r->value().as_object();
    }
    for (const auto& c : ch->value().as_array()) {
        if (!c.is_string() || !valid_channel(std::string_view(c.as_string()))) {
            error("bad_channel", "channel names are 1..128 bytes of [A-Za-z0-9_.:-]", id_json);
            continue;
        }
        std::string name(c.as_string());
        std::optional<std::uint64_t> after;
        if (resume) {
            if (auto r = resume->find(name); r != resume->end()) {
                if (r->value().is_uint64())
                    after = r->value().as_uint64();
                else if (r->value().is_int64() && r->value().as_int64() >= 0)
                    after = static_cast<std::uint64_t>(r->value().as_int64());
                else {
                    error("bad_frame", "resume seq must be a non-negative integer", id_json);
                    continue;
                }
            }
        }
        if (!home_.hub.is_subscribed(id_, name) &&
            !may_subscribe(server_.config().max_channels_per_client, channels_held_)) {
            ++server_.metrics().channel_limit_rejections;
            error("too_many_channels",
                  "a client may hold " + std::to_string(server_.config().max_channels_per_client) +
                      " channels; not subscribed to '" + name + "'",
                  id_json);
            continue;
        }
        if (!home_.hub.subscribe(id_, name, after)) {
            // Already subscribed: nothing changes, but the client still gets its answer (a
            // pending subscription answers when its sync completes).
            if (auto last = home_.hub.last_seq(id_, name))
                send_text(R"({"type":"subscribed","channel":")" + name + R"(","seq":)" +
                          std::to_string(*last) + "}");
            continue;
        }
        ++channels_held_;
        if (after)
            ++server_.metrics().resumes;
        start_sync(name, after);
    }
}

void client_session::start_sync(const std::string& channel, std::optional<std::uint64_t> resume) {
    std::weak_ptr<client_session> weak = weak_from_this();
    shard* home = &home_;
    server_.with_bus([weak, home, channel, resume](bus::bus& b) {
        b.history(channel, resume, [weak, home, channel, resume](bus::bus_history h) {
            asio::post(home->ioc, [weak, channel, resume, h = std::move(h)]() mutable {
                auto self = weak.lock();
                if (!self || self->ended_ || !self->home_.hub.is_subscribed(self->id_, channel))
                    return;
                if (h.status != bus::bus_status::ok) {
                    // Bus down: keep the subscription pending and ask again shortly.
                    auto timer = std::make_shared<asio::steady_timer>(self->home_.ioc, sync_retry);
                    timer->async_wait([timer, weak, channel, resume](boost::system::error_code) {
                        if (auto s = weak.lock(); s && !s->ended_)
                            s->start_sync(channel, resume);
                    });
                    return;
                }
                std::vector<policy::hub_entry> entries;
                entries.reserve(h.entries.size());
                for (auto& m : h.entries)
                    entries.push_back({m->seq, std::make_shared<relay_message>(m)});
                auto sync =
                    self->home_.hub.on_synced(self->id_, channel, entries, h.oldest, h.latest);
                if (sync.stale)
                    return;
                if (sync.resume_beyond_latest)
                    ++self->server_.metrics().resume_beyond_latest;
                const bool native = self->mode_ == client_mode::native;
                if (sync.missing && native) {
                    ++self->server_.metrics().resume_gaps;
                    self->send_text(R"({"type":"resume_gap","channel":")" + channel +
                                    R"(","requested":)" + std::to_string(sync.missing->requested) +
                                    R"(,"oldest":)" + std::to_string(sync.missing->oldest) + "}");
                }
                self->server_.metrics().replayed += sync.deliver.size();
                self->server_.metrics().deliveries += sync.deliver.size();
                // Replay goes through the backlog, paced by the client's reading: a history
                // longer than the send queue is not a slow consumer. `subscribed` follows it.
                for (auto& e : sync.deliver)
                    self->backlog_.push_back(
                        {std::static_pointer_cast<const relay_message>(e.payload), {}, false});
                if (native)
                    self->backlog_.push_back({nullptr,
                                              R"({"type":"subscribed","channel":")" + channel +
                                                  R"(","seq":)" +
                                                  std::to_string(sync.subscribed_seq) + "}",
                                              false});
                self->pump_backlog();
            });
        });
    });
}

void client_session::publish(const json::value& frame, const std::string& id_json) {
    const json::object& o = frame.as_object();
    auto ch = o.find("channel");
    if (ch == o.end() || !ch->value().is_string() ||
        !valid_channel(std::string_view(ch->value().as_string()))) {
        error("bad_channel", "publish needs a valid 'channel'", id_json);
        return;
    }
    std::string channel(ch->value().as_string());
    auto d = o.find("data");
    std::string data = d == o.end() ? std::string("null") : json::serialize(d->value());
    ++server_.metrics().publishes;
    std::weak_ptr<client_session> weak = weak_from_this();
    shard* home = &home_;
    server_.with_bus([weak, home, channel, data = std::move(data), from = client_id_,
                      id_json](bus::bus& b) mutable {
        b.publish(channel, from, std::move(data),
                  [weak, home, channel, id_json](bus::bus_status st, std::uint64_t seq) {
                      asio::post(home->ioc, [weak, channel, id_json, st, seq] {
                          auto self = weak.lock();
                          if (!self || self->ended_)
                              return;
                          if (st != bus::bus_status::ok) {
                              ++self->server_.metrics().publish_errors;
                              self->error("bus_unavailable",
                                          "the bus is unavailable: the message was not delivered",
                                          id_json);
                              return;
                          }
                          self->send_text(R"({"type":"ack")" + id_field(id_json) +
                                          R"(,"channel":")" + channel + R"(","seq":)" +
                                          std::to_string(seq) + "}");
                      });
                  });
    });
}

void client_session::send_to(const json::value& frame, const std::string& id_json) {
    const json::object& o = frame.as_object();
    auto to = o.find("to");
    if (to == o.end() || !to->value().is_string() ||
        !valid_client_id(std::string_view(to->value().as_string()))) {
        error("bad_frame", "send needs 'to': a client id", id_json);
        return;
    }
    auto d = o.find("data");
    std::string data = d == o.end() ? std::string("null") : json::serialize(d->value());
    std::weak_ptr<client_session> weak = weak_from_this();
    shard* home = &home_;
    server_.with_bus([weak, home, target = std::string(to->value().as_string()),
                      data = std::move(data), from = client_id_, id_json](bus::bus& b) mutable {
        b.send(target, from, std::move(data), [weak, home, id_json](bus::bus_status st) {
            asio::post(home->ioc, [weak, id_json, st] {
                auto self = weak.lock();
                if (!self || self->ended_)
                    return;
                if (st == bus::bus_status::not_found)
                    self->error("not_found", "no relay holds that client", id_json);
                else if (st == bus::bus_status::unavailable)
                    self->error("bus_unavailable",
                                "the bus is unavailable: the message was not delivered", id_json);
                else
                    self->send_text(R"({"type":"ack")" + id_field(id_json) + "}");
            });
        });
    });
}

}  // namespace switchyard::relay
