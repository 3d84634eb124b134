// The sim-vs-real comparison on literal reports: figures read from the JSON, each tolerance's
// edge, and a figure out of tolerance failing.
#include "tests/scenarios/sim_vs_real/compare.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace switchyard::sim_vs_real {
namespace {

std::string report(double ratio, double lost, double dups, double sticky, double reconnects,
                   const std::string& failovers) {
    return R"({"scenario":"x","verdict":"passed","totals":{"expected":10000,"delivery_ratio":)" +
           std::to_string(ratio) + R"(,"lost":)" + std::to_string(lost) + R"(,"duplicates":)" +
           std::to_string(dups) + R"(,"sticky_violations":)" + std::to_string(sticky) +
           R"(,"reconnects":)" + std::to_string(reconnects) + R"(},"failovers":[)" + failovers +
           "]}";
}

bool all_ok(const std::vector<comparison>& rows) {
    for (const auto& r : rows)
        if (!r.ok)
            return false;
    return true;
}

const comparison& row(const std::vector<comparison>& rows, const std::string& name) {
    for (const auto& r : rows)
        if (r.figure == name)
            return r;
    throw std::out_of_range(name);
}

TEST(SimVsReal, ReadsTheFiguresAndTheSlowestFailover) {
    const auto f = figures_from_json(
        report(0.99, 3, 1, 2, 10, R"({"worst_ms":59.5},{"worst_ms":1026},{"worst_ms":12})"));
    EXPECT_EQ(f.scenario, "x");
    EXPECT_DOUBLE_EQ(f.delivery_ratio, 0.99);
    EXPECT_DOUBLE_EQ(f.expected, 10000);
    EXPECT_DOUBLE_EQ(f.lost, 3);
    EXPECT_DOUBLE_EQ(f.duplicates, 1);
    EXPECT_DOUBLE_EQ(f.sticky_violations, 2);
    EXPECT_DOUBLE_EQ(f.reconnects, 10);
    EXPECT_EQ(f.failover_ms, 1026.0);
    EXPECT_FALSE(figures_from_json(report(1, 0, 0, 0, 0, "")).failover_ms);
    EXPECT_THROW(figures_from_json("{\"totals\":{}}"), std::invalid_argument);
    EXPECT_THROW(figures_from_json("not json"), std::invalid_argument);
}

TEST(SimVsReal, WithinToleranceIsOkAtTheEdge) {
    const auto real = figures_from_json(report(1.0, 0, 0, 0, 10, R"({"worst_ms":1000})"));
    // ratio -0.01, 10 lost (0.1 % of 10,000), 2 more reconnects, failover x2 exactly.
    const auto sim = figures_from_json(report(0.99, 10, 10, 0, 12, R"({"worst_ms":2000})"));
    const auto rows = compare(real, sim);
    EXPECT_TRUE(all_ok(rows)) << format_table(rows);
    EXPECT_EQ(rows.size(), 6u);
}

TEST(SimVsReal, EachFigureOutOfToleranceFails) {
    const auto real = figures_from_json(report(1.0, 0, 0, 0, 10, R"({"worst_ms":1000})"));
    struct bad {
        std::string figure, sim;
    };
    for (const auto& b : {
             bad{"delivery_ratio", report(0.98, 0, 0, 0, 10, R"({"worst_ms":1000})")},
             bad{"lost", report(1.0, 11, 0, 0, 10, R"({"worst_ms":1000})")},
             bad{"duplicates", report(1.0, 0, 11, 0, 10, R"({"worst_ms":1000})")},
             bad{"sticky_violations", report(1.0, 0, 0, 1, 10, R"({"worst_ms":1000})")},
             bad{"reconnects", report(1.0, 0, 0, 0, 13, R"({"worst_ms":1000})")},
             bad{"failover_ms", report(1.0, 0, 0, 0, 10, R"({"worst_ms":2300})")},
             bad{"failover_ms", report(1.0, 0, 0, 0, 10, R"({"worst_ms":400})")},
             bad{"failover_ms", report(1.0, 0, 0, 0, 10, "")},  // no failover in sim at all
         }) {
        const auto rows = compare(real, figures_from_json(b.sim));
        EXPECT_FALSE(row(rows, b.figure).ok) << b.figure << "\n" << format_table(rows);
        EXPECT_NE(format_table(rows).find("OUT"), std::string::npos);
        // Only that figure is out.
        int out = 0;
        for (const auto& r : rows)
            out += r.ok ? 0 : 1;
        EXPECT_EQ(out, 1) << format_table(rows);
    }
}

TEST(SimVsReal, SmallFailoversCompareByAbsoluteDifference) {
    const auto real = figures_from_json(report(1.0, 0, 0, 0, 10, R"({"worst_ms":50})"));
    // 50 ms real vs 290 ms simulated: more than x2 but within 250 ms.
    EXPECT_TRUE(
        row(compare(real, figures_from_json(report(1.0, 0, 0, 0, 10, R"({"worst_ms":290})"))),
            "failover_ms")
            .ok);
    EXPECT_FALSE(
        row(compare(real, figures_from_json(report(1.0, 0, 0, 0, 10, R"({"worst_ms":310})"))),
            "failover_ms")
            .ok);
}

TEST(SimVsReal, IgnoredFiguresAreNotCompared) {
    const auto real = figures_from_json(report(1.0, 0, 0, 9, 10, ""));
    const auto sim = figures_from_json(report(1.0, 0, 0, 0, 10, ""));
    EXPECT_FALSE(all_ok(compare(real, sim)));
    const auto rows = compare(real, sim, {}, {"sticky_violations"});
    EXPECT_TRUE(all_ok(rows));
    EXPECT_EQ(rows.size(), 4u);  // no failover in either: that row is left out too
}

TEST(SimVsReal, PlacementFiguresAreNotJudgedWhenTheRealFleetFellBehindItsPlan) {
    // reconnect-storm on a loaded machine: 636 of 1,910 connected clients on the killed relay,
    // against 1,004 of 3,010 in the simulation that kept the ramp.
    const auto behind = figures_from_json(
        report(1.0, 0, 0, 0, 638, R"({"worst_ms":3289,"connected":1910,"affected":636})"));
    const auto kept = figures_from_json(
        report(1.0, 0, 0, 0, 795, R"({"worst_ms":2264,"connected":2900,"affected":794})"));
    const auto sim = figures_from_json(
        report(1.0, 0, 0, 0, 1004, R"({"worst_ms":81,"connected":3010,"affected":1004})"));
    ASSERT_TRUE(behind.connected_at_first_failover);
    EXPECT_DOUBLE_EQ(*behind.connected_at_first_failover, 1910);

    const auto rows = compare(behind, sim);
    EXPECT_TRUE(all_ok(rows));
    EXPECT_FALSE(row(rows, "reconnects").judged);
    EXPECT_FALSE(row(rows, "failover_ms").judged);
    EXPECT_NE(row(rows, "reconnects").bound.find("1910 of 3010"), std::string::npos);
    EXPECT_TRUE(row(rows, "delivery_ratio").judged) << "the rest is still compared";

    // 2,900 of 3,010 is within 5 %: the figures are judged, and 795 vs 1,004 is out.
    const auto judged = compare(kept, sim);
    EXPECT_TRUE(row(judged, "reconnects").judged);
    EXPECT_FALSE(row(judged, "reconnects").ok);

    // A delivery figure out of tolerance still fails a run that fell behind.
    const auto lossy = figures_from_json(
        report(0.9, 1000, 0, 0, 638, R"({"worst_ms":3289,"connected":1910,"affected":636})"));
    EXPECT_FALSE(all_ok(compare(lossy, sim)));
}

}  // namespace
}  // namespace switchyard::sim_vs_real
