#pragma once
// Test helper: terminates TLS on 127.0.0.1:<any> with a throwaway self-signed certificate and
// pipes the plaintext to a backend port, so the fleet's wss:// and https:// paths meet a real
// TLS handshake in front of a real relay.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "engine/cluster/child_process.hpp"

namespace switchyard::fleet::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class tls_terminator {
  public:
    tls_terminator(std::uint16_t backend_port, const std::filesystem::path& dir)
        : backend_port_(backend_port),
          ctx_(asio::ssl::context::tls_server),
          acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        static int serial = 0;
        const auto tag = std::to_string(serial++);
        const auto key = dir / ("tls-test-" + tag + ".key");
        const auto cert = dir / ("tls-test-" + tag + ".crt");
        {
            cluster::child_process openssl(
                {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                 key.string(), "-out", cert.string(), "-days", "1", "-subj", "/CN=localhost"},
                dir / ("openssl-" + tag + ".log"));
            if (!openssl.wait_exit(std::chrono::seconds(30))) {
                throw std::runtime_error("openssl did not finish");
            }
        }
        ctx_.use_certificate_chain_file(cert.string());
        ctx_.use_private_key_file(key.string(), asio::ssl::context::pem);
        accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~tls_terminator() {
        io_.stop();
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  private:
    struct pipe : std::enable_shared_from_this<pipe> {
        pipe(tcp::socket s, asio::ssl::context& ctx, asio::io_context& io)
            : tls(std::move(s), ctx), plain(io) {}
        asio::ssl::stream<tcp::socket> tls;
        tcp::socket plain;
        std::array<char, 8192> up{}, down{};

        template <class From, class To>
        static void relay(std::shared_ptr<pipe> self, From& from, To& to,
                          std::array<char, 8192>& buf) {
            from.async_read_some(
                asio::buffer(buf), [self, &from, &to, &buf](auto ec, std::size_t n) {
                    if (ec) {
                        boost::system::error_code ignored;
                        self->plain.close(ignored);
                        self->tls.lowest_layer().close(ignored);
                        return;
                    }
                    asio::async_write(to, asio::buffer(buf.data(), n),
                                      [self, &from, &to, &buf](auto ec2, std::size_t) {
                                          if (!ec2) {
                                              relay(self, from, to, buf);
                                          }
                                      });
                });
        }
    };

    void accept() {
        acceptor_.async_accept([this](auto ec, tcp::socket s) {
            if (ec) {
                return;
            }
            auto p = std::make_shared<pipe>(std::move(s), ctx_, io_);
            p->tls.async_handshake(asio::ssl::stream_base::server, [this, p](auto ec2) {
                if (ec2) {
                    std::fprintf(stderr, "tls_terminator: handshake: %s\n", ec2.message().c_str());
                    return;
                }
                p->plain.async_connect(
                    tcp::endpoint(asio::ip::make_address("127.0.0.1"), backend_port_),
                    [p](auto ec3) {
                        if (ec3) {
                            std::fprintf(stderr, "tls_terminator: backend: %s\n",
                                         ec3.message().c_str());
                            return;
                        }
                        pipe::relay(p, p->tls, p->plain, p->up);
                        pipe::relay(p, p->plain, p->tls, p->down);
                    });
            });
            accept();
        });
    }

    std::uint16_t backend_port_;
    asio::io_context io_;
    asio::ssl::context ctx_;
    tcp::acceptor acceptor_;
    std::thread thread_;
};

}  // namespace switchyard::fleet::testing
