#include "backends/balancer/upstream_pool.hpp"

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
    connection->stream.expires_never();
    stack.push_back(std::move(connection));
}

void upstream_pool::flush(std::size_t backend) {
    idle_[backend].clear();
}

}  // namespace switchyard::balancer
