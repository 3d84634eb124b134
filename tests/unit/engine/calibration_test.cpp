// calibrate's pure half on literal numbers: /proc/<pid>/stat parsing, Prometheus counters, CPU
// to per-unit costs (idle subtracted, the two-phase publish/delivery split), and the profile
// file read back by the simulator's reader.
#include "engine/cli/calibration.hpp"

#include <gtest/gtest.h>

#include "engine/scenario/cost_profile.hpp"

namespace switchyard::engine {
namespace {

TEST(Calibration, CpuFromStatCountsFieldsAfterTheLastParen) {
    // utime 150, stime 50 ticks (fields 14, 15); a command name with spaces and ')' inside.
    const std::string stat =
        "4242 (switch yard) (x)) S 1 4242 4242 0 -1 4194560 900 0 0 0 150 50 0 0 20 0 3 0 100 0";
    const auto s = cpu_seconds_from_stat(stat, 100);
    ASSERT_TRUE(s);
    EXPECT_DOUBLE_EQ(*s, 2.0);
    EXPECT_FALSE(cpu_seconds_from_stat("garbage", 100));
    EXPECT_FALSE(cpu_seconds_from_stat("1 (x) S 1 2", 100));  // cut short
    EXPECT_FALSE(cpu_seconds_from_stat(stat, 0));
}

TEST(Calibration, PrometheusValueSumsTheExactNameOnly) {
    const std::string text =
        "# HELP relay_publishes_total Publish requests.\n"
        "# TYPE relay_publishes_total counter\n"
        "relay_publishes_total{relay=\"relay-1\"} 1200\n"
        "relay_publishes_total_errors{relay=\"relay-1\"} 7\n"
        "relay_publishes_total{relay=\"relay-2\"} 34\n"
        "relay_deliveries_total 5e3\n";
    EXPECT_EQ(prometheus_value(text, "relay_publishes_total"), 1234.0);
    EXPECT_EQ(prometheus_value(text, "relay_deliveries_total"), 5000.0);
    EXPECT_FALSE(prometheus_value(text, "relay_publishes"));
    EXPECT_FALSE(prometheus_value(text, "nothing"));
}

TEST(Calibration, PerUnitSubtractsIdleAndRefusesNothingMeasured) {
    // 0.5 s CPU over 2 s with 0.05 s/s idle: 0.4 s of work for 1000 connections = 400 us.
    EXPECT_DOUBLE_EQ(*per_unit_us({0.5, 2.0, 0.05}, 1000), 400.0);
    EXPECT_FALSE(per_unit_us({0.5, 2.0, 0.05}, 0));                // no work
    EXPECT_FALSE(per_unit_us({0.05, 2.0, 0.05}, 10));              // all idle: nothing to divide
    EXPECT_DOUBLE_EQ((cpu_window{0.01, 1.0, 0.5}.busy_s()), 0.0);  // never negative
}

TEST(Calibration, SplitRecoversPublishAndDeliveryCosts) {
    // True costs 12 us per publish, 0.8 us per delivery; fan-out 200 and 1.
    const double p = 12e-6, d = 0.8e-6;
    const relay_phase fan{200 * p + 40'000 * d, 200, 40'000};
    const relay_phase solo{1000 * p + 1000 * d, 1000, 1000};
    const auto c = split_relay_costs(fan, solo);
    ASSERT_TRUE(c);
    EXPECT_NEAR(c->publish_us, 12.0, 1e-9);
    EXPECT_NEAR(c->delivery_us, 0.8, 1e-9);
    // The same fan-out twice cannot separate them.
    EXPECT_FALSE(split_relay_costs(solo, relay_phase{2 * solo.busy_s, 2000, 2000}));
    // Noise that makes a cost negative is refused, not written.
    EXPECT_FALSE(split_relay_costs(relay_phase{0.001, 200, 40'000}, solo));
    EXPECT_FALSE(split_relay_costs(fan, relay_phase{0, 0, 0}));
}

TEST(Calibration, ProfileRoundTripsThroughTheSimulatorsReader) {
    const std::vector<calibrated_figure> figures{
        {"balancer_accept_us", 61.25, "connect phase: 400 connections"},
        {"relay_accept_us", 140.0, "connect phase"},
        {"relay_publish_us", 11.4567, "two phases"},
        {"relay_delivery_us", 0.3, "as relay_publish_us"},
        {"bus_publish_us", 0.00001, "tiny: written as the smallest figure, never 0"},
    };
    const calibration_note note{"nproc 2, Some \"Quoted\" CPU @ 2.0GHz",
                                "2026-12-06T05:00:00Z",
                                "switchyard calibrate --duration 1s --out x.yaml",
                                {"bus_fanout_us (one relay)"}};
    const auto text = profile_yaml(figures, note);
    std::vector<scenario::diagnostic> errors;
    const auto back = scenario::read_cost_profile_text(text, "calibrated.yaml", errors);
    ASSERT_TRUE(errors.empty()) << errors.front().text() << "\n" << text;
    ASSERT_EQ(back.size(), figures.size()) << text;
    const double want[] = {61.25, 140.0, 11.457, 0.3, 0.001};
    for (std::size_t i = 0; i < back.size(); ++i) {
        EXPECT_EQ(back[i].key, figures[i].key);
        EXPECT_DOUBLE_EQ(back[i].value, want[i]) << back[i].key;
    }
    EXPECT_NE(text.find("method: |-"), std::string::npos);
    EXPECT_NE(text.find("nproc 2"), std::string::npos);
    EXPECT_NE(text.find("2026-12-06T05:00:00Z"), std::string::npos);
    EXPECT_NE(text.find("--duration 1s"), std::string::npos);
    EXPECT_NE(text.find("relay_delivery_us: as relay_publish_us"), std::string::npos);
    EXPECT_NE(text.find("not measured: bus_fanout_us"), std::string::npos);
}

}  // namespace
}  // namespace switchyard::engine
