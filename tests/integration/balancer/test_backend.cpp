// sy-test-backend: a tiny HTTP + WebSocket server the balancer tests (and benchmarks) put behind
// switchyard-lb. Every answer names the backend, so a test can see where a request went.
//
//   GET/HEAD any path  200, body "<id>\n", header X-Backend-Id, and X-Seen-* echoing the
//                      forwarding headers the backend received
//   POST/PUT           200, echoes the request body
//   /status/<code>     answers with that status
//   /chunked           a chunked response of three parts
//   WebSocket upgrade  echoes every message; the text "id" is answered with the backend id
//   --idle-close-ms N  closes a keep-alive connection idle that long (default 120 s)
#include <signal.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "backends/net/ready_line.hpp"
#include "backends/net/reuseport_acceptor.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::redirect_error;
using asio::use_awaitable;

namespace {

std::string g_id = "backend";
/// How long a keep-alive connection may sit idle before this backend closes it.
std::chrono::milliseconds g_idle_close{120000};

asio::awaitable<void> serve_ws(beast::tcp_stream stream, http::request<http::string_body> req) {
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set("X-Backend-Id", g_id); }));
    beast::error_code ec;
    co_await ws.async_accept(req, redirect_error(use_awaitable, ec));
    if (ec)
        co_return;
    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, redirect_error(use_awaitable, ec));
        if (ec)
            co_return;
        ws.text(ws.got_text());
        if (ws.got_text() && beast::buffers_to_string(buf.data()) == "id") {
            co_await ws.async_write(asio::buffer(g_id), redirect_error(use_awaitable, ec));
        } else {
            co_await ws.async_write(buf.data(), redirect_error(use_awaitable, ec));
        }
        buf.consume(buf.size());
        if (ec)
            co_return;
    }
}

asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buf;
    for (;;) {
        beast::error_code ec;
        http::request_parser<http::string_body> parser;
        parser.body_limit(64 << 20);
        stream.expires_after(g_idle_close);
        co_await http::async_read(stream, buf, parser, redirect_error(use_awaitable, ec));
        if (ec)
            co_return;
        auto req = parser.release();
        if (websocket::is_upgrade(req)) {
            co_await serve_ws(std::move(stream), std::move(req));
            co_return;
        }
        const std::string target(req.target());
        if (target == "/chunked") {
            http::response<http::empty_body> res{http::status::ok, req.version()};
            res.set("X-Backend-Id", g_id);
            res.chunked(true);
            res.keep_alive(req.keep_alive());
            http::response_serializer<http::empty_body> sr{res};
            co_await http::async_write_header(stream, sr, redirect_error(use_awaitable, ec));
            for (const char* part : {"one,", "two,", "three\n"}) {
                const std::string text(part);
                co_await asio::async_write(stream, http::make_chunk(asio::buffer(text)),
                                           redirect_error(use_awaitable, ec));
            }
            co_await asio::async_write(stream, http::make_chunk_last(),
                                       redirect_error(use_awaitable, ec));
            if (ec || !req.keep_alive())
                co_return;
            continue;
        }
        http::status status = http::status::ok;
        if (target.rfind("/status/", 0) == 0)
            status = static_cast<http::status>(std::stoi(target.substr(8)));
        http::response<http::string_body> res{status, req.version()};
        res.set(http::field::server, "sy-test-backend");
        res.set("X-Backend-Id", g_id);
        for (const char* h : {"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
                              "Connection", "Cookie", "Keep-Alive"}) {
            auto it = req.find(h);
            if (it != req.end())
                res.set(std::string("X-Seen-") + h, it->value());
        }
        if (req.method() == http::verb::post || req.method() == http::verb::put)
            res.body() = std::move(req.body());
        else
            res.body() = g_id + "\n";
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        if (req.method() == http::verb::head) {
            // Announce the length a GET would have, send no body (RFC 9110 9.3.2).
            const auto length = res.body().size();
            res.body().clear();
            res.content_length(length);
        }
        co_await http::async_write(stream, res, redirect_error(use_awaitable, ec));
        if (ec || !res.keep_alive())
            co_return;
    }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
    for (;;) {
        beast::error_code ec;
        auto socket = co_await acceptor.async_accept(redirect_error(use_awaitable, ec));
        if (ec)
            continue;
        socket.set_option(tcp::no_delay(true), ec);
        asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
    }
}

}  // namespace

int main(int argc, char** argv) {
    int port = 0;
    unsigned threads = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help") {
            std::cout << "usage: sy-test-backend [--id ID] [--port N] [--threads N] "
                         "[--idle-close-ms N]\n";
            return 0;
        }
        if (i + 1 >= argc) {
            std::cerr << a << ": needs a value\n";
            return 2;
        }
        if (a == "--id")
            g_id = argv[++i];
        else if (a == "--port")
            port = std::stoi(argv[++i]);
        else if (a == "--idle-close-ms")
            g_idle_close = std::chrono::milliseconds(std::stol(argv[++i]));
        else if (a == "--threads")
            threads = static_cast<unsigned>(std::stoul(argv[++i]));
        else {
            std::cerr << a << ": unknown flag\n";
            return 2;
        }
    }
    ::signal(SIGPIPE, SIG_IGN);
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::vector<tcp::acceptor> acceptors;
    tcp::endpoint at(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    for (unsigned t = 0; t < std::max(1u, threads); ++t) {
        contexts.push_back(std::make_unique<asio::io_context>(1));
        try {
            acceptors.push_back(switchyard::net::make_reuseport_acceptor(
                contexts.back()->get_executor(), at, true));
        } catch (const std::exception& e) {
            std::cerr << "cannot listen: " << e.what() << "\n";
            return 3;
        }
        at.port(acceptors.back().local_endpoint().port());
    }
    for (std::size_t t = 0; t < contexts.size(); ++t)
        asio::co_spawn(*contexts[t], accept_loop(acceptors[t]), asio::detached);
    switchyard::net::print_ready_line(g_id, at.port(), 0);
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < contexts.size(); ++t)
        pool.emplace_back([&, t] { contexts[t]->run(); });
    contexts[0]->run();
    for (auto& th : pool)
        th.join();
}
