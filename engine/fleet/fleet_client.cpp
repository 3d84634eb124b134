#include "engine/fleet/fleet_client.hpp"

#include <boost/json.hpp>

#include "engine/fleet/message_codec.hpp"

namespace switchyard::fleet {

namespace json = boost::json;

namespace {

std::string_view string_field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return {};
    }
    const auto& s = v->get_string();
    return {s.data(), s.size()};
}

std::uint64_t uint_field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_number()) {
        return 0;
    }
    boost::system::error_code ec;
    const auto n = v->to_number<std::uint64_t>(ec);
    return ec ? 0 : n;
}

}  // namespace

fleet_client::fleet_client(worker_context& worker, fleet_slot& fleet, std::uint32_t index)
    : worker_(worker), fleet_(fleet), core_(fleet.config), timer_(worker.io), index_(index) {}

fleet_client::~fleet_client() {
    drop_transport(false);
}

void fleet_client::start(micros delay) {
    fleet_.counters->alive++;
    counted_alive_ = true;
    apply(core_.start(worker_.now(), delay));
}

void fleet_client::stop() {
    if (stopped()) {
        return;
    }
    apply(core_.stop(worker_.now()), "stopped");
}

void fleet_client::on_rate_changed() {
    apply(core_.on_rate_changed(worker_.now(), worker_.rng));
}

const std::string& fleet_client::publish_channel() const noexcept {
    static const std::string global = "global";
    const auto& cfg = fleet_.config;
    if (!cfg.publish_channel.empty()) {
        return cfg.publish_channel;
    }
    return cfg.channels.empty() ? global : cfg.channels.front();
}

std::size_t fleet_client::channel_index(std::string_view name) const noexcept {
    const auto& channels = fleet_.config.channels;
    for (std::size_t i = 0; i < channels.size(); ++i) {
        if (channels[i] == name) {
            return i;
        }
    }
    return channels.size();
}

void fleet_client::apply(const client_actions& a, std::string_view close_reason) {
    auto& counters = *fleet_.counters;
    auto& observer = worker_.observer;
    const micros now = worker_.now();
    if (a.close) {
        drop_transport(true);
    }
    if (a.report_disconnect) {
        counters.disconnects++;
        counters.connected--;
        std::string_view why = close_reason;
        if (why.empty()) {
            why = a.disconnect_reason.empty() ? std::string_view("closed") : a.disconnect_reason;
        }
        observer.on_disconnect({index_, core_.relay(), std::string(why), now, fleet_.config.name});
    }
    if (!a.failure.empty()) {
        counters.connect_failures++;
        observer.on_connect_failure({index_,
                                     std::string(close_reason.empty() ? a.failure : close_reason),
                                     now, fleet_.config.name});
    }
    if ((a.gave_up || stopped()) && counted_alive_) {
        counted_alive_ = false;
        counters.alive--;
        drop_transport(true);
    }
    if (a.report_connect) {
        counters.connects++;
        counters.connected++;
        if (a.reconnect) {
            counters.reconnects++;
        }
        observer.on_connect({index_, core_.relay(), a.how, a.reconnect, now, fleet_.config.name});
    }
    if (a.connect) {
        open_transport();
    }
    if (a.ping && transport_) {
        transport_->send(R"({"type":"ping","id":"keepalive"})");
    }
    if (a.subscribe && transport_) {
        const auto& channels = fleet_.config.channels;
        std::vector<std::uint64_t> resume(channels.size());
        for (std::size_t i = 0; i < channels.size(); ++i) {
            resume[i] = core_.resume_point(i);
        }
        transport_->send(make_subscribe_frame(channels, resume));
    }
    if (a.publish_count > 0 && transport_) {
        const auto& channel = publish_channel();
        for (std::uint32_t i = 0; i < a.publish_count; ++i) {
            const std::uint64_t n = a.first_msg_number + i;
            transport_->send(
                make_publish_frame(channel, index_, n, now, fleet_.config.message_bytes));
            counters.publishes++;
            observer.on_publish({index_, channel, make_msg_id(index_, n), now});
        }
    }
    arm(a.wake_at);
}

void fleet_client::arm(micros wake_at) {
    if (wake_at == armed_at_) {
        return;
    }
    armed_at_ = wake_at;
    if (wake_at == never) {
        timer_.cancel();
        return;
    }
    timer_.expires_at(worker_.epoch + wake_at);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) {
            return;  // re-armed or cancelled
        }
        armed_at_ = never;
        apply(core_.on_wake(worker_.now(), worker_.rng));
    });
}

void fleet_client::open_transport() {
    drop_transport(false);
    cookie_sent_ = jar_.has(fleet_.config.sticky_cookie_name);
    transport_params params;
    params.worker = &worker_;
    params.fleet = &fleet_;
    params.events = this;
    params.jar = &jar_;
    params.client_id = "c-" + std::to_string(index_);
    transport_ = make_transport(std::move(params));
    transport_->start();
}

void fleet_client::drop_transport(bool graceful) {
    if (transport_) {
        auto t = std::move(transport_);
        t->close(graceful);
    }
}

void fleet_client::on_transport_bytes(std::size_t in, std::size_t out) {
    if (in > 0) {
        core_.on_activity(worker_.now());  // heartbeats count too
    }
    fleet_.counters->bytes_in += in;
    fleet_.counters->bytes_out += out;
}

void fleet_client::on_transport_closed(std::string_view reason) {
    transport_.reset();  // the transport closed itself; it stays alive for its own handlers
    apply(core_.on_closed(worker_.now(), worker_.rng), reason);
}

void fleet_client::on_transport_frame(std::string_view frame) {
    boost::system::error_code ec;
    const json::value v = json::parse(json::string_view(frame.data(), frame.size()), ec);
    if (ec || !v.is_object()) {
        return;  // the relay sends objects only; anything else is not ours to act on
    }
    const micros now = worker_.now();
    core_.on_activity(now);
    const auto& o = v.get_object();
    const auto type = string_field(o, "type");
    auto& counters = *fleet_.counters;
    auto& observer = worker_.observer;
    if (type == "message") {
        const auto channel = string_field(o, "channel");
        const auto seq = uint_field(o, "seq");
        const bool replayed = core_.on_message(channel_index(channel), seq);
        delivery_record rec{index_, core_.relay(), std::string(channel), seq, {}, 0, micros{0},
                            now,    replayed};
        if (const auto* data = o.if_contains("data")) {
            if (auto carried = parse_carried(*data)) {
                rec.msg_id = std::move(carried->msg_id);
                rec.publisher = carried->publisher;
                rec.sent_at = carried->sent_at;
            }
        }
        counters.deliveries++;
        if (replayed) {
            counters.replayed++;
        }
        observer.on_delivery(rec);
    } else if (type == "ack") {
        counters.acks++;
        observer.on_ack(
            {index_, std::string(string_field(o, "id")), uint_field(o, "seq"), {}, now});
    } else if (type == "hello") {
        apply(core_.on_hello(now, string_field(o, "server"), cookie_sent_, worker_.rng));
    } else if (type == "subscribed") {
        const auto idx = channel_index(string_field(o, "channel"));
        apply(core_.on_subscribed(now, idx, uint_field(o, "seq"), worker_.rng));
    } else if (type == "resume_gap") {
        counters.resume_gaps++;
        observer.on_resume_gap({index_, std::string(string_field(o, "channel")),
                                uint_field(o, "requested"), uint_field(o, "oldest"), now});
    } else if (type == "error") {
        const auto id = string_field(o, "id");
        if (!id.empty()) {
            counters.publish_errors++;
            observer.on_ack(
                {index_, std::string(id), 0, std::string(string_field(o, "code")), now});
        }
    }
    // pong and direct need no action.
}

}  // namespace switchyard::fleet
