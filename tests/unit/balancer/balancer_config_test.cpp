#include "backends/balancer/balancer_config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace switchyard::balancer;

namespace {
config_result parse(std::vector<const char*> args) {
    args.insert(args.begin(), "switchyard-lb");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}
}  // namespace

TEST(BalancerConfig, FlagsBuildAConfig) {
    auto r = parse({"--backend", "a=127.0.0.1:4001", "--backend", "b=localhost:4002,weight=3",
                    "--port", "0", "--strategy", "round-robin", "--fall", "5", "--cookie", "route",
                    "--admin-port", "off"});
    ASSERT_FALSE(r.error) << r.error->text();
    const auto& c = r.config;
    ASSERT_EQ(c.backends.size(), 2u);
    EXPECT_EQ(c.backends[1].host, "localhost");
    EXPECT_EQ(c.backends[1].port, 4002);
    EXPECT_EQ(c.backends[1].weight, 3u);
    EXPECT_EQ(c.port, 0);
    EXPECT_FALSE(c.admin_port);
    EXPECT_EQ(c.strategy, "round-robin");
    EXPECT_EQ(c.health.tracker.fall, 5u);
    EXPECT_EQ(c.sticky.cookie, "route");
}

TEST(BalancerConfig, YamlKeysAllLand) {
    balancer_config c;
    auto err = apply_yaml(R"(
name: edge
port: 9000
threads: 3
admin: {port: 9001, token: abc}
backends:
  - {id: r1, host: 10.0.0.1, port: 80, weight: 2}
  - r2=10.0.0.2:81
health: {method: GET, path: /healthz, expect_status: 204, timeout_ms: 300, interval_ms: 700,
         fastinter_ms: 100, downinter_ms: 900, rise: 4, fall: 1, slowstart_ms: 5000}
sticky: {cookie: sid, secret: xyz, max_age_s: 3600}
limits: {header_timeout_ms: 1500, max_header_bytes: 2048, max_body_bytes: 10,
         redispatch_max: 1, tunnel_buffer_bytes: 65536}
)",
                          "t.yaml", c);
    ASSERT_FALSE(err) << err->text();
    EXPECT_EQ(c.name, "edge");
    EXPECT_EQ(c.threads, 3u);
    EXPECT_EQ(c.admin_token, "abc");
    EXPECT_EQ(c.admin_port, 9001);
    ASSERT_EQ(c.backends.size(), 2u);
    EXPECT_EQ(c.backends[0].weight, 2u);
    EXPECT_EQ(c.backends[1].id, "r2");
    EXPECT_EQ(c.health.method, "GET");
    EXPECT_EQ(c.health.expect_status, 204u);
    EXPECT_EQ(c.health.tracker.inter, std::chrono::milliseconds(700));
    EXPECT_EQ(c.health.tracker.slowstart, std::chrono::milliseconds(5000));
    EXPECT_EQ(c.sticky.max_age, std::chrono::seconds(3600));
    EXPECT_EQ(c.limits.header_timeout, std::chrono::milliseconds(1500));
    EXPECT_EQ(c.limits.max_body_bytes, 10u);
    EXPECT_EQ(c.limits.tunnel_buffer_bytes, 65536u);
    EXPECT_FALSE(validate(c));
}

TEST(BalancerConfig, ErrorsNameKeyAndPlace) {
    struct bad_case {
        const char* yaml;
        const char* expect;
    };
    for (const auto& [yaml, expect] : std::vector<bad_case>{
             {"limits:\n  max_header_bytes: lots\n",
              "t.yaml:2:21: limits.max_header_bytes: expected an integer"},
             {"health: {rise: 0}\n", "health.rise: must be between 1 and 1000"},
             {"typo: 1\n", "t.yaml:1:1: typo: unknown key"},
             {"backends: [{id: a}]\n", "backends[0].port: is required"},
             {"backends: [nope]\n", "backends[0]: expected id=host:port"},
             {"sticky: {enabled: maybe}\n", "sticky.enabled: expected true or false"},
             {"port: [1\n", "t.yaml:"},
         }) {
        balancer_config c;
        auto err = apply_yaml(yaml, "t.yaml", c);
        ASSERT_TRUE(err) << yaml;
        EXPECT_NE(err->text().find(expect), std::string::npos) << err->text();
    }
}

TEST(BalancerConfig, ValidationCatchesCrossFieldProblems) {
    EXPECT_EQ(parse({"--port", "0"}).error->key, "backends");
    EXPECT_EQ(parse({"--backend", "a=h:1", "--backend", "a=h:2"}).error->key, "backends");
    EXPECT_EQ(parse({"--backend", "bad id=h:1"}).error->key, "backends");
    auto s = parse({"--backend", "a=h:1", "--strategy", "fastest"});
    EXPECT_EQ(s.error->key, "strategy");
    EXPECT_NE(s.error->message.find("round-robin"), std::string::npos) << "lists known names";
    EXPECT_EQ(parse({"--backend", "a=h:1", "--tls-cert", "/nonexistent"}).error->key, "tls");
    EXPECT_EQ(parse({"--backend", "a=h:1", "--port", "70000"}).error->key, "--port");
    EXPECT_EQ(parse({"--backend", "a=h:1", "--whatever"}).error->key, "--whatever");
    EXPECT_EQ(parse({"--backend"}).error->key, "--backend");
    EXPECT_TRUE(parse({"--help"}).help);
}

TEST(BalancerConfig, HelpListsEveryStrategy) {
    const auto text = help_text();
    for (const char* name :
         {"random", "round-robin", "least-conn", "power-of-two", "consistent-hash"})
        EXPECT_NE(text.find(name), std::string::npos) << name;
}

TEST(BalancerConfig, SniCertificateListAndPassive5xx) {
    balancer_config c;
    auto err = apply_yaml(R"(
health: {passive_5xx: true}
tls:
  certificates:
    - {cert_file: /a.pem, key_file: /a.key}
    - {cert_file: /b.pem, key_file: /b.key}
)",
                          "t.yaml", c);
    ASSERT_FALSE(err) << err->text();
    EXPECT_TRUE(c.health.passive_5xx);
    ASSERT_EQ(c.tls.certificates.size(), 2u);
    EXPECT_EQ(c.tls.certificates[1].key_file, "/b.key");
    EXPECT_TRUE(c.tls.enabled()) << "a certificate list alone turns TLS on";

    balancer_config half;
    auto missing = apply_yaml("tls: {certificates: [{cert_file: /a.pem}]}\n", "t.yaml", half);
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->key, "tls.certificates[0]");

    c.backends.push_back({"r1", "127.0.0.1", 80, 1});
    auto unreadable = validate(c);
    ASSERT_TRUE(unreadable);
    EXPECT_EQ(unreadable->key, "tls.certificates[0].cert_file");
}

TEST(BalancerConfig, CookieSecretFileSockjsPrefixAndSessionsOnDown) {
    const auto dir = std::filesystem::temp_directory_path() / "sy-config-test";
    std::filesystem::create_directories(dir);
    const auto secret = dir / "secret";
    { std::ofstream(secret) << "  s3cret-value\n"; }
    auto r = parse({"--backend", "a=127.0.0.1:1", "--cookie-secret-file", secret.c_str(),
                    "--sockjs-prefix", "/chat", "--keep-sessions-on-down"});
    ASSERT_FALSE(r.error) << r.error->text();
    EXPECT_EQ(r.config.sticky.secret, "s3cret-value") << "white space around it is trimmed";
    EXPECT_EQ(r.config.sticky.sockjs_prefix, "/chat");
    EXPECT_FALSE(r.config.health.close_sessions_on_down);

    balancer_config defaults;
    EXPECT_TRUE(defaults.health.close_sessions_on_down);
    EXPECT_EQ(defaults.sticky.sockjs_prefix, "/sockjs");

    auto missing = parse({"--backend", "a=127.0.0.1:1", "--cookie-secret-file", "/nonexistent/s"});
    ASSERT_TRUE(missing.error);
    EXPECT_EQ(missing.error->key, "--cookie-secret-file") << "a flag's problem names the flag";
    std::ofstream(dir / "empty") << "\n\n";
    auto empty =
        parse({"--backend", "a=127.0.0.1:1", "--cookie-secret-file", (dir / "empty").c_str()});
    ASSERT_TRUE(empty.error) << "an empty file would silently mean a random secret";
    auto bad_prefix = parse({"--backend", "a=127.0.0.1:1", "--sockjs-prefix", "sockjs/"});
    ASSERT_TRUE(bad_prefix.error);
    EXPECT_EQ(bad_prefix.error->key, "--sockjs-prefix");
    auto off = parse({"--backend", "a=127.0.0.1:1", "--sockjs-prefix", ""});
    ASSERT_FALSE(off.error) << off.error->text();
    EXPECT_TRUE(off.config.sticky.sockjs_prefix.empty());
}

TEST(BalancerConfig, YamlSecretFileErrorsNameTheKeyAndPlace) {
    balancer_config c;
    auto err = apply_yaml("sticky:\n  secret_file: /nonexistent/secret\n", "lb.yaml", c);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->key, "sticky.secret_file");
    EXPECT_EQ(err->where, "lb.yaml:2:16");
}

TEST(BalancerConfig, AdminTokenForReadsFromFlagAndYamlNeedsAToken) {
    auto flag = parse({"--backend", "a=h:1", "--admin-token", "t", "--admin-token-reads"});
    ASSERT_FALSE(flag.error) << flag.error->text();
    EXPECT_TRUE(flag.config.admin_token_for_reads);
    EXPECT_FALSE(parse({"--backend", "a=h:1"}).config.admin_token_for_reads) << "off by default";

    balancer_config c;
    ASSERT_FALSE(apply_yaml("admin: {token: t, token_for_reads: true}\n", "a.yaml", c));
    EXPECT_TRUE(c.admin_token_for_reads);
    auto bad = apply_yaml("admin: {token_for_reads: maybe}\n", "a.yaml", c);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->key, "admin.token_for_reads");
    EXPECT_EQ(bad->where, "a.yaml:1:26");

    auto no_token = parse({"--backend", "a=h:1", "--admin-token-reads"});
    ASSERT_TRUE(no_token.error);
    EXPECT_EQ(no_token.error->key, "admin.token_for_reads");
}

TEST(BalancerConfig, BodyTimeoutFromFlagAndYaml) {
    EXPECT_EQ(parse({"--backend", "a=h:1"}).config.limits.body_timeout, millis{60000});
    auto flag = parse({"--backend", "a=h:1", "--body-timeout-ms", "1500"});
    ASSERT_FALSE(flag.error) << flag.error->text();
    EXPECT_EQ(flag.config.limits.body_timeout, millis{1500});
    balancer_config c;
    ASSERT_FALSE(apply_yaml("limits: {body_timeout_ms: 2500}\n", "b.yaml", c));
    EXPECT_EQ(c.limits.body_timeout, millis{2500});
    auto bad = apply_yaml("limits: {body_timeout_ms: 0}\n", "b.yaml", c);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->key, "limits.body_timeout_ms");
}
