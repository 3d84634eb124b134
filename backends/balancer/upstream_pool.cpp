#include "backends/balancer/upstream_pool.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace switchyard::balancer {

upstream_pool::upstream_pool(std::size_t backends, std::size_t max_idle_per_backend)
    : idle_(backends), max_idle_(max_idle_per_backend) {}

std::unique_ptr<upstream_connection> upstream_pool::take(std::size_t backend) {
    auto& stack = idle_[backend];
    if (stack.empty())
        return nullptr;
    auto c = std::move(stack.back());
    stack.pop_back();
    c->reused = true;
    return c;
}

void upstream_pool::put(std::unique_ptr<upstream_connection> connection) {
    auto& stack = idle_[connection->backend];
    if (stack.size() >= max_idle_)
        return;  // destructor closes it
    stack.push_back(std::move(connection));
}

bool upstream_pool::is_stale(upstream_connection& c) {
    char byte;
    const auto n = ::recv(c.socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0)
        return errno != EAGAIN && errno != EWOULDBLOCK;
    return true;  // 0 = closed by the backend; > 0 = unsolicited bytes
}

void upstream_pool::flush(std::size_t backend) {
    idle_[backend].clear();
}

}  // namespace switchyard::balancer
