// switchyard-lb: the HTTP and WebSocket load balancer. See docs/balancer.md.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "backends/balancer/balancer_config.hpp"
#include "backends/balancer/balancer_server.hpp"

int main(int argc, char** argv) {
    using namespace switchyard::balancer;
    auto parsed = parse_command_line(argc, argv);
    if (parsed.help) {
        std::cout << help_text();
        return 0;
    }
    if (parsed.error) {
        std::cerr << "switchyard-lb: " << parsed.error->text() << "\n";
        return 2;
    }
    try {
        balancer_server server(std::move(parsed.config));
        const int code = server.run();
        std::fflush(stdout);
        std::fflush(stderr);
        // Pending sessions hold references into the workers; leaving without unwinding them is
        // both faster and safe: the kernel closes every socket.
        ::_exit(code);
    } catch (const startup_error& e) {
        std::cerr << "switchyard-lb: " << e.what() << "\n";
        return e.exit_code;
    } catch (const std::exception& e) {
        std::cerr << "switchyard-lb: " << e.what() << "\n";
        return 3;
    }
}
