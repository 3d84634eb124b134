#pragma once
// Shared bits of the toxic unit tests: build a toxic from the table with literal parameters.
#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

#include "engine/faults/toxic_table.hpp"

namespace switchyard::faults::testing {

inline std::unique_ptr<toxic> build(std::string_view name,
                                    std::initializer_list<std::pair<const char*, double>> values,
                                    toxic_direction dir = toxic_direction::both) {
    toxic_params p;
    p.direction = dir;
    for (const auto& [k, v] : values) {
        p.values[k] = v;
    }
    return make_toxic(name, p);
}

inline const mono_time t0 = mono_time{} + std::chrono::hours(1);

}  // namespace switchyard::faults::testing
