#include "backends/balancer/stats_report.hpp"

#include <boost/json.hpp>

#include "backends/net/metrics_writer.hpp"

namespace switchyard::balancer {

namespace json = boost::json;

std::string render_stats_json(const stats_view& v) {
    json::object root;
    root["name"] = v.name;
    root["strategy"] = v.strategy;
    root["seed"] = v.seed;
    root["draining"] = v.draining;
    root["uptime_ms"] = v.uptime.count();
    const auto& t = v.totals;
    json::object totals;
    totals["connections_active"] = t.connections_active;
    totals["connections_total"] = t.connections_total;
    totals["connections_rejected"] = t.connections_rejected;
    totals["connections_rejected_per_address"] = t.connections_rejected_per_address;
    totals["sessions_closed_on_down"] = t.sessions_closed_on_down;
    totals["connects_pending"] = t.connects_pending;
    totals["connects_refused_by_rate"] = t.connects_refused_by_rate;
    totals["accepts_peak_per_s"] = t.accepts_peak_per_s;
    totals["requests"] = t.requests;
    totals["tunnels_active"] = t.tunnels_active;
    totals["tunnels"] = t.tunnels;
    totals["redispatches"] = t.redispatches;
    totals["no_backend"] = t.no_backend;
    totals["bad_gateway"] = t.bad_gateway;
    totals["bad_requests"] = t.bad_requests;
    totals["timeouts"] = t.timeouts;
    totals["body_timeouts"] = t.body_timeouts;
    std::uint64_t errors = 0;
    std::uint32_t up = 0;
    json::array backends;
    for (const auto& b : v.backends) {
        json::object o;
        o["id"] = b.id;
        o["address"] = b.address;
        o["state"] = policy::to_string(b.state);
        o["health"] = policy::to_string(b.health);
        o["weight"] = b.weight;
        o["effective_weight"] = b.effective_weight;
        o["active_connections"] = b.active_connections;
        o["active_tunnels"] = b.active_tunnels;
        o["requests"] = b.requests;
        o["tunnels"] = b.tunnels;
        o["errors"] = b.errors;
        o["responses_5xx"] = b.responses_5xx;
        o["connects"] = b.connects;
        o["connects_capped"] = b.connects_capped;
        o["state_changes"] = b.state_changes;
        if (b.last_check_age) {
            o["last_check"] =
                json::object{{"ok", b.last_check_ok}, {"age_ms", b.last_check_age->count()}};
        } else {
            o["last_check"] = nullptr;
        }
        if (b.last_change_age)
            o["last_change_age_ms"] = b.last_change_age->count();
        else
            o["last_change_age_ms"] = nullptr;
        errors += b.errors;
        if (b.state == policy::backend_state::up)
            ++up;
        backends.push_back(std::move(o));
    }
    totals["backend_errors"] = errors;
    totals["backends_up"] = up;
    root["totals"] = std::move(totals);
    root["backends"] = std::move(backends);
    return json::serialize(root) + "\n";
}

std::string render_metrics(const stats_view& v) {
    net::metrics_writer o({{"lb", v.name}});
    const auto& t = v.totals;
    o.gauge("switchyard_lb_connections_active", "open client connections", t.connections_active);
    o.counter("switchyard_lb_connections_total", "accepted client connections",
              t.connections_total);
    o.counter("switchyard_lb_connections_rejected_total", "connections over max_connections",
              t.connections_rejected);
    o.counter("switchyard_lb_connections_rejected_per_address_total",
              "connections over max_connections_per_address", t.connections_rejected_per_address);
    o.counter("switchyard_lb_requests_total", "HTTP requests forwarded", t.requests);
    o.gauge("switchyard_lb_tunnels_active", "open WebSocket tunnels", t.tunnels_active);
    o.counter("switchyard_lb_tunnels_total", "WebSocket tunnels opened", t.tunnels);
    o.counter("switchyard_lb_redispatches_total", "requests moved to another backend",
              t.redispatches);
    o.counter("switchyard_lb_no_backend_total", "503 answers: no backend up", t.no_backend);
    o.counter("switchyard_lb_bad_gateway_total", "502 answers", t.bad_gateway);
    o.counter("switchyard_lb_bad_requests_total", "400/413/431 answers", t.bad_requests);
    o.counter("switchyard_lb_timeouts_total", "clients closed by header or idle timeout",
              t.timeouts);
    o.counter("switchyard_lb_body_timeouts_total",
              "408 answers: request body not complete within limits.body_timeout_ms",
              t.body_timeouts);
    o.counter("switchyard_lb_sessions_closed_on_down_total",
              "requests and tunnels ended because their backend went down or was "
              "disabled",
              t.sessions_closed_on_down);
    o.gauge("switchyard_lb_connects_pending", "backend connects in flight", t.connects_pending);
    o.counter("switchyard_lb_connects_refused_by_rate_total",
              "requests turned away: every backend able to take them was at its "
              "connect cap",
              t.connects_refused_by_rate);
    o.gauge("switchyard_lb_accepts_peak_per_second",
            "most client connections accepted in one second since start", t.accepts_peak_per_s);
    o.gauge("switchyard_lb_draining", "1 while draining after SIGTERM", v.draining ? 1 : 0);

    auto per_backend = [&](const char* name, const char* type, const char* help, auto field) {
        o.family(name, type, help);
        for (const auto& b : v.backends)
            o.sample(name, {{"backend", b.id}}, field(b));
    };
    per_backend("switchyard_lb_backend_up", "gauge", "1 when the backend state is up",
                [](const backend_snapshot& b) { return b.state == policy::backend_state::up; });
    o.family("switchyard_lb_backend_state", "gauge",
             "current state (one series per state, value 1)");
    for (const auto& b : v.backends) {
        for (auto s : {policy::backend_state::up, policy::backend_state::suspect,
                       policy::backend_state::down, policy::backend_state::draining,
                       policy::backend_state::disabled}) {
            o.sample("switchyard_lb_backend_state",
                     {{"backend", b.id}, {"state", policy::to_string(s)}}, b.state == s ? 1 : 0);
        }
    }
    per_backend("switchyard_lb_backend_active_connections", "gauge",
                "in-flight requests plus open tunnels",
                [](const backend_snapshot& b) { return b.active_connections; });
    per_backend("switchyard_lb_backend_requests_total", "counter", "requests forwarded",
                [](const backend_snapshot& b) { return b.requests; });
    per_backend("switchyard_lb_backend_tunnels_total", "counter", "tunnels opened",
                [](const backend_snapshot& b) { return b.tunnels; });
    per_backend("switchyard_lb_backend_connects_total", "counter", "new connections opened",
                [](const backend_snapshot& b) { return b.connects; });
    per_backend("switchyard_lb_backend_connects_capped_total", "counter",
                "new connections not opened: limits.max_connects_per_backend_per_s",
                [](const backend_snapshot& b) { return b.connects_capped; });
    per_backend("switchyard_lb_backend_errors_total", "counter",
                "refused, reset or timed-out connections",
                [](const backend_snapshot& b) { return b.errors; });
    per_backend("switchyard_lb_backend_responses_5xx_total", "counter", "5xx answers",
                [](const backend_snapshot& b) { return b.responses_5xx; });
    per_backend("switchyard_lb_backend_state_changes_total", "counter", "health state changes",
                [](const backend_snapshot& b) { return b.state_changes; });
    return o.take();
}

}  // namespace switchyard::balancer
