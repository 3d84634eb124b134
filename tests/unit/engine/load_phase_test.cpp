#include "engine/load/phase.hpp"

#include <gtest/gtest.h>

namespace switchyard::load {
namespace {

using namespace std::chrono_literals;

TEST(LoadPhase, ParsesNameDurationClientsAndRate) {
    auto r = parse_phase("steady:2m:500:200");
    ASSERT_TRUE(std::holds_alternative<phase>(r));
    const auto& p = std::get<phase>(r);
    EXPECT_EQ(p.name, "steady");
    EXPECT_EQ(p.duration, 120'000ms);
    EXPECT_EQ(p.clients, 500);
    EXPECT_EQ(p.publish_rate, 200);
    auto w = parse_phase("warm-up:10s:100");
    ASSERT_TRUE(std::holds_alternative<phase>(w));
    EXPECT_EQ(std::get<phase>(w).duration, 10'000ms);
    EXPECT_EQ(std::get<phase>(w).publish_rate, 0);
    auto s = parse_phase("spike:250ms:5");
    ASSERT_TRUE(std::holds_alternative<phase>(s));
    EXPECT_EQ(std::get<phase>(s).duration, 250ms);
}

TEST(LoadPhase, BadInputNamesTheOptionAndValue) {
    auto msg = [](std::string_view t) {
        auto r = parse_phase(t);
        return std::holds_alternative<phase_error>(r) ? std::get<phase_error>(r).message
                                                      : std::string("parsed");
    };
    EXPECT_EQ(
        msg("ramp:10:100"),
        "--phase 'ramp:10:100': duration '10' is not a positive whole number with ms, s or m");
    EXPECT_NE(msg("ramp:10s").find("NAME:DURATION:CLIENTS"), std::string::npos);
    EXPECT_NE(msg("ramp:10s:many").find("clients 'many'"), std::string::npos);
    EXPECT_NE(msg("ramp:10s:5:-1").find("publish rate '-1'"), std::string::npos);
    EXPECT_NE(msg(":10s:5").find("no name"), std::string::npos);
    EXPECT_NE(msg("ramp:0s:5").find("duration '0s'"), std::string::npos);
}

}  // namespace
}  // namespace switchyard::load
