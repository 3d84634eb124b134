#include "backends/balancer/balancer_config.hpp"

// The YAML side of the configuration: every key checked against the known ones, every value
// typed and bounded, every problem named with file:line:col.
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <limits>
#include <set>

namespace switchyard::balancer {

namespace {

/// Thrown inside the YAML walker and turned into a config_error at the edge.
struct yaml_problem {
    config_error error;
};

std::string where_of(const YAML::Node& node, const std::string& file) {
    const auto mark = node.Mark();
    if (mark.line < 0)
        return file;
    return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

/// The secret in `path` with surrounding white space removed; nullopt when unreadable or empty.
std::optional<std::string> read_secret_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return std::nullopt;
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

[[noreturn]] void fail(const YAML::Node& node, const std::string& file, const std::string& key,
                       const std::string& message) {
    throw yaml_problem{config_error{key, message, where_of(node, file)}};
}

/// Walks one YAML mapping, checking every key is known so typos never pass silently.
class yaml_map {
  public:
    yaml_map(const YAML::Node& node, std::string file, std::string prefix)
        : node_(node), file_(std::move(file)), prefix_(std::move(prefix)) {
        if (!node_.IsMap())
            fail(node_, file_, prefix_.empty() ? "(top level)" : prefix_, "expected a mapping");
    }
    void check_known(const std::set<std::string>& known) const {
        for (const auto& kv : node_) {
            const auto k = kv.first.as<std::string>();
            if (!known.count(k)) {
                std::string list;
                for (const auto& n : known)
                    list += (list.empty() ? "" : ", ") + n;
                fail(kv.first, file_, key(k), "unknown key; known: " + list);
            }
        }
    }
    std::string key(const std::string& k) const { return prefix_.empty() ? k : prefix_ + "." + k; }
    const YAML::Node& node() const { return node_; }
    const std::string& file() const { return file_; }

    void get(const std::string& k, std::string& out) const {
        if (auto n = node_[k]) {
            if (!n.IsScalar())
                fail(n, file_, key(k), "expected a string");
            out = n.as<std::string>();
        }
    }
    template <class Int>
    void get_int(const std::string& k, Int& out, long long lo, long long hi) const {
        if (auto n = node_[k]) {
            long long v = 0;
            const auto s = n.IsScalar() ? n.Scalar() : std::string{};
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            if (s.empty() || ec != std::errc{} || p != s.data() + s.size())
                fail(n, file_, key(k), "expected an integer, got '" + s + "'");
            if (v < lo || v > hi)
                fail(n, file_, key(k),
                     "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
            out = static_cast<Int>(v);
        }
    }
    void get_ms(const std::string& k, millis& out, long long lo = 1) const {
        long long v = out.count();
        get_int(k, v, lo, 24LL * 3600 * 1000);
        out = millis{v};
    }
    void get_bool(const std::string& k, bool& out) const {
        if (auto n = node_[k]) {
            const auto s = n.IsScalar() ? n.Scalar() : std::string{};
            if (s == "true" || s == "yes" || s == "on")
                out = true;
            else if (s == "false" || s == "no" || s == "off")
                out = false;
            else
                fail(n, file_, key(k), "expected true or false, got '" + s + "'");
        }
    }
    void get_port(const std::string& k, std::optional<int>& out) const {
        if (auto n = node_[k]) {
            if (n.IsNull() || (n.IsScalar() && n.Scalar() == "off")) {
                out.reset();
                return;
            }
            int v = 0;
            get_int(k, v, 0, 65535);
            out = v;
        }
    }

  private:
    YAML::Node node_;
    std::string file_;
    std::string prefix_;
};

/// The `admin:` section: the admin listener and its token.
void apply_admin(const YAML::Node& n, const std::string& file, balancer_config& c) {
    yaml_map m(n, file, "admin");
    m.check_known({"bind", "port", "token", "token_for_reads"});
    m.get("bind", c.admin_bind);
    m.get_port("port", c.admin_port);
    m.get("token", c.admin_token);
    m.get_bool("token_for_reads", c.admin_token_for_reads);
}

/// The `backends:` list; each item is a mapping or the id=host:port shorthand.
void apply_backends(const YAML::Node& n, const std::string& file, balancer_config& c) {
    if (!n.IsSequence())
        fail(n, file, "backends", "expected a list");
    c.backends.clear();
    for (std::size_t i = 0; i < n.size(); ++i) {
        const auto item = n[i];
        const std::string key = "backends[" + std::to_string(i) + "]";
        if (item.IsScalar()) {
            std::string problem;
            auto b = parse_backend_spec(item.Scalar(), problem);
            if (!b)
                fail(item, file, key, problem);
            c.backends.push_back(*b);
            continue;
        }
        yaml_map m(item, file, key);
        m.check_known({"id", "host", "port", "weight"});
        backend_config b;
        m.get("id", b.id);
        m.get("host", b.host);
        m.get_int("port", b.port, 1, 65535);
        m.get_int("weight", b.weight, 0, 1000000);
        if (!item["port"])
            fail(item, file, key + ".port", "is required");
        c.backends.push_back(b);
    }
}

/// The `health:` section: active checks and passive detection.
void apply_health(const YAML::Node& n, const std::string& file, balancer_config& c) {
    yaml_map m(n, file, "health");
    m.check_known({"enabled", "method", "path", "expect_status", "timeout_ms", "interval_ms",
                   "fastinter_ms", "downinter_ms", "rise", "fall", "slowstart_ms", "passive_5xx",
                   "close_sessions_on_down"});
    auto& h = c.health;
    m.get_bool("enabled", h.enabled);
    m.get_bool("passive_5xx", h.passive_5xx);
    m.get_bool("close_sessions_on_down", h.close_sessions_on_down);
    m.get("method", h.method);
    m.get("path", h.path);
    m.get_int("expect_status", h.expect_status, 0, 599);
    m.get_ms("timeout_ms", h.timeout);
    m.get_ms("interval_ms", h.tracker.inter);
    m.get_ms("fastinter_ms", h.tracker.fastinter);
    m.get_ms("downinter_ms", h.tracker.downinter);
    m.get_ms("slowstart_ms", h.tracker.slowstart, 0);
    m.get_int("rise", h.tracker.rise, 1, 1000);
    m.get_int("fall", h.tracker.fall, 1, 1000);
}

/// The `sticky:` section: the affinity cookie and SockJS session routing.
void apply_sticky(const YAML::Node& n, const std::string& file, balancer_config& c) {
    yaml_map m(n, file, "sticky");
    m.check_known({"enabled", "cookie", "secret", "secret_file", "max_age_s", "sockjs_prefix"});
    m.get_bool("enabled", c.sticky.enabled);
    m.get("cookie", c.sticky.cookie);
    m.get("secret", c.sticky.secret);
    std::string secret_file;
    m.get("secret_file", secret_file);
    if (!secret_file.empty()) {
        // Restarts and several balancers behind one address need one secret: a file the
        // deployment shares, kept out of command lines and process listings.
        auto secret = read_secret_file(secret_file);
        if (!secret)
            fail(n["secret_file"], file, "sticky.secret_file",
                 "cannot read '" + secret_file + "', or it holds no secret");
        c.sticky.secret = *secret;
    }
    m.get("sockjs_prefix", c.sticky.sockjs_prefix);
    if (!c.sticky.sockjs_prefix.empty() &&
        (c.sticky.sockjs_prefix.front() != '/' || c.sticky.sockjs_prefix.back() == '/'))
        fail(n["sockjs_prefix"], file, "sticky.sockjs_prefix",
             "must start with '/' and not end with one (e.g. /sockjs), or be empty");
    long long age = c.sticky.max_age.count();
    m.get_int("max_age_s", age, 0, 10LL * 365 * 86400);
    c.sticky.max_age = std::chrono::seconds{age};
}

/// The `tls:` section: certificates and the TLS listener.
void apply_tls(const YAML::Node& n, const std::string& file, balancer_config& c) {
    yaml_map m(n, file, "tls");
    m.check_known({"cert_file", "key_file", "port", "certificates"});
    m.get("cert_file", c.tls.cert_file);
    m.get("key_file", c.tls.key_file);
    m.get_port("port", c.tls.port);
    if (auto list = n["certificates"]) {
        if (!list.IsSequence())
            fail(list, file, "tls.certificates", "expected a list of {cert_file, key_file}");
        c.tls.certificates.clear();
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string key = "tls.certificates[" + std::to_string(i) + "]";
            yaml_map item(list[i], file, key);
            item.check_known({"cert_file", "key_file"});
            tls_certificate_config cert;
            item.get("cert_file", cert.cert_file);
            item.get("key_file", cert.key_file);
            if (cert.cert_file.empty() || cert.key_file.empty())
                fail(list[i], file, key, "needs both cert_file and key_file");
            c.tls.certificates.push_back(cert);
        }
    }
}

/// The `limits:` section: timeouts, sizes and connection caps.
void apply_limits(const YAML::Node& n, const std::string& file, balancer_config& c) {
    yaml_map m(n, file, "limits");
    m.check_known({"header_timeout_ms", "idle_timeout_ms", "body_timeout_ms", "connect_timeout_ms",
                   "upstream_timeout_ms", "drain_timeout_ms", "max_header_bytes", "max_body_bytes",
                   "max_connections", "max_connections_per_address",
                   "max_idle_upstream_per_backend", "max_connects_per_backend_per_s",
                   "redispatch_max", "tunnel_buffer_bytes"});
    auto& l = c.limits;
    m.get_ms("header_timeout_ms", l.header_timeout);
    m.get_ms("idle_timeout_ms", l.idle_timeout);
    m.get_ms("body_timeout_ms", l.body_timeout);
    m.get_ms("connect_timeout_ms", l.connect_timeout);
    m.get_ms("upstream_timeout_ms", l.upstream_timeout);
    m.get_ms("drain_timeout_ms", l.drain_timeout, 0);
    m.get_int("max_header_bytes", l.max_header_bytes, 512, 1 << 20);
    m.get_int("max_body_bytes", l.max_body_bytes, 0, std::numeric_limits<long long>::max());
    m.get_int("max_connections", l.max_connections, 1, 10'000'000);
    m.get_int("max_connections_per_address", l.max_connections_per_address, 0, 10'000'000);
    m.get_int("max_idle_upstream_per_backend", l.max_idle_upstream_per_backend, 0, 100000);
    m.get_int("redispatch_max", l.redispatch_max, 0, 100);
    m.get_int("max_connects_per_backend_per_s", l.max_connects_per_backend_per_s, 0, 10'000'000);
    m.get_int("tunnel_buffer_bytes", l.tunnel_buffer_bytes, 1024, 16 << 20);
}

/// The whole document: top-level keys, then each section in turn.
void apply_root(const YAML::Node& root, const std::string& file, balancer_config& c) {
    yaml_map top(root, file, "");
    top.check_known({"name", "bind", "port", "admin", "threads", "strategy", "seed", "backends",
                     "health", "sticky", "tls", "limits"});
    top.get("name", c.name);
    top.get("bind", c.bind);
    top.get_port("port", c.port);
    top.get_int("threads", c.threads, 0, 256);
    top.get("strategy", c.strategy);
    top.get_int("seed", c.seed, 0, std::numeric_limits<long long>::max());
    if (auto n = root["admin"])
        apply_admin(n, file, c);
    if (auto n = root["backends"])
        apply_backends(n, file, c);
    if (auto n = root["health"])
        apply_health(n, file, c);
    if (auto n = root["sticky"])
        apply_sticky(n, file, c);
    if (auto n = root["tls"])
        apply_tls(n, file, c);
    if (auto n = root["limits"])
        apply_limits(n, file, c);
}

}  // namespace

/// "id=host:port" or "id=host:port,weight=N" (flag and YAML shorthand).
std::optional<backend_config> parse_backend_spec(std::string_view spec, std::string& problem) {
    backend_config b;
    auto eq = spec.find('=');
    if (eq == std::string_view::npos) {
        problem = "expected id=host:port, got '" + std::string(spec) + "'";
        return std::nullopt;
    }
    b.id = std::string(spec.substr(0, eq));
    std::string_view rest = spec.substr(eq + 1);
    std::string_view options;
    if (auto comma = rest.find(','); comma != std::string_view::npos) {
        options = rest.substr(comma + 1);
        rest = rest.substr(0, comma);
    }
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        problem = "expected id=host:port, got '" + std::string(spec) + "'";
        return std::nullopt;
    }
    b.host = std::string(rest.substr(0, colon));
    auto port_text = rest.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
        problem = "bad port '" + std::string(port_text) + "' in '" + std::string(spec) + "'";
        return std::nullopt;
    }
    b.port = static_cast<unsigned short>(port);
    if (!options.empty()) {
        if (options.rfind("weight=", 0) != 0) {
            problem = "unknown option '" + std::string(options) + "' (known: weight=N)";
            return std::nullopt;
        }
        auto w = options.substr(7);
        auto [p2, ec2] = std::from_chars(w.data(), w.data() + w.size(), b.weight);
        if (ec2 != std::errc{} || p2 != w.data() + w.size() || b.weight > 1000000) {
            problem = "bad weight '" + std::string(w) + "'";
            return std::nullopt;
        }
    }
    return b;
}

std::optional<config_error> apply_yaml(const std::string& text, const std::string& file_name,
                                       balancer_config& into) {
    try {
        const YAML::Node root = YAML::Load(text);
        if (root.IsNull())
            return std::nullopt;
        apply_root(root, file_name, into);
    } catch (const yaml_problem& p) {
        return p.error;
    } catch (const YAML::Exception& e) {
        return config_error{"", e.msg,
                            file_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                std::to_string(e.mark.column + 1)};
    }
    return std::nullopt;
}

}  // namespace switchyard::balancer
