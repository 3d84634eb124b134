#include "engine/cluster/cluster.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>

#include <boost/json.hpp>

#include "backends/external/external_balancer.hpp"
#include "engine/cluster/cookie_secret.hpp"
#include "engine/cluster/http_get.hpp"
#include "engine/faults/toxic_table.hpp"

namespace switchyard::cluster {

using namespace std::chrono_literals;

/// One relay: its process (absent while pending or removed) and the port it keeps across
/// restarts so the balancer's backend address stays right.
struct cluster::relay_proc {
    std::string id;
    std::unique_ptr<child_process> proc;
    unsigned short port = 0;  ///< 0 until the first READY (or reserved for a future relay)
    unsigned short admin = 0;
    std::string state = "pending";
    bool removed = false;
};

namespace {
/// How long a drained relay may take to exit before the stop path kills it.
constexpr auto drain_exit_grace = 10s;
/// Bytes a fault proxy holds per direction before it stops reading: small, so a throttled link
/// pushes back on the sender soon (a slow consumer shows at the relay, not in our buffers).
constexpr std::size_t proxy_queue_bytes_max = 64 * 1024;
/// /stats must answer fast; a slow one is retried on the next poll.
constexpr auto stats_timeout = 500ms;

std::string status_text(int status) {
    if (WIFEXITED(status))
        return "exit code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return std::string("signal ") + ::strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}
}  // namespace

cluster::cluster(run::cluster_plan plan, std::filesystem::path run_dir,
                 events::event_stream& events, const events::run_clock& clock)
    : plan_(std::move(plan)), run_dir_(std::move(run_dir)), events_(events), clock_(clock) {
    // A token only this run knows guards the balancer's admin commands.
    admin_token_ = "sy-" + std::to_string(plan_.seed) + "-" + std::to_string(::getpid());
}

cluster::~cluster() {
    stop();
}

void cluster::emit_component(const std::string& id, const std::string& kind,
                             const std::string& state, const child_process* p, unsigned port,
                             unsigned admin) {
    events::component_changed e;
    e.at = clock_.now();
    e.component = id;
    e.kind = kind;
    e.state = state;
    e.pid = p ? p->pid() : 0;
    e.port = port;
    e.admin_port = admin;
    events_.publish(e);
}

bool cluster::proxied(const std::string& link) const {
    return std::find(plan_.proxied_links.begin(), plan_.proxied_links.end(), link) !=
           plan_.proxied_links.end();
}

faults::fault_proxy* cluster::proxy(const std::string& link) {
    auto it = proxies_.find(link);
    return it == proxies_.end() ? nullptr : it->second.get();
}

void cluster::make_proxy(const std::string& link, unsigned short upstream_port,
                         const std::string& upstream_host) {
    faults::fault_proxy_options o;
    o.name = link;
    o.upstream_host = upstream_host;
    o.upstream_port = upstream_port;
    o.seed = plan_.seed + proxies_.size() + 1;
    o.queue_bytes_max = proxy_queue_bytes_max;
    auto p = std::make_unique<faults::fault_proxy>(o);
    emit_component("proxy:" + link, "proxy", "ready", nullptr, p->port(), 0);
    proxies_[link] = std::move(p);
}

void cluster::start() {
    std::lock_guard lock(mutex_);
    std::filesystem::create_directories(run_dir_);
    if (plan_.cluster.balancer.kind == run::balancer_kind::external) {
        start_external_cluster();
        return;
    }
    if (plan_.cluster.balancer.kind != run::balancer_kind::switchyard && plan_.cluster.balancer.tls)
        throw cluster_error("balancer kind '" +
                            std::string(run::to_string(plan_.cluster.balancer.kind)) +
                            "' with tls: the engine only terminates TLS with switchyard-lb");
    if (!plan_.netns_relays.empty()) {
        if (auto why = faults::netns_link::unavailable_reason(); !why.empty())
            throw cluster_error("mode netns faults cannot run here: " + why);
        for (const auto& id : plan_.netns_relays) {
            try {
                netns_[id] = std::make_unique<faults::netns_link>();
            } catch (const std::exception& e) {
                throw cluster_error(e.what());
            }
        }
    }
    if (plan_.cluster.bus.kind == run::bus_kind::redis)
        start_redis();
    for (const auto& id : plan_.cluster.relays.names) {
        relays_.push_back(std::make_unique<relay_proc>());
        relays_.back()->id = id;
    }
    for (const auto& id : plan_.future_relays) {
        relays_.push_back(std::make_unique<relay_proc>());
        relays_.back()->id = id;
        relays_.back()->port = pick_free_port();
    }
    for (auto& r : relays_) {
        if (redis_ && proxied(r->id + "-redis") && !netns_of(r->id))
            make_proxy(r->id + "-redis", redis_->port());
    }
    for (auto& r : relays_)
        if (r->port == 0 ||
            std::find(plan_.cluster.relays.names.begin(), plan_.cluster.relays.names.end(),
                      r->id) != plan_.cluster.relays.names.end())
            start_relay(*r);
    for (auto& r : relays_)
        if (proxied("balancer-" + r->id))
            make_proxy("balancer-" + r->id, r->port,
                       netns_of(r->id) ? netns_of(r->id)->ns_ip() : std::string("127.0.0.1"));
    if (plan_.cluster.balancer.tls)
        make_tls_material();
    start_balancer();
    if (proxied("client-balancer"))
        make_proxy("client-balancer", balancer_port_);
    poll();
}

void cluster::start_redis() {
    try {
        std::vector<std::string> binds;  // relays in namespaces reach redis over their veth
        for (const auto& [id, link] : netns_)
            binds.push_back(link->host_ip());
        // With an append-only file: `restart_redis` is a crash of a Redis set up as the relay
        // needs for zero loss (docs/relay.md), so what it acknowledged survives the kill.
        redis_ =
            std::make_unique<redis_server>(run_dir_, 0, std::move(binds), redis_persistence::aof);
    } catch (const std::exception& e) {
        throw cluster_error(std::string("redis: ") + e.what());
    }
    emit_component("redis", "redis", "ready", &redis_->process(), redis_->port(), 0);
}

std::string cluster::bus_url_for(const relay_proc& r) const {
    switch (plan_.cluster.bus.kind) {
        case run::bus_kind::memory:
            return "memory";
        case run::bus_kind::external:
            return plan_.cluster.bus.url;
        case run::bus_kind::redis:
            break;
    }
    if (auto* ns = netns_of(r.id))  // redis listens on the host end of the veth too
        return "redis://" + ns->host_ip() + ":" + std::to_string(redis_->port());
    auto it = proxies_.find(r.id + "-redis");
    const unsigned port = it != proxies_.end() ? it->second->port() : redis_->port();
    return "redis://127.0.0.1:" + std::to_string(port);
}

void cluster::start_relay(relay_proc& r) {
    std::vector<std::string> argv;
    auto* ns = netns_of(r.id);
    if (ns)
        argv = ns->exec_prefix();
    std::vector<std::string> relay_argv{find_program("switchyard-relay").string(),
                                        "--id",
                                        r.id,
                                        "--port",
                                        std::to_string(r.port),
                                        "--admin-port",
                                        "0",
                                        "--bus",
                                        bus_url_for(r)};
    argv.insert(argv.end(), relay_argv.begin(), relay_argv.end());
    if (ns)
        argv.insert(argv.end(), {"--bind", ns->ns_ip()});
    if (plan_.cluster.relays.history) {
        argv.push_back("--history");
        argv.push_back(std::to_string(plan_.cluster.relays.history));
    }
    if (plan_.cluster.relays.send_queue_bytes) {
        argv.push_back("--send-queue-bytes");
        argv.push_back(std::to_string(plan_.cluster.relays.send_queue_bytes));
    }
    argv.insert(argv.end(), plan_.cluster.relays.args.begin(), plan_.cluster.relays.args.end());
    emit_component(r.id, "relay", "starting", nullptr, r.port, 0);
    r.proc = std::make_unique<child_process>(argv, run_dir_ / (r.id + ".log"));
    auto ready = r.proc->wait_ready(plan_.startup_timeout);
    if (!ready) {
        r.proc->kill_now();
        r.state = "failed";
        emit_component(r.id, "relay", "failed", r.proc.get(), r.port, 0);
        throw cluster_error(r.id + " did not print READY within " +
                            std::to_string(plan_.startup_timeout.count()) + " ms; see " +
                            r.proc->log_path().string());
    }
    r.port = ready->port;
    r.admin = ready->admin;
    r.state = "ready";
    emit_component(r.id, "relay", "ready", r.proc.get(), r.port, r.admin);
}

faults::netns_link* cluster::netns_of(const std::string& relay) const {
    auto it = netns_.find(relay);
    return it == netns_.end() ? nullptr : it->second.get();
}

std::string cluster::backend_host_for(const relay_proc& r) const {
    auto* ns = netns_of(r.id);
    return ns && !proxies_.count("balancer-" + r.id) ? ns->ns_ip() : std::string("127.0.0.1");
}

unsigned short cluster::backend_port_for(const relay_proc& r) const {
    auto it = proxies_.find("balancer-" + r.id);
    return it != proxies_.end() ? it->second->port() : r.port;
}

void cluster::make_tls_material() {
    tls_cert_ = run_dir_ / "balancer-cert.pem";
    tls_key_ = run_dir_ / "balancer-key.pem";
    child_process openssl(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", tls_key_.string(), "-out", tls_cert_.string(), "-days", "2", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
        run_dir_ / "openssl.log");
    const auto status = openssl.wait_exit(20s);
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
        throw cluster_error("could not make a test certificate with openssl; see " +
                            (run_dir_ / "openssl.log").string());
}

void cluster::start_external_balancer() {
    const auto& b = plan_.cluster.balancer;
    const auto kind = b.kind == run::balancer_kind::haproxy ? external::balancer_kind::haproxy
                                                            : external::balancer_kind::nginx;
    std::vector<external::backend_address> backends;
    for (const auto& r : relays_)
        if (!r->removed)
            backends.push_back({r->id, backend_host_for(*r), backend_port_for(*r), 1});
    external::balancer_options o;
    o.port = balancer_port_;
    o.strategy = b.strategy;
    o.sticky = b.sticky;
    o.health_interval = b.health.interval;
    o.rise = b.health.rise;
    o.fall = b.health.fall;
    o.connect_timeout = std::max(b.health.timeout, std::chrono::milliseconds{200});
    auto plan = external::prepare(kind, backends, o, run_dir_);
    if (auto* err = std::get_if<external::plan_error>(&plan))
        throw cluster_error(std::string(external::to_string(kind)) + ": " + err->key + ": " +
                            err->message);
    const auto& lp = std::get<external::launch_plan>(plan);
    emit_component("balancer", "balancer", "starting", nullptr, lp.port, 0);
    balancer_ = std::make_unique<child_process>(lp.argv, run_dir_ / "balancer.log");
    if (!external::wait_listening("127.0.0.1", lp.port, plan_.startup_timeout) ||
        !balancer_->running()) {
        balancer_->kill_now();
        balancer_state_ = "failed";
        emit_component("balancer", "balancer", "failed", balancer_.get(), 0, 0);
        throw cluster_error(std::string(external::to_string(kind)) + " did not listen on port " +
                            std::to_string(lp.port) + "; see " + balancer_->log_path().string());
    }
    balancer_port_ = lp.port;
    external_stats_port_ = lp.admin_port;
    external_stats_path_ = lp.stats_path;
    balancer_state_ = "ready";
    emit_component("balancer", "balancer", "ready", balancer_.get(), balancer_port_, lp.admin_port);
    if (auto note = health_note(); !note.empty())
        events_.publish(events::log_message{clock_.now(), "info", note});
}

void cluster::start_external_cluster() {
    // Someone else's cluster: its balancer, relays and bus run already. The engine only drives
    // clients at `url` (through a fault proxy when the timeline faults client-balancer) and reads
    // health from `admin_url` when there is one.
    const auto& b = plan_.cluster.balancer;
    auto target = fleet::parse_target(b.url);
    if (!target)
        throw cluster_error("external balancer: bad url '" + b.url + "'");
    external_target_ = *target;
    if (!b.admin_url.empty()) {
        auto admin = fleet::parse_target(b.admin_url);
        if (!admin)
            throw cluster_error("external balancer: bad admin_url '" + b.admin_url + "'");
        stats_host_ = admin->host;
        external_stats_port_ = admin->port;
        external_stats_path_ = admin->prefix.empty() ? "/stats" : admin->prefix;
    }
    if (proxied("client-balancer"))
        make_proxy("client-balancer", external_target_.port, external_target_.host);
    balancer_state_ = "ready";
    emit_component("balancer", "balancer", "ready", nullptr, external_target_.port,
                   external_stats_port_);
    if (auto note = health_note(); !note.empty())
        events_.publish(events::log_message{clock_.now(), "info", note});
    poll();
}

std::string cluster::health_note() const {
    switch (plan_.cluster.balancer.kind) {
        case run::balancer_kind::nginx:
            return "balancer health is not read: nginx OSS has no per-backend status API (only "
                   "passive max_fails checks, stub_status counts connections), so this run has "
                   "no health_changed events";
        case run::balancer_kind::external:
            if (plan_.cluster.balancer.admin_url.empty())
                return "balancer health is not read: the external balancer has no admin_url "
                       "(switchyard-lb /stats or HAProxy CSV), so this run has no "
                       "health_changed events";
            return {};
        default:
            return {};
    }
}

void cluster::set_health(const std::string& backend, const std::string& state) {
    auto& prev = health_[backend];
    if (prev != state) {
        events_.publish(events::health_changed{clock_.now(), backend, prev, state});
        prev = state;
    }
}

void cluster::read_switchyard_stats(const std::string& body) {
    boost::system::error_code ec;
    auto doc = boost::json::parse(body, ec);
    if (ec || !doc.is_object())
        return;
    const auto* backends = doc.as_object().if_contains("backends");
    if (!backends || !backends->is_array())
        return;
    for (const auto& b : backends->as_array()) {
        if (!b.is_object())
            continue;
        const auto* id = b.as_object().if_contains("id");
        const auto* state = b.as_object().if_contains("state");
        if (!id || !state || !id->is_string() || !state->is_string())
            continue;
        set_health(std::string(id->as_string()), std::string(state->as_string()));
    }
}

void cluster::poll_stats_page() {
    if (!external_stats_port_)
        return;
    auto reply = http_request(stats_host_, external_stats_port_, "GET", external_stats_path_, "",
                              stats_timeout);
    if (!reply || reply->status != 200)
        return;
    // An external admin_url may be either kind: switchyard-lb answers JSON, HAProxy CSV.
    if (!reply->body.empty() && reply->body.front() == '{')
        read_switchyard_stats(reply->body);
    else
        read_haproxy_csv(reply->body);
}

void cluster::read_haproxy_csv(const std::string& body) {
    // HAProxy's CSV: one line per proxy/server, column 1 the server, 17 its status.
    std::size_t start = 0;
    while (start < body.size()) {
        auto end = body.find('\n', start);
        if (end == std::string::npos)
            end = body.size();
        const auto line = body.substr(start, end - start);
        start = end + 1;
        if (line.empty() || line[0] == '#')
            continue;
        std::vector<std::string> cols;
        std::size_t c = 0;
        while (true) {
            const auto comma = line.find(',', c);
            cols.push_back(
                line.substr(c, comma == std::string::npos ? std::string::npos : comma - c));
            if (comma == std::string::npos)
                break;
            c = comma + 1;
        }
        if (cols.size() < 18 || cols[1] == "FRONTEND" || cols[1] == "BACKEND")
            continue;
        std::string now = cols[17];
        for (auto& ch : now)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (now.rfind("up", 0) == 0)
            now = "up";
        else if (now.rfind("down", 0) == 0)
            now = "down";
        set_health(cols[1], now);
    }
}

void cluster::start_balancer() {
    const auto& b = plan_.cluster.balancer;
    if (b.kind == run::balancer_kind::haproxy || b.kind == run::balancer_kind::nginx) {
        start_external_balancer();
        return;
    }
    std::vector<std::string> argv{find_program("switchyard-lb").string(),
                                  "--name",
                                  "balancer",
                                  "--port",
                                  std::to_string(balancer_port_),
                                  "--admin-port",
                                  "0",
                                  "--admin-token",
                                  admin_token_,
                                  "--strategy",
                                  b.strategy,
                                  "--threads",
                                  "1",
                                  "--seed",
                                  std::to_string(plan_.seed ? plan_.seed : 1),
                                  "--health-interval-ms",
                                  std::to_string(b.health.interval.count()),
                                  "--health-timeout-ms",
                                  std::to_string(b.health.timeout.count()),
                                  "--rise",
                                  std::to_string(b.health.rise),
                                  "--fall",
                                  std::to_string(b.health.fall)};
    if (!b.sticky) {
        argv.push_back("--no-sticky");
    } else {
        // One secret for every start of the run: cookies survive `restart: balancer`.
        if (cookie_secret_file_.empty())
            cookie_secret_file_ = write_cookie_secret(run_dir_);
        argv.insert(argv.end(), {"--cookie-secret-file", cookie_secret_file_.string()});
    }
    if (b.tls) {
        argv.insert(argv.end(), {"--tls-cert", tls_cert_.string(), "--tls-key", tls_key_.string()});
    }
    for (const auto& r : relays_)
        if (!r->removed) {
            argv.push_back("--backend");
            argv.push_back(r->id + "=" + backend_host_for(*r) + ":" +
                           std::to_string(backend_port_for(*r)));
        }
    argv.insert(argv.end(), b.args.begin(), b.args.end());
    emit_component("balancer", "balancer", "starting", nullptr, balancer_port_, 0);
    balancer_ = std::make_unique<child_process>(argv, run_dir_ / "balancer.log");
    auto ready = balancer_->wait_ready(plan_.startup_timeout);
    if (!ready) {
        balancer_->kill_now();
        balancer_state_ = "failed";
        emit_component("balancer", "balancer", "failed", balancer_.get(), 0, 0);
        throw cluster_error("balancer did not print READY within " +
                            std::to_string(plan_.startup_timeout.count()) + " ms; see " +
                            balancer_->log_path().string());
    }
    balancer_port_ = ready->port;
    balancer_admin_ = ready->admin;
    balancer_state_ = "ready";
    emit_component("balancer", "balancer", "ready", balancer_.get(), balancer_port_,
                   balancer_admin_);
}

void cluster::stop() {
    std::lock_guard lock(mutex_);
    if (stopped_)
        return;
    stopped_ = true;
    // Balancer first: clients lose their path in one cut instead of relay by relay.
    if (balancer_)
        balancer_->kill_now();
    for (auto& r : relays_)
        if (r->proc)
            r->proc->kill_now();
    proxies_.clear();
    if (redis_)
        redis_->kill();
    netns_.clear();  // after the relays inside them are gone
}

std::string cluster::client_url() const {
    std::lock_guard lock(mutex_);
    auto it = proxies_.find("client-balancer");
    if (plan_.cluster.balancer.kind == run::balancer_kind::external) {
        if (it == proxies_.end())
            return plan_.cluster.balancer.url;
        // Same scheme and prefix, through the proxy (TLS passes through it untouched).
        const auto scheme =
            plan_.cluster.balancer.url.substr(0, plan_.cluster.balancer.url.find("://"));
        return scheme + "://127.0.0.1:" + std::to_string(it->second->port()) +
               external_target_.prefix;
    }
    const unsigned port = it != proxies_.end() ? it->second->port() : balancer_port_;
    return std::string(plan_.cluster.balancer.tls ? "wss" : "ws") +
           "://127.0.0.1:" + std::to_string(port);
}

cluster::relay_proc& cluster::relay(const std::string& id) {
    for (auto& r : relays_)
        if (r->id == id)
            return *r;
    throw std::runtime_error("unknown relay '" + id + "'");
}

child_process* cluster::process_of(const std::string& id, std::string& kind) {
    if (id == "balancer") {
        kind = "balancer";
        return balancer_.get();
    }
    if (id == "redis") {
        kind = "redis";
        return redis_ ? &redis_->process() : nullptr;
    }
    kind = "relay";
    return relay(id).proc.get();
}

void cluster::kill(const std::string& id) {
    std::lock_guard lock(mutex_);
    std::string kind;
    auto* p = process_of(id, kind);
    if (!p)
        throw std::runtime_error(id + " is not running");
    p->kill_now();
    if (kind == "relay")
        relay(id).state = "killed";
    if (kind == "balancer")
        balancer_state_ = "killed";
    emit_component(id, kind, "killed", p, 0, 0);
}

void cluster::stop_process(const std::string& id) {
    std::lock_guard lock(mutex_);
    std::string kind;
    auto* p = process_of(id, kind);
    if (!p || !p->running())
        throw std::runtime_error(id + " is not running");
    p->signal(SIGSTOP);
    if (kind == "relay")
        relay(id).state = "stopped";
    emit_component(id, kind, "stopped", p, 0, 0);
}

void cluster::cont(const std::string& id) {
    std::lock_guard lock(mutex_);
    std::string kind;
    auto* p = process_of(id, kind);
    if (!p || !p->running())
        throw std::runtime_error(id + " is not running");
    p->signal(SIGCONT);
    if (kind == "relay")
        relay(id).state = "ready";
    emit_component(id, kind, "continued", p, 0, 0);
}

void cluster::restart(const std::string& id) {
    std::lock_guard lock(mutex_);
    if (id == "redis") {
        restart_redis();
        return;
    }
    if (id == "balancer") {
        if (balancer_)
            balancer_->kill_now();
        emit_component("balancer", "balancer", "killed", balancer_.get(), 0, 0);
        start_balancer();
        return;
    }
    auto& r = relay(id);
    if (r.removed)
        throw std::runtime_error(id + " was removed");
    if (r.proc)
        r.proc->kill_now();
    emit_component(id, "relay", "killed", r.proc.get(), 0, 0);
    start_relay(r);
}

void cluster::drain(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto& r = relay(id);
    if (!r.proc || !r.proc->running())
        throw std::runtime_error(id + " is not running");
    r.proc->signal(SIGCONT);
    r.proc->signal(SIGTERM);
    r.state = "draining";
    emit_component(id, "relay", "draining", r.proc.get(), r.port, r.admin);
}

void cluster::add_relay(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto& r = relay(id);  // reserved at start (future_relays)
    if (r.proc && r.proc->running())
        throw std::runtime_error(id + " is already running");
    start_relay(r);
    if (auto* p = proxy("balancer-" + id))
        p->set_upstream("127.0.0.1", r.port);
}

void cluster::remove_relay(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto& r = relay(id);
    // Tell the balancer first so no new client is sent there, then drain the relay itself.
    if (balancer_admin_) {
        auto reply =
            http_request(balancer_admin_, "POST", "/backends/" + id + "/disable", admin_token_, 2s);
        if (!reply || reply->status != 200)
            events_.publish(events::log_message{
                clock_.now(), "warn",
                "balancer did not confirm disabling " + id +
                    (reply ? " (HTTP " + std::to_string(reply->status) + ")" : " (no answer)")});
    }
    r.removed = true;
    if (r.proc && r.proc->running()) {
        r.proc->signal(SIGTERM);
        r.state = "draining";
        emit_component(id, "relay", "draining", r.proc.get(), r.port, r.admin);
    }
}

void cluster::restart_redis() {
    std::lock_guard lock(mutex_);
    if (!redis_)
        throw std::runtime_error("redis is not started by the engine");
    emit_component("redis", "redis", "killed", &redis_->process(), redis_->port(), 0);
    try {
        redis_->restart();
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("redis did not come back: ") + e.what());
    }
    emit_component("redis", "redis", "ready", &redis_->process(), redis_->port(), 0);
}

void cluster::set_fault(const std::string& link, const std::string& toxic,
                        const faults::toxic_params& params, bool netns) {
    std::lock_guard lock(mutex_);
    if (netns) {
        auto* ns = netns_of(run::relay_of_link(link));
        if (!ns || toxic != "partition")
            throw std::runtime_error("link '" + link + "' has no netns partition");
        if (link.ends_with("-redis"))
            ns->partition(redis_->port(), faults::netns_link::port_side::host);
        else
            ns->partition(relay(run::relay_of_link(link)).port, faults::netns_link::port_side::ns);
    } else {
        auto* p = proxy(link);
        if (!p)
            throw std::runtime_error("link '" + link + "' has no fault proxy");
        p->add_toxic(toxic, faults::make_toxic(toxic, params));
    }
    events::fault_changed e;
    e.at = clock_.now();
    e.link = link;
    e.toxic = toxic;
    for (const auto& [k, v] : params.values)
        e.detail += (e.detail.empty() ? "" : " ") + k + "=" + std::to_string(v);
    if (netns)
        e.detail += std::string(e.detail.empty() ? "" : " ") + "mode=netns";
    e.active = true;
    events_.publish(e);
}

void cluster::clear_fault(const std::string& link) {
    std::lock_guard lock(mutex_);
    auto* ns = netns_of(run::relay_of_link(link));
    auto* p = proxy(link);
    if (!p && !(ns && ns->partitioned()))
        throw std::runtime_error("link '" + link + "' has no fault proxy");
    if (ns)  // this link's partition only: the relay's other link may be cut too
        ns->heal(link.ends_with("-redis") ? redis_->port() : relay(run::relay_of_link(link)).port);
    if (p)
        p->clear_toxics();
    events_.publish(events::fault_changed{clock_.now(), link, "", "", false});
}

void cluster::poll() {
    std::lock_guard lock(mutex_);
    if (stopped_)
        return;
    // Processes that died on their own (a drained relay exiting is the expected case).
    auto check = [&](const std::string& id, const std::string& kind, child_process* p,
                     std::string& state) {
        if (!p || state == "killed" || state == "exited" || state == "failed")
            return;
        if (!p->running()) {
            const auto status = p->wait_exit(0ms);
            state = "exited";
            emit_component(id, kind, "exited", p, 0, 0);
            if (kind != "relay" || !status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
                events_.publish(events::log_message{clock_.now(), kind == "relay" ? "info" : "warn",
                                                    id + " exited (" +
                                                        (status ? status_text(*status) : "?") +
                                                        "); log: " + p->log_path().string()});
        }
    };
    for (auto& r : relays_)
        check(r->id, "relay", r->proc.get(), r->state);
    check("balancer", "balancer", balancer_.get(), balancer_state_);
    if (balancer_state_ != "ready")
        return;
    // HAProxy's CSV page, an external admin_url; nginx has none (see health_note()).
    if (plan_.cluster.balancer.kind == run::balancer_kind::haproxy ||
        plan_.cluster.balancer.kind == run::balancer_kind::external)
        poll_stats_page();
    if (!balancer_admin_)
        return;
    auto reply = http_request(balancer_admin_, "GET", "/stats", "", stats_timeout);
    if (reply && reply->status == 200)
        read_switchyard_stats(reply->body);
}

std::vector<component_info> cluster::components() const {
    std::lock_guard lock(mutex_);
    std::vector<component_info> out;
    if (redis_)
        out.push_back({"redis", "redis", "ready", "", redis_->process().pid(), redis_->port(), 0});
    for (const auto& r : relays_) {
        auto it = health_.find(r->id);
        out.push_back({r->id, "relay", r->removed ? "removed" : r->state,
                       it == health_.end() ? "" : it->second, r->proc ? r->proc->pid() : 0, r->port,
                       r->admin});
    }
    if (balancer_)
        out.push_back({"balancer", "balancer", balancer_state_, "", balancer_->pid(),
                       balancer_port_, balancer_admin_});
    else if (plan_.cluster.balancer.kind == run::balancer_kind::external)
        out.push_back({"balancer", "balancer", balancer_state_, "", 0, external_target_.port,
                       external_stats_port_});
    for (const auto& [link, p] : proxies_)
        out.push_back({"proxy:" + link, "proxy", "ready", "", 0, p->port(), 0});
    return out;
}

std::vector<std::string> cluster::relay_ids() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& r : relays_)
        if (!r->removed && r->proc)
            out.push_back(r->id);
    return out;
}

}  // namespace switchyard::cluster
