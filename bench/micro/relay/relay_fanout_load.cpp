// Load generator for bench/macro/relay-fanout: N receiving WebSocket clients and P publishers
// in one thread, so the generator costs far less CPU than the stacks it measures. Speaks the
// relay's /ws protocol, raw SockJS websocket (switchyard or sockjs-node) and Socket.IO's
// engine.io websocket transport. Latency is measured within this process (the publisher
// stamps steady-clock microseconds, the receiver subtracts).
//
//   relay_fanout_load --stack ws|sockjs|sockjs-node|socketio --ports 4100,4101,4102
//                     [--clients 300] [--publishers 10] [--rates 200] [--seconds 4]
//                     [--stop-on-fail]
// For each rate prints `START rate=<r>` when publishing starts and `RESULT {json}` after the
// deliveries are in (or 2 s passed). Exits 3 when the stack cannot be reached.
#include <array>
#include <chrono>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio.hpp>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

constexpr double bucket_us = 100.0;      // histogram resolution (0.1 ms)
constexpr std::size_t buckets = 50'000;  // up to 5 s
constexpr std::size_t read_chunk = 64 * 1024;

const steady::time_point t0 = steady::now();
double now_us() {
    return std::chrono::duration<double, std::micro>(steady::now() - t0).count();
}

struct stats {
    std::vector<std::uint32_t> hist = std::vector<std::uint32_t>(buckets);
    std::uint64_t delivered = 0;
    bool measuring = false;
    void record(double sent_us) {
        if (!measuring)
            return;
        ++delivered;
        double b = (now_us() - sent_us) / bucket_us;
        if (b < 0)
            b = 0;
        hist[std::min<std::size_t>(static_cast<std::size_t>(b), buckets - 1)]++;
    }
    double percentile(double q) const {
        std::uint64_t total = 0;
        for (auto v : hist)
            total += v;
        if (total == 0)
            return -1;
        std::uint64_t acc = 0;
        for (std::size_t i = 0; i < hist.size(); ++i) {
            acc += hist[i];
            if (static_cast<double>(acc) >= q * static_cast<double>(total))
                return (static_cast<double>(i) + 0.5) * bucket_us / 1000.0;
        }
        return 5000;
    }
};

std::string masked_text_frame(const std::string& payload) {
    std::string f;
    f.push_back(static_cast<char>(0x81));
    const auto n = payload.size();
    if (n < 126) {
        f.push_back(static_cast<char>(0x80 | n));
    } else {
        f.push_back(static_cast<char>(0x80 | 126));
        f.push_back(static_cast<char>(n >> 8));
        f.push_back(static_cast<char>(n & 0xff));
    }
    f.append(4, '\0');  // a zero mask key is legal and keeps the payload as is
    f.append(payload);
    return f;
}

class conn : public std::enable_shared_from_this<conn> {
  public:
    conn(asio::io_context& ioc, std::string stack, bool receiver, stats& st)
        : sock_(ioc), stack_(std::move(stack)), receiver_(receiver), st_(st), buf_(read_chunk) {}

    bool connect(unsigned short port, const std::string& id) {
        boost::system::error_code ec;
        sock_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
        if (ec)
            return false;
        sock_.set_option(tcp::no_delay(true));
        std::string target = stack_ == "ws"         ? "/ws?client=" + id
                             : stack_ == "socketio" ? "/socket.io/?EIO=4&transport=websocket"
                                                    : "/sockjs/websocket";
        std::string req = "GET " + target +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
                          "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n";
        asio::write(sock_, asio::buffer(req), ec);
        if (ec)
            return false;
        // Read the 101 synchronously; anything after the header is the first frame bytes.
        std::string head;
        while (head.find("\r\n\r\n") == std::string::npos) {
            auto n = sock_.read_some(asio::buffer(buf_), ec);
            if (ec)
                return false;
            head.append(buf_.data(), n);
        }
        if (head.rfind("HTTP/1.1 101", 0) != 0)
            return false;
        pending_.assign(head.substr(head.find("\r\n\r\n") + 4));
        if (stack_ == "ws" && receiver_)
            send(R"({"type":"subscribe","channels":["global"]})");
        return true;
    }
    void start() { on_bytes(); }
    bool ready() const { return ready_; }
    void send(const std::string& text) {
        out_.push_back(masked_text_frame(text));
        if (out_.size() == 1)
            do_write();
    }
    void publish(double stamp, std::uint64_t n) {
        char body[96];
        std::snprintf(body, sizeof body, R"({"t":%.1f,"n":%llu})", stamp,
                      static_cast<unsigned long long>(n));
        if (stack_ == "ws")
            send(std::string(R"({"type":"publish","channel":"global","data":)") + body + "}");
        else if (stack_ == "socketio")
            send(std::string(R"(42["msg",)") + body + "]");
        else
            send(body);
    }

  private:
    void do_write() {
        asio::async_write(sock_, asio::buffer(out_.front()),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (ec)
                                  return;
                              self->out_.pop_front();
                              if (!self->out_.empty())
                                  self->do_write();
                          });
    }
    void on_frame(std::string_view payload) {
        if (stack_ == "socketio") {
            if (payload == "2") {  // engine.io ping
                send("3");
                return;
            }
            if (payload.rfind("0", 0) == 0) {  // engine.io open: join the default namespace
                send("40");
                return;
            }
            if (payload.rfind("40", 0) == 0) {
                ready_ = true;
                return;
            }
        } else if (stack_ == "ws" && !ready_) {
            if (payload.find(R"("type":"subscribed")") != std::string_view::npos)
                ready_ = true;
            return;
        } else {
            ready_ = true;
        }
        if (!receiver_)
            return;
        auto i = payload.find(R"("t":)");
        if (i == std::string_view::npos)
            return;
        st_.record(std::strtod(std::string(payload.substr(i + 4, 24)).c_str(), nullptr));
    }
    void on_bytes() {
        // Parse complete unmasked server frames out of pending_.
        std::size_t off = 0;
        while (pending_.size() - off >= 2) {
            const auto* p = reinterpret_cast<const unsigned char*>(pending_.data() + off);
            std::uint64_t len = p[1] & 0x7f;
            std::size_t header = 2;
            if (len == 126) {
                if (pending_.size() - off < 4)
                    break;
                len = (static_cast<std::uint64_t>(p[2]) << 8) | p[3];
                header = 4;
            } else if (len == 127) {
                if (pending_.size() - off < 10)
                    break;
                len = 0;
                for (int k = 2; k < 10; ++k)
                    len = (len << 8) | p[k];
                header = 10;
            }
            if (pending_.size() - off < header + len)
                break;
            const int op = p[0] & 0x0f;
            if (op == 1 || op == 2)
                on_frame(std::string_view(pending_).substr(off + header, len));
            off += header + static_cast<std::size_t>(len);
        }
        pending_.erase(0, off);
        sock_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](
                                                      boost::system::error_code ec, std::size_t n) {
            if (ec)
                return;
            self->pending_.append(self->buf_.data(), n);
            self->on_bytes();
        });
    }

    tcp::socket sock_;
    std::string stack_;
    bool receiver_;
    stats& st_;
    std::vector<char> buf_;
    std::string pending_;
    std::deque<std::string> out_;
    bool ready_ = false;
};

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string part; std::getline(in, part, ',');)
        out.push_back(part);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::string stack = "ws", ports_arg;
    int clients = 300, publishers = 10;
    double seconds = 4;
    std::string rates_arg = "200";
    bool stop_on_fail = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "relay_fanout_load: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--stack")
            stack = next();
        else if (a == "--ports")
            ports_arg = next();
        else if (a == "--clients")
            clients = std::stoi(next());
        else if (a == "--publishers")
            publishers = std::stoi(next());
        else if (a == "--rates")
            rates_arg = next();
        else if (a == "--seconds")
            seconds = std::stod(next());
        else if (a == "--stop-on-fail")
            stop_on_fail = true;
        else {
            std::cerr << "relay_fanout_load: unknown flag " << a << " (see the file header)\n";
            return 2;
        }
    }
    std::vector<unsigned short> ports;
    for (auto& p : split(ports_arg))
        ports.push_back(static_cast<unsigned short>(std::stoi(p)));
    if (ports.empty()) {
        std::cerr << "relay_fanout_load: --ports is required\n";
        return 2;
    }
    asio::io_context ioc;
    stats st;
    std::vector<std::shared_ptr<conn>> receivers, pubs;
    for (int i = 0; i < clients; ++i) {
        auto c = std::make_shared<conn>(ioc, stack, true, st);
        if (!c->connect(ports[i % ports.size()], "c" + std::to_string(i))) {
            std::cerr << "relay_fanout_load: cannot connect client " << i << "\n";
            return 3;
        }
        c->start();
        receivers.push_back(c);
    }
    for (int i = 0; i < publishers; ++i) {
        auto c = std::make_shared<conn>(ioc, stack, false, st);
        if (!c->connect(ports[(i + 1) % ports.size()], "p" + std::to_string(i))) {
            std::cerr << "relay_fanout_load: cannot connect publisher " << i << "\n";
            return 3;
        }
        c->start();
        pubs.push_back(c);
    }
    auto run_for = [&](std::chrono::milliseconds d) {
        ioc.restart();
        ioc.run_for(d);
    };
    // Everyone ready (subscribed / namespace joined); raw endpoints subscribe asynchronously.
    for (int i = 0; i < 200; ++i) {
        bool all = true;
        for (auto& c : receivers)
            all = all && c->ready();
        if (all && (stack != "socketio" || [&] {
                for (auto& p : pubs)
                    if (!p->ready())
                        return false;
                return true;
            }()))
            break;
        run_for(std::chrono::milliseconds{50});
    }
    run_for(std::chrono::milliseconds{500});

    auto run_rate = [&](double rate, double secs, bool report) {
        std::fill(st.hist.begin(), st.hist.end(), 0);
        st.delivered = 0;
        st.measuring = true;
        if (report)
            std::cout << "START rate=" << rate << std::endl;
        const double start = now_us();
        std::uint64_t sent = 0;
        asio::steady_timer tick(ioc);
        std::function<void()> pace = [&] {
            const double elapsed = now_us() - start;
            const auto due = static_cast<std::uint64_t>(elapsed / 1e6 * rate);
            while (sent < due && elapsed < secs * 1e6) {
                pubs[sent % pubs.size()]->publish(now_us(), sent);
                ++sent;
            }
            if (elapsed < secs * 1e6) {
                tick.expires_after(std::chrono::milliseconds{2});
                tick.async_wait([&](boost::system::error_code ec) {
                    if (!ec)
                        pace();  // cancelled when the step ends: never call a dead pacer
                });
            }
        };
        pace();
        ioc.restart();
        while (now_us() - start < secs * 1e6)
            ioc.run_for(std::chrono::milliseconds{50});
        const std::uint64_t expected = sent * static_cast<std::uint64_t>(clients);
        const double grace_end = now_us() + 2e6;
        while (st.delivered < expected && now_us() < grace_end)
            run_for(std::chrono::milliseconds{10});
        st.measuring = false;
        const double ratio =
            expected ? static_cast<double>(st.delivered) / static_cast<double>(expected) : 0;
        const double p50 = st.percentile(0.5), p99 = st.percentile(0.99);
        if (report)
            std::cout << "RESULT {\"rate\":" << rate << ",\"sent\":" << sent
                      << ",\"expected\":" << expected << ",\"delivered\":" << st.delivered
                      << ",\"ratio\":" << ratio
                      << ",\"delivered_per_s\":" << static_cast<double>(st.delivered) / secs
                      << ",\"p50_ms\":" << p50 << ",\"p99_ms\":" << p99 << "}" << std::endl;
        return ratio >= 0.999 && p99 >= 0 && p99 < 100;
    };
    auto rates = split(rates_arg);
    run_rate(std::stod(rates.front()), 1, false);  // warm-up
    for (auto& r : rates) {
        const bool ok = run_rate(std::stod(r), seconds, true);
        if (!ok && stop_on_fail)
            break;
        run_for(std::chrono::milliseconds{300});  // let the stack settle between steps
    }
    std::cout << "END" << std::endl;
    return 0;
}
