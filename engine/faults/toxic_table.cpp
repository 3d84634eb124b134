#include "engine/faults/toxic_table.hpp"

#include <array>
#include <stdexcept>

#include "engine/faults/bandwidth_toxic.hpp"
#include "engine/faults/blackhole_toxic.hpp"
#include "engine/faults/latency_toxic.hpp"
#include "engine/faults/partition_toxic.hpp"
#include "engine/faults/reset_toxic.hpp"
#include "engine/faults/slow_close_toxic.hpp"
#include "engine/faults/timeout_toxic.hpp"

namespace switchyard::faults {
namespace {

template <class T>
std::unique_ptr<toxic> make(const toxic_params& p) {
    return std::make_unique<T>(p);
}

constexpr std::array<toxic_param_info, 2> latency_params{{
    {"latency_ms", 100, "added delay per chunk"},
    {"jitter_ms", 0, "uniform +/- spread around latency_ms"},
}};
constexpr std::array<toxic_param_info, 1> bandwidth_params{{
    {"rate_kbps", 100, "kilobytes (1000 bytes) per second"},
}};
constexpr std::array<toxic_param_info, 1> reset_params{{
    {"timeout_ms", 0,
     "time after accept (or after the toxic is set, for live connections) before the RST"},
}};
constexpr std::array<toxic_param_info, 1> timeout_params{{
    {"timeout_ms", 0, "time before the connection is closed; 0 keeps it open and silent"},
}};
constexpr std::array<toxic_param_info, 1> slow_close_params{{
    {"delay_ms", 1000, "delay before a close is passed on"},
}};

const std::array<toxic_info, 7> table{{
    {"latency", &make<latency_toxic>,
     "Delays every chunk by latency_ms, plus or minus a uniform jitter_ms (order kept).",
     latency_params},
    {"bandwidth", &make<bandwidth_toxic>,
     "Caps throughput at rate_kbps kilobytes per second in each direction it applies to.",
     bandwidth_params},
    {"blackhole", &make<blackhole_toxic>,
     "Accepts and reads but never answers: new connections get no upstream, all data is dropped.",
     std::span<const toxic_param_info>{}},
    {"reset", &make<reset_toxic>,
     "Aborts connections with a TCP RST after timeout_ms (0 = at once); live ones too.",
     reset_params},
    {"timeout", &make<timeout_toxic>,
     "Drops all data and closes connections after timeout_ms (0 = never close, drop only).",
     timeout_params},
    {"partition", &make<partition_toxic>,
     "Cuts the link both ways: data stalls (delivered when cleared), new connections wait.",
     std::span<const toxic_param_info>{}},
    {"slow_close", &make<slow_close_toxic>,
     "Delays passing a close (FIN) from one side to the other by delay_ms.", slow_close_params},
}};

std::string check_keys(const toxic_info& row, const toxic_params& p) {
    for (const auto& [key, value] : p.values) {
        bool known = false;
        for (const auto& param : row.params) {
            known = known || param.name == key;
        }
        if (!known) {
            std::string names;
            for (const auto& param : row.params) {
                names += names.empty() ? "" : ", ";
                names += param.name;
            }
            return std::string(row.name) + ": unknown parameter '" + key +
                   "'; known: " + (names.empty() ? std::string("(none)") : names);
        }
    }
    return {};
}

}  // namespace

std::string_view to_string(toxic_direction d) noexcept {
    switch (d) {
        case toxic_direction::upstream:
            return "upstream";
        case toxic_direction::downstream:
            return "downstream";
        case toxic_direction::both:
            return "both";
    }
    return "?";
}

bool toxic_direction_from_string(std::string_view s, toxic_direction& out) noexcept {
    for (auto d : {toxic_direction::upstream, toxic_direction::downstream, toxic_direction::both}) {
        if (to_string(d) == s) {
            out = d;
            return true;
        }
    }
    return false;
}

bool applies(toxic_direction d, stream_dir s) noexcept {
    return d == toxic_direction::both ||
           (d == toxic_direction::upstream) == (s == stream_dir::upstream);
}

std::span<const toxic_info> toxic_table() noexcept {
    return table;
}

const toxic_info* find_toxic(std::string_view name) noexcept {
    for (const auto& row : table) {
        if (row.name == name) {
            return &row;
        }
    }
    return nullptr;
}

std::string known_toxics() {
    std::string out;
    for (const auto& row : table) {
        out += out.empty() ? "" : ", ";
        out += row.name;
    }
    return out;
}

std::string unknown_toxic_message(std::string_view name) {
    return "unknown toxic '" + std::string(name) + "'; known: " + known_toxics();
}

std::unique_ptr<toxic> make_toxic(std::string_view name, const toxic_params& params) {
    const toxic_info* row = find_toxic(name);
    if (row == nullptr) {
        throw std::invalid_argument(unknown_toxic_message(name));
    }
    if (auto problem = check_keys(*row, params); !problem.empty()) {
        throw std::invalid_argument(problem);
    }
    try {
        return row->factory(params);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string(name) + ": " + e.what());
    }
}

std::string validate_toxic(std::string_view name, const toxic_params& params) {
    try {
        (void)make_toxic(name, params);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

}  // namespace switchyard::faults
