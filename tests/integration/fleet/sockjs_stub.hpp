#pragma once
// Test helper: a tiny SockJS xhr_streaming + xhr_send server speaking just enough of the native
// protocol (hello, subscribed, ack, message with seq) to exercise the fleet's streaming client
// on its own: frames are written in small pieces (line reassembly across reads), responses end
// after a byte budget with Connection: close (the client must reopen). Blocking Beast, one thread
// per connection; test only.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace switchyard::fleet::testing {

class sockjs_stub {
    using tcp = boost::asio::ip::tcp;

  public:
    sockjs_stub(std::size_t chunk_bytes, std::size_t response_limit_bytes)
        : chunk_bytes_(chunk_bytes),
          response_limit_(response_limit_bytes),
          acceptor_(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
        accept_thread_ = std::thread([this] { accept_loop(); });
    }
    ~sockjs_stub() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
            for (auto& s : sockets_) {
                boost::system::error_code ignored;
                s->shutdown(tcp::socket::shutdown_both, ignored);
            }
        }
        cv_.notify_all();
        boost::system::error_code ignored;
        ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
        accept_thread_.join();
        for (auto& t : workers_) {
            t.join();
        }
    }
    std::uint16_t port() const { return port_; }
    /// xhr_streaming requests served (more than the clients: responses end and are reopened).
    int streaming_requests() const { return streaming_requests_.load(); }

  private:
    struct session {
        std::deque<std::string> out;
        bool hello_sent = false;
    };

    void accept_loop() {
        for (;;) {
            auto s = std::make_shared<tcp::socket>(io_);
            boost::system::error_code ec;
            acceptor_.accept(*s, ec);
            std::lock_guard lock(mutex_);
            if (ec || stopping_) {
                return;
            }
            sockets_.push_back(s);
            workers_.emplace_back([this, s] { serve(*s); });
        }
    }

    void serve(tcp::socket& s) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buf;
        for (;;) {
            http::request<http::string_body> req;
            boost::system::error_code ec;
            http::read(s, buf, req, ec);
            if (ec) {
                return;
            }
            std::string target(req.target());
            target = target.substr(0, target.find('?'));
            const auto kind = target.substr(target.rfind('/') + 1);
            const auto rest = target.substr(0, target.rfind('/'));
            const auto id = rest.substr(rest.rfind('/') + 1);
            if (kind == "xhr_streaming") {
                return stream(s, id);
            }
            http::response<http::string_body> res;
            res.version(11);
            if (kind == "xhr_send") {
                on_send(id, req.body());
                res.result(http::status::no_content);
            } else {
                res.result(http::status::not_found);
            }
            res.keep_alive(true);
            res.prepare_payload();
            http::write(s, res, ec);
            if (ec) {
                return;
            }
        }
    }

    void stream(tcp::socket& s, const std::string& id) {
        streaming_requests_++;
        std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/javascript; charset=UTF-8\r\n"
            "Set-Cookie: server=stub; Path=/\r\nConnection: close\r\n\r\n";
        head += std::string(2048, 'h') + "\n";
        std::unique_lock lock(mutex_);
        if (sessions_.find(id) == sessions_.end()) {
            sessions_[id];
            head += "o\n";
        }
        lock.unlock();
        std::size_t written = 0;
        if (!write_pieces(s, head, written)) {
            return;
        }
        for (;;) {
            lock.lock();
            cv_.wait(lock, [&] { return stopping_ || !sessions_[id].out.empty(); });
            if (stopping_) {
                return;
            }
            boost::json::array batch;
            for (auto& m : sessions_[id].out) {
                batch.emplace_back(boost::json::string(m));
            }
            sessions_[id].out.clear();
            lock.unlock();
            if (!write_pieces(s, "a" + boost::json::serialize(batch) + "\n", written)) {
                return;
            }
            if (written >= response_limit_) {
                boost::system::error_code ignored;
                s.shutdown(tcp::socket::shutdown_both, ignored);
                return;
            }
        }
    }

    bool write_pieces(tcp::socket& s, const std::string& data, std::size_t& written) {
        for (std::size_t at = 0; at < data.size(); at += chunk_bytes_) {
            boost::system::error_code ec;
            const auto n = std::min(chunk_bytes_, data.size() - at);
            boost::asio::write(s, boost::asio::buffer(data.data() + at, n), ec);
            if (ec) {
                return false;
            }
            written += n;
        }
        return true;
    }

    void on_send(const std::string& id, const std::string& body) {
        namespace json = boost::json;
        boost::system::error_code ec;
        const auto batch = json::parse(body, ec);
        if (ec || !batch.is_array()) {
            return;
        }
        std::lock_guard lock(mutex_);
        auto& me = sessions_[id];
        for (const auto& item : batch.as_array()) {
            const auto frame = json::parse(item.as_string(), ec);
            if (ec || !frame.is_object()) {
                continue;
            }
            const auto& o = frame.as_object();
            const auto type = o.at("type").as_string();
            if (!me.hello_sent) {
                me.hello_sent = true;
                me.out.push_back(R"({"type":"hello","server":"stub","session":")" + id + "\"}");
            }
            if (type == "subscribe") {
                for (const auto& ch : o.at("channels").as_array()) {
                    json::object sub{{"type", "subscribed"}, {"channel", ch}, {"seq", seq_}};
                    me.out.push_back(json::serialize(sub));
                }
            } else if (type == "publish") {
                ++seq_;
                json::object ack{{"type", "ack"},
                                 {"id", o.at("id")},
                                 {"channel", o.at("channel")},
                                 {"seq", seq_}};
                me.out.push_back(json::serialize(ack));
                json::object msg{{"type", "message"},
                                 {"channel", o.at("channel")},
                                 {"seq", seq_},
                                 {"from", id},
                                 {"data", o.at("data")}};
                const auto text = json::serialize(msg);
                for (auto& [other, sess] : sessions_) {
                    sess.out.push_back(text);
                }
            }
        }
        cv_.notify_all();
    }

    std::size_t chunk_bytes_;
    std::size_t response_limit_;
    boost::asio::io_context io_;
    tcp::acceptor acceptor_;
    std::uint16_t port_ = acceptor_.local_endpoint().port();
    std::thread accept_thread_;
    std::vector<std::thread> workers_;
    std::vector<std::shared_ptr<tcp::socket>> sockets_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::map<std::string, session> sessions_;
    std::uint64_t seq_ = 0;
    bool stopping_ = false;
    std::atomic<int> streaming_requests_{0};
};

}  // namespace switchyard::fleet::testing
