#pragma once
// The bus inside one process: one relay, no Redis. Same contract as the redis bus.
#include <map>

#include <boost/asio/any_io_executor.hpp>

#include "backends/bus/bus.hpp"
#include "backends/policy/channel_log.hpp"

namespace switchyard::bus {

/// In-process bus over a policy::channel_log. Deliveries are posted, never re-entrant.
class memory_bus final : public bus {
  public:
    memory_bus(bus_options options, boost::asio::any_io_executor executor);
    void start(bus_listener& listener) override;
    void stop() override;
    void publish(std::string channel, std::string from, std::string data,
                 std::function<void(bus_status, std::uint64_t)> done) override;
    void history(std::string channel, std::optional<std::uint64_t> after,
                 std::function<void(bus_history)> done) override;
    void send(std::string to, std::string from, std::string data,
              std::function<void(bus_status)> done) override;
    void register_client(const std::string& client) override;
    void unregister_client(const std::string& client) override;
    const bus_counters& counters() const override { return counters_; }
    std::string_view kind() const override { return "memory"; }

  private:
    bus_options options_;
    boost::asio::any_io_executor executor_;
    bus_listener* listener_ = nullptr;
    policy::channel_log log_;
    std::map<std::string, int> clients_;
    bus_counters counters_;
};

}  // namespace switchyard::bus
