#include <stdexcept>

#include <boost/url/parse.hpp>

#include "backends/bus/bus.hpp"
#include "backends/bus/memory_bus.hpp"
#include "backends/bus/redis_bus.hpp"

namespace switchyard::bus {

std::unique_ptr<bus> make_bus(std::string_view spec, bus_options options,
                              boost::asio::any_io_executor executor) {
    if (spec == "memory")
        return std::make_unique<memory_bus>(std::move(options), std::move(executor));
    auto url = boost::urls::parse_uri(spec);
    if (!url || url->scheme() != "redis")
        throw std::invalid_argument("--bus: expected 'memory' or 'redis://host:port', got '" +
                                    std::string(spec) + "'");
    std::string host = url->host();
    if (host.empty())
        throw std::invalid_argument("--bus: redis URL has no host: '" + std::string(spec) + "'");
    int port = 6379;
    if (url->has_port()) {
        if (url->port_number() == 0)
            throw std::invalid_argument("--bus: bad port in '" + std::string(spec) + "'");
        port = url->port_number();
    }
    return std::make_unique<redis_bus>(std::move(options), std::move(executor), std::move(host),
                                       port);
}

}  // namespace switchyard::bus
