#include "engine/load/threshold.hpp"

#include <gtest/gtest.h>

namespace switchyard::load {
namespace {

verify::expectation ok(std::string_view text) {
    auto r = parse_threshold(text);
    EXPECT_TRUE(std::holds_alternative<verify::expectation>(r)) << text;
    return std::get<verify::expectation>(r);
}

std::string bad(std::string_view text) {
    auto r = parse_threshold(text);
    EXPECT_TRUE(std::holds_alternative<threshold_error>(r)) << text;
    return std::holds_alternative<threshold_error>(r) ? std::get<threshold_error>(r).message : "";
}

TEST(LoadThreshold, StrictLessExcludesTheBound) {
    const auto e = ok("p99_latency_ms<100");
    EXPECT_EQ(e.name, "p99_latency_ms");
    EXPECT_TRUE(e.holds(99.9));
    EXPECT_FALSE(e.holds(100));
    EXPECT_FALSE(e.min.has_value());
}

TEST(LoadThreshold, InclusiveAndEqualityBounds) {
    const auto ge = ok(" delivery_ratio >= 0.999 ");
    EXPECT_EQ(ge.name, "delivery_ratio");
    EXPECT_TRUE(ge.holds(0.999));
    EXPECT_FALSE(ge.holds(0.998));
    const auto gt = ok("connected>10");
    EXPECT_FALSE(gt.holds(10));
    EXPECT_TRUE(gt.holds(11));
    const auto eq = ok("lost==0");
    EXPECT_TRUE(eq.holds(0));
    EXPECT_FALSE(eq.holds(1));
    const auto le = ok("errors<=3");
    EXPECT_TRUE(le.holds(3));
    EXPECT_FALSE(le.holds(4));
}

TEST(LoadThreshold, BadInputNamesTheOptionAndValue) {
    EXPECT_EQ(bad("p99_latency_ms<fast"),
              "--expect 'p99_latency_ms<fast': 'fast' is not a finite number");
    EXPECT_NE(bad("lost=0").find("use '=='"), std::string::npos);
    EXPECT_NE(bad("<5").find("names no measure"), std::string::npos);
    EXPECT_NE(bad("lost").find("NAME OP NUMBER"), std::string::npos);
    EXPECT_NE(bad("Lost<1").find("a-z"), std::string::npos);
    EXPECT_NE(bad("lost<1x").find("'1x'"), std::string::npos);
}

}  // namespace
}  // namespace switchyard::load
