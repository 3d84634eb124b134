#pragma once
// Assembles one switchyard-lb process: workers with SO_REUSEPORT listeners, the health prober,
// the admin listener and signal handling (SIGTERM drains, SIGINT stops).
#include <memory>
#include <stdexcept>
#include <vector>

#include "backends/balancer/admin_server.hpp"
#include "backends/balancer/balancer_state.hpp"
#include "backends/balancer/health_prober.hpp"
#include "backends/balancer/proxy_worker.hpp"
#include "backends/net/sni_tls_contexts.hpp"

namespace switchyard::balancer {

/// Thrown when the process cannot start (a port cannot be bound, a certificate not loaded).
struct startup_error : std::runtime_error {
    using std::runtime_error::runtime_error;
    int exit_code = 3;
};

/// The whole balancer. Construct (binds everything, may throw startup_error), then `run`.
class balancer_server {
  public:
    explicit balancer_server(balancer_config config);
    ~balancer_server();

    /// Prints READY, serves until SIGINT or the end of a SIGTERM drain; returns the exit code.
    int run();

    unsigned short port() const noexcept { return port_; }
    unsigned short admin_port() const noexcept { return admin_port_; }

  private:
    void begin_drain();
    void stop_all();

    std::unique_ptr<balancer_state> state_;
    std::unique_ptr<net::sni_tls_contexts> tls_;
    std::vector<std::unique_ptr<proxy_worker>> workers_;
    std::unique_ptr<health_prober> prober_;
    std::unique_ptr<admin_server> admin_;
    unsigned short port_ = 0;
    unsigned short tls_port_ = 0;
    unsigned short admin_port_ = 0;
    bool stopping_ = false;
};

}  // namespace switchyard::balancer
