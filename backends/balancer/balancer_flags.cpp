#include "backends/balancer/balancer_config.hpp"

// The command line: --help, --config FILE, then every flag on top of the file. A flag that
// sets a key goes through the YAML reader, so flags and keys share types, bounds and messages.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "backends/policy/selector.hpp"

namespace switchyard::balancer {

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

/// Flags that set one key: `%` in the pattern stands for the quoted value; a pattern without
/// one is a top-level key.
const std::vector<std::pair<std::string, std::string>>& value_flags() {
    static const std::vector<std::pair<std::string, std::string>> table{
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
    return table;
}

/// Flags without a value. False when `flag` is not one of them.
bool apply_switch(const std::string& flag, balancer_config& c) {
    if (flag == "--no-sticky")
        c.sticky.enabled = false;
    else if (flag == "--admin-token-reads")
        c.admin_token_for_reads = true;
    else if (flag == "--no-health")
        c.health.enabled = false;
    else if (flag == "--keep-sessions-on-down")
        c.health.close_sessions_on_down = false;
    else
        return false;
    return true;
}

/// The first pass: --help, and --config FILE read before any flag so that flags override it
/// wherever they appear. False when the parse ends here (help asked for, or an error).
bool read_config_file(const std::vector<std::string>& args, config_result& result) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") {
            result.help = true;
            return false;
        }
        if (args[i] == "--config") {
            if (i + 1 >= args.size()) {
                result.error = config_error{"--config", "needs a file name"};
                return false;
            }
            std::ifstream in(args[i + 1]);
            if (!in) {
                result.error = config_error{"--config", "cannot read '" + args[i + 1] + "'"};
                return false;
            }
            std::stringstream text;
            text << in.rdbuf();
            if (auto e = apply_yaml(text.str(), args[i + 1], result.config)) {
                result.error = e;
                return false;
            }
        }
    }
    return true;
}

/// One `--flag value` of the value_flags table, as the YAML it stands for.
std::optional<config_error> apply_value_flag(const std::string& flag, const std::string& pattern,
                                             const std::string& v, balancer_config& c) {
    std::string yaml;
    if (auto pct = pattern.find('%'); pct != std::string::npos)
        yaml = pattern.substr(0, pct) + quote(v) + pattern.substr(pct + 1);
    else
        yaml = pattern + ": " + quote(v);
    return apply_flag_yaml(flag, yaml, c);
}

}  // namespace

config_result parse_command_line(int argc, const char* const* argv) {
    config_result result;
    auto& c = result.config;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!read_config_file(args, result))
        return result;
    bool backends_from_flags = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& flag = args[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= args.size())
                return std::nullopt;
            return args[++i];
        };
        if (flag == "--config") {
            ++i;
            continue;
        }
        if (apply_switch(flag, c))
            continue;
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
        const auto& table = value_flags();
        const auto row = std::find_if(table.begin(), table.end(),
                                      [&](const auto& r) { return r.first == flag; });
        if (row == table.end()) {
            result.error = config_error{flag, "unknown flag (see --help)"};
            return result;
        }
        auto v = value();
        if (!v) {
            result.error = config_error{flag, "needs a value"};
            return result;
        }
        if (auto e = apply_value_flag(flag, row->second, *v, c)) {
            result.error = e;
            return result;
        }
    }
    result.error = validate(c);
    return result;
}

}  // namespace switchyard::balancer
