// The run's sticky-cookie secret: owner-only, 256 random bits, a fresh one per run.
#include "engine/cluster/cookie_secret.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace fs = std::filesystem;

namespace {
std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::string s;
    std::getline(in, s);
    return s;
}
}  // namespace

TEST(CookieSecret, IsOwnerOnlyHexAndNewForEveryRun) {
    const auto base = fs::temp_directory_path() / ("sy-secret-" + std::to_string(::getpid()));
    const auto a = switchyard::cluster::write_cookie_secret(base / "run-a");
    const auto b = switchyard::cluster::write_cookie_secret(base / "run-b");
    struct stat st {};
    ASSERT_EQ(::stat(a.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "others must not read the run's secret";
    const auto sa = read(a);
    EXPECT_EQ(sa.size(), 64u);
    EXPECT_EQ(sa.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(sa, read(b)) << "never a constant, never derived from the seed";
    fs::remove_all(base);
}

TEST(CookieSecret, AnUnwritableFolderIsAClearError) {
    try {
        switchyard::cluster::write_cookie_secret("/proc/sy-no-such-folder");
        FAIL() << "expected an error";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("sy-no-such-folder"), std::string::npos) << e.what();
    }
}
