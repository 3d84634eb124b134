#pragma once
// What the relay's integration tests share: starting relays and Redis for real, a WebSocket
// client with its own loop thread, and tiny HTTP/Redis helpers. Header-only, tests only.
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>

#include "engine/cluster/child_process.hpp"
#include "engine/cluster/redis_server.hpp"

namespace relay_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;
using switchyard::cluster::child_process;

inline std::filesystem::path temp_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("switchyard-relay-test-" + std::to_string(::getpid())) / name;
    std::filesystem::create_directories(dir);
    return dir;
}

/// A switchyard-relay process, started for real and waited for.
struct relay_proc {
    std::unique_ptr<child_process> proc;
    unsigned short port = 0;
    unsigned short admin = 0;
    std::string id;

    /// `launcher`: words put before the relay's path (e.g. `prlimit --nofile=64:64`, which
    /// execs the relay in its own process, so the PID stays the relay's).
    relay_proc(const std::string& id_, const std::string& bus, std::vector<std::string> extra = {},
               std::vector<std::string> launcher = {})
        : id(id_) {
        std::vector<std::string> argv = launcher;
        argv.insert(argv.end(), {switchyard::cluster::find_program("switchyard-relay").string(),
                                 "--id", id, "--port", "0", "--admin-port", "0", "--bus", bus});
        argv.insert(argv.end(), extra.begin(), extra.end());
        // A fresh log per start: wait_ready reads the log from its beginning.
        static std::atomic<int> starts{0};
        proc = std::make_unique<child_process>(
            argv, temp_dir("logs") / (id + "-" + std::to_string(++starts) + ".log"));
        auto ready = proc->wait_ready(20s);
        if (!ready)
            throw std::runtime_error("relay " + id + " did not print READY; see " +
                                     proc->log_path().string());
        port = ready->port;
        admin = ready->admin;
    }
};

/// GET `target` on 127.0.0.1:port; returns {status, body} ({0, ""} when it cannot connect).
inline std::pair<int, std::string> http_get(unsigned short port, const std::string& target,
                                            http::verb verb = http::verb::get) {
    try {
        asio::io_context ioc;
        beast::tcp_stream stream(ioc);
        stream.expires_after(5s);
        stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        http::request<http::string_body> req(verb, target, 11);
        req.set(http::field::host, "127.0.0.1");
        http::write(stream, req);
        beast::flat_buffer buf;
        http::response_parser<http::string_body> parser;
        if (verb == http::verb::head)
            parser.skip(true);
        http::read(stream, buf, parser);
        return {static_cast<int>(parser.get().result_int()), parser.get().body()};
    } catch (const std::exception&) {
        return {0, ""};
    }
}

/// Value of a metric series `name{relay="..."} v` in /metrics, or -1.
inline long long metric(unsigned short admin, const std::string& name) {
    auto [status, body] = http_get(admin, "/metrics");
    if (status != 200)
        return -1;
    auto pos = body.find("\n" + name + "{");
    if (pos == std::string::npos)
        return -1;
    auto sp = body.find("} ", pos);
    return std::stoll(body.substr(sp + 2, body.find('\n', sp) - sp - 2));
}

/// Polls `cond` until true or `timeout`.
inline bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (cond())
            return true;
        std::this_thread::sleep_for(10ms);
    }
    return cond();
}

/// A WebSocket client on its own io_context thread. Received text frames are kept in order;
/// the close code is recorded. pause_reading() stops reading (a slow consumer).
class ws_client {
  public:
    ws_client(unsigned short port, const std::string& target, int rcvbuf = 0)
        : ws_(ioc_), work_(asio::make_work_guard(ioc_)) {
        auto& sock = beast::get_lowest_layer(ws_).socket();
        sock.open(tcp::v4());
        if (rcvbuf > 0)
            sock.set_option(asio::socket_base::receive_buffer_size(rcvbuf));
        sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        ws_.handshake("127.0.0.1:" + std::to_string(port), target);
        thread_ = std::thread([this] { ioc_.run(); });
        asio::post(ioc_, [this] { read(); });
    }
    ~ws_client() {
        asio::post(ioc_, [this] {
            beast::error_code ec;
            beast::get_lowest_layer(ws_).socket().close(ec);
        });
        work_.reset();
        ioc_.stop();
        if (thread_.joinable())
            thread_.join();
    }

    void send(std::string text) {
        asio::post(ioc_, [this, t = std::make_shared<std::string>(std::move(text))] {
            out_.push_back(t);
            if (out_.size() == 1)
                write();
        });
    }
    void send_json(const json::value& v) { send(json::serialize(v)); }

    /// Waits for a frame matching `pred` (searching from the start, consuming nothing).
    std::optional<std::string> wait_for(const std::function<bool(const std::string&)>& pred,
                                        std::chrono::milliseconds timeout = 10s) {
        std::unique_lock lock(mu_);
        std::optional<std::string> found;
        cv_.wait_for(lock, timeout, [&] {
            for (const auto& f : frames_)
                if (pred(f)) {
                    found = f;
                    return true;
                }
            return false;
        });
        return found;
    }
    /// Waits for a JSON frame of `type` (and optionally `field` == value).
    std::optional<json::object> wait_type(const std::string& type,
                                          std::chrono::milliseconds timeout = 10s,
                                          std::function<bool(const json::object&)> more = {}) {
        std::optional<json::object> out;
        wait_for(
            [&](const std::string& f) {
                json::error_code ec;
                auto v = json::parse(f, ec);
                if (ec || !v.is_object())
                    return false;
                auto& o = v.as_object();
                if (!o.contains("type") || o.at("type") != json::value(type))
                    return false;
                if (more && !more(o))
                    return false;
                out = o;
                return true;
            },
            timeout);
        return out;
    }
    std::vector<std::string> frames() {
        std::lock_guard lock(mu_);
        return {frames_.begin(), frames_.end()};
    }
    /// Parsed `message` frames on `channel`: (seq, data).
    std::vector<std::pair<std::uint64_t, json::value>> messages(const std::string& channel) {
        std::vector<std::pair<std::uint64_t, json::value>> out;
        for (const auto& f : frames()) {
            json::error_code ec;
            auto v = json::parse(f, ec);
            if (ec || !v.is_object())
                continue;
            auto& o = v.as_object();
            if (o.contains("type") && o.at("type") == "message" &&
                o.at("channel") == channel.c_str())
                out.emplace_back(o.at("seq").to_number<std::uint64_t>(), o.at("data"));
        }
        return out;
    }
    std::optional<int> close_code() {
        std::lock_guard lock(mu_);
        return close_code_;
    }
    bool closed() {
        std::lock_guard lock(mu_);
        return closed_;
    }
    std::string last_error() {
        std::lock_guard lock(mu_);
        return last_error_;
    }
    void pause_reading() { paused_ = true; }
    void resume_reading() {
        asio::post(ioc_, [this] {
            paused_ = false;
            if (!reading_)
                read();
        });
    }

  private:
    void read() {
        if (paused_) {
            reading_ = false;
            return;
        }
        reading_ = true;
        ws_.async_read(buf_, [this](beast::error_code ec, std::size_t) {
            std::lock_guard lock(mu_);
            if (ec) {
                closed_ = true;
                // The close frame may have arrived even if the teardown after it failed.
                if (ec == websocket::error::closed || ws_.reason().code != 0)
                    close_code_ = ws_.reason().code;
                last_error_ = ec.message();
                cv_.notify_all();
                return;
            }
            frames_.push_back(beast::buffers_to_string(buf_.data()));
            buf_.consume(buf_.size());
            cv_.notify_all();
            asio::post(ioc_, [this] { read(); });
        });
    }
    void write() {
        ws_.async_write(asio::buffer(*out_.front()), [this](beast::error_code ec, std::size_t) {
            out_.pop_front();
            if (!ec && !out_.empty())
                write();
        });
    }

    asio::io_context ioc_;
    websocket::stream<beast::tcp_stream> ws_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
    beast::flat_buffer buf_;
    std::deque<std::shared_ptr<std::string>> out_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> frames_;
    std::optional<int> close_code_;
    bool closed_ = false;
    std::string last_error_;
    std::atomic<bool> paused_{false};
    bool reading_ = false;
};

/// A blocking RESP connection to Redis for checks (PSUBSCRIBE counters, KEYS...).
class redis_probe {
  public:
    explicit redis_probe(unsigned short port) : sock_(ioc_) {
        sock_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }
    void command(const std::vector<std::string>& args) {
        std::string out = "*" + std::to_string(args.size()) + "\r\n";
        for (const auto& a : args)
            out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
        asio::write(sock_, asio::buffer(out));
    }
    /// Everything received so far (after waiting `quiet` for more).
    std::string drain(std::chrono::milliseconds quiet = 200ms) {
        std::string all;
        sock_.non_blocking(true);
        const auto deadline = std::chrono::steady_clock::now() + quiet;
        char buf[4096];
        while (std::chrono::steady_clock::now() < deadline) {
            boost::system::error_code ec;
            auto n = sock_.read_some(asio::buffer(buf), ec);
            if (n > 0)
                all.append(buf, n);
            else
                std::this_thread::sleep_for(5ms);
        }
        sock_.non_blocking(false);
        return all;
    }

  private:
    asio::io_context ioc_;
    tcp::socket sock_;
};

/// A plain TCP connection from `source` (any 127.0.0.0/8 address) that records what it
/// receives; tells when the relay closed it.
class raw_conn {
  public:
    raw_conn(unsigned short port, const std::string& source = "127.0.0.1") : sock_(ioc_) {
        sock_.open(tcp::v4());
        sock_.bind(tcp::endpoint(asio::ip::make_address(source), 0));
        sock_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        sock_.non_blocking(true);
    }
    void send(const std::string& bytes) { asio::write(sock_, asio::buffer(bytes)); }
    /// Reads what has arrived; true once the peer closed (EOF or reset).
    bool closed_by_peer() {
        char buf[4096];
        for (;;) {
            boost::system::error_code ec;
            const auto n = sock_.read_some(asio::buffer(buf), ec);
            if (ec == asio::error::would_block)
                return false;
            if (ec)
                return true;
            received_.append(buf, n);
        }
    }
    const std::string& received() const { return received_; }

  private:
    asio::io_context ioc_;
    tcp::socket sock_;
    std::string received_;
};

inline std::size_t count_of(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1))
        ++n;
    return n;
}

}  // namespace relay_test
