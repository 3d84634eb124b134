#include "backends/bus/memory_bus.hpp"

#include <boost/asio/post.hpp>

namespace switchyard::bus {

memory_bus::memory_bus(bus_options options, boost::asio::any_io_executor executor)
    : options_(std::move(options)),
      executor_(std::move(executor)),
      log_(options_.history_max, options_.history_bytes_max) {}

void memory_bus::start(bus_listener& listener) {
    listener_ = &listener;
    counters_.up = true;
    boost::asio::post(executor_, [this] {
        if (listener_)
            listener_->on_bus_state(true);
    });
}

void memory_bus::stop() {
    listener_ = nullptr;
    counters_.up = false;
}

void memory_bus::publish(std::string channel, std::string from, std::string data,
                         std::function<void(bus_status, std::uint64_t)> done) {
    auto msg = std::make_shared<bus_message>();
    msg->channel = std::move(channel);
    msg->from = std::move(from);
    msg->data = std::move(data);
    const std::size_t bytes = msg->data.size() + msg->channel.size() + msg->from.size();
    msg->seq = log_.append(msg->channel, msg, bytes);
    counters_.history_bytes = log_.history_bytes();
    counters_.history_evicted_entries = log_.evicted_entries();
    counters_.history_evicted_channels = log_.evicted_channels();
    ++counters_.published;
    boost::asio::post(executor_, [this, msg, done = std::move(done)] {
        ++counters_.received;
        if (listener_)
            listener_->on_bus_message(msg);
        done(bus_status::ok, msg->seq);
    });
}

void memory_bus::history(std::string channel, std::optional<std::uint64_t> after,
                         std::function<void(bus_history)> done) {
    bus_history h;
    auto range = log_.after(channel, after.value_or(log_.latest(channel)));
    h.latest = range.latest;
    h.oldest = range.oldest;
    for (auto& e : range.entries)
        h.entries.push_back(std::static_pointer_cast<const bus_message>(e.payload));
    boost::asio::post(executor_,
                      [h = std::move(h), done = std::move(done)]() mutable { done(std::move(h)); });
}

void memory_bus::send(std::string to, std::string from, std::string data,
                      std::function<void(bus_status)> done) {
    if (!clients_.count(to)) {
        boost::asio::post(executor_, [done = std::move(done)] { done(bus_status::not_found); });
        return;
    }
    ++counters_.directs_sent;
    boost::asio::post(executor_,
                      [this, d = bus_direct{std::move(to), std::move(from), std::move(data)},
                       done = std::move(done)]() mutable {
                          ++counters_.directs_received;
                          if (listener_)
                              listener_->on_bus_direct(std::move(d));
                          done(bus_status::ok);
                      });
}

void memory_bus::register_client(const std::string& client) {
    ++clients_[client];
}

void memory_bus::unregister_client(const std::string& client) {
    auto it = clients_.find(client);
    if (it != clients_.end() && --it->second <= 0)
        clients_.erase(it);
}

}  // namespace switchyard::bus
