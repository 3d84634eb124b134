#include "backends/external/external_balancer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace switchyard::external {

std::string_view to_string(balancer_kind k) noexcept {
    return k == balancer_kind::haproxy ? "haproxy" : "nginx";
}

std::optional<balancer_kind> balancer_kind_from_string(std::string_view s) noexcept {
    if (s == "haproxy")
        return balancer_kind::haproxy;
    if (s == "nginx")
        return balancer_kind::nginx;
    return std::nullopt;
}

std::optional<std::string> haproxy_balance(std::string_view strategy) {
    if (strategy == "round-robin")
        return "roundrobin";
    if (strategy == "random")
        return "random";
    if (strategy == "least-conn")
        return "leastconn";
    if (strategy == "power-of-two")
        return "random(2)";
    if (strategy == "consistent-hash")
        return "source\n    hash-type consistent";
    return std::nullopt;
}

std::optional<std::string> nginx_balance(std::string_view strategy) {
    if (strategy == "round-robin")
        return "";
    if (strategy == "random")
        return "random;";
    if (strategy == "least-conn")
        return "least_conn;";
    if (strategy == "power-of-two")
        return "random two least_conn;";
    if (strategy == "consistent-hash")
        return "hash $remote_addr consistent;";
    return std::nullopt;
}

namespace {

long long ms(std::chrono::milliseconds d) {
    return d.count();
}

std::optional<std::string> find_binary(const std::string& name) {
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::stringstream s(path);
        std::string dir;
        while (std::getline(s, dir, ':'))
            dirs.push_back(dir);
    }
    dirs.push_back("/usr/sbin");
    dirs.push_back("/usr/local/sbin");
    for (const auto& d : dirs) {
        const auto p = std::filesystem::path(d) / name;
        if (::access(p.c_str(), X_OK) == 0)
            return p.string();
    }
    return std::nullopt;
}

}  // namespace

std::string render_haproxy_config(const std::vector<backend_address>& backends,
                                  const balancer_options& o) {
    std::ostringstream c;
    c << "# written by switchyard (backends/external) from the scenario's balancer options\n"
      << "global\n"
      << "    maxconn " << o.max_connections << "\n"
      << "    nbthread " << std::max(1u, o.threads) << "\n"
      << "    tune.bufsize 16384\n"
      << "\ndefaults\n"
      << "    mode http\n"
      << "    option http-keep-alive\n"
      << "    option forwardfor\n"
      << "    option redispatch\n"
      << "    retries 3\n"
      << "    timeout connect " << ms(o.connect_timeout) << "ms\n"
      << "    timeout client " << ms(o.client_timeout) << "ms\n"
      << "    timeout server " << ms(o.server_timeout) << "ms\n"
      << "    timeout tunnel " << ms(o.tunnel_timeout) << "ms\n"
      << "    timeout http-request 10s\n"
      << "    timeout http-keep-alive " << ms(o.client_timeout) << "ms\n"
      << "\nfrontend switchyard_in\n"
      << "    bind " << o.bind << ":" << o.port << "\n"
      << "    http-request set-header X-Forwarded-Proto http\n"
      << "    default_backend switchyard_backends\n"
      << "\nbackend switchyard_backends\n"
      << "    balance " << haproxy_balance(o.strategy).value_or("roundrobin") << "\n";
    if (o.sticky)
        c << "    cookie " << o.cookie << " insert indirect nocache\n";
    if (o.health_checks) {
        c << "    option httpchk\n"
          << "    http-check send meth " << o.health_method << " uri " << o.health_path << "\n"
          << "    default-server inter " << ms(o.health_interval) << "ms fastinter "
          << std::max<long long>(1, ms(o.health_interval) / 4) << "ms rise " << o.rise << " fall "
          << o.fall << "\n";
    }
    for (const auto& b : backends) {
        c << "    server " << b.id << " " << b.host << ":" << b.port << " weight " << b.weight;
        if (o.health_checks)
            c << " check observe layer4 error-limit 1 on-error mark-down";
        if (o.sticky)
            c << " cookie " << b.id;
        c << "\n";
    }
    c << "\nlisten switchyard_stats\n"
      << "    bind " << o.bind << ":" << o.admin_port << "\n"
      << "    stats enable\n"
      << "    stats uri /stats\n";
    return c.str();
}

std::string render_nginx_config(const std::vector<backend_address>& backends,
                                const balancer_options& o, const std::filesystem::path& dir) {
    const auto d = dir.string();
    std::ostringstream c;
    c << "# written by switchyard (backends/external) from the scenario's balancer options\n"
      << "daemon off;\n"
      << "worker_processes " << std::max(1u, o.threads) << ";\n"
      << "pid " << d << "/nginx.pid;\n"
      << "error_log stderr warn;\n"
      << "events { worker_connections " << o.max_connections << "; multi_accept on; }\n"
      << "http {\n"
      << "    access_log off;\n"
      << "    client_body_temp_path " << d << "/client_body;\n"
      << "    proxy_temp_path " << d << "/proxy;\n"
      << "    fastcgi_temp_path " << d << "/fastcgi;\n"
      << "    uwsgi_temp_path " << d << "/uwsgi;\n"
      << "    scgi_temp_path " << d << "/scgi;\n"
      << "    keepalive_timeout " << ms(o.client_timeout) / 1000 << "s;\n"
      << "    keepalive_requests 1000000;\n"
      << "    map $http_upgrade $connection_upgrade { default upgrade; '' ''; }\n"
      << "    upstream switchyard_backends {\n";
    const auto balance = nginx_balance(o.strategy).value_or("");
    if (!balance.empty())
        c << "        " << balance << "\n";
    for (const auto& b : backends) {
        // Passive checks only (nginx open source): one failure takes it out for the interval.
        c << "        server " << b.host << ":" << b.port << " weight=" << std::max(1u, b.weight)
          << " max_fails=1 fail_timeout=" << std::max<long long>(1, ms(o.health_interval) / 1000)
          << "s;\n";
    }
    c << "        keepalive " << o.idle_upstream_per_worker << ";\n"
      << "    }\n"
      << "    server {\n"
      << "        listen " << o.bind << ":" << o.port << " reuseport backlog=4096;\n"
      << "        location / {\n"
      << "            proxy_pass http://switchyard_backends;\n"
      << "            proxy_http_version 1.1;\n"
      << "            proxy_set_header Host $http_host;\n"
      << "            proxy_set_header Upgrade $http_upgrade;\n"
      << "            proxy_set_header Connection $connection_upgrade;\n"
      << "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
      << "            proxy_set_header X-Forwarded-Proto $scheme;\n"
      << "            proxy_set_header X-Forwarded-Host $http_host;\n"
      << "            proxy_next_upstream error timeout http_502 http_503;\n"
      << "            proxy_connect_timeout "
      << std::max<long long>(1, ms(o.connect_timeout) / 1000) << "s;\n"
      << "            proxy_read_timeout " << ms(o.tunnel_timeout) / 1000 << "s;\n"
      << "            proxy_buffering off;\n"
      << "        }\n"
      << "    }\n"
      << "    server {\n"
      << "        listen " << o.bind << ":" << o.admin_port << ";\n"
      << "        location /stats { stub_status; }\n"
      << "    }\n"
      << "}\n";
    return c.str();
}

std::variant<launch_plan, plan_error> prepare(balancer_kind kind,
                                              const std::vector<backend_address>& backends,
                                              balancer_options o,
                                              const std::filesystem::path& work_dir) {
    if (backends.empty())
        return plan_error{"backends", "at least one backend is required"};
    for (const auto& b : backends) {
        if (b.id.empty() || b.id.find_first_of(" \t;{}#") != std::string::npos)
            return plan_error{"backends", "id '" + b.id + "' cannot be used in a config file"};
        if (b.port == 0)
            return plan_error{"backends", "backend '" + b.id + "' has no port"};
    }
    const bool known = kind == balancer_kind::haproxy ? haproxy_balance(o.strategy).has_value()
                                                      : nginx_balance(o.strategy).has_value();
    if (!known)
        return plan_error{"strategy", std::string(to_string(kind)) + " cannot express strategy '" +
                                          o.strategy + "'"};
    const auto program = find_binary(std::string(to_string(kind)));
    if (!program)
        return plan_error{"balancer", std::string(to_string(kind)) +
                                          " is not installed (scripts/setup installs it)"};
    if (o.port == 0)
        o.port = free_port(o.bind);
    if (o.admin_port == 0)
        o.admin_port = free_port(o.bind);
    std::filesystem::create_directories(work_dir);
    launch_plan plan;
    plan.kind = kind;
    plan.port = o.port;
    plan.admin_port = o.admin_port;
    if (kind == balancer_kind::haproxy) {
        plan.config_file = work_dir / "haproxy.cfg";
        std::ofstream(plan.config_file) << render_haproxy_config(backends, o);
        plan.argv = {*program, "-db", "-f", plan.config_file.string()};
        plan.stats_path = "/stats;csv";
    } else {
        plan.config_file = work_dir / "nginx.conf";
        std::ofstream(plan.config_file) << render_nginx_config(backends, o, work_dir);
        plan.argv = {*program, "-p", work_dir.string(), "-c", plan.config_file.string()};
        plan.stats_path = "/stats";
    }
    return plan;
}

bool wait_listening(const std::string& host, unsigned short port,
                    std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
        return false;
    while (std::chrono::steady_clock::now() < deadline) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return false;
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        if (ok)
            return true;
        // Polling is the only readiness signal these servers give.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

unsigned short free_port(const std::string& host) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    unsigned short port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        socklen_t len = sizeof addr;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
            port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
}

}  // namespace switchyard::external
