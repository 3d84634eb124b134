// `switchyard sim`: flags, exit codes, and the seed in the summary.
#include "engine/sim/sim_command.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchyard::sim {
namespace {

const std::string ci = std::string(SWITCHYARD_SOURCE_DIR) + "/scenarios/ci/";

TEST(SimCommand, HelpAndBadFlags) {
    testing::internal::CaptureStdout();
    EXPECT_EQ(sim_command({"--help"}), 0);
    EXPECT_NE(testing::internal::GetCapturedStdout().find("usage: switchyard sim"),
              std::string::npos);
    testing::internal::CaptureStderr();
    EXPECT_EQ(sim_command({}), 2);
    EXPECT_EQ(sim_command({"a.yaml", "--sed", "1"}), 2);
    EXPECT_EQ(sim_command({"a.yaml", "--seed", "x"}), 2);
    EXPECT_EQ(sim_command({"/nonexistent/a.yaml"}), 2);
    const auto err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("unknown option '--sed'"), std::string::npos) << err;
}

TEST(SimCommand, RunsAScenarioAndPrintsTheSeed) {
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    const int code = sim_command({ci + "basic-broadcast.yaml", "--quiet", "--seed", "4242"});
    const auto out = testing::internal::GetCapturedStdout();
    (void)testing::internal::GetCapturedStderr();
    EXPECT_EQ(code, 0) << out;
    EXPECT_NE(out.find("seed 4242"), std::string::npos) << out;
}

TEST(SimCommand, ARealWorldOnlyClusterIsExitTwoWithTheReason) {
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    const int code = sim_command({ci + "haproxy-failover.yaml", "--quiet"});
    (void)testing::internal::GetCapturedStdout();
    const auto err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(code, 2);
    EXPECT_NE(err.find("real-world only"), std::string::npos) << err;
}

}  // namespace
}  // namespace switchyard::sim
