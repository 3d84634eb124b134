// sy-ws-load: many WebSocket clients sending small messages and reading the echo back, for
// bench/macro/ws-tunnel. Each client keeps one message in flight; --rate paces the total.
//
//   sy-ws-load --port P --clients 300 --seconds 10 [--rate 60000] [--bytes 32]
// prints: clients=<n> connected=<n> sent=<n> received=<n> seconds=<s> rate=<msg/s>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::redirect_error;
using asio::use_awaitable;

namespace {
struct totals {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t connected = 0;
    std::uint64_t failed = 0;
};

asio::awaitable<void> client(tcp::endpoint at, std::string payload,
                             std::chrono::steady_clock::time_point until,
                             std::chrono::nanoseconds interval, totals& t) {
    auto ex = co_await asio::this_coro::executor;
    websocket::stream<beast::tcp_stream> ws(ex);
    beast::error_code ec;
    co_await beast::get_lowest_layer(ws).async_connect(at, redirect_error(use_awaitable, ec));
    if (!ec)
        co_await ws.async_handshake("127.0.0.1", "/ws", redirect_error(use_awaitable, ec));
    if (ec) {
        ++t.failed;
        co_return;
    }
    beast::get_lowest_layer(ws).expires_never();
    ++t.connected;
    ws.text(true);
    beast::flat_buffer buf;
    asio::steady_timer pace(ex);
    auto next = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() < until) {
        co_await ws.async_write(asio::buffer(payload), redirect_error(use_awaitable, ec));
        if (ec)
            break;
        ++t.sent;
        co_await ws.async_read(buf, redirect_error(use_awaitable, ec));
        if (ec)
            break;
        buf.consume(buf.size());
        ++t.received;
        if (interval.count() > 0) {
            next += interval;
            pace.expires_at(next);
            co_await pace.async_wait(redirect_error(use_awaitable, ec));
        }
    }
    co_await ws.async_close(websocket::close_code::normal, redirect_error(use_awaitable, ec));
}
}  // namespace

int main(int argc, char** argv) {
    unsigned short port = 0;
    int clients = 300;
    double seconds = 10;
    double rate = 0;
    std::size_t bytes = 32;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        const std::string v = argv[i + 1];
        if (a == "--port")
            port = static_cast<unsigned short>(std::stoi(v));
        else if (a == "--clients")
            clients = std::stoi(v);
        else if (a == "--seconds")
            seconds = std::stod(v);
        else if (a == "--rate")
            rate = std::stod(v);
        else if (a == "--bytes")
            bytes = std::stoul(v);
        else {
            std::cerr << "usage: sy-ws-load --port P [--clients N] [--seconds S] [--rate MSG_PER_S]"
                         " [--bytes B]\n";
            return 2;
        }
    }
    if (port == 0) {
        std::cerr << "--port is required\n";
        return 2;
    }
    asio::io_context ioc(1);
    totals t;
    const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), port);
    const auto start = std::chrono::steady_clock::now();
    const auto until = start + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::duration<double>(seconds));
    // Each client sends at most rate/clients messages a second.
    const auto interval =
        rate > 0 ? std::chrono::nanoseconds(static_cast<long long>(1e9 * clients / rate))
                 : std::chrono::nanoseconds(0);
    for (int i = 0; i < clients; ++i)
        asio::co_spawn(ioc, client(at, std::string(bytes, 'm'), until, interval, t),
                       asio::detached);
    ioc.run();
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "clients=%d connected=%llu failed=%llu sent=%llu received=%llu seconds=%.2f "
        "rate=%.0f\n",
        clients, static_cast<unsigned long long>(t.connected),
        static_cast<unsigned long long>(t.failed), static_cast<unsigned long long>(t.sent),
        static_cast<unsigned long long>(t.received), took, t.received / took);
    return t.failed > 0 ? 1 : 0;
}
