#pragma once
// The one line every Switchyard server prints when it accepts connections (ARCHITECTURE.md).
#include <string_view>

namespace switchyard::net {

/// Prints `READY name=<name> port=<port> admin=<admin>` on stdout and flushes, so a parent
/// waiting on a pipe or log file sees it at once.
void print_ready_line(std::string_view name, unsigned short port, unsigned short admin);

}  // namespace switchyard::net
