#include "engine/cluster/cookie_secret.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

namespace switchyard::cluster {

std::filesystem::path write_cookie_secret(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    const auto path = dir / "cookie-secret";
    // Never derived from the seed: a secret anyone can recompute would let a client forge its
    // placement. Reproducibility does not need it; placements do not depend on its value.
    std::random_device rd;
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    for (int i = 0; i < 32; ++i) {
        const auto byte = rd() & 0xff;
        text += hex[byte >> 4];
        text += hex[byte & 0xf];
    }
    text += '\n';
    // Created 0600 from the start, so it is never readable by others, even briefly.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
    const auto written = ::write(fd, text.data(), text.size());
    ::close(fd);
    if (written != static_cast<ssize_t>(text.size()))
        throw std::runtime_error("cannot write " + path.string());
    return path;
}

}  // namespace switchyard::cluster
