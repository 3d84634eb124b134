// /metrics as the GUI, the calibration and Prometheus read it: the exact text for a fixed
// snapshot, so a change to the writer shows up here as a diff, not in a dashboard.
#include <gtest/gtest.h>

#include "backends/balancer/stats_report.hpp"
#include "golden_metrics.hpp"

using namespace switchyard::balancer;

namespace {

/// Every field a different value, so a swapped line cannot pass.
stats_view fixed_view() {
    stats_view v;
    v.name = "lb-1";
    v.strategy = "random";
    v.draining = true;
    auto& t = v.totals;
    t.connections_active = 1;
    t.connections_total = 2;
    t.connections_rejected = 3;
    t.connections_rejected_per_address = 4;
    t.sessions_closed_on_down = 5;
    t.connects_pending = 6;
    t.connects_refused_by_rate = 7;
    t.accepts_peak_per_s = 8;
    t.requests = 9;
    t.tunnels_active = 10;
    t.tunnels = 11;
    t.redispatches = 12;
    t.no_backend = 13;
    t.bad_gateway = 14;
    t.bad_requests = 15;
    t.timeouts = 16;
    t.body_timeouts = 17;
    for (int i = 0; i < 2; ++i) {
        backend_snapshot b{};
        b.id = i == 0 ? "r1" : "r2";
        b.state = i == 0 ? switchyard::policy::backend_state::up
                         : switchyard::policy::backend_state::draining;
        const std::uint64_t base = 100 * (i + 1);
        b.active_connections = static_cast<std::uint32_t>(base + 1);
        b.requests = base + 2;
        b.tunnels = base + 3;
        b.connects = base + 4;
        b.connects_capped = base + 5;
        b.errors = base + 6;
        b.responses_5xx = base + 7;
        b.state_changes = base + 8;
        v.backends.push_back(b);
    }
    return v;
}

}  // namespace

TEST(MetricsText, FixedSnapshotGivesTheExactText) {
    EXPECT_EQ(render_metrics(fixed_view()), golden_metrics_text);
}

TEST(MetricsText, BalancerNameIsEscapedAsALabelValue) {
    auto v = fixed_view();
    v.name = "a\"b\\c\nd";
    const auto text = render_metrics(v);
    EXPECT_NE(text.find("switchyard_lb_requests_total{lb=\"a\\\"b\\\\c\\nd\"} 9\n"),
              std::string::npos)
        << text;
}
