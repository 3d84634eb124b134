#pragma once
// One seeded generator per simulated component, derived from the scenario seed and the
// component's name, so adding a component never shifts another one's random stream.
#include <cstdint>
#include <string_view>

#include "backends/policy/fast_rng.hpp"

namespace switchyard::sim {

/// FNV-1a of `name`: stable across runs, platforms and standard libraries (std::hash is not).
constexpr std::uint64_t stable_hash(std::string_view name) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

/// The generator of component `name` ("relay-7", "link:balancer-relay-7", "fleet:clients") in
/// the run seeded with `seed`. Independent of the order components are created in.
inline policy::fast_rng component_rng(std::uint64_t seed, std::string_view name) noexcept {
    // fast_rng's splitmix seeding spreads the mixed value over its whole state.
    return policy::fast_rng(seed ^ (stable_hash(name) * 0x9e3779b97f4a7c15ULL));
}

}  // namespace switchyard::sim
