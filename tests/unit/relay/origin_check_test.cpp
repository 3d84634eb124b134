// The relay's origin rule as a table: Origin, Host, allow-list -> verdict.
#include "backends/relay/origin_check.hpp"
#include "backends/relay/relay_config.hpp"

#include <gtest/gtest.h>

using namespace switchyard::relay;

namespace {

origin_allow_list list_of(std::vector<std::string> entries) {
    std::string error;
    auto l = origin_allow_list::parse(entries, error);
    EXPECT_TRUE(l) << error;
    return l ? *l : origin_allow_list{};
}

struct row {
    const char* origin;
    const char* host;
    std::vector<std::string> allowed;
    origin_verdict want;
};

}  // namespace

TEST(OriginCheck, TheRuleAsATable) {
    using v = origin_verdict;
    const std::vector<row> table{
        // No Origin: not a browser (the engine's fleet, the balancer's checks, curl).
        {"", "relay.example", {}, v::no_origin},
        {"", "relay.example", {"https://app.example"}, v::no_origin},
        // Same origin: host and port as the Host header names them, default ports filled in.
        {"http://relay.example", "relay.example", {}, v::same_origin},
        {"https://relay.example", "relay.example", {}, v::same_origin},
        {"http://relay.example:80", "relay.example", {}, v::same_origin},
        {"http://relay.example", "relay.example:80", {}, v::same_origin},
        {"https://relay.example", "relay.example:443", {}, v::same_origin},
        {"http://127.0.0.1:8080", "127.0.0.1:8080", {}, v::same_origin},
        {"HTTP://Relay.EXAMPLE:8080", "relay.example:8080", {}, v::same_origin},
        {"http://relay.example.", "relay.example", {}, v::same_origin},
        {"http://[::1]:8080", "[::1]:8080", {}, v::same_origin},
        // Another port or host is another origin.
        {"http://relay.example:8081", "relay.example:8080", {}, v::refused},
        {"https://relay.example", "relay.example:80", {}, v::refused},
        {"http://evil.example", "relay.example", {}, v::refused},
        {"http://relay.example.evil.example", "relay.example", {}, v::refused},
        {"http://relay.example", "", {}, v::refused},
        // The allow-list: exact scheme, host and port; host case and default ports normalised.
        {"https://app.example", "relay.example", {"https://app.example"}, v::listed},
        {"https://APP.example:443", "relay.example", {"https://app.example"}, v::listed},
        {"https://app.example", "relay.example", {"https://app.example:443/"}, v::listed},
        {"http://app.example", "relay.example", {"https://app.example"}, v::refused},
        {"https://app.example:8443", "relay.example", {"https://app.example"}, v::refused},
        {"https://sub.app.example", "relay.example", {"https://app.example"}, v::refused},
        {"https://b.example",
         "relay.example",
         {"https://a.example", "https://b.example"},
         v::listed},
        // `*` allows every origin; `null` (sandboxed frames, file://) only when listed.
        {"http://evil.example", "relay.example", {"*"}, v::listed},
        {"null", "relay.example", {"*"}, v::listed},
        {"null", "relay.example", {}, v::refused},
        {"null", "relay.example", {"null"}, v::listed},
        // Origins that do not parse are refused, never taken as absent.
        {"relay.example", "relay.example", {}, v::refused},
        {"ftp://relay.example", "relay.example", {}, v::refused},
        {"http://user@relay.example", "relay.example", {}, v::refused},
        {"http://relay.example/path", "relay.example", {}, v::refused},
        {"http://relay.example:0", "relay.example:0", {}, v::refused},
        {"http://relay.example:99999", "relay.example:99999", {}, v::refused},
        {"http://relay.example:", "relay.example", {}, v::refused},
        {"http://[::1]:", "[::1]", {}, v::refused},
        {"http://", "", {}, v::refused},
    };
    for (const auto& r : table) {
        EXPECT_EQ(check_origin(r.origin, r.host, list_of(r.allowed)), r.want)
            << "Origin '" << r.origin << "', Host '" << r.host << "', " << r.allowed.size()
            << " allowed";
    }
}

TEST(OriginCheck, AllowListEntriesAreValidated) {
    std::string error;
    EXPECT_TRUE(origin_allow_list::parse({"*", "null", "http://a.example:8080"}, error));
    for (const char* bad : {"a.example", "ws://a.example", "http://a.example/x", "http://",
                            "https://a.example:70000", ""}) {
        error.clear();
        EXPECT_FALSE(origin_allow_list::parse({bad}, error)) << bad;
        EXPECT_NE(error.find("bad origin"), std::string::npos) << bad;
    }
}

TEST(OriginCheck, VerdictsThatAllow) {
    EXPECT_TRUE(origin_allowed(origin_verdict::no_origin));
    EXPECT_TRUE(origin_allowed(origin_verdict::same_origin));
    EXPECT_TRUE(origin_allowed(origin_verdict::listed));
    EXPECT_FALSE(origin_allowed(origin_verdict::refused));
}

TEST(OriginCheck, TheFlagTakesACommaSeparatedListAndRefusesABadEntry) {
    auto ok = parse_relay_args(
        {"--allowed-origins", "https://a.example, http://b.example:81", "--allowed-origins=*"});
    ASSERT_TRUE(ok.config) << ok.message;
    EXPECT_EQ(ok.config->allowed_origins,
              (std::vector<std::string>{"https://a.example", "http://b.example:81", "*"}));
    EXPECT_TRUE(parse_relay_args({}).config->allowed_origins.empty()) << "default: none";
    auto bad = parse_relay_args({"--allowed-origins", "https://a.example,a.example"});
    EXPECT_FALSE(bad.config);
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.message.find("--allowed-origins"), std::string::npos) << bad.message;
}
