#pragma once
// The admin listener: GET /stats (JSON), GET /metrics (Prometheus), GET /healthz, and
// token-guarded POST /backends/<id>/{drain,disable,enable}.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "backends/balancer/balancer_state.hpp"
#include "backends/balancer/stats_report.hpp"

namespace switchyard::balancer {

/// Builds the /stats view from the shared state now.
stats_view make_stats_view(const balancer_state& state);

/// What one admin request gets back; pure so the routing is unit-tested without sockets.
struct admin_answer {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    bool www_authenticate = false;
};

/// Routes one admin request. `authorization` is the raw Authorization header value.
admin_answer handle_admin_request(balancer_state& state, std::string_view method,
                                  std::string_view target, std::string_view authorization);

/// Accepts admin connections on one executor until `stop`.
class admin_server {
  public:
    admin_server(boost::asio::any_io_executor executor, balancer_state& state,
                 const boost::asio::ip::tcp::endpoint& at);
    unsigned short port() const;
    void start();
    void stop();

  private:
    boost::asio::any_io_executor executor_;
    balancer_state& state_;
    boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace switchyard::balancer
