// switchyard-lb's config file parser. Input: a YAML document.
// Invariants: any input gives a config or a config_error, never an exception or a crash; an
// error names a key or says what is wrong, and one from YAML says where (file:line:col); a
// config that validates has backends with unique, valid ids, a known strategy and listener
// ports in range.
#include <cstdint>
#include <regex>
#include <set>
#include <string>

#include "backends/balancer/balancer_config.hpp"
#include "backends/policy/selector.hpp"
#include "backends/policy/sticky_codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace switchyard::balancer;

namespace {

void check_error(const config_error& e) {
    FUZZ_CHECK(!e.message.empty());
    FUZZ_CHECK(!e.text().empty());
    if (!e.where.empty()) {
        static const std::regex where(R"(fuzz\.yaml:[0-9]+:[0-9]+)");
        FUZZ_CHECK(std::regex_match(e.where, where));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    balancer_config config;
    if (auto error = apply_yaml(text, "fuzz.yaml", config)) {
        check_error(*error);
        return 0;
    }
    // Validation opens the TLS files a config names; a fuzzed path (a FIFO, a device) would
    // block or read forever, and file access is not parsing.
    if (config.tls.enabled())
        return 0;
    if (auto error = validate(config)) {
        check_error(*error);
        return 0;
    }
    FUZZ_CHECK(!config.backends.empty());
    std::set<std::string> ids;
    for (const auto& b : config.backends) {
        FUZZ_CHECK(switchyard::policy::sticky_codec::valid_id(b.id));
        FUZZ_CHECK(ids.insert(b.id).second);
    }
    FUZZ_CHECK(switchyard::policy::make_selector(config.strategy) != nullptr);
    if (config.port)
        FUZZ_CHECK(*config.port >= 0 && *config.port < 65536);
    if (config.admin_port)
        FUZZ_CHECK(*config.admin_port >= 0 && *config.admin_port < 65536);
    return 0;
}
