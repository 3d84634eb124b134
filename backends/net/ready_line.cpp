#include "backends/net/ready_line.hpp"

#include <cstdio>
#include <string>

namespace switchyard::net {

void print_ready_line(std::string_view name, unsigned short port, unsigned short admin) {
    const std::string line = "READY name=" + std::string(name) + " port=" + std::to_string(port) +
                             " admin=" + std::to_string(admin) + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}

}  // namespace switchyard::net
