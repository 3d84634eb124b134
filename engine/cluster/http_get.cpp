#include "engine/cluster/http_get.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace switchyard::cluster {
namespace {

struct fd_guard {
    int fd;
    ~fd_guard() {
        if (fd >= 0)
            ::close(fd);
    }
};

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    pollfd p{fd, events, 0};
    while (true) {
        const int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r > 0)
            return true;
        if (r == 0 || errno != EINTR)
            return false;
    }
}

}  // namespace

std::optional<http_reply> http_request(unsigned short port, const std::string& method,
                                       const std::string& path, const std::string& bearer_token,
                                       std::chrono::milliseconds timeout) {
    return http_request("127.0.0.1", port, method, path, bearer_token, timeout);
}

std::optional<http_reply> http_request(const std::string& host, unsigned short port,
                                       const std::string& method, const std::string& path,
                                       const std::string& bearer_token,
                                       std::chrono::milliseconds timeout) {
    in_addr ip{};
    if (host == "localhost") {
        ip.s_addr = htonl(INADDR_LOOPBACK);
    } else if (::inet_pton(AF_INET, host.c_str(), &ip) != 1) {
        addrinfo hints{};
        hints.ai_family = AF_INET;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr)
            return std::nullopt;
        ip = reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr;
        ::freeaddrinfo(found);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    fd_guard s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (s.fd < 0)
        return std::nullopt;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr = ip;
    if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno != EINPROGRESS || !wait_for(s.fd, POLLOUT, deadline))
            return std::nullopt;
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0)
            return std::nullopt;
    }
    std::string req = method + " " + path + " HTTP/1.0\r\nHost: " + host + "\r\n";
    if (!bearer_token.empty())
        req += "Authorization: Bearer " + bearer_token + "\r\n";
    req += "Content-Length: 0\r\nConnection: close\r\n\r\n";
    std::size_t sent = 0;
    while (sent < req.size()) {
        const auto n = ::send(s.fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_for(s.fd, POLLOUT, deadline))
                return std::nullopt;
        } else {
            return std::nullopt;
        }
    }
    std::string data;
    char buf[8192];
    while (true) {
        const auto n = ::recv(s.fd, buf, sizeof buf, 0);
        if (n > 0) {
            data.append(buf, static_cast<std::size_t>(n));
            if (data.size() > http_reply_bytes_max)
                return std::nullopt;
        } else if (n == 0) {
            break;
        } else if (errno == EAGAIN || errno == EINTR) {
            if (!wait_for(s.fd, POLLIN, deadline))
                return std::nullopt;
        } else {
            return std::nullopt;
        }
    }
    // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody"
    if (data.rfind("HTTP/1.", 0) != 0 || data.size() < 12)
        return std::nullopt;
    http_reply r;
    r.status = std::atoi(data.c_str() + 9);
    const auto end = data.find("\r\n\r\n");
    if (end != std::string::npos)
        r.body = data.substr(end + 4);
    return r;
}

}  // namespace switchyard::cluster
