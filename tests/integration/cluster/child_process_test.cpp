#include "engine/cluster/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "engine/cluster/redis_server.hpp"

using namespace switchyard::cluster;
using namespace std::chrono_literals;

namespace {
std::filesystem::path temp_dir() {
    auto dir =
        std::filesystem::temp_directory_path() / ("switchyard-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}
}  // namespace

TEST(ReadyLine, ParsesAllFields) {
    auto info = parse_ready_line("READY name=relay-1 port=4100 admin=4101");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->name, "relay-1");
    EXPECT_EQ(info->port, 4100);
    EXPECT_EQ(info->admin, 4101);
    EXPECT_FALSE(parse_ready_line("READY name=x"));
    EXPECT_FALSE(parse_ready_line("NOT READY port=1"));
    EXPECT_FALSE(parse_ready_line("READY port=notanumber"));
}

TEST(ChildProcess, WaitsForReadyLineAndKillsTheGroup) {
    child_process child(
        {"sh", "-c", "sleep 0.1; echo 'READY name=t port=7 admin=8'; sleep 100 & wait"},
        temp_dir() / "sh.log");
    auto ready = child.wait_ready(10s);
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->port, 7);
    const pid_t pgid = child.pid();
    child.kill_now();
    EXPECT_FALSE(child.running());
    // The backgrounded `sleep` was in the same group and must be gone too.
    for (int i = 0; i < 200 && ::kill(-pgid, 0) == 0; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_NE(::kill(-pgid, 0), 0);
}

TEST(ChildProcess, TheChildInheritsNoDescriptorButItsStandardOnes) {
    // A descriptor the engine opened without close-on-exec (as Asio opens sockets) must not
    // reach the child, or the child keeps the engine's connections half-open after it closes
    // them.
    // A high number, so no descriptor the shell opens for itself can take it.
    const int leaky = ::fcntl(STDIN_FILENO, F_DUPFD, 250);  // F_DUPFD: no FD_CLOEXEC
    ASSERT_GE(leaky, 250);
    const auto log = temp_dir() / "fds.log";
    std::filesystem::remove(log);
    child_process child(
        {"sh", "-c", "echo READY port=1 fds=$(ls /proc/$$/fd | sort -n | tr '\\n' ,)"}, log);
    auto ready = child.wait_ready(10s);
    ::close(leaky);
    ASSERT_TRUE(ready);
    child.wait_exit(10s);
    std::ifstream in(log);
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    // The shell holds a pipe of its own for $(...); what matters is that the leaky number is
    // absent.
    EXPECT_NE(text.find("fds=0,1,2,"), std::string::npos) << text;
    EXPECT_EQ(text.find("," + std::to_string(leaky) + ","), std::string::npos) << text;
}

TEST(ChildProcess, ReportsEarlyExitInsteadOfWaiting) {
    child_process child({"sh", "-c", "echo starting; exit 3"}, temp_dir() / "exit.log");
    EXPECT_FALSE(child.wait_ready(30s));
    auto status = child.wait_exit(10s);
    ASSERT_TRUE(status);
    EXPECT_EQ(WEXITSTATUS(*status), 3);
}

TEST(ChildProcess, StopEscalatesToKill) {
    child_process child(
        {"sh", "-c", "trap '' TERM; echo READY port=1; while true; do sleep 1; done"},
        temp_dir() / "stubborn.log");
    ASSERT_TRUE(child.wait_ready(10s));
    child.stop(200ms);
    EXPECT_FALSE(child.running());
}

TEST(RedisServer, StartsAnswersAndRestartsOnSamePort) {
    redis_server redis(temp_dir());
    ASSERT_NE(redis.port(), 0);
    const auto port = redis.port();
    redis.restart();
    EXPECT_EQ(redis.port(), port);
    EXPECT_TRUE(redis.process().running());
}

TEST(ChildProcess, ReusedLogDoesNotAnswerForTheNextChild) {
    const auto log = temp_dir() / "reused.log";
    std::filesystem::remove(log);
    {
        child_process first({"sh", "-c", "echo 'READY name=a port=1 admin=0'; sleep 100"}, log);
        ASSERT_TRUE(first.wait_ready(10s));
    }
    // The second child prints its READY line late; the first one's line must not answer for it.
    child_process second({"sh", "-c", "sleep 0.3; echo 'READY name=a port=2 admin=0'; sleep 100"},
                         log);
    auto ready = second.wait_ready(10s);
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->port, 2);
}
