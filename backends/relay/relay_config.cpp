#include "backends/relay/relay_config.hpp"

#include "backends/relay/origin_check.hpp"

#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace switchyard::relay {

namespace {

struct flag {
    const char* name;
    const char* value;
    const char* doc;
    std::function<bool(relay_config&, const std::string&)> apply;
};

template <class T>
bool parse_uint(const std::string& s, T& out, T min, T max) {
    unsigned long long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty())
        return false;
    if (v < static_cast<unsigned long long>(min) || v > static_cast<unsigned long long>(max))
        return false;
    out = static_cast<T>(v);
    return true;
}

// `zero_ok`: 0 is allowed and means "off" for that setting.
bool parse_ms(const std::string& s, std::chrono::milliseconds& out, bool zero_ok = false) {
    std::uint64_t v = 0;
    if (!parse_uint<std::uint64_t>(s, v, zero_ok ? 0 : 1, 86'400'000))
        return false;
    out = std::chrono::milliseconds{v};
    return true;
}

bool read_secret(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream text;
    text << in.rdbuf();
    out = text.str();
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    return !out.empty();
}

bool valid_id(const std::string& s) {
    if (s.empty() || s.size() > 64)
        return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
            return false;
    return true;
}

// The one table behind parsing, --help and error messages.
const std::vector<flag>& flags() {
    static const std::vector<flag> table = {
        {"id", "NAME", "relay id in READY, hello frames and the registry ([A-Za-z0-9_-]{1,64})",
         [](relay_config& c, const std::string& v) {
             c.id = v;
             return valid_id(v);
         }},
        {"bind", "ADDR", "address to listen on (default 127.0.0.1)",
         [](relay_config& c, const std::string& v) {
             c.bind = v;
             return !v.empty();
         }},
        {"port", "PORT", "client port, 0 = any free port (default 8080)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<unsigned short>(v, c.port, 0, 65535);
         }},
        {"admin-port", "PORT", "admin port (/metrics, /healthz), 0 = any free port (default 0)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<unsigned short>(v, c.admin_port, 0, 65535);
         }},
        {"bus", "SPEC", "memory | redis://host:port (default memory)",
         [](relay_config& c, const std::string& v) {
             c.bus = v;
             return v == "memory" || v.rfind("redis://", 0) == 0;
         }},
        {"threads", "N", "event-loop threads, 1..64 (default 1)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<unsigned>(v, c.threads, 1, 64);
         }},
        {"max-message-bytes", "BYTES", "largest client frame; larger closes 1009 (default 65536)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.max_message_bytes, 16, 64 << 20);
         }},
        {"send-queue-messages", "N", "per-client queued messages before 1008 (default 4096)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.send_queue_messages_max, 1, 1 << 24);
         }},
        {"send-queue-bytes", "BYTES", "per-client queued bytes before 1008 (default 4194304)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.send_queue_bytes_max, 1024, std::size_t{1} << 34);
         }},
        {"coalesce-ms", "MS",
         "least time between a thread's write rounds under load; a frame after a quieter spell "
         "goes out at once; 0 = every loop turn (default 30)",
         [](relay_config& c, const std::string& v) {
             std::uint64_t ms = 0;
             if (!parse_uint<std::uint64_t>(v, ms, 0, 1000))
                 return false;
             c.coalesce = std::chrono::milliseconds{ms};
             return true;
         }},
        {"coalesce-min-clients", "N",
         "the coalescing interval applies after a round that wrote to at least N clients "
         "(default 32)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.coalesce_min_clients, 0, 1 << 24);
         }},
        {"socket-send-buffer", "BYTES",
         "SO_SNDBUF per WebSocket client, 0 = kernel autotuning (default 0)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.socket_send_buffer, 0, 64 << 20);
         }},
        {"bus-gap-hold", "N",
         "redis bus: messages of one channel held while a gap is refilled (default 4096)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.bus_gap_hold_max, 1, 1 << 24);
         }},
        {"history", "N", "history entries kept per channel (default 1024)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.history_max, 1, 1 << 20);
         }},
        {"registry-ttl-ms", "MS", "client registry entry lifetime (default 30000)",
         [](relay_config& c, const std::string& v) { return parse_ms(v, c.registry_ttl); }},
        {"sockjs-heartbeat-ms", "MS", "SockJS heartbeat period (default 25000)",
         [](relay_config& c, const std::string& v) { return parse_ms(v, c.sockjs_heartbeat); }},
        {"sockjs-disconnect-delay-ms", "MS",
         "SockJS session lifetime without a receiving connection (default 5000)",
         [](relay_config& c, const std::string& v) {
             return parse_ms(v, c.sockjs_disconnect_delay);
         }},
        {"sockjs-response-limit", "BYTES",
         "bytes per xhr_streaming response before it is closed (default 131072)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.sockjs_response_limit, 4096, 1 << 30);
         }},
        {"bus-outage-ms", "MS",
         "bus outage tolerated before clients are closed 1011 and health is 503 (default 10000)",
         [](relay_config& c, const std::string& v) { return parse_ms(v, c.bus_outage_tolerance); }},
        {"bus-ping-ms", "MS", "redis bus: PING a link silent this long (default 1000)",
         [](relay_config& c, const std::string& v) { return parse_ms(v, c.bus_ping_idle); }},
        {"bus-ping-deadline-ms", "MS",
         "redis bus: a reply overdue this long closes the link, bus down (default 2000)",
         [](relay_config& c, const std::string& v) { return parse_ms(v, c.bus_ping_deadline); }},
        {"bus-canary-ms", "MS",
         "redis bus: publish a delivery canary this often, 0 = off (default 250)",
         [](relay_config& c, const std::string& v) {
             return parse_ms(v, c.bus_canary_interval, true);
         }},
        {"bus-canary-deadline-ms", "MS",
         "redis bus: a canary not heard back this long makes the relay deaf (default 1000)",
         [](relay_config& c, const std::string& v) { return parse_ms(v, c.bus_canary_deadline); }},
        {"drain-grace-ms", "MS", "SIGTERM: time for clients to close before exit (default 2000)",
         [](relay_config& c, const std::string& v) { return parse_ms(v, c.drain_grace); }},
        {"close-timeout-ms", "MS", "closing handshake limit (default 5000)",
         [](relay_config& c, const std::string& v) { return parse_ms(v, c.close_timeout); }},
        {"handshake-timeout-ms", "MS",
         "a new connection's first request (upgrade or HTTP) must arrive within this; else it "
         "is closed (default 10000)",
         [](relay_config& c, const std::string& v) { return parse_ms(v, c.handshake_timeout); }},
        {"idle-timeout-ms", "MS",
         "an HTTP keep-alive connection without a session is closed after this long without a "
         "request (default 60000)",
         [](relay_config& c, const std::string& v) { return parse_ms(v, c.idle_timeout); }},
        {"max-connections", "N",
         "client connections in total; more get 503 at accept, 0 = no maximum (default 19000)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.max_connections, 0, 1 << 24);
         }},
        {"max-connections-per-address", "N",
         "client connections from one address; more get 503 at accept, 0 = no maximum; set 0 "
         "behind a balancer (default 4096)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.max_connections_per_address, 0, 1 << 24);
         }},
        {"max-channels-per-client", "N",
         "channels one client may hold; more get error too_many_channels, 0 = no maximum "
         "(default 256)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.max_channels_per_client, 0, 1 << 24);
         }},
        {"history-bytes", "BYTES",
         "memory bus: history bytes over all channels; idle channels are evicted first, 0 = no "
         "budget (default 67108864)",
         [](relay_config& c, const std::string& v) {
             return parse_uint<std::size_t>(v, c.history_bytes_max, 0, std::size_t{1} << 40);
         }},
        {"trim-interval-ms", "MS",
         "return freed heap memory to the system this often after a release, 0 = never "
         "(default 10000)",
         [](relay_config& c, const std::string& v) {
             std::uint64_t ms = 0;
             if (!parse_uint<std::uint64_t>(v, ms, 0, 86'400'000))
                 return false;
             c.trim_interval = std::chrono::milliseconds{ms};
             return true;
         }},
        {"allowed-origins", "LIST",
         "comma-separated origins (scheme://host[:port], *, null) whose pages may open a "
         "WebSocket; others get 403 (default: none: only same-origin and no-Origin clients)",
         [](relay_config& c, const std::string& v) {
             std::vector<std::string> entries;
             std::size_t start = 0;
             while (start <= v.size()) {
                 const auto comma = v.find(',', start);
                 const auto end = comma == std::string::npos ? v.size() : comma;
                 auto entry = v.substr(start, end - start);
                 while (!entry.empty() && entry.front() == ' ')
                     entry.erase(0, 1);
                 while (!entry.empty() && entry.back() == ' ')
                     entry.pop_back();
                 entries.push_back(entry);
                 start = end + 1;
             }
             std::string error;
             if (!origin_allow_list::parse(entries, error))
                 return false;
             c.allowed_origins.insert(c.allowed_origins.end(), entries.begin(), entries.end());
             return true;
         }},
        {"client-token-secret-file", "FILE",
         "require token=hex(HMAC-SHA256(secret, client id)) with every client id; the secret is "
         "the file's content (trailing newline dropped)",
         [](relay_config& c, const std::string& v) {
             return read_secret(v, c.client_token_secret);
         }},
    };
    return table;
}

}  // namespace

std::string relay_usage() {
    std::string out =
        "usage: switchyard-relay [flags]\n"
        "WebSocket (/ws) and SockJS (/sockjs) relay over a pub/sub bus.\n"
        "Prints 'READY name=<id> port=<p> admin=<p>' once accepting.\n\nflags:\n";
    for (const auto& f : flags()) {
        std::string head = std::string("  --") + f.name + " " + f.value;
        if (head.size() < 34)
            head.resize(34, ' ');
        out += head + " " + f.doc + "\n";
    }
    out += "  --help                           this text\n";
    return out;
}

parse_result parse_relay_args(const std::vector<std::string>& args) {
    parse_result r;
    relay_config config;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg == "--help" || arg == "-h") {
            r.message = relay_usage();
            return r;
        }
        if (arg.rfind("--", 0) != 0) {
            r.exit_code = 2;
            r.message = "switchyard-relay: unexpected argument '" + arg + "' (see --help)";
            return r;
        }
        std::string name = arg.substr(2), value;
        bool have_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            have_value = true;
        }
        const flag* found = nullptr;
        for (const auto& f : flags())
            if (name == f.name)
                found = &f;
        if (!found) {
            r.exit_code = 2;
            r.message = "switchyard-relay: unknown flag '--" + name + "' (see --help)";
            return r;
        }
        if (!have_value) {
            if (i + 1 >= args.size()) {
                r.exit_code = 2;
                r.message = "switchyard-relay: --" + name + " needs a value " + found->value;
                return r;
            }
            value = args[++i];
        }
        if (!found->apply(config, value)) {
            r.exit_code = 2;
            r.message = "switchyard-relay: bad value '" + value + "' for --" + name +
                        ": expected " + found->value + " (" + found->doc + ")";
            return r;
        }
    }
    r.config = config;
    return r;
}

}  // namespace switchyard::relay
