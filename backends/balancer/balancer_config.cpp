#include "backends/balancer/balancer_config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "backends/policy/selector.hpp"
#include "backends/policy/sticky_codec.hpp"

namespace switchyard::balancer {

std::string config_error::text() const {
    std::string out;
    if (!where.empty())
        out += where + ": ";
    out += key.empty() ? message : key + ": " + message;
    return out;
}

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
    if (auto n = root["admin"]) {
        yaml_map m(n, file, "admin");
        m.check_known({"bind", "port", "token", "token_for_reads"});
        m.get("bind", c.admin_bind);
        m.get_port("port", c.admin_port);
        m.get("token", c.admin_token);
        m.get_bool("token_for_reads", c.admin_token_for_reads);
    }
    if (auto n = root["backends"]) {
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
    if (auto n = root["health"]) {
        yaml_map m(n, file, "health");
        m.check_known({"enabled", "method", "path", "expect_status", "timeout_ms", "interval_ms",
                       "fastinter_ms", "downinter_ms", "rise", "fall", "slowstart_ms",
                       "passive_5xx", "close_sessions_on_down"});
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
    if (auto n = root["sticky"]) {
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
    if (auto n = root["tls"]) {
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
    if (auto n = root["limits"]) {
        yaml_map m(n, file, "limits");
        m.check_known({"header_timeout_ms", "idle_timeout_ms", "body_timeout_ms",
                       "connect_timeout_ms", "upstream_timeout_ms", "drain_timeout_ms",
                       "max_header_bytes", "max_body_bytes", "max_connections",
                       "max_connections_per_address", "max_idle_upstream_per_backend",
                       "max_connects_per_backend_per_s", "redispatch_max", "tunnel_buffer_bytes"});
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
        m.get_int("max_connects_per_backend_per_s", l.max_connects_per_backend_per_s, 0,
                  10'000'000);
        m.get_int("tunnel_buffer_bytes", l.tunnel_buffer_bytes, 1024, 16 << 20);
    }
}

bool file_readable(const std::string& path) {
    std::ifstream in(path);
    return in.good();
}

}  // namespace

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

std::optional<config_error> validate(const balancer_config& c) {
    if (c.backends.empty())
        return config_error{"backends",
                            "at least one backend is required (--backend id=host:port)"};
    std::set<std::string> ids;
    for (const auto& b : c.backends) {
        if (!policy::sticky_codec::valid_id(b.id))
            return config_error{"backends",
                                "id '" + b.id + "' must be 1..64 characters of [A-Za-z0-9_-]"};
        if (!ids.insert(b.id).second)
            return config_error{"backends", "duplicate id '" + b.id + "'"};
        if (b.port == 0)
            return config_error{"backends", "backend '" + b.id + "' has no port"};
    }
    if (!policy::make_selector(c.strategy))
        return config_error{"strategy", "unknown strategy '" + c.strategy +
                                            "'; known: " + policy::selector_names()};
    if (c.tls.cert_file.empty() != c.tls.key_file.empty())
        return config_error{"tls", "cert_file and key_file must be given together"};
    if (c.tls.enabled()) {
        if (!c.tls.cert_file.empty() && !file_readable(c.tls.cert_file))
            return config_error{"tls.cert_file", "cannot read '" + c.tls.cert_file + "'"};
        if (!c.tls.key_file.empty() && !file_readable(c.tls.key_file))
            return config_error{"tls.key_file", "cannot read '" + c.tls.key_file + "'"};
        for (std::size_t i = 0; i < c.tls.certificates.size(); ++i) {
            const auto& cert = c.tls.certificates[i];
            const std::string key = "tls.certificates[" + std::to_string(i) + "]";
            if (!file_readable(cert.cert_file))
                return config_error{key + ".cert_file", "cannot read '" + cert.cert_file + "'"};
            if (!file_readable(cert.key_file))
                return config_error{key + ".key_file", "cannot read '" + cert.key_file + "'"};
        }
    } else if (c.tls.port) {
        return config_error{"tls.port", "needs tls.cert_file and tls.key_file"};
    }
    if (!c.port && !(c.tls.enabled() && c.tls.port))
        return config_error{"port", "no listener: set port (or tls.port)"};
    if (c.sticky.cookie.empty() || c.sticky.cookie.find_first_of(" ;=,\t\"") != std::string::npos)
        return config_error{"sticky.cookie",
                            "'" + c.sticky.cookie + "' is not a valid cookie name"};
    if (c.admin_token_for_reads && c.admin_token.empty())
        return config_error{"admin.token_for_reads",
                            "needs admin.token (--admin-token): without one no read could pass"};
    if (c.health.method.empty() || c.health.path.empty() || c.health.path[0] != '/')
        return config_error{"health.path", "must start with '/'"};
    return std::nullopt;
}

std::string help_text() {
    std::ostringstream o;
    o << "switchyard-lb: HTTP and WebSocket load balancer\n\n"
         "usage: switchyard-lb [--config FILE] [flags]\n\n"
         "flags (override the YAML file; see docs/balancer.md for every key):\n"
         "  --config FILE            YAML configuration\n"
         "  --name NAME              name on the READY line and in /stats\n"
         "  --bind ADDR              listen address (default 127.0.0.1)\n"
         "  --port N                 listen port, 0 = pick one (printed on READY)\n"
         "  --admin-port N           admin port, 0 = pick one, 'off' = none\n"
         "  --admin-token TOKEN      bearer token for POST /backends/<id>/...\n"
         "  --admin-token-reads      GET /stats and /metrics need the token too\n"
         "  --backend ID=HOST:PORT[,weight=N]   repeatable; replaces YAML backends\n"
         "  --strategy NAME          backend selection (default random)\n"
         "  --threads N              event-loop threads, 0 = one per core\n"
         "  --seed N                 seed for random choices (0 = clock)\n"
         "  --cookie NAME            sticky cookie name (default server)\n"
         "  --cookie-secret S        sticky cookie HMAC key (default: random per start; restarts\n"
         "                           and several balancers need one shared secret)\n"
         "  --cookie-secret-file F   read the HMAC key from F (white space trimmed)\n"
         "  --sockjs-prefix P        place cookie-less SockJS sessions under P by session id\n"
         "                           (default /sockjs; '' = off)\n"
         "  --no-sticky              no affinity cookie\n"
         "  --tls-cert FILE --tls-key FILE   terminate TLS on --port (or --tls-port)\n"
         "  --tls-port N             extra HTTPS listener next to plain --port\n"
         "  --health-interval-ms N --health-timeout-ms N --rise N --fall N\n"
         "  --health-path PATH       probe path (default /)\n"
         "  --no-health              no active checks (passive detection only)\n"
         "  --keep-sessions-on-down  leave tunnels and requests of a down backend open\n"
         "                           (default: end them so their clients reconnect)\n"
         "  --header-timeout-ms N --idle-timeout-ms N --max-header-bytes N\n"
         "  --body-timeout-ms N      whole request body must arrive within this (default 60000)\n"
         "  --max-body-bytes N --max-connections N --drain-timeout-ms N\n"
         "  --max-connections-per-address N   per client address (default 4096, 0 = none)\n"
         "  --max-connects-per-backend-per-s N   new backend connections a second, per\n"
         "                           backend (reconnect storms; default 0 = no cap)\n"
         "  --help                   this text\n\n"
         "strategies:\n";
    for (const auto& row : policy::selector_table())
        o << "  " << row.name << std::string(18 - std::min<std::size_t>(17, row.name.size()), ' ')
          << row.doc << "\n";
    o << "\nexit codes: 0 stopped cleanly, 2 bad flags or config, 3 could not listen\n";
    return o.str();
}

namespace {

/// Applies one `--flag value` through the YAML path so flags and keys share validation.
std::optional<config_error> apply_flag_yaml(const std::string& flag, const std::string& yaml,
                                            balancer_config& c) {
    auto err = apply_yaml(yaml, "flag " + flag, c);
    if (err) {
        err->key = flag;
        err->where.clear();
    }
    return err;
}

std::string quote(const std::string& v) {
    std::string out = "\"";
    for (char ch : v) {
        if (ch == '"' || ch == '\\')
            out += '\\';
        out += ch;
    }
    return out + "\"";
}

}  // namespace

config_result parse_command_line(int argc, const char* const* argv) {
    config_result result;
    auto& c = result.config;
    std::vector<std::string> args(argv + 1, argv + argc);
    // The file first, so flags override it wherever they appear.
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") {
            result.help = true;
            return result;
        }
        if (args[i] == "--config") {
            if (i + 1 >= args.size()) {
                result.error = config_error{"--config", "needs a file name"};
                return result;
            }
            std::ifstream in(args[i + 1]);
            if (!in) {
                result.error = config_error{"--config", "cannot read '" + args[i + 1] + "'"};
                return result;
            }
            std::stringstream text;
            text << in.rdbuf();
            if (auto e = apply_yaml(text.str(), args[i + 1], c)) {
                result.error = e;
                return result;
            }
        }
    }
    bool backends_from_flags = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& flag = args[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= args.size())
                return std::nullopt;
            return args[++i];
        };
        static const std::vector<std::pair<std::string, std::string>> simple{
            {"--name", "name"},
            {"--bind", "bind"},
            {"--port", "port"},
            {"--admin-port", "admin: {port: %}"},
            {"--admin-token", "admin: {token: %}"},
            {"--strategy", "strategy"},
            {"--threads", "threads"},
            {"--seed", "seed"},
            {"--cookie", "sticky: {cookie: %}"},
            {"--cookie-secret", "sticky: {secret: %}"},
            {"--cookie-secret-file", "sticky: {secret_file: %}"},
            {"--sockjs-prefix", "sticky: {sockjs_prefix: %}"},
            {"--tls-cert", "tls: {cert_file: %}"},
            {"--tls-key", "tls: {key_file: %}"},
            {"--tls-port", "tls: {port: %}"},
            {"--health-interval-ms", "health: {interval_ms: %}"},
            {"--health-timeout-ms", "health: {timeout_ms: %}"},
            {"--health-path", "health: {path: %}"},
            {"--rise", "health: {rise: %}"},
            {"--fall", "health: {fall: %}"},
            {"--header-timeout-ms", "limits: {header_timeout_ms: %}"},
            {"--idle-timeout-ms", "limits: {idle_timeout_ms: %}"},
            {"--body-timeout-ms", "limits: {body_timeout_ms: %}"},
            {"--max-header-bytes", "limits: {max_header_bytes: %}"},
            {"--max-body-bytes", "limits: {max_body_bytes: %}"},
            {"--max-connections", "limits: {max_connections: %}"},
            {"--max-connections-per-address", "limits: {max_connections_per_address: %}"},
            {"--max-connects-per-backend-per-s", "limits: {max_connects_per_backend_per_s: %}"},
            {"--drain-timeout-ms", "limits: {drain_timeout_ms: %}"},
        };
        if (flag == "--config") {
            ++i;
            continue;
        }
        if (flag == "--no-sticky") {
            c.sticky.enabled = false;
            continue;
        }
        if (flag == "--admin-token-reads") {
            c.admin_token_for_reads = true;
            continue;
        }
        if (flag == "--no-health") {
            c.health.enabled = false;
            continue;
        }
        if (flag == "--keep-sessions-on-down") {
            c.health.close_sessions_on_down = false;
            continue;
        }
        if (flag == "--backend") {
            auto v = value();
            if (!v) {
                result.error = config_error{flag, "needs id=host:port"};
                return result;
            }
            std::string problem;
            auto b = parse_backend_spec(*v, problem);
            if (!b) {
                result.error = config_error{flag, problem};
                return result;
            }
            if (!backends_from_flags)
                c.backends.clear();
            backends_from_flags = true;
            c.backends.push_back(*b);
            continue;
        }
        bool matched = false;
        for (const auto& [name, pattern] : simple) {
            if (flag != name)
                continue;
            matched = true;
            auto v = value();
            if (!v) {
                result.error = config_error{flag, "needs a value"};
                return result;
            }
            std::string yaml;
            if (auto pct = pattern.find('%'); pct != std::string::npos)
                yaml = pattern.substr(0, pct) + quote(*v) + pattern.substr(pct + 1);
            else
                yaml = pattern + ": " + quote(*v);
            if (auto e = apply_flag_yaml(flag, yaml, c)) {
                result.error = e;
                return result;
            }
        }
        if (!matched) {
            result.error = config_error{flag, "unknown flag (see --help)"};
            return result;
        }
    }
    result.error = validate(c);
    return result;
}

}  // namespace switchyard::balancer
