#include "backends/balancer/balancer_config.hpp"

// Cross-field checks on a complete configuration (after the file and the flags), and the
// error text every config problem is reported with.
#include <fstream>
#include <set>

#include "backends/policy/selector.hpp"
#include "backends/policy/sticky_codec.hpp"

namespace switchyard::balancer {

std::string config_error::text() const {
    std::string out;
    if (!where.empty())
        out += where + ": ";
    out += key.empty() ? message : key + ": " + message;
    return out;
}

namespace {

bool file_readable(const std::string& path) {
    std::ifstream in(path);
    return in.good();
}

}  // namespace

std::optional<config_error> validate(const balancer_config& c) {
    if (c.backends.empty())
        return config_error{"backends",
                            "at least one backend is required (--backend id=host:port)"};
    std::set<std::string> ids;
    for (const auto& b : c.backends) {
        if (!policy::sticky_codec::valid_id(b.id))
            return config_error{"backends",
                                "id '" + b.id + "' must be 1..64 characters of [A-Za-z0-9_-]"};
        if (!ids.insert(b.id).second)
            return config_error{"backends", "duplicate id '" + b.id + "'"};
        if (b.port == 0)
            return config_error{"backends", "backend '" + b.id + "' has no port"};
    }
    if (!policy::make_selector(c.strategy))
        return config_error{"strategy", "unknown strategy '" + c.strategy +
                                            "'; known: " + policy::selector_names()};
    if (c.tls.cert_file.empty() != c.tls.key_file.empty())
        return config_error{"tls", "cert_file and key_file must be given together"};
    if (c.tls.enabled()) {
        if (!c.tls.cert_file.empty() && !file_readable(c.tls.cert_file))
            return config_error{"tls.cert_file", "cannot read '" + c.tls.cert_file + "'"};
        if (!c.tls.key_file.empty() && !file_readable(c.tls.key_file))
            return config_error{"tls.key_file", "cannot read '" + c.tls.key_file + "'"};
        for (std::size_t i = 0; i < c.tls.certificates.size(); ++i) {
            const auto& cert = c.tls.certificates[i];
            const std::string key = "tls.certificates[" + std::to_string(i) + "]";
            if (!file_readable(cert.cert_file))
                return config_error{key + ".cert_file", "cannot read '" + cert.cert_file + "'"};
            if (!file_readable(cert.key_file))
                return config_error{key + ".key_file", "cannot read '" + cert.key_file + "'"};
        }
    } else if (c.tls.port) {
        return config_error{"tls.port", "needs tls.cert_file and tls.key_file"};
    }
    if (!c.port && !(c.tls.enabled() && c.tls.port))
        return config_error{"port", "no listener: set port (or tls.port)"};
    if (c.sticky.cookie.empty() || c.sticky.cookie.find_first_of(" ;=,\t\"") != std::string::npos)
        return config_error{"sticky.cookie",
                            "'" + c.sticky.cookie + "' is not a valid cookie name"};
    if (c.admin_token_for_reads && c.admin_token.empty())
        return config_error{"admin.token_for_reads",
                            "needs admin.token (--admin-token): without one no read could pass"};
    if (c.health.method.empty() || c.health.path.empty() || c.health.path[0] != '/')
        return config_error{"health.path", "must start with '/'"};
    return std::nullopt;
}

}  // namespace switchyard::balancer
