#include "lb_test_support.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "backends/net/server_tls_context.hpp"

namespace lbtest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {
constexpr auto io_timeout = std::chrono::seconds(10);

/// Runs one async operation to completion on `ioc` (the tcp_stream's expiry bounds it).
template <class Start>
beast::error_code run_one(asio::io_context& ioc, Start&& start) {
    beast::error_code result = asio::error::would_block;
    bool done = false;
    start([&](beast::error_code ec, auto&&...) {
        result = ec;
        done = true;
    });
    ioc.restart();
    while (!done && ioc.run_one() > 0) {
    }
    return result;
}

tcp::endpoint local(unsigned short port) {
    return tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
}

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

namespace {
/// Removes the test's temp folders (logs, configs, throwaway keys) when every test passed;
/// after a failure they stay for reading.
class temp_cleanup : public ::testing::Environment {
  public:
    void TearDown() override {
        if (!::testing::UnitTest::GetInstance()->Passed())
            return;
        std::error_code ec;
        for (const auto& d : dirs())
            std::filesystem::remove_all(d, ec);
    }
    static std::vector<std::filesystem::path>& dirs() {
        static std::vector<std::filesystem::path> list;
        return list;
    }
};
[[maybe_unused]] const auto* registered_cleanup =
    ::testing::AddGlobalTestEnvironment(new temp_cleanup);
}  // namespace

std::filesystem::path test_dir() {
    static int counter = 0;
    auto dir =
        std::filesystem::temp_directory_path() /
        ("switchyard-lbtest-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(dir);
    temp_cleanup::dirs().push_back(dir);
    return dir;
}

std::string server::log() const {
    std::ifstream in(process->log_path());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

server start_backend(const std::string& id, unsigned short port, std::vector<std::string> extra) {
    server s;
    std::vector<std::string> argv{switchyard::cluster::find_program("sy-test-backend").string(),
                                  "--id", id, "--port", std::to_string(port)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    s.process = std::make_unique<child_process>(argv, test_dir() / (id + ".log"));
    auto ready = s.process->wait_ready(std::chrono::seconds(15));
    if (!ready)
        throw std::runtime_error("sy-test-backend " + id + " did not start: " + s.log());
    s.port = ready->port;
    return s;
}

server start_lb(std::vector<std::string> args) {
    auto has = [&](const std::string& flag) {
        for (const auto& a : args)
            if (a == flag)
                return true;
        return false;
    };
    if (!has("--port")) {
        args.push_back("--port");
        args.push_back("0");
    }
    if (!has("--admin-port")) {
        args.push_back("--admin-port");
        args.push_back("0");
    }
    if (!has("--threads")) {
        args.push_back("--threads");
        args.push_back("2");
    }
    args.insert(args.begin(), switchyard::cluster::find_program("switchyard-lb").string());
    server s;
    s.process = std::make_unique<child_process>(args, test_dir() / "lb.log");
    auto ready = s.process->wait_ready(std::chrono::seconds(15));
    if (!ready)
        throw std::runtime_error("switchyard-lb did not start: " + s.log());
    s.port = ready->port;
    s.admin = ready->admin;
    return s;
}

std::vector<std::string> backend_flags(const std::vector<std::pair<std::string, server*>>& list) {
    std::vector<std::string> out;
    for (const auto& [id, s] : list) {
        out.push_back("--backend");
        out.push_back(id + "=127.0.0.1:" + std::to_string(s->port));
    }
    return out;
}

std::string reply::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
}

struct http_client::impl {
    asio::io_context ioc;
    asio::ssl::context tls_ctx = switchyard::net::make_client_tls_context(false);
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    bool ok = true;

    beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*secure); }

    template <class Stream>
    std::optional<reply> exchange(Stream& s, http::request<http::string_body>& req) {
        lowest().expires_after(io_timeout);
        auto ec = run_one(ioc, [&](auto h) { http::async_write(s, req, h); });
        if (ec)
            return std::nullopt;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 << 20);
        if (req.method() == http::verb::head)
            parser.skip(true);
        lowest().expires_after(io_timeout);
        ec = run_one(ioc, [&](auto h) { http::async_read(s, buffer, parser, h); });
        if (ec)
            return std::nullopt;
        reply r;
        auto& res = parser.get();
        r.status = res.result_int();
        for (const auto& f : res)
            r.headers.emplace(lower(std::string(f.name_string())), std::string(f.value()));
        r.body = res.body();
        return r;
    }
};

http_client::http_client(unsigned short port, bool tls) : impl_(std::make_unique<impl>()) {
    auto& i = *impl_;
    if (tls)
        i.secure.emplace(i.ioc, i.tls_ctx);
    else
        i.plain.emplace(i.ioc);
    i.lowest().expires_after(io_timeout);
    auto ec = run_one(i.ioc, [&](auto h) { i.lowest().async_connect(local(port), h); });
    if (!ec && tls) {
        i.lowest().expires_after(io_timeout);
        ec = run_one(i.ioc,
                     [&](auto h) { i.secure->async_handshake(asio::ssl::stream_base::client, h); });
    }
    i.ok = !ec;
}

http_client::~http_client() = default;

std::optional<reply> http_client::request(
    const std::string& method, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
    auto& i = *impl_;
    if (!i.ok)
        return std::nullopt;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "lb.test");
    for (const auto& [k, v] : headers)
        req.set(k, v);
    if (!body.empty() || method == "POST" || method == "PUT") {
        req.body() = body;
        req.prepare_payload();
    }
    auto r = i.plain ? i.exchange(*i.plain, req) : i.exchange(*i.secure, req);
    if (!r)
        i.ok = false;
    return r;
}

std::optional<reply> fetch(unsigned short port, const std::string& target,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           const std::string& method) {
    http_client c(port);
    auto h = headers;
    h.emplace_back("Connection", "close");
    return c.request(method, target, h);
}

raw_result raw_exchange(unsigned short port, const std::vector<std::string>& pieces,
                        std::chrono::milliseconds gap, std::chrono::milliseconds timeout) {
    raw_result out;
    asio::io_context ioc;
    tcp::socket s(ioc);
    beast::error_code ec;
    s.connect(local(port), ec);
    if (ec)
        return out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool first = true;
    for (const auto& p : pieces) {
        if (!first)
            std::this_thread::sleep_for(gap);  // deliberate trickle: the pacing is the test
        first = false;
        asio::write(s, asio::buffer(p), ec);
        if (ec)
            break;
    }
    s.non_blocking(true);
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
        const std::size_t n = s.read_some(asio::buffer(buf), ec);
        if (ec == asio::error::would_block) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        if (ec) {
            out.closed = true;
            break;
        }
        out.data.append(buf, n);
    }
    return out;
}

boost::json::object stats(unsigned short admin_port) {
    auto r = fetch(admin_port, "/stats");
    if (!r || r->status != 200)
        throw std::runtime_error("GET /stats failed");
    return boost::json::parse(r->body).as_object();
}

std::string backend_state(unsigned short admin_port, const std::string& id) {
    auto s = stats(admin_port);
    for (const auto& b : s["backends"].as_array()) {
        if (b.as_object().at("id").as_string() == id)
            return std::string(b.as_object().at("state").as_string());
    }
    return {};
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
}

struct ws_client::impl {
    asio::io_context ioc;
    asio::ssl::context tls_ctx = switchyard::net::make_client_tls_context(false);
    std::optional<websocket::stream<beast::tcp_stream>> plain;
    std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> secure;
    websocket::response_type upgrade_response;
    bool ok = false;

    beast::tcp_stream& lowest() {
        return plain ? beast::get_lowest_layer(*plain) : beast::get_lowest_layer(*secure);
    }
    template <class Ws>
    bool open(Ws& ws, const std::string& target, const std::string& cookie) {
        ws.set_option(websocket::stream_base::decorator([cookie](websocket::request_type& req) {
            if (!cookie.empty())
                req.set(http::field::cookie, cookie);
        }));
        lowest().expires_after(io_timeout);
        auto ec = run_one(
            ioc, [&](auto h) { ws.async_handshake(upgrade_response, "127.0.0.1", target, h); });
        return !ec;
    }
    template <class Ws>
    std::optional<std::string> echo(Ws& ws, const std::string& text) {
        lowest().expires_after(io_timeout);
        ws.text(true);
        auto ec = run_one(ioc, [&](auto h) { ws.async_write(asio::buffer(text), h); });
        if (ec)
            return std::nullopt;
        beast::flat_buffer buf;
        lowest().expires_after(io_timeout);
        ec = run_one(ioc, [&](auto h) { ws.async_read(buf, h); });
        if (ec)
            return std::nullopt;
        return beast::buffers_to_string(buf.data());
    }
    template <class Ws>
    bool wait_closed(Ws& ws, std::chrono::milliseconds timeout) {
        beast::flat_buffer buf;
        lowest().expires_after(timeout);
        auto ec = run_one(ioc, [&](auto h) { ws.async_read(buf, h); });
        return ec && ec != beast::error::timeout;
    }
};

ws_client::ws_client(unsigned short port, bool tls, const std::string& target,
                     const std::string& cookie)
    : impl_(std::make_unique<impl>()) {
    auto& i = *impl_;
    if (tls)
        i.secure.emplace(i.ioc, i.tls_ctx);
    else
        i.plain.emplace(i.ioc);
    i.lowest().expires_after(io_timeout);
    auto ec = run_one(i.ioc, [&](auto h) { i.lowest().async_connect(local(port), h); });
    if (ec)
        return;
    // Beast writes a large masked frame in pieces; with Nagle each later piece would wait for the
    // balancer's delayed ACK (40 ms a message).
    i.lowest().socket().set_option(tcp::no_delay(true), ec);
    if (tls) {
        i.lowest().expires_after(io_timeout);
        ec = run_one(i.ioc, [&](auto h) {
            i.secure->next_layer().async_handshake(asio::ssl::stream_base::client, h);
        });
        if (ec)
            return;
        i.ok = i.open(*i.secure, target, cookie);
    } else {
        i.ok = i.open(*i.plain, target, cookie);
    }
}

ws_client::~ws_client() = default;

std::string ws_client::set_cookie() const {
    auto it = impl_->upgrade_response.find(http::field::set_cookie);
    return it == impl_->upgrade_response.end() ? std::string{} : std::string(it->value());
}

std::string ws_client::backend_id() const {
    auto it = impl_->upgrade_response.find("X-Backend-Id");
    return it == impl_->upgrade_response.end() ? std::string{} : std::string(it->value());
}

std::optional<std::string> ws_client::echo(const std::string& text) {
    auto& i = *impl_;
    if (!i.ok)
        return std::nullopt;
    return i.plain ? i.echo(*i.plain, text) : i.echo(*i.secure, text);
}

bool ws_client::wait_closed(std::chrono::milliseconds timeout) {
    auto& i = *impl_;
    if (!i.ok)
        return true;
    return i.plain ? i.wait_closed(*i.plain, timeout) : i.wait_closed(*i.secure, timeout);
}

std::pair<std::string, std::string> make_self_signed_cert(const std::filesystem::path& dir) {
    const auto cert = (dir / "cert.pem").string();
    const auto key = (dir / "key.pem").string();
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
        key + "' -out '" + cert + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0)
        throw std::runtime_error("openssl could not make a test certificate");
    return {cert, key};
}

std::pair<std::string, std::string> make_named_cert(const std::filesystem::path& dir,
                                                    const std::string& dns_name) {
    const auto cert = (dir / (dns_name + "-cert.pem")).string();
    const auto key = (dir / (dns_name + "-key.pem")).string();
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=" +
        dns_name + " -addext subjectAltName=DNS:" + dns_name + " -keyout '" + key + "' -out '" +
        cert + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0)
        throw std::runtime_error("openssl could not make a test certificate");
    return {cert, key};
}

std::string cookie_pair(const std::string& set_cookie) {
    return set_cookie.substr(0, set_cookie.find(';'));
}

}  // namespace lbtest
