#pragma once
// Test helpers for the fault proxy: a loopback echo server on its own thread, and a blocking
// client whose every wait has a deadline.
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace switchyard::faults::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// Echoes every byte back; on EOF it shuts down its sending side after echoing everything.
class echo_server {
  public:
    echo_server() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~echo_server() {
        asio::post(io_, [this] { acceptor_.close(); });
        io_.stop();
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    /// Connections accepted so far.
    int accepted() const { return accepted_.load(); }

  private:
    struct session : std::enable_shared_from_this<session> {
        explicit session(tcp::socket s) : socket(std::move(s)) {}
        void read() {
            socket.async_read_some(
                asio::buffer(buf), [self = shared_from_this()](auto ec, std::size_t n) {
                    if (ec) {
                        boost::system::error_code ignored;
                        self->socket.shutdown(tcp::socket::shutdown_send, ignored);
                        return;
                    }
                    asio::async_write(self->socket, asio::buffer(self->buf.data(), n),
                                      [self](auto ec2, std::size_t) {
                                          if (!ec2) {
                                              self->read();
                                          }
                                      });
                });
        }
        tcp::socket socket;
        std::array<char, 16384> buf{};
    };
    void accept() {
        acceptor_.async_accept([this](auto ec, tcp::socket s) {
            if (ec) {
                return;
            }
            accepted_++;
            std::make_shared<session>(std::move(s))->read();
            accept();
        });
    }
    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::atomic<int> accepted_{0};
    std::thread thread_;
};

/// A blocking TCP client; every call takes a deadline and never hangs past it.
class test_client {
  public:
    explicit test_client(std::uint16_t port) : socket_(io_) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        socket_.set_option(tcp::no_delay(true));
    }
    void send(const std::string& data) { asio::write(socket_, asio::buffer(data)); }
    void shutdown_send() { socket_.shutdown(tcp::socket::shutdown_send); }

    /// Reads exactly `n` bytes, or nullopt when the deadline passes or the stream ends first.
    std::optional<std::string> read_exact(std::size_t n, std::chrono::milliseconds timeout) {
        std::string out(n, '\0');
        boost::system::error_code result = asio::error::timed_out;
        bool done = false;
        asio::async_read(socket_, asio::buffer(out), [&](auto ec, std::size_t) {
            result = ec;
            done = true;
        });
        run(timeout, done);
        if (result == asio::error::operation_aborted) {
            result = asio::error::timed_out;
        }
        last_error_ = result;
        if (result) {
            return std::nullopt;
        }
        return out;
    }
    /// Waits for the stream to end (EOF or error) and returns how it ended; timed_out when the
    /// deadline passed first. Data read meanwhile is counted in `bytes_before_end`.
    boost::system::error_code wait_end(std::chrono::milliseconds timeout) {
        boost::system::error_code result = asio::error::timed_out;
        bool done = false;
        std::function<void()> step;
        step = [&] {
            socket_.async_read_some(asio::buffer(buf_), [&](auto ec, std::size_t n) {
                if (ec) {
                    result = ec;
                    done = true;
                    return;
                }
                bytes_before_end += n;
                step();
            });
        };
        step();
        run(timeout, done);
        if (result == asio::error::operation_aborted) {
            result = asio::error::timed_out;
        }
        return result;
    }
    boost::system::error_code last_error() const { return last_error_; }
    std::size_t bytes_before_end = 0;

  private:
    void run(std::chrono::milliseconds timeout, bool& done) {
        io_.restart();
        io_.run_for(timeout);
        if (!done) {
            socket_.cancel();
            io_.restart();
            io_.run();  // let the cancelled handler finish before locals go away
        }
    }
    asio::io_context io_;
    tcp::socket socket_;
    std::array<char, 16384> buf_{};
    boost::system::error_code last_error_;
};

}  // namespace switchyard::faults::testing
