// switchyard-relay: WebSocket and SockJS relay over a memory or Redis bus.
#include <iostream>

#include "backends/relay/relay_config.hpp"
#include "backends/relay/relay_server.hpp"

int main(int argc, char** argv) {
    using namespace switchyard::relay;
    auto parsed = parse_relay_args(std::vector<std::string>(argv + 1, argv + argc));
    if (!parsed.config) {
        (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message << std::endl;
        return parsed.exit_code;
    }
    try {
        relay_server server(*parsed.config);
        return server.run();
    } catch (const std::invalid_argument& e) {
        std::cerr << "switchyard-relay: " << e.what() << std::endl;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "switchyard-relay: " << e.what() << std::endl;
        return 3;
    }
}
